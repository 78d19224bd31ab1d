from django.urls import path

from ..views import data

urlpatterns = [
    path(
        "<slug:team_slug>/measures/<int:measure_id>/data/",
        data.measure_data,
        name="measure_data",
    ),
    path(
        "<slug:team_slug>/measures/<int:measure_id>/export.<str:fmt>",
        data.measure_export,
        name="measure_export",
    ),
    path(
        "<slug:team_slug>/measures/<int:measure_id>/history/",
        data.measure_history,
        name="measure_history",
    ),
    path("<slug:team_slug>/imports/", data.import_list, name="import_list"),
    path("<slug:team_slug>/imports/new/", data.import_create, name="import_create"),
    path(
        "<slug:team_slug>/imports/<int:import_id>/",
        data.import_preview,
        name="import_preview",
    ),
    path(
        "<slug:team_slug>/imports/<int:import_id>/commit/",
        data.import_commit,
        name="import_commit",
    ),
]
