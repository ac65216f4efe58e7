from django.urls import path
from rest_framework.routers import DefaultRouter

from projects.api import views
from projects.newsdesk.api import FeedViewSet

app_name = "api"

router = DefaultRouter()
# The format is a query parameter (?format=csv) or the Accept header, never a suffix of the address:
# with suffixes /claims/0.5/ read as claim 0 in format "5".
router.include_format_suffixes = False
router.register("projects", views.ProjectViewSet, basename="project")
router.register("organizations", views.OrganizationViewSet, basename="organization")
router.register("relationships", views.OrganizationRelationshipViewSet, basename="relationship")
router.register("sources", views.SourceViewSet, basename="source")
router.register("claims", views.ClaimViewSet, basename="claim")
router.register("substations", views.SubstationViewSet, basename="substation")
router.register("indicators", views.IndicatorViewSet, basename="indicator")
router.register("phases", views.PhaseViewSet, basename="phase")
router.register("milestones", views.MilestoneViewSet, basename="milestone")
router.register("roles", views.ProjectRoleViewSet, basename="role")
router.register("grid-connections", views.GridConnectionViewSet, basename="grid-connection")
router.register("feeds", FeedViewSet, basename="feed")

urlpatterns = [
    path("stats/capacity/", views.CapacityStatsView.as_view(), name="stats-capacity"),
    path("changes/", views.ChangeListView.as_view(), name="changes"),
    *router.urls,
]
