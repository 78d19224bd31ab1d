"""Assessment: staff's list of a round's applications, assigning assessors and the panel
(under /manage/), and the assessors' own pages (under /assess/)."""

from django.urls import path

from ..views import assess, staff_applications

_MANAGE_ROUND = "manage/programmes/<slug:programme_slug>/rounds/<slug:round_slug>/"
_MANAGE_APPLICATION = "manage/applications/<str:reference>/"

urlpatterns = [
    path(
        _MANAGE_ROUND + "applications/",
        staff_applications.round_applications,
        name="round_applications",
    ),
    path(_MANAGE_ROUND + "panel/", staff_applications.panel, name="panel"),
    path(_MANAGE_APPLICATION, staff_applications.staff_application, name="staff_application"),
    path(_MANAGE_APPLICATION + "assessors/", staff_applications.assessors, name="assessors"),
    path(
        _MANAGE_APPLICATION + "assessors/<int:assignment_id>/remove/",
        staff_applications.assessor_unassign,
        name="assessor_unassign",
    ),
    path("assess/", assess.assessor_home, name="assessor_home"),
    path("assess/<str:reference>/", assess.assess, name="assess"),
    path("assess/<str:reference>/conflict/", assess.conflict_declare, name="conflict_declare"),
]
