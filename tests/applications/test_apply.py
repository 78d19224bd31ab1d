"""Starting an application: the round page's button, eligibility, references, the applicant's
list and the overview with its task list."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sharedpurpose.applications.models import (
    Answer,
    Application,
    ApplicationState,
    Decision,
    QuestionKind,
)
from sharedpurpose.applications.services import applications as services
from sharedpurpose.core import public_cache
from sharedpurpose.core.models import AuditEvent
from sharedpurpose.programmes.models import RoundState
from tests.factories import ProgrammeFactory, UserFactory

from .factories import (
    ApplicationFactory,
    ApplicationFormFactory,
    CollaboratorFactory,
    EligibilityQuestionFactory,
    OpenRoundFactory,
    QuestionFactory,
    SectionFactory,
)

pytestmark = pytest.mark.django_db


def _round_with_form(**round_fields: Any) -> Any:
    round_ = OpenRoundFactory.create(**round_fields)
    form = ApplicationFormFactory.create(round=round_)
    return round_, form


def _apply_url(round_: Any) -> str:
    return reverse(
        "applications:apply",
        kwargs={"programme_slug": round_.programme.slug, "round_slug": round_.slug},
    )


# --- references --------------------------------------------------------------------------


def test_references_are_the_programme_initials_round_number_and_a_sequence() -> None:
    programme = ProgrammeFactory.create(slug="delivering-equitable-services")
    round_, _ = _round_with_form(programme=programme, number=1)
    other_programme = ProgrammeFactory.create(slug="digital-estates-strategy")
    other_round, _ = _round_with_form(programme=other_programme, number=1)
    applicant = UserFactory.create()

    first = services.application_start(
        round_=round_, actor=applicant, title="One", eligibility_answers={}
    )
    second = services.application_start(
        round_=round_, actor=applicant, title="Two", eligibility_answers={}
    )
    # The same initials in another programme continue the sequence rather than clash.
    third = services.application_start(
        round_=other_round, actor=applicant, title="Three", eligibility_answers={}
    )

    assert [first.reference, second.reference, third.reference] == [
        "DES1-0001",
        "DES1-0002",
        "DES1-0003",
    ]


def test_a_reference_taken_by_a_concurrent_start_is_skipped(monkeypatch: Any) -> None:
    programme = ProgrammeFactory.create(slug="closing-the-gap")
    round_, _ = _round_with_form(programme=programme, number=2)
    ApplicationFactory.create(round=round_, reference="CTG2-0001")
    real_next = services._reference_next
    calls: list[str] = []

    def stale_then_real(prefix: str) -> str:
        # The first look happened before the other start committed its reference.
        calls.append(prefix)
        return "CTG2-0001" if len(calls) == 1 else real_next(prefix)

    monkeypatch.setattr(services, "_reference_next", stale_then_real)

    application = services.application_start(
        round_=round_, actor=UserFactory.create(), title="Race", eligibility_answers={}
    )

    assert application.reference == "CTG2-0002"
    assert len(calls) == 2


# --- eligibility and starting ------------------------------------------------------------


def test_an_eligible_applicant_starts_a_draft_and_becomes_its_lead_applicant(
    client: Client,
) -> None:
    round_, form = _round_with_form()
    section = SectionFactory.create(form=form, title="Eligibility")
    nhs = EligibilityQuestionFactory.create(section=section)
    applicant = UserFactory.create()
    client.force_login(applicant)

    response = client.post(
        _apply_url(round_), {f"question_{nhs.pk}": "Yes", "title": "  Ward-to-board HR  "}
    )

    application = Application.objects.get()
    assert response.status_code == 302
    assert response["Location"] == application.get_absolute_url()
    assert application.title == "Ward-to-board HR"
    assert application.state == ApplicationState.DRAFT
    assert application.lead_applicant == applicant
    member = application.members.get()
    assert member.user == applicant and member.is_lead_applicant
    assert Answer.objects.get(application=application, question=nhs).value == "Yes"
    assert AuditEvent.objects.filter(
        action="application.start", scope=f"application:{application.pk}", actor=applicant
    ).exists()


def test_an_ineligible_applicant_is_told_every_reason_and_nothing_is_stored(
    client: Client,
) -> None:
    round_, form = _round_with_form()
    section = SectionFactory.create(form=form)
    nhs = EligibilityQuestionFactory.create(section=section)
    partners = EligibilityQuestionFactory.create(
        section=section,
        label="Does the partnership include a clinical service?",
        ineligible_reason="The partnership must include a clinical service.",
    )
    fine = EligibilityQuestionFactory.create(section=section, label="Based in England?")
    client.force_login(UserFactory.create())

    response = client.post(
        _apply_url(round_),
        {
            f"question_{nhs.pk}": "No",
            f"question_{partners.pk}": "No",
            f"question_{fine.pk}": "Yes",
            "title": "Project",
        },
    )

    assert response.status_code == 200
    assert response.templates[0].name == "applications/ineligible.html"
    content = response.content.decode()
    assert "The lead organisation must be an NHS body in the UK." in content
    assert "The partnership must include a clinical service." in content
    assert not Application.objects.exists()
    assert not Answer.objects.exists()
    assert not AuditEvent.objects.filter(action="application.start").exists()


def test_unanswered_questions_and_a_missing_title_are_shown_beside_the_fields(
    client: Client,
) -> None:
    round_, form = _round_with_form()
    nhs = EligibilityQuestionFactory.create(section=SectionFactory.create(form=form))
    client.force_login(UserFactory.create())

    response = client.post(_apply_url(round_), {"title": ""})

    content = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in content
    assert f'href="#id_question_{nhs.pk}"' in content
    assert f'id="id_question_{nhs.pk}"' in content
    assert "Answer “Is the lead organisation an NHS body in the UK?”." in content
    assert "Enter the title of your project." in content
    assert not Application.objects.exists()


def test_the_start_page_shows_the_questions_as_radios_in_a_fieldset(client: Client) -> None:
    round_, form = _round_with_form()
    EligibilityQuestionFactory.create(section=SectionFactory.create(form=form))
    client.force_login(UserFactory.create())

    content = client.get(_apply_url(round_)).content.decode()

    assert '<legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">' in content
    assert 'class="nhsuk-radios__input"' in content
    assert "Applications close at" in content and "(Europe/London)" in content


def test_a_round_that_is_not_open_says_so_and_starts_nothing(client: Client) -> None:
    closed, _ = _round_with_form(state=RoundState.CLOSED)
    past_deadline, _ = _round_with_form(
        applications_close_at=timezone.now() - timedelta(minutes=1),
        applications_open_at=timezone.now() - timedelta(days=30),
    )
    client.force_login(UserFactory.create())

    closed_page = client.get(_apply_url(closed)).content.decode()
    late = client.post(_apply_url(past_deadline), {"title": "Late"})

    assert "is not open for applications" in closed_page
    assert "applications can no longer be started" in late.content.decode()
    assert "(UK time)" in late.content.decode()
    assert not Application.objects.exists()


def test_a_round_without_a_form_takes_no_applications() -> None:
    round_ = OpenRoundFactory.create()

    with pytest.raises(ValidationError, match="does not take applications"):
        services.application_start(
            round_=round_, actor=UserFactory.create(), title="T", eligibility_answers={}
        )


def test_the_apply_page_needs_sign_in(client: Client) -> None:
    round_, _ = _round_with_form()

    response = client.get(_apply_url(round_))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


# --- the round page ----------------------------------------------------------------------


def test_the_round_page_offers_to_start_once_a_form_exists(
    client: Client, monkeypatch: Any
) -> None:
    # Only the fingerprint may decide what an anonymous reader sees, not the last rendering.
    monkeypatch.setattr(public_cache, "RECENT_SECONDS", 0)
    round_ = OpenRoundFactory.create()

    before = client.get(round_.get_absolute_url()).content.decode()
    ApplicationFormFactory.create(round=round_)
    after = client.get(round_.get_absolute_url()).content.decode()

    assert "Start an application" not in before
    assert "Start an application" in after
    assert f'href="{_apply_url(round_)}"' in after
    assert "Apply by" in after and "(Europe/London)" in after


def test_a_closed_round_with_a_form_offers_no_start_button(client: Client) -> None:
    round_, _ = _round_with_form(state=RoundState.CLOSED)

    assert "Start an application" not in client.get(round_.get_absolute_url()).content.decode()


# --- the applicant's list and the overview -----------------------------------------------


def test_your_applications_lists_those_you_lead_or_work_on_and_no_others(
    client: Client,
) -> None:
    mine = ApplicationFactory.create(title="Mine to lead")
    theirs = ApplicationFactory.create(title="Theirs, I help")
    CollaboratorFactory.create(application=theirs, user=mine.lead_applicant)
    ApplicationFactory.create(title="Nothing to do with me")
    client.force_login(mine.lead_applicant)

    response = client.get(reverse("applications:mine"))

    content = response.content.decode()
    assert "Mine to lead" in content and "Theirs, I help" in content
    assert "Nothing to do with me" not in content
    assert "Draft" in content and "(Europe/London)" in content
    # The header offers the list to people who have applications.
    assert f'href="{reverse("applications:mine")}"' in content


def test_the_overview_is_a_task_list_of_the_partnership_and_each_section(
    client: Client,
) -> None:
    round_, form = _round_with_form()
    eligibility = SectionFactory.create(form=form, position=0, title="Eligibility")
    EligibilityQuestionFactory.create(section=eligibility)
    about = SectionFactory.create(form=form, position=1, title="About the partnership")
    question = QuestionFactory.create(section=about)
    budget = SectionFactory.create(form=form, position=2, title="Budget")
    QuestionFactory.create(section=budget, kind=QuestionKind.NUMBER, word_limit=None)
    application = ApplicationFactory.create(round=round_)
    Answer.objects.create(application=application, question=question, value="We will…")
    client.force_login(application.lead_applicant)

    content = client.get(application.get_absolute_url()).content.decode()

    assert 'class="nhsuk-task-list"' in content
    assert "Partnership" in content
    partnership_url = reverse("applications:partnership", args=[application.reference])
    assert f'href="{partnership_url}"' in content
    about_url = reverse("applications:section", args=[application.reference, about.pk])
    assert f'href="{about_url}"' in content
    assert "About the partnership" in content and "Budget" in content
    # A section of eligibility questions only was answered before starting.
    assert ">Eligibility<" not in content
    assert "Completed" in content and "Not started" in content
    assert "Check answers and submit" in content
    assert "Deadline" in content and "(Europe/London)" in content


def test_a_collaborator_sees_the_tasks_but_no_submit_button(client: Client) -> None:
    application = ApplicationFactory.create()
    collaborator = CollaboratorFactory.create(application=application).user
    client.force_login(collaborator)

    content = client.get(application.get_absolute_url()).content.decode()

    assert "Check answers and submit" not in content
    assert "Only the lead applicant" in content
    assert "Withdraw the application" not in content


def test_a_submitted_application_shows_its_answers_read_only(client: Client) -> None:
    round_, form = _round_with_form()
    question = QuestionFactory.create(
        section=SectionFactory.create(form=form), label="What will change?"
    )
    application = ApplicationFactory.create(
        round=round_, state=ApplicationState.SUBMITTED, submitted_at=timezone.now()
    )
    Answer.objects.create(application=application, question=question, value="Faster hiring")
    client.force_login(application.lead_applicant)

    content = client.get(application.get_absolute_url()).content.decode()

    assert "nhsuk-task-list" not in content
    assert "What will change?" in content and "Faster hiring" in content
    assert "Submitted" in content


def test_the_outcome_shows_to_applicants_only_once_the_letter_is_queued(client: Client) -> None:
    application = ApplicationFactory.create(state=ApplicationState.DECIDED)
    decision = Decision.objects.create(
        application=application,
        outcome=Decision.Outcome.AWARD,
        feedback="A strong partnership.",
        decided_at=timezone.now(),
    )
    client.force_login(application.lead_applicant)

    before = client.get(application.get_absolute_url()).content.decode()
    decision.letter_queued_at = timezone.now()
    decision.save()
    after = client.get(application.get_absolute_url()).content.decode()

    assert "A strong partnership." not in before
    assert "Outcome" in after and "A strong partnership." in after


def test_outsiders_get_404_and_the_public_is_sent_to_sign_in(client: Client) -> None:
    application = ApplicationFactory.create()

    anonymous = client.get(application.get_absolute_url())
    client.force_login(ApplicationFactory.create().lead_applicant)
    outsider = client.get(application.get_absolute_url())

    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("account_login"))
    assert outsider.status_code == 404
