from django.urls import path

from ..views import charts, pdsa

urlpatterns = [
    path(
        "<slug:team_slug>/measures/<int:measure_id>/",
        charts.measure_detail,
        name="measure",
    ),
    path(
        "<slug:team_slug>/measures/<int:measure_id>/chart.svg",
        charts.measure_chart_svg,
        name="measure_chart_svg",
    ),
    path(
        "<slug:team_slug>/measures/<int:measure_id>/rebases/add/",
        charts.rebase_add,
        name="rebase_add",
    ),
    path(
        "<slug:team_slug>/measures/<int:measure_id>/rebases/<int:rebase_id>/remove/",
        charts.rebase_remove,
        name="rebase_remove",
    ),
    path("<slug:team_slug>/pdsa/", pdsa.pdsa_list, name="pdsa_list"),
    path(
        "<slug:team_slug>/change-ideas/<int:node_id>/cycles/new/",
        pdsa.pdsa_create,
        name="pdsa_create",
    ),
    path("<slug:team_slug>/cycles/<int:cycle_id>/", pdsa.pdsa_detail, name="pdsa"),
    path("<slug:team_slug>/cycles/<int:cycle_id>/edit/", pdsa.pdsa_edit, name="pdsa_edit"),
    path("<slug:team_slug>/cycles/<int:cycle_id>/delete/", pdsa.pdsa_delete, name="pdsa_delete"),
]
