"""Assessors' side: their home page, declaring conflicts of interest, and scoring."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from sharedpurpose.accounts.models import User
from sharedpurpose.accounts.roles import SiteRole, user_role_grant
from sharedpurpose.applications.access import CONFLICT_MESSAGE
from sharedpurpose.applications.models import (
    Answer,
    ApplicationOrganisation,
    ApplicationState,
    AssessorAssignment,
    Criterion,
    QuestionKind,
    Score,
)
from sharedpurpose.applications.services.assessment import scores_save
from sharedpurpose.core.models import AuditEvent
from tests.factories import UserFactory

from .factories import (
    AssignmentFactory,
    CollaboratorFactory,
    CriterionFactory,
    QuestionFactory,
    SectionFactory,
)

pytestmark = pytest.mark.django_db

Conflict = AssessorAssignment.Conflict


def _assessor(name: str = "Asha Assessor") -> User:
    user = UserFactory.create(full_name=name)
    user_role_grant(user=user, role=SiteRole.ASSESSOR)
    return user


def _url(name: str, assignment: AssessorAssignment) -> str:
    return reverse(f"applications:{name}", kwargs={"reference": assignment.application.reference})


# --------------------------------------------------------------------------
# Home
# --------------------------------------------------------------------------


def test_the_home_page_groups_assignments_and_hides_conflicted_ones(client: Client) -> None:
    assessor = _assessor()
    to_declare = AssignmentFactory.create(
        assessor=assessor, conflict=Conflict.UNDECLARED, application__title="Declare me"
    )
    to_score = AssignmentFactory.create(assessor=assessor, application__title="Score me")
    submitted = AssignmentFactory.create(
        assessor=assessor, application__title="Done", submitted_at="2026-01-01T10:00Z"
    )
    conflicted = AssignmentFactory.create(
        assessor=assessor, conflict=Conflict.CONFLICTED, application__title="Conflicted one"
    )
    someone_elses = AssignmentFactory.create(application__title="Not mine")
    client.force_login(assessor)

    content = client.get(reverse("applications:assessor_home")).content.decode()

    assert _url("conflict_declare", to_declare) in content
    assert _url("assess", to_score) in content
    assert _url("assess", submitted) in content
    assert "Conflicted one" in content
    assert _url("assess", conflicted) not in content
    assert _url("conflict_declare", conflicted) not in content
    assert "Not mine" not in content and _url("assess", someone_elses) not in content


def test_the_home_page_is_for_assessors(client: Client) -> None:
    url = reverse("applications:assessor_home")
    assert "/accounts/login/" in client.get(url)["Location"]
    client.force_login(UserFactory.create())
    assert client.get(url).status_code == 403
    client.force_login(_assessor())
    assert "Nobody has asked you" in client.get(url).content.decode()


# --------------------------------------------------------------------------
# Declaring a conflict of interest
# --------------------------------------------------------------------------


def _undeclared() -> AssessorAssignment:
    assignment = AssignmentFactory.create(
        assessor=_assessor(),
        conflict=Conflict.UNDECLARED,
        declared_at=None,
        application__title="Shared rota",
    )
    application = assignment.application
    ApplicationOrganisation.objects.create(
        application=application, name="Hillside Community Trust", role="partner"
    )
    CollaboratorFactory.create(application=application, user__full_name="Dr Clara Clinic")
    question = QuestionFactory.create(section=SectionFactory.create(form__round=application.round))
    Answer.objects.create(application=application, question=question, value="Secret plans.")
    return assignment


def test_the_declaration_page_shows_only_who_is_applying(client: Client) -> None:
    assignment = _undeclared()
    client.force_login(assignment.assessor)

    content = client.get(_url("conflict_declare", assignment)).content.decode()

    for text in (
        "Shared rota",
        assignment.application.round.name,
        f"Lead Trust {assignment.application.pk}",
        "Hillside Community Trust",
        "Dr Clara Clinic",
        assignment.application.lead_applicant.get_full_name(),
        "Do you have a conflict of interest?",
    ):
        assert text in content, text
    assert "Secret plans." not in content


def test_an_undeclared_assessor_is_sent_to_declare_first(client: Client) -> None:
    assignment = _undeclared()
    client.force_login(assignment.assessor)

    response = client.get(_url("assess", assignment))

    assert response.status_code == 302
    assert response["Location"] == _url("conflict_declare", assignment)


def test_declaring_no_conflict_opens_the_application(client: Client) -> None:
    assignment = _undeclared()
    client.force_login(assignment.assessor)

    response = client.post(_url("conflict_declare", assignment), {"conflicted": "no"})

    assert response["Location"] == _url("assess", assignment)
    assignment.refresh_from_db()
    assert assignment.conflict == Conflict.NONE and assignment.declared_at is not None
    assert AuditEvent.objects.filter(
        action="assessment.conflict_declare", actor=assignment.assessor
    ).exists()
    page = client.get(_url("assess", assignment))
    assert page.status_code == 200 and "Secret plans." in page.content.decode()
    # Declared is final: the declaration page now leads on to the scores
    assert client.get(_url("conflict_declare", assignment))["Location"] == _url(
        "assess", assignment
    )


def test_a_conflict_needs_a_reason(client: Client) -> None:
    assignment = _undeclared()
    client.force_login(assignment.assessor)

    response = client.post(_url("conflict_declare", assignment), {"conflicted": "yes"})
    assert response.status_code == 400
    assert "Describe your conflict of interest" in response.content.decode()
    assert 'href="#id_reason"' in response.content.decode()

    missing = client.post(_url("conflict_declare", assignment), {"reason": "Something"})
    assert missing.status_code == 400
    assert 'href="#id_conflicted_0"' in missing.content.decode()
    assignment.refresh_from_db()
    assert assignment.conflict == Conflict.UNDECLARED


def test_a_conflicted_assessor_is_refused_the_application_its_files_and_pdf(
    client: Client,
) -> None:
    assignment = _undeclared()
    application = assignment.application
    file_question = QuestionFactory.create(
        section=application.round.application_form.sections.get(),
        kind=QuestionKind.FILE,
        allowed_file_types=["pdf"],
    )
    answer = Answer.objects.create(application=application, question=file_question)
    answer.file.save("plan", ContentFile(b"%PDF-1.4 plan"))
    answer.file_name = "plan.pdf"
    answer.save()
    client.force_login(assignment.assessor)

    response = client.post(
        _url("conflict_declare", assignment),
        {"conflicted": "yes", "reason": "I work at Hillside."},
        follow=True,
    )

    assert "Programme staff will ask another assessor" in response.content.decode()
    assignment.refresh_from_db()
    assert assignment.conflict == Conflict.CONFLICTED
    assert assignment.conflict_reason == "I work at Hillside."
    refused = client.get(_url("assess", assignment))
    assert refused.status_code == 403
    assert CONFLICT_MESSAGE in refused.content.decode()
    assert "Secret plans." not in refused.content.decode()
    assert client.get(_url("conflict_declare", assignment)).status_code == 403
    file_url = reverse(
        "applications:answer_file",
        kwargs={"reference": application.reference, "question_id": file_question.pk},
    )
    assert client.get(file_url).status_code == 403
    assert client.get(_url("pdf", assignment)).status_code == 403
    # A second declaration changes nothing
    client.post(_url("conflict_declare", assignment), {"conflicted": "no"})
    assignment.refresh_from_db()
    assert assignment.conflict == Conflict.CONFLICTED


def test_an_assessor_never_sees_an_application_not_assigned_to_them(client: Client) -> None:
    assignment = _undeclared()
    client.force_login(_assessor("Other Assessor"))

    assert client.get(_url("assess", assignment)).status_code == 404
    assert client.get(_url("conflict_declare", assignment)).status_code == 404
    assert (
        client.post(_url("conflict_declare", assignment), {"conflicted": "no"}).status_code == 404
    )
    assert client.get(_url("pdf", assignment)).status_code == 404


# --------------------------------------------------------------------------
# Scoring
# --------------------------------------------------------------------------


def _scoring() -> tuple[AssessorAssignment, Criterion, Criterion]:
    assignment = AssignmentFactory.create(assessor=_assessor())
    round_ = assignment.application.round
    impact = CriterionFactory.create(
        round=round_, name="Impact", guidance="**5**: transforms care", scale_min=1, scale_max=5
    )
    value = CriterionFactory.create(round=round_, name="Value for money", weight=2)
    return assignment, impact, value


def _post(client: Client, assignment: AssessorAssignment, data: dict[str, Any]) -> Any:
    return client.post(_url("assess", assignment), data)


def test_the_scoring_page_shows_the_answers_and_a_fieldset_per_criterion(client: Client) -> None:
    assignment, impact, value = _scoring()
    question = QuestionFactory.create(
        section=SectionFactory.create(form__round=assignment.application.round)
    )
    Answer.objects.create(
        application=assignment.application, question=question, value="We will share staff."
    )
    client.force_login(assignment.assessor)

    content = client.get(_url("assess", assignment)).content.decode()

    assert "We will share staff." in content
    assert "<strong>5</strong>: transforms care" in content
    assert content.count('<fieldset class="nhsuk-fieldset"') == 2
    assert f'id="id_score_{impact.pk}_4"' in content  # 1 to 5: five radios
    assert f'id="id_score_{impact.pk}_5"' not in content
    assert f'id="id_score_{value.pk}_5"' in content  # 0 to 5: six radios
    assert "Save draft" in content and "Submit scores" in content


def test_a_draft_may_be_partial(client: Client) -> None:
    assignment, impact, value = _scoring()
    client.force_login(assignment.assessor)

    response = _post(
        client,
        assignment,
        {"action": "save", f"score_{impact.pk}": "4", f"comment_{impact.pk}": " Clear aims. "},
    )

    assert response.status_code == 302
    score = Score.objects.get(assignment=assignment, criterion=impact)
    assert (score.score, score.comment) == (4, "Clear aims.")
    assert not Score.objects.filter(assignment=assignment, criterion=value).exists()
    assignment.refresh_from_db()
    assert assignment.submitted_at is None
    assert AuditEvent.objects.filter(action="assessment.scores_save").exists()
    # The saved draft comes back in the form
    page = client.get(_url("assess", assignment)).content.decode()
    assert 'value="4" checked' in page and "Clear aims." in page


def test_a_score_outside_the_scale_is_refused_and_nothing_is_stored(client: Client) -> None:
    assignment, impact, value = _scoring()
    client.force_login(assignment.assessor)

    response = _post(
        client,
        assignment,
        {"action": "save", f"score_{impact.pk}": "0", f"score_{value.pk}": "3"},
    )

    assert response.status_code == 400
    content = response.content.decode()
    assert "Choose a score from 1 to 5 for Impact." in content
    assert f'href="#id_score_{impact.pk}_0"' in content
    assert 'value="3" checked' in content  # what was typed is kept
    assert not Score.objects.filter(assignment=assignment).exists()


def test_the_service_refuses_a_score_outside_the_scale_too() -> None:
    assignment, impact, value = _scoring()

    with pytest.raises(ValidationError) as raised:
        scores_save(
            actor=assignment.assessor,
            assignment=assignment,
            scores={impact.pk: 9, value.pk: 3},
            comments={},
            submit=False,
        )

    assert f"score_{impact.pk}" in raised.value.message_dict
    assert not Score.objects.filter(assignment=assignment).exists()


def test_submitting_needs_every_score_and_comment(client: Client) -> None:
    assignment, impact, value = _scoring()
    client.force_login(assignment.assessor)

    response = _post(
        client,
        assignment,
        {
            "action": "submit",
            f"score_{impact.pk}": "4",
            f"comment_{impact.pk}": "Clear aims.",
            f"score_{value.pk}": "2",
        },
    )

    assert response.status_code == 400
    assert "Explain your score for Value for money in a comment." in response.content.decode()
    assert not Score.objects.filter(assignment=assignment).exists()
    assignment.refresh_from_db()
    assert assignment.submitted_at is None


def test_submitted_scores_are_read_only(client: Client) -> None:
    assignment, impact, value = _scoring()
    client.force_login(assignment.assessor)
    complete = {
        f"score_{impact.pk}": "4",
        f"comment_{impact.pk}": "Clear aims.",
        f"score_{value.pk}": "2",
        f"comment_{value.pk}": "Costly.",
    }

    response = _post(client, assignment, {"action": "submit", **complete})

    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.submitted_at is not None
    assert AuditEvent.objects.filter(action="assessment.scores_submit").exists()
    page = client.get(_url("assess", assignment)).content.decode()
    assert "They can no longer change" in page and "Submit scores" not in page
    assert "Costly." in page

    # A later post, or a direct call, changes nothing
    _post(client, assignment, {"action": "save", **complete, f"score_{value.pk}": "5"})
    assert Score.objects.get(assignment=assignment, criterion=value).score == 2
    with pytest.raises(ValidationError, match="no longer change"):
        scores_save(
            actor=assignment.assessor,
            assignment=assignment,
            scores={impact.pk: 1, value.pk: 1},
            comments={impact.pk: "x", value.pk: "y"},
            submit=False,
        )


def test_scores_are_read_only_once_assessment_is_over(client: Client) -> None:
    assignment, impact, _ = _scoring()
    application = assignment.application
    application.state = ApplicationState.DECIDED
    application.save()
    client.force_login(assignment.assessor)

    page = client.get(_url("assess", assignment)).content.decode()
    assert "no longer being assessed" in page and "Submit scores" not in page
    _post(client, assignment, {"action": "save", f"score_{impact.pk}": "4"})
    assert not Score.objects.filter(assignment=assignment).exists()


def test_staff_and_applicants_cannot_score(client: Client) -> None:
    assignment, _, _ = _scoring()
    staff = UserFactory.create()
    user_role_grant(user=staff, role=SiteRole.PROGRAMME_STAFF)
    for person in (staff, assignment.application.lead_applicant):
        client.force_login(person)
        assert client.get(_url("assess", assignment)).status_code == 403
        assert client.get(_url("conflict_declare", assignment)).status_code == 403
    client.logout()
    assert "/accounts/login/" in client.get(_url("assess", assignment))["Location"]


def test_an_assessor_removed_while_drafting_is_told_so() -> None:
    assignment, impact, _ = _scoring()
    assessor = assignment.assessor
    AssessorAssignment.objects.filter(pk=assignment.pk).delete()

    with pytest.raises(ValidationError, match="no longer assigned"):
        scores_save(
            actor=assessor,
            assignment=assignment,
            scores={impact.pk: 3},
            comments={},
            submit=False,
        )
    assert not Score.objects.exists()


def test_nothing_is_declared_once_assessment_is_over(client: Client) -> None:
    assignment = _undeclared()
    application = assignment.application
    application.state = ApplicationState.WITHDRAWN
    application.save()
    client.force_login(assignment.assessor)

    page = client.get(_url("conflict_declare", assignment)).content.decode()
    assert "nothing to declare" in page and "Send declaration" not in page
    response = client.post(_url("conflict_declare", assignment), {"conflicted": "no"})
    assert response.status_code == 400
    assignment.refresh_from_db()
    assert assignment.conflict == Conflict.UNDECLARED
