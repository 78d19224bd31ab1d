from django.urls import path

from ..views import goals

GOAL = "<slug:team_slug>/goals/<int:goal_id>/"
NODE = GOAL + "nodes/<int:node_id>/"

urlpatterns = [
    path("<slug:team_slug>/goals/", goals.goal_list, name="goal_list"),
    path("<slug:team_slug>/goals/new/", goals.goal_create, name="goal_create"),
    path(GOAL, goals.goal_detail, name="goal"),
    path(GOAL + "edit/", goals.goal_edit, name="goal_edit"),
    path(GOAL + "delete/", goals.goal_delete, name="goal_delete"),
    path(GOAL + "diagram/", goals.goal_diagram_edit, name="goal_diagram_edit"),
    path(GOAL + "diagram.svg", goals.goal_diagram_svg, name="goal_diagram_svg"),
    path(GOAL + "nodes/add/", goals.node_add, name="node_add"),
    path(NODE + "rename/", goals.node_rename, name="node_rename"),
    path(NODE + "move/", goals.node_move, name="node_move"),
    path(NODE + "delete/", goals.node_delete, name="node_delete"),
    path(NODE + "start/", goals.node_start, name="node_start"),
]
