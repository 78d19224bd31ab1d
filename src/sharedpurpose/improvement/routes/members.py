from django.urls import path

from ..views import measures, members

urlpatterns = [
    # The invitation link in the e-mail: the invitee has no access to the team yet.
    path("invitations/<str:token>/", members.invitation_accept, name="invitation_accept"),
    path("<slug:team_slug>/members/", members.members, name="members"),
    path("<slug:team_slug>/members/invite/", members.member_invite, name="member_invite"),
    path(
        "<slug:team_slug>/members/<int:membership_id>/edit/",
        members.member_edit,
        name="member_edit",
    ),
    path(
        "<slug:team_slug>/members/<int:membership_id>/remove/",
        members.member_remove,
        name="member_remove",
    ),
    path(
        "<slug:team_slug>/members/invitations/<int:invitation_id>/withdraw/",
        members.invitation_cancel,
        name="invitation_cancel",
    ),
    path("<slug:team_slug>/sharing/", members.sharing, name="sharing"),
    path("<slug:team_slug>/measures/new/", measures.measure_create, name="measure_create"),
    path("<slug:team_slug>/measures/library/", measures.measure_library, name="measure_library"),
    path("<slug:team_slug>/measures/adopt/", measures.measure_adopt, name="measure_adopt"),
    path(
        "<slug:team_slug>/measures/<int:measure_id>/edit/",
        measures.measure_edit,
        name="measure_edit",
    ),
    path(
        "<slug:team_slug>/measures/<int:measure_id>/delete/",
        measures.measure_delete,
        name="measure_delete",
    ),
]
