from rest_framework.routers import SimpleRouter

from projects.following import api

app_name = "following-api"

router = SimpleRouter()
router.include_format_suffixes = False
router.register("follows", api.FollowViewSet, basename="follow")
router.register("notifications", api.NotificationViewSet, basename="notification")
router.register("webhooks", api.WebhookViewSet, basename="webhook")

urlpatterns = router.urls
