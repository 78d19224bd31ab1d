"""Decisions, decision letters and awards: staff pages under /manage/."""

from django.urls import URLPattern, path

from ..views import decisions

_APPLICATION = "manage/applications/<str:reference>/"
_ROUND = "manage/programmes/<slug:programme_slug>/rounds/<slug:round_slug>/"

urlpatterns: list[URLPattern] = [
    path(_APPLICATION + "decision/", decisions.decision, name="decision"),
    path(_APPLICATION + "award/", decisions.award, name="award"),
    path(_ROUND + "letters/", decisions.letters, name="letters"),
    path(_ROUND + "awards/", decisions.awards, name="awards"),
]
