"""The form builder's and criteria pages: staff only, errors beside the field with what was
typed, guard rails shown before anything is deleted."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from sharedpurpose.accounts.models import User
from sharedpurpose.applications.models import (
    Answer,
    ApplicationForm,
    ApplicationState,
    Criterion,
    FormSection,
    Question,
    QuestionKind,
    Score,
)
from sharedpurpose.core.models import AuditEvent
from sharedpurpose.programmes.models import Round, RoundState
from tests.factories import RoundFactory, UserFactory
from tests.programmes.factories_rounds import staff_create

from .factories import (
    ApplicationFactory,
    ApplicationFormFactory,
    AssignmentFactory,
    CriterionFactory,
    EligibilityQuestionFactory,
    QuestionFactory,
    SectionFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client: Client) -> User:
    user = staff_create()
    client.force_login(user)
    return user


def _kw(round_: Round, **extra: object) -> dict[str, object]:
    return {"programme_slug": round_.programme.slug, "round_slug": round_.slug, **extra}


def _url(name: str, round_: Round, **extra: object) -> str:
    return reverse(f"applications:{name}", kwargs=_kw(round_, **extra))


def _builder_urls() -> tuple[list[tuple[str, str]], Round]:
    """Every page and action of the builder, as (method, path)."""
    question = QuestionFactory.create()
    section = question.section
    round_ = section.form.round
    criterion = CriterionFactory.create(round=round_)
    s, q, c = (
        {"section_id": section.pk},
        {"question_id": question.pk},
        {"criterion_id": criterion.pk},
    )
    return [
        ("get", _url("form_manage", round_)),
        ("post", _url("form_create", round_)),
        ("post", _url("form_copy", round_)),
        ("get", _url("form_settings", round_)),
        ("post", _url("form_settings", round_)),
        ("get", _url("form_preview", round_)),
        ("get", _url("section_create", round_)),
        ("post", _url("section_create", round_)),
        ("get", _url("section_edit", round_, **s)),
        ("get", _url("section_delete", round_, **s)),
        ("post", _url("section_delete", round_, **s)),
        ("post", _url("section_move", round_, **s)),
        ("get", _url("question_create", round_, **s)),
        ("post", _url("question_create", round_, **s)),
        ("get", _url("question_edit", round_, **q)),
        ("get", _url("question_kind", round_, **q)),
        ("get", _url("question_delete", round_, **q)),
        ("post", _url("question_delete", round_, **q)),
        ("post", _url("question_move", round_, **q)),
        ("get", _url("criteria", round_)),
        ("get", _url("criterion_create", round_)),
        ("post", _url("criterion_create", round_)),
        ("post", _url("criteria_copy", round_)),
        ("get", _url("criterion_edit", round_, **c)),
        ("get", _url("criterion_delete", round_, **c)),
        ("post", _url("criterion_delete", round_, **c)),
        ("post", _url("criterion_move", round_, **c)),
    ], round_


def _anything_changed() -> bool:
    return (
        AuditEvent.objects.exists()
        or FormSection.objects.count() != 1
        or Question.objects.count() != 1
        or Criterion.objects.count() != 1
    )


def test_anonymous_people_are_sent_to_sign_in(client: Client) -> None:
    urls, _ = _builder_urls()
    for method, path in urls:
        response = getattr(client, method)(path, {"title": "X", "direction": "up"})
        assert response.status_code == 302, path
        assert response["Location"].startswith("/accounts/login/"), path
    assert not _anything_changed()


def test_signed_in_people_who_are_not_staff_are_refused(client: Client) -> None:
    urls, _ = _builder_urls()
    client.force_login(UserFactory.create())
    for method, path in urls:
        response = getattr(client, method)(path, {"title": "X", "direction": "up"})
        assert response.status_code == 403, path
    assert not _anything_changed()


def test_records_of_another_round_are_not_found(client: Client, staff: User) -> None:
    question = QuestionFactory.create()
    criterion = CriterionFactory.create()
    other = ApplicationFormFactory.create().round

    for name, kwargs in [
        ("section_edit", {"section_id": question.section_id}),
        ("question_edit", {"question_id": question.pk}),
        ("criterion_edit", {"criterion_id": criterion.pk}),
    ]:
        assert client.get(_url(name, other, **kwargs)).status_code == 404, name
    assert client.get(_url("form_settings", RoundFactory.create())).status_code == 404


def test_the_round_page_links_to_the_form_and_the_criteria(client: Client, staff: User) -> None:
    round_ = RoundFactory.create()

    html = client.get(reverse("programmes:round_manage", kwargs=_kw(round_))).content.decode()

    assert f'href="{_url("form_manage", round_)}"' in html
    assert f'href="{_url("criteria", round_)}"' in html


# --------------------------------------------------------------------------
# Creating or copying the form
# --------------------------------------------------------------------------


def test_a_round_without_a_form_offers_an_empty_form_or_the_latest_earlier_one(
    client: Client, staff: User
) -> None:
    round_ = RoundFactory.create(number=3)
    earlier = SectionFactory.create(
        form__round=RoundFactory.create(programme=round_.programme, number=2, name="Pilot")
    ).form.round
    SectionFactory.create(form__round=RoundFactory.create(name="Elsewhere"))

    html = client.get(_url("form_manage", round_)).content.decode()

    assert "Create an empty form" in html
    assert "Copy the form from a previous round" in html
    assert f'<option value="{earlier.pk}" selected>' in html
    assert "Elsewhere" in html


def test_staff_create_an_empty_form(client: Client, staff: User) -> None:
    round_ = RoundFactory.create()

    response = client.post(_url("form_create", round_))

    assert response.status_code == 302
    assert ApplicationForm.objects.filter(round=round_).exists()
    assert client.post(_url("form_create", round_), follow=True).status_code == 200
    assert ApplicationForm.objects.count() == 1


def test_staff_copy_a_form_and_a_refused_copy_shows_why(client: Client, staff: User) -> None:
    source = EligibilityQuestionFactory.create().section.form.round
    round_ = RoundFactory.create()

    response = client.post(_url("form_copy", round_), {"source_round": source.pk})

    assert response.status_code == 302
    assert Question.objects.filter(section__form__round=round_).count() == 1
    response = client.post(_url("form_copy", round_), {"source_round": source.pk})
    assert response.status_code == 400
    assert "already has sections" in response.content.decode()
    response = client.post(_url("form_copy", RoundFactory.create()), {"source_round": "999999"})
    assert response.status_code == 400
    assert "Choose one of the rounds listed" in response.content.decode()


def test_the_outline_lists_sections_questions_kinds_and_tags(client: Client, staff: User) -> None:
    section = SectionFactory.create(title="Eligibility")
    EligibilityQuestionFactory.create(section=section)
    QuestionFactory.create(section=section, label="Describe it", required=False, word_limit=400)
    round_ = section.form.round

    html = client.get(_url("form_manage", round_)).content.decode()

    assert "1. Eligibility" in html
    assert "Is the lead organisation an NHS body in the UK?" in html
    assert "Single choice" in html and ">Eligibility</strong>" in html
    assert ">Optional</strong>" in html and "Up to 400 words" in html
    assert "Copy the form from a previous round" not in html


def test_settings_errors_keep_what_was_typed(client: Client, staff: User) -> None:
    form = ApplicationFormFactory.create()
    data = {"introduction": "Our *intro*", "min_partner_organisations": "lots"}

    response = client.post(_url("form_settings", form.round), data)

    html = response.content.decode()
    assert response.status_code == 200
    assert "must be a whole number" in html and "Our *intro*" in html
    response = client.post(
        _url("form_settings", form.round), {**data, "min_partner_organisations": "40"}
    )
    assert "between 0 and 20" in response.content.decode()
    form.refresh_from_db()
    assert form.min_partner_organisations == 1 and form.introduction != "Our *intro*"


# --------------------------------------------------------------------------
# Sections and questions
# --------------------------------------------------------------------------


def test_a_section_without_a_title_is_not_added(client: Client, staff: User) -> None:
    form = ApplicationFormFactory.create()

    response = client.post(_url("section_create", form.round), {"title": "", "description": "Kept"})

    assert response.status_code == 200
    assert "Enter the title" in response.content.decode()
    assert "Kept" in response.content.decode()
    assert not FormSection.objects.exists()
    response = client.post(_url("section_create", form.round), {"title": "About you"})
    assert response.status_code == 302
    assert response["Location"].endswith(f"#section-{FormSection.objects.get().pk}")


def test_adding_a_question_starts_with_its_kind(client: Client, staff: User) -> None:
    section = SectionFactory.create()
    round_ = section.form.round
    url = _url("question_create", round_, section_id=section.pk)

    html = client.get(url).content.decode()
    assert "What kind of question is it?" in html and 'type="radio"' in html
    response = client.get(url, {"kind": "essay"})
    assert response.status_code == 400
    assert "Choose one of the kinds of question listed" in response.content.decode()

    html = client.get(url, {"kind": QuestionKind.LONG_TEXT}).content.decode()
    assert "Word limit" in html and "Choices" not in html and "Eligible choices" not in html
    html = client.get(url, {"kind": QuestionKind.SINGLE_CHOICE}).content.decode()
    assert "Choices" in html and "Eligible choices" in html and "Word limit" not in html


def test_question_errors_are_shown_by_field_with_what_was_typed(
    client: Client, staff: User
) -> None:
    section = SectionFactory.create()
    url = _url("question_create", section.form.round, section_id=section.pk)

    response = client.post(
        url,
        {
            "kind": QuestionKind.SINGLE_CHOICE,
            "label": "Is the lead an NHS body?",
            "choices": "Yes\nNo",
            "is_eligibility": "true",
            "eligible_choices": "Maybe",
            "ineligible_reason": "",
        },
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "“Maybe” is not one of the choices" in html
    assert "Enter the reason ineligible applicants are shown." in html
    assert 'href="#id_eligible_choices"' in html
    assert "Is the lead an NHS body?" in html
    assert not Question.objects.exists()


def test_staff_add_a_file_question(client: Client, staff: User) -> None:
    section = SectionFactory.create()

    response = client.post(
        _url("question_create", section.form.round, section_id=section.pk),
        {
            "kind": QuestionKind.FILE,
            "label": "Upload your budget",
            "required": "on",
            "allowed_file_types": ["pdf", "xlsx"],
            "max_file_mb": "5",
        },
    )

    assert response.status_code == 302
    question = Question.objects.get()
    assert (question.kind, question.allowed_file_types, question.max_file_mb) == (
        QuestionKind.FILE,
        ["pdf", "xlsx"],
        5,
    )
    assert question.required


def test_staff_change_a_questions_kind_through_the_kind_page(client: Client, staff: User) -> None:
    question = QuestionFactory.create(kind=QuestionKind.LONG_TEXT, label="How many staff?")
    _answer = Answer.objects.create(
        application=ApplicationFactory.create(round=question.section.form.round),
        question=question,
        value="About forty",
    )
    round_ = question.section.form.round

    kind_page = client.get(_url("question_kind", round_, question_id=question.pk)).content.decode()
    assert "1 draft application answered this question" in kind_page
    html = client.get(
        _url("question_edit", round_, question_id=question.pk), {"kind": QuestionKind.NUMBER}
    ).content.decode()
    assert "Smallest number allowed" in html and "will be deleted when you save" in html
    response = client.post(
        _url("question_edit", round_, question_id=question.pk),
        {"kind": QuestionKind.NUMBER, "label": "How many staff?", "min_value": "0"},
    )

    assert response.status_code == 302
    question.refresh_from_db()
    assert question.kind == QuestionKind.NUMBER and question.min_value == 0
    assert not Answer.objects.filter(pk=_answer.pk).exists()


def test_a_submitted_answer_keeps_a_questions_kind(client: Client, staff: User) -> None:
    question = QuestionFactory.create(kind=QuestionKind.LONG_TEXT, label="Aims")
    Answer.objects.create(
        application=ApplicationFactory.create(
            round=question.section.form.round, state=ApplicationState.SUBMITTED
        ),
        question=question,
        value="Better care",
    )
    round_ = question.section.form.round

    html = client.get(_url("question_kind", round_, question_id=question.pk)).content.decode()
    assert "cannot change" in html and 'type="radio"' not in html
    response = client.post(
        _url("question_edit", round_, question_id=question.pk),
        {"kind": QuestionKind.SHORT_TEXT, "label": "Aims"},
    )

    assert response.status_code == 200
    assert "1 submitted application answered this question" in response.content.decode()
    question.refresh_from_db()
    assert question.kind == QuestionKind.LONG_TEXT


def test_deleting_a_question_drafts_answered_asks_first_and_says_how_many(
    client: Client, staff: User
) -> None:
    question = QuestionFactory.create()
    round_ = question.section.form.round
    for _ in range(2):
        Answer.objects.create(
            application=ApplicationFactory.create(round=round_), question=question, value="Yes"
        )
    url = _url("question_delete", round_, question_id=question.pk)

    html = client.get(url).content.decode()
    assert "2 draft applications answered this question" in html
    assert Question.objects.exists()
    response = client.post(url, follow=True)

    assert "with the answers of 2 draft applications" in response.content.decode()
    assert not Question.objects.exists() and not Answer.objects.exists()


def test_a_question_submitted_applications_answered_is_not_deleted(
    client: Client, staff: User
) -> None:
    question = QuestionFactory.create()
    round_ = question.section.form.round
    Answer.objects.create(
        application=ApplicationFactory.create(round=round_, state=ApplicationState.SUBMITTED),
        question=question,
        value="Yes",
    )
    url = _url("question_delete", round_, question_id=question.pk)

    assert "1 submitted application answered this question" in client.get(url).content.decode()
    response = client.post(url)

    assert response.status_code == 400
    assert "1 submitted application answered this question" in response.content.decode()
    assert Question.objects.filter(pk=question.pk).exists()


def test_questions_move_by_plain_posts(client: Client, staff: User) -> None:
    form = ApplicationFormFactory.create()
    here, there = SectionFactory.create(form=form), SectionFactory.create(form=form)
    a, b = (QuestionFactory.create(section=here, label=label) for label in "AB")
    round_ = form.round

    response = client.post(_url("question_move", round_, question_id=b.pk), {"direction": "up"})
    assert response.status_code == 302
    assert response["Location"].endswith(f"#question-{b.pk}")
    assert list(here.questions.order_by("position").values_list("label", flat=True)) == ["B", "A"]

    client.post(_url("question_move", round_, question_id=a.pk), {"to_section": there.pk})
    a.refresh_from_db()
    assert a.section == there
    response = client.post(
        _url("question_move", round_, question_id=b.pk), {"direction": "up"}, follow=True
    )
    assert "“B” is already first." in response.content.decode()


def test_sections_move_and_a_section_with_submitted_answers_stays(
    client: Client, staff: User
) -> None:
    form = ApplicationFormFactory.create()
    first, second = SectionFactory.create(form=form, title="A"), SectionFactory.create(form=form)
    question = QuestionFactory.create(section=first)
    Answer.objects.create(
        application=ApplicationFactory.create(round=form.round, state=ApplicationState.DECIDED),
        question=question,
        value="Yes",
    )

    client.post(_url("section_move", form.round, section_id=second.pk), {"direction": "up"})
    response = client.post(_url("section_delete", form.round, section_id=first.pk))

    first.refresh_from_db()
    assert first.position == 1
    assert response.status_code == 400
    assert "1 submitted application answered questions in this section" in response.content.decode()


def test_the_preview_shows_eligibility_first_then_sections_and_saves_nothing(
    client: Client, staff: User
) -> None:
    form = ApplicationFormFactory.create(introduction="Read **this**", min_partner_organisations=2)
    project = SectionFactory.create(form=form, title="Your project", position=0)
    QuestionFactory.create(
        section=project, label="Describe the problem", help_text="Use data", word_limit=250
    )
    QuestionFactory.create(
        section=project,
        label="Services involved",
        kind=QuestionKind.MULTIPLE_CHOICE,
        choices=["HR", "Estates"],
        required=False,
    )
    checks = SectionFactory.create(form=form, title="Checks", position=1)
    EligibilityQuestionFactory.create(section=checks)

    response = client.get(_url("form_preview", form.round))

    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("Check you can apply") < html.index("Your project")
    assert "The lead organisation must be an NHS body in the UK." in html
    assert "<strong>this</strong>" in html and "at least 2 partner organisations" in html
    assert "Up to 250 words" in html and "Use data" in html
    assert "Services involved (optional)" in html and ">Estates</label>" in html
    assert "Checks" not in html  # a section of eligibility questions only is asked up front
    assert "<form" not in html.split('id="maincontent"')[1].split("</main>")[0]
    assert not Answer.objects.exists()


# --------------------------------------------------------------------------
# Criteria
# --------------------------------------------------------------------------


def test_the_criteria_table_shows_each_share_of_the_total_weight(
    client: Client, staff: User
) -> None:
    round_ = RoundFactory.create()
    CriterionFactory.create(round=round_, name="Impact", weight=2, scale_min=1, scale_max=10)
    CriterionFactory.create(round=round_, name="Partnership", weight=1)

    html = client.get(_url("criteria", round_)).content.decode()

    assert "Impact" in html and "66.7%" in html and "33.3%" in html
    assert "1 to 10" in html and "total weight 3" in html


def test_a_criterion_with_bad_numbers_is_not_added_and_keeps_the_input(
    client: Client, staff: User
) -> None:
    round_ = RoundFactory.create()

    response = client.post(
        _url("criterion_create", round_),
        {
            "name": "Impact",
            "guidance": "Kept guidance",
            "weight": "0",
            "scale_min": "5",
            "scale_max": "3",
        },
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "from 1 to 100" in html and "more than the lowest" in html
    assert "Kept guidance" in html
    assert not Criterion.objects.exists()
    response = client.post(
        _url("criterion_create", round_),
        {"name": "Impact", "weight": "2", "scale_min": "0", "scale_max": "5"},
    )
    assert response.status_code == 302 and Criterion.objects.get().weight == 2


def test_a_scored_criterion_says_why_it_cannot_be_deleted(client: Client, staff: User) -> None:
    criterion = CriterionFactory.create(name="Impact")
    Score.objects.create(assignment=AssignmentFactory.create(), criterion=criterion, score=4)
    url = _url("criterion_delete", criterion.round, criterion_id=criterion.pk)

    assert "1 score on this criterion" in client.get(url).content.decode()
    response = client.post(url)

    assert response.status_code == 400
    assert Criterion.objects.filter(pk=criterion.pk).exists()


def test_staff_copy_criteria_from_the_latest_earlier_round(client: Client, staff: User) -> None:
    round_ = RoundFactory.create(number=2, state=RoundState.DRAFT)
    earlier = RoundFactory.create(programme=round_.programme, number=1)
    CriterionFactory.create(round=earlier, name="Impact")

    html = client.get(_url("criteria", round_)).content.decode()
    assert f'<option value="{earlier.pk}" selected>' in html
    response = client.post(_url("criteria_copy", round_), {"source_round": earlier.pk})

    assert response.status_code == 302
    assert Criterion.objects.get(round=round_).name == "Impact"
