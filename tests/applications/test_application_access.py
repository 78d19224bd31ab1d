from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from sharedpurpose.accounts.roles import SiteRole, user_role_grant
from sharedpurpose.applications.access import (
    CONFLICT_MESSAGE,
    AppCapability,
    application_get_for,
    applications_visible_to,
)
from sharedpurpose.applications.models import AssessorAssignment
from tests.factories import UserFactory

from .factories import ApplicationFactory, AssignmentFactory, CollaboratorFactory

pytestmark = pytest.mark.django_db

Cap = AppCapability


def test_the_lead_applicant_may_edit_submit_and_invite_a_collaborator_only_edit() -> None:
    application = ApplicationFactory.create()
    collaborator = CollaboratorFactory.create(application=application).user

    _, lead_caps = application_get_for(application.lead_applicant, application.reference)
    _, collaborator_caps = application_get_for(collaborator, application.reference)

    assert {Cap.VIEW, Cap.EDIT, Cap.LEAD} <= lead_caps
    assert {Cap.VIEW, Cap.EDIT} <= collaborator_caps and Cap.LEAD not in collaborator_caps
    with pytest.raises(PermissionDenied):
        application_get_for(collaborator, application.reference, Cap.LEAD)


def test_other_applicants_and_the_public_cannot_tell_an_application_exists() -> None:
    application = ApplicationFactory.create()
    other = ApplicationFactory.create().lead_applicant

    for outsider in (other, AnonymousUser(), UserFactory.create()):
        with pytest.raises(Http404):
            application_get_for(outsider, application.reference)
        assert application not in applications_visible_to(outsider)
    with pytest.raises(Http404):
        application_get_for(other, "NO-SUCH-REFERENCE")


def test_an_assessor_must_declare_before_reading_and_a_conflicted_one_is_told_why() -> None:
    undeclared = AssignmentFactory.create(conflict=AssessorAssignment.Conflict.UNDECLARED)
    conflicted = AssignmentFactory.create(
        application=undeclared.application, conflict=AssessorAssignment.Conflict.CONFLICTED
    )
    clear = AssignmentFactory.create(application=undeclared.application)
    reference = undeclared.application.reference

    _, caps = application_get_for(undeclared.assessor, reference, Cap.DECLARE)
    assert caps == {Cap.DECLARE}
    with pytest.raises(PermissionDenied):
        application_get_for(undeclared.assessor, reference, Cap.VIEW)
    with pytest.raises(PermissionDenied, match="conflict of interest") as refused:
        application_get_for(conflicted.assessor, reference)
    assert str(refused.value) == CONFLICT_MESSAGE
    _, caps = application_get_for(clear.assessor, reference, Cap.ASSESS)
    assert Cap.EDIT not in caps
    visible = {
        a.assessor: applications_visible_to(a.assessor).count()
        for a in (undeclared, conflicted, clear)
    }
    assert visible == {undeclared.assessor: 0, conflicted.assessor: 0, clear.assessor: 1}


def test_programme_staff_see_every_application_but_do_not_edit_answers() -> None:
    application = ApplicationFactory.create()
    staff = UserFactory.create()
    user_role_grant(user=staff, role=SiteRole.PROGRAMME_STAFF)

    _, caps = application_get_for(staff, application.reference, Cap.MANAGE)

    assert Cap.VIEW in caps and Cap.EDIT not in caps
    assert application in applications_visible_to(staff)


def test_a_deactivated_member_loses_access() -> None:
    application = ApplicationFactory.create()
    application.lead_applicant.is_active = False
    application.lead_applicant.save()

    with pytest.raises(Http404):
        application_get_for(application.lead_applicant, application.reference)
