from django.urls import path

from ..views import team

urlpatterns = [
    path("", team.my_teams, name="my_teams"),
    path("<slug:team_slug>/", team.team_detail, name="team"),
    path("<slug:team_slug>/workspace/", team.team_workspace, name="workspace"),
]
