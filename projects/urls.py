from django.urls import path

from projects import views

app_name = "projects"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("projects/", views.project_list, name="list"),
    path("projects/<slug:slug>/", views.project_detail, name="detail"),
    path("map/", views.project_map, name="map"),
    path("map/data.geojson", views.map_data, name="map-data"),
    path("stats/", views.stats, name="stats"),
    path("stats/<slug:table>.csv", views.stats_csv, name="stats-csv"),
]
