"""The catalogue, computed evidence, goal links and exports (the evidence area's routes)."""

from django.urls import URLPattern, path

from ..views import interventions, links

TEAM = "teams/<slug:team_slug>/"

urlpatterns: list[URLPattern] = [
    path("evidence/interventions/", interventions.intervention_list, name="interventions"),
    path(
        "evidence/interventions/<slug:slug>/",
        interventions.intervention_detail,
        name="intervention",
    ),
    path("evidence/how-we-judge/", interventions.evidence_rules, name="rules"),
    path(
        "programmes/<slug:programme_slug>/evidence/",
        interventions.programme_evidence,
        name="programme",
    ),
    path(
        "programmes/<slug:programme_slug>/evidence.<str:fmt>",
        interventions.programme_export,
        name="programme_export",
    ),
    path(TEAM + "interventions/", interventions.team_interventions, name="team_interventions"),
    path(
        TEAM + "interventions/new/",
        interventions.team_intervention_add,
        name="team_intervention_add",
    ),
    path(
        TEAM + "interventions/change-ideas/<int:node_id>/",
        interventions.team_intervention_use,
        name="team_intervention_use",
    ),
    path(TEAM + "evidence/", interventions.team_evidence, name="team_evidence"),
    path(TEAM + "goals/<int:goal_id>/links/", links.goal_links, name="goal_links"),
    path("manage/interventions/", interventions.manage_interventions, name="manage_interventions"),
    path(
        "manage/interventions/new/",
        interventions.manage_intervention_create,
        name="manage_intervention_create",
    ),
    path(
        "manage/interventions/<slug:slug>/edit/",
        interventions.manage_intervention_edit,
        name="manage_intervention_edit",
    ),
]
