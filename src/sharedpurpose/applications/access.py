"""Who may do what with an application: one permission system for pages, files and PDFs.

Applicants see only applications they are members of; assessors only those assigned to them
on which they declared no conflict of interest; programme staff those of the programmes they
run (the funder's staff: every programme). Every view gets its
application through :func:`application_get_for`, which answers 404 to people with no
access (so an application's existence stays private) and 403 to people who may look but
not act, or who declared a conflict.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from sharedpurpose.accounts.roles import programme_ids_staffed_by, user_staffs_programme

from .models import Application, AssessorAssignment

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from sharedpurpose.accounts.models import User


class AppCapability(StrEnum):
    VIEW = "view"  # read answers, partnership and history
    EDIT = "edit"  # change answers and organisations (while a draft)
    LEAD = "lead"  # invite and remove collaborators, submit, withdraw
    DECLARE = "declare"  # see who applies, to declare a conflict of interest
    ASSESS = "assess"  # score against the round's criteria
    MANAGE = "manage"  # staff: assign, moderate, decide, award


NONE: frozenset[AppCapability] = frozenset()
COLLABORATOR = frozenset({AppCapability.VIEW, AppCapability.EDIT})
LEAD_APPLICANT = COLLABORATOR | {AppCapability.LEAD}
ASSESSOR_UNDECLARED = frozenset({AppCapability.DECLARE})
ASSESSOR = frozenset({AppCapability.DECLARE, AppCapability.VIEW, AppCapability.ASSESS})
STAFF = frozenset({AppCapability.VIEW, AppCapability.MANAGE})

CONFLICT_MESSAGE = (
    "You declared a conflict of interest in this application, so you cannot open it. "
    "Programme staff will ask another assessor."
)

Conflict = AssessorAssignment.Conflict


def applications_visible_to(user: User | AnonymousUser) -> QuerySet[Application]:
    """Applications ``user`` may read."""
    if not user.is_authenticated or not user.is_active:
        return Application.objects.none()
    programme_ids = programme_ids_staffed_by(user)
    if programme_ids is None:
        return Application.objects.all()
    visible = Q(members__user=user) | Q(
        assignments__assessor=user, assignments__conflict=Conflict.NONE
    )
    if programme_ids:
        visible |= Q(round__programme__in=programme_ids)
    return Application.objects.filter(visible).distinct()


def applications_of_applicant(user: User | AnonymousUser) -> QuerySet[Application]:
    """Applications ``user`` is a member of (their own, as lead applicant or collaborator)."""
    if not user.is_authenticated or not user.is_active:
        return Application.objects.none()
    return Application.objects.filter(members__user=user)


def assignments_of_assessor(user: User | AnonymousUser) -> QuerySet[AssessorAssignment]:
    if not user.is_authenticated or not user.is_active:
        return AssessorAssignment.objects.none()
    return AssessorAssignment.objects.filter(assessor=user).select_related(
        "application", "application__round", "application__round__programme"
    )


def application_capabilities(
    user: User | AnonymousUser, application: Application
) -> frozenset[AppCapability]:
    if not user.is_authenticated or not user.is_active:
        return NONE
    capabilities: frozenset[AppCapability] = NONE
    if user_staffs_programme(user, application.round.programme_id):
        capabilities |= STAFF
    member = application.members.filter(user=user).values_list("is_lead_applicant", flat=True)
    for is_lead in member:
        capabilities |= LEAD_APPLICANT if is_lead else COLLABORATOR
    conflict = (
        application.assignments.filter(assessor=user).values_list("conflict", flat=True).first()
    )
    if conflict == Conflict.NONE:
        capabilities |= ASSESSOR
    elif conflict == Conflict.UNDECLARED:
        capabilities |= ASSESSOR_UNDECLARED
    return capabilities


def assessor_is_conflicted(user: User | AnonymousUser, application: Application) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return application.assignments.filter(assessor=user, conflict=Conflict.CONFLICTED).exists()


def application_get_for(
    user: User | AnonymousUser, reference: str, capability: AppCapability = AppCapability.VIEW
) -> tuple[Application, frozenset[AppCapability]]:
    """The application and what ``user`` may do with it.

    404 without any access; 403 for a conflicted assessor or without ``capability``.
    """
    application = (
        Application.objects.filter(reference=reference)
        .select_related("round", "round__programme", "lead_applicant")
        .first()
    )
    if application is None:
        raise Http404("No such application")
    capabilities = application_capabilities(user, application)
    if not capabilities:
        if assessor_is_conflicted(user, application):
            raise PermissionDenied(CONFLICT_MESSAGE)
        raise Http404("No such application")
    if capability not in capabilities:
        if assessor_is_conflicted(user, application):
            raise PermissionDenied(CONFLICT_MESSAGE)
        raise PermissionDenied("Your role on this application does not allow this.")
    return application, capabilities
