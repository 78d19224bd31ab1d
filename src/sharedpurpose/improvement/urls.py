from django.urls import path

from . import views

app_name = "improvement"

urlpatterns = [
    path("", views.my_teams, name="my_teams"),
    path("<slug:team_slug>/", views.team_detail, name="team"),
    path("<slug:team_slug>/workspace/", views.team_workspace, name="workspace"),
]
