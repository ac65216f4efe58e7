from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView

from core.api.docs import SwaggerView
from core.api.errors import unknown_endpoint

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    # The review desk: admin pages of its own (projects/admin/desk.py), before the admin's catch-all.
    path("admin/desk/", include("projects.admin.desk")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("projects.api.urls")),
    path("api/v1/", include("projects.following.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    # Keep last of the /api/ routes: any other address there answers the API's error shape.
    re_path(r"^api/", unknown_endpoint, name="api-unknown"),
    path("", include("projects.following.urls")),
    path("", include("projects.urls")),
]

handler404 = "core.api.errors.not_found"
