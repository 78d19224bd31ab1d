"""Case studies: the public library, the team's drafts and staff review."""

from django.urls import path

from ..views import case_studies as views

TEAM = "teams/<slug:team_slug>/case-studies/"

urlpatterns = [
    path("case-studies/", views.case_study_library, name="case_studies"),
    path("case-studies/<slug:slug>/", views.case_study_detail, name="case_study"),
    path(TEAM, views.team_case_studies, name="team_case_studies"),
    path(TEAM + "new/", views.case_study_create, name="case_study_create"),
    path(TEAM + "<slug:slug>/", views.team_case_study, name="team_case_study"),
    path(TEAM + "<slug:slug>/edit/", views.case_study_edit, name="case_study_edit"),
    path(TEAM + "<slug:slug>/submit/", views.case_study_submit, name="case_study_submit"),
    path("manage/case-studies/", views.review_queue, name="review_queue"),
    path("manage/case-studies/<slug:slug>/", views.case_study_review, name="case_study_review"),
]
