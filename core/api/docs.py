"""The API's interactive documentation (Swagger UI from drf-spectacular's sidecar)."""

from django.conf import settings
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularSwaggerView


class SwaggerView(SpectacularSwaggerView):
    """drf-spectacular's Swagger UI page with the site's Cross-Origin-Opener-Policy.

    drf-spectacular relaxes it to ``unsafe-none`` so that an OAuth2 login popup can report
    back to the page; this API authenticates by token or session, never through OAuth2.
    """

    @extend_schema(exclude=True)  # a page, not an API operation, as in the view it extends
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        response.headers["Cross-Origin-Opener-Policy"] = settings.SECURE_CROSS_ORIGIN_OPENER_POLICY
        return response
