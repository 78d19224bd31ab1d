from django.urls import path

from .feeds import AnnouncementsFeed, ProgrammeAnnouncementsFeed
from .views import public, staff

app_name = "programmes"

_MANAGE_PROGRAMME = "manage/programmes/<slug:programme_slug>/"
_MANAGE_ROUND = _MANAGE_PROGRAMME + "rounds/<slug:round_slug>/"

urlpatterns = [
    path("feed.atom", AnnouncementsFeed(), name="feed"),
    path("programmes/", public.programme_list, name="programme_list"),
    path("programmes/<slug:programme_slug>/", public.programme_detail, name="programme"),
    path(
        "programmes/<slug:programme_slug>/feed.atom",
        ProgrammeAnnouncementsFeed(),
        name="programme_feed",
    ),
    path(
        "programmes/<slug:programme_slug>/<slug:round_slug>/",
        public.round_detail,
        name="round",
    ),
    # Staff
    path("manage/", staff.manage_home, name="manage_home"),
    path("manage/programmes/new/", staff.programme_create, name="programme_create"),
    path(_MANAGE_PROGRAMME + "edit/", staff.programme_edit, name="programme_edit"),
    path(_MANAGE_PROGRAMME + "staff/", staff.programme_staff, name="programme_staff"),
    path(
        _MANAGE_PROGRAMME + "staff/remove/",
        staff.programme_staff_remove,
        name="programme_staff_remove",
    ),
    path(_MANAGE_PROGRAMME + "rounds/new/", staff.round_create, name="round_create"),
    path(_MANAGE_ROUND, staff.round_manage, name="round_manage"),
    path(_MANAGE_ROUND + "edit/", staff.round_edit, name="round_edit"),
    path(_MANAGE_ROUND + "transition/", staff.round_transition, name="round_transition"),
    path(
        _MANAGE_PROGRAMME + "announcements/new/",
        staff.announcement_create,
        name="announcement_create",
    ),
    path(
        _MANAGE_PROGRAMME + "announcements/<int:announcement_id>/edit/",
        staff.announcement_edit,
        name="announcement_edit",
    ),
    path(
        _MANAGE_PROGRAMME + "announcements/<int:announcement_id>/delete/",
        staff.announcement_delete,
        name="announcement_delete",
    ),
]
