"""Applicants' addresses: starting, the overview, the partnership, submitting, withdrawing."""

from django.urls import path

from ..views import apply, partnership

_APPLICATION = "applications/<str:reference>/"
_PARTNERSHIP = _APPLICATION + "partnership/"

urlpatterns = [
    path(
        "programmes/<slug:programme_slug>/<slug:round_slug>/apply/",
        apply.apply_start,
        name="apply",
    ),
    path("applications/", apply.mine, name="mine"),
    # The invitation link in the e-mail: the invitee has no access to the application yet.
    path(
        "applications/invitations/<str:token>/",
        partnership.invitation_accept,
        name="invitation_accept",
    ),
    path(_APPLICATION, apply.application_detail, name="application"),
    path(_APPLICATION + "submit/", apply.submit, name="submit"),
    path(_APPLICATION + "submitted/", apply.submitted, name="submitted"),
    path(_APPLICATION + "withdraw/", apply.withdraw, name="withdraw"),
    path(_APPLICATION + "answers.pdf", apply.pdf, name="pdf"),
    path(_APPLICATION + "history/", apply.history, name="history"),
    path(_PARTNERSHIP, partnership.partnership, name="partnership"),
    path(
        _PARTNERSHIP + "lead-organisation/",
        partnership.lead_organisation,
        name="partnership_lead_organisation",
    ),
    path(_PARTNERSHIP + "partners/", partnership.partner_add, name="partnership_partner_add"),
    path(
        _PARTNERSHIP + "partners/<int:organisation_id>/",
        partnership.partner_edit,
        name="partnership_partner_edit",
    ),
    path(
        _PARTNERSHIP + "partners/<int:organisation_id>/remove/",
        partnership.partner_remove,
        name="partnership_partner_remove",
    ),
    path(_PARTNERSHIP + "leads/", partnership.leads, name="partnership_leads"),
    path(
        _PARTNERSHIP + "members/<int:member_id>/",
        partnership.member_edit,
        name="partnership_member_edit",
    ),
    path(
        _PARTNERSHIP + "members/<int:member_id>/remove/",
        partnership.member_remove,
        name="partnership_member_remove",
    ),
    path(_PARTNERSHIP + "invite/", partnership.invite, name="partnership_invite"),
    path(
        _PARTNERSHIP + "invitations/<int:invitation_id>/withdraw/",
        partnership.invitation_withdraw,
        name="partnership_invitation_withdraw",
    ),
]
