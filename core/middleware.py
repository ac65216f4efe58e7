from core.changes import actor


class ChangeActorMiddleware:
    """Makes the request's user the author of every change recorded during the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with actor(lambda: getattr(request, "user", None), source="web"):
            return self.get_response(request)
