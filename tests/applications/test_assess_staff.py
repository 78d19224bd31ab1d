"""Staff's side of assessment: the round's list of applications, one application with its
assessments, and assigning and removing assessors."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from sharedpurpose.accounts.models import User
from sharedpurpose.accounts.roles import SiteRole, user_role_grant
from sharedpurpose.applications.models import (
    Answer,
    Application,
    ApplicationInvitation,
    ApplicationOrganisation,
    ApplicationState,
    ApplicationTransition,
    AssessorAssignment,
    Score,
)
from sharedpurpose.core.models import AuditEvent
from tests.factories import UserFactory

from .factories import (
    ApplicationFactory,
    AssignmentFactory,
    CollaboratorFactory,
    CriterionFactory,
    OpenRoundFactory,
    QuestionFactory,
    SectionFactory,
)

pytestmark = pytest.mark.django_db

Conflict = AssessorAssignment.Conflict


def _staff() -> User:
    user = UserFactory.create(full_name="Sam Staff")
    user_role_grant(user=user, role=SiteRole.PROGRAMME_STAFF)
    return user


def _assessor(name: str = "Asha Assessor") -> User:
    user = UserFactory.create(full_name=name)
    user_role_grant(user=user, role=SiteRole.ASSESSOR)
    return user


def _round_url(name: str, application: Application) -> str:
    round_ = application.round
    return reverse(
        f"applications:{name}",
        kwargs={"programme_slug": round_.programme.slug, "round_slug": round_.slug},
    )


def _assessors_url(application: Application) -> str:
    return reverse("applications:assessors", kwargs={"reference": application.reference})


# --------------------------------------------------------------------------
# Who may open staff's pages
# --------------------------------------------------------------------------


def _staff_urls(application: Application) -> list[str]:
    reference = {"reference": application.reference}
    return [
        _round_url("round_applications", application),
        _round_url("panel", application),
        reverse("applications:staff_application", kwargs=reference),
        _assessors_url(application),
    ]


def test_staff_pages_send_the_anonymous_to_sign_in(client: Client) -> None:
    application = ApplicationFactory.create(state=ApplicationState.SUBMITTED)
    for url in _staff_urls(application):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_staff_pages_refuse_applicants_and_assessors(client: Client) -> None:
    application = ApplicationFactory.create(state=ApplicationState.SUBMITTED)
    assignment = AssignmentFactory.create(application=application, assessor=_assessor())
    for person in (application.lead_applicant, assignment.assessor, UserFactory.create()):
        client.force_login(person)
        for url in _staff_urls(application):
            assert client.get(url).status_code == 403, (person, url)
        response = client.post(_assessors_url(application), {"assessor": person.pk})
        assert response.status_code == 403
    assert application.assignments.count() == 1


def test_an_unknown_application_or_round_is_not_found(client: Client) -> None:
    client.force_login(_staff())
    assert client.get("/manage/applications/NO-SUCH/").status_code == 404
    assert client.get("/manage/applications/NO-SUCH/assessors/").status_code == 404
    assert client.get("/manage/programmes/none/rounds/none/applications/").status_code == 404
    assert client.get("/manage/programmes/none/rounds/none/panel/").status_code == 404


# --------------------------------------------------------------------------
# The round's list
# --------------------------------------------------------------------------


def test_the_round_list_shows_submitted_applications_and_only_counts_drafts(
    client: Client,
) -> None:
    round_ = OpenRoundFactory.create()
    submitted = ApplicationFactory.create(
        round=round_, state=ApplicationState.SUBMITTED, title="Shared rota"
    )
    assessed = ApplicationFactory.create(
        round=round_, state=ApplicationState.IN_ASSESSMENT, title="Discharge lounge"
    )
    AssignmentFactory.create(application=assessed, conflict=Conflict.UNDECLARED)
    AssignmentFactory.create(application=assessed, conflict=Conflict.CONFLICTED)
    AssignmentFactory.create(application=assessed)
    ApplicationFactory.create_batch(2, round=round_, title="Secret draft")
    ApplicationFactory.create(state=ApplicationState.SUBMITTED, title="Another round's")
    client.force_login(_staff())

    response = client.get(_round_url("round_applications", submitted))

    content = response.content.decode()
    assert response.status_code == 200
    assert "Shared rota" in content and "Discharge lounge" in content
    assert f"Lead Trust {assessed.pk}" in content
    assert "3 assigned: 2 declared, 1 conflicted, 0 submitted" in content
    assert "Secret draft" not in content and "Another round" not in content
    assert "2 applications are still drafts" in content
    assert reverse("applications:staff_application", args=[assessed.reference]) in content


def test_the_round_list_filters_by_state(client: Client) -> None:
    round_ = OpenRoundFactory.create()
    submitted = ApplicationFactory.create(
        round=round_, state=ApplicationState.SUBMITTED, title="Shared rota"
    )
    ApplicationFactory.create(
        round=round_, state=ApplicationState.IN_ASSESSMENT, title="Discharge lounge"
    )
    client.force_login(_staff())
    url = _round_url("round_applications", submitted)

    response = client.get(url, {"state": "in_assessment"})
    assert "Discharge lounge" in response.content.decode()
    assert "Shared rota" not in response.content.decode()

    refused = client.get(url, {"state": "draft"})
    assert refused.status_code == 400
    assert "There is a problem" in refused.content.decode()
    assert "Secret" not in refused.content.decode()


# --------------------------------------------------------------------------
# One application
# --------------------------------------------------------------------------


def test_staff_see_the_partnership_answers_declarations_and_scores(client: Client) -> None:
    application = ApplicationFactory.create(
        state=ApplicationState.IN_ASSESSMENT, title="Shared rota"
    )
    ApplicationOrganisation.objects.create(
        application=application, name="Hillside Community Trust", role="partner"
    )
    CollaboratorFactory.create(application=application, user__full_name="Dr Clara Clinic")
    question = QuestionFactory.create(
        section=SectionFactory.create(form__round=application.round), label="What will change?"
    )
    Answer.objects.create(application=application, question=question, value="Fewer delays.")
    criterion = CriterionFactory.create(round=application.round, name="Impact")
    scored = AssignmentFactory.create(application=application, assessor__full_name="Ruth Reviewer")
    Score.objects.create(assignment=scored, criterion=criterion, score=4, comment="Strong plan.")
    AssignmentFactory.create(
        application=application,
        assessor__full_name="Colin Conflicted",
        conflict=Conflict.CONFLICTED,
        conflict_reason="I work at Hillside.",
    )
    client.force_login(_staff())

    response = client.get(
        reverse("applications:staff_application", kwargs={"reference": application.reference})
    )

    content = response.content.decode()
    assert response.status_code == 200
    for text in (
        "Shared rota",
        "Hillside Community Trust",
        "Dr Clara Clinic",
        "What will change?",
        "Fewer delays.",
        "Ruth Reviewer",
        "Strong plan.",
        "Colin Conflicted",
        "I work at Hillside.",
    ):
        assert text in content, text
    for name in ("assessors", "decision", "history"):
        assert reverse(f"applications:{name}", args=[application.reference]) in content


# --------------------------------------------------------------------------
# Assigning
# --------------------------------------------------------------------------


def test_the_first_assignment_starts_assessment_and_e_mails_the_assessor(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    application = ApplicationFactory.create(state=ApplicationState.SUBMITTED)
    staff, assessor = _staff(), _assessor()
    client.force_login(staff)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_assessors_url(application), {"assessor": assessor.pk})

    assert response.status_code == 302
    assignment = AssessorAssignment.objects.get(application=application)
    assert assignment.assessor == assessor and assignment.assigned_by == staff
    assert assignment.conflict == Conflict.UNDECLARED
    application.refresh_from_db()
    assert application.state == ApplicationState.IN_ASSESSMENT
    transition = ApplicationTransition.objects.get(application=application)
    assert transition.reason == "Assessment started" and transition.actor == staff
    assert AuditEvent.objects.filter(action="assessment.assign", actor=staff).exists()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [assessor.email]
    assert "/assess/" in str(mail.outbox[0].body)


def test_a_second_assignment_leaves_the_state_alone(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    application = ApplicationFactory.create(state=ApplicationState.IN_ASSESSMENT)
    client.force_login(_staff())

    with django_capture_on_commit_callbacks(execute=True):
        client.post(_assessors_url(application), {"assessor": _assessor().pk})

    assert application.assignments.count() == 1
    assert not ApplicationTransition.objects.filter(application=application).exists()
    assert len(mail.outbox) == 1


def _refused(client: Client, application: Application, data: dict[str, Any], message: str) -> None:
    before = AssessorAssignment.objects.count()
    response = client.post(_assessors_url(application), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert AssessorAssignment.objects.count() == before
    assert mail.outbox == []


def test_assigning_is_refused_for_members_people_already_assigned_and_non_assessors(
    client: Client,
) -> None:
    application = ApplicationFactory.create(state=ApplicationState.SUBMITTED)
    client.force_login(_staff())

    # A collaborator who also holds the Assessor role has an automatic conflict
    collaborator = CollaboratorFactory.create(application=application).user
    user_role_grant(user=collaborator, role=SiteRole.ASSESSOR)
    _refused(client, application, {"assessor": collaborator.pk}, "conflict of interest")

    # So does someone invited to join the partnership
    invited = _assessor("Ivy Invited")
    ApplicationInvitation.objects.create(
        application=application,
        email=invited.email,
        token="invited-token",
        expires_at="2999-01-01T00:00:00Z",
    )
    _refused(client, application, {"assessor": invited.pk}, "conflict of interest")

    # Someone without the Assessor role is not offered
    _refused(client, application, {"assessor": UserFactory.create().pk}, "from the list")
    _refused(client, application, {"assessor": ""}, "Choose an assessor to assign")
    _refused(client, application, {"assessor": "not-a-number"}, "from the list")

    # Nothing changed state
    application.refresh_from_db()
    assert application.state == ApplicationState.SUBMITTED

    # And someone already assigned is refused a second time
    assigned = AssignmentFactory.create(application=application, assessor=_assessor()).assessor
    _refused(client, application, {"assessor": assigned.pk}, "already assigned")


@pytest.mark.parametrize(
    "state",
    [
        ApplicationState.DRAFT,
        ApplicationState.DECIDED,
        ApplicationState.WITHDRAWN,
        ApplicationState.AWARDED,
    ],
)
def test_assigning_is_only_for_submitted_applications_and_those_in_assessment(
    client: Client, state: ApplicationState
) -> None:
    application = ApplicationFactory.create(state=state)
    client.force_login(_staff())

    _refused(client, application, {"assessor": _assessor().pk}, "can be assigned only")
    application.refresh_from_db()
    assert application.state == state


def test_an_assessor_is_removed_until_they_submit_scores(client: Client) -> None:
    application = ApplicationFactory.create(state=ApplicationState.IN_ASSESSMENT)
    staff = _staff()
    drafting = AssignmentFactory.create(application=application)
    Score.objects.create(
        assignment=drafting, criterion=CriterionFactory.create(round=application.round), score=2
    )
    submitted = AssignmentFactory.create(application=application, submitted_at="2026-01-01T10:00Z")
    client.force_login(staff)

    def remove(assignment: AssessorAssignment) -> Any:
        return client.post(
            reverse(
                "applications:assessor_unassign",
                kwargs={"reference": application.reference, "assignment_id": assignment.pk},
            ),
            follow=True,
        )

    removed = remove(drafting)
    assert "is no longer assigned" in removed.content.decode()
    assert not AssessorAssignment.objects.filter(pk=drafting.pk).exists()
    assert not Score.objects.filter(assignment_id=drafting.pk).exists()
    assert AuditEvent.objects.filter(action="assessment.unassign", actor=staff).exists()

    kept = remove(submitted)
    assert "stay on the panel" in kept.content.decode()
    assert AssessorAssignment.objects.filter(pk=submitted.pk).exists()

    # An assignment of another application is not found through this one
    other = AssignmentFactory.create()
    assert remove(other).status_code == 404
    assert (
        client.get(
            reverse(
                "applications:assessor_unassign",
                kwargs={"reference": application.reference, "assignment_id": submitted.pk},
            )
        ).status_code
        == 405
    )


def test_the_assessors_page_lists_assignments_and_offers_assessors(client: Client) -> None:
    application = ApplicationFactory.create(state=ApplicationState.IN_ASSESSMENT)
    AssignmentFactory.create(
        application=application,
        assessor__full_name="Colin Conflicted",
        conflict=Conflict.CONFLICTED,
        conflict_reason="My sister leads the bid.",
    )
    _assessor("Olu Offered")
    client.force_login(_staff())

    content = client.get(_assessors_url(application)).content.decode()

    assert "Colin Conflicted" in content and "My sister leads the bid." in content
    assert "Olu Offered" in content
    assert "Remove" in content
