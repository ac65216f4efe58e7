from django.urls import path

from projects import data_views, history_views, views

app_name = "projects"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("projects/", views.project_list, name="list"),
    path("projects/<slug:slug>/", views.project_detail, name="detail"),
    path("projects/<slug:slug>/changes/", history_views.project_changes, name="changes"),
    path("map/", views.project_map, name="map"),
    path("map/data.geojson", views.map_data, name="map-data"),
    path("stats/", views.stats, name="stats"),
    path("stats/<slug:table>.csv", views.stats_csv, name="stats-csv"),
    path("data/", data_views.data_index, name="data"),
    path("data/datapackage.json", data_views.datapackage_json, name="datapackage"),
    path("data/projects.xlsx", data_views.projects_xlsx, name="data-xlsx"),
    path("data/<slug:name>.csv", data_views.table_csv, name="data-csv"),
    path("data/releases/<str:version>/<str:filename>", data_views.release_file, name="release-file"),
]
