"""The section page, its autosave and uploaded files, as applicants, staff and assessors use
them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from sharedpurpose.accounts.models import User
from sharedpurpose.accounts.roles import SiteRole, user_role_grant
from sharedpurpose.applications.forms.answers import SectionAnswersForm
from sharedpurpose.applications.models import (
    Answer,
    Application,
    ApplicationState,
    AssessorAssignment,
    FormSection,
    Question,
    QuestionKind,
)
from tests.factories import UserFactory

from .factories import (
    ApplicationFactory,
    AssignmentFactory,
    CollaboratorFactory,
    EligibilityQuestionFactory,
    QuestionFactory,
    SectionFactory,
)

pytestmark = pytest.mark.django_db

#: The form class as the section view finds it.
SECTION_FORM = "sharedpurpose.applications.views.answers.SectionAnswersForm"
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"


@pytest.fixture(autouse=True)
def _private_files_removed() -> Iterator[None]:
    yield
    for answer in Answer.objects.exclude(file=""):
        answer.file.storage.delete(answer.file.name)


class Form:
    """A section's form as the page delivered it, so tests post what a browser would."""

    def __init__(self, client: Client, url: str) -> None:
        self.client = client
        self.url = url
        response = client.get(url)
        assert response.status_code == 200
        self.html = response.content.decode()
        self.bases = dict(
            re.findall(
                r'<input type="hidden" name="(question_\d+_(?:version|loaded))" value="([^"]*)">',
                self.html,
            )
        )

    def post(self, values: dict[str, Any], *, autosave: bool = False, **extra: Any) -> Any:
        url = self.url + "autosave/" if autosave else self.url
        headers = {"HX-Request": "true"} if autosave else {}
        return self.client.post(url, {**self.bases, **values}, headers=headers, **extra)


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _section_url(application: Application, section: FormSection) -> str:
    return reverse(
        "applications:section",
        kwargs={"reference": application.reference, "section_id": section.pk},
    )


def _field(question: Question) -> str:
    return f"question_{question.pk}"


@pytest.fixture
def application() -> Application:
    return ApplicationFactory.create()


@pytest.fixture
def section(application: Application) -> FormSection:
    return SectionFactory.create(
        form__round=application.round, title="Your partnership", position=1
    )


@pytest.fixture
def summary(section: FormSection) -> Question:
    return QuestionFactory.create(
        section=section, kind=QuestionKind.LONG_TEXT, label="Summary", word_limit=10, position=1
    )


@pytest.fixture
def partners(section: FormSection) -> Question:
    return QuestionFactory.create(
        section=section, kind=QuestionKind.SHORT_TEXT, label="Partners", position=2, required=False
    )


@pytest.fixture
def lead(application: Application) -> User:
    return application.lead_applicant


def _stored(application: Application) -> dict[int, Any]:
    return {a.question_id: a.value for a in Answer.objects.filter(application=application)}


def test_a_member_sees_the_sections_questions_with_autosave_and_word_count(
    application: Application,
    section: FormSection,
    summary: Question,
    partners: Question,
    lead: User,
) -> None:
    EligibilityQuestionFactory.create(section=section, label="Is the lead an NHS body?")
    Answer.objects.create(application=application, question=summary, value="Three words here")

    html = _client(lead).get(_section_url(application, section)).content.decode()

    assert "<h1>Your partnership</h1>" in html
    assert "Summary" in html and "Partners (optional)" in html
    assert "Is the lead an NHS body?" not in html
    assert "Three words here</textarea>" in html
    assert "You have 7 words remaining" in html
    assert 'data-maxwords="10"' in html
    assert 'hx-post="' + _section_url(application, section) + 'autosave/"' in html
    assert 'hx-trigger="input changed delay:3s, change"' in html
    assert 'role="status"' in html


def test_outsiders_get_404_and_anonymous_visitors_are_sent_to_sign_in(
    application: Application, section: FormSection, summary: Question
) -> None:
    url = _section_url(application, section)
    assert _client(UserFactory.create()).get(url).status_code == 404
    assert _client(ApplicationFactory.create().lead_applicant).get(url).status_code == 404
    response = Client().get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_section_of_another_rounds_form_is_not_found(
    application: Application, lead: User
) -> None:
    elsewhere = SectionFactory.create()
    QuestionFactory.create(section=elsewhere)
    assert _client(lead).get(_section_url(application, elsewhere)).status_code == 404


def test_save_and_continue_goes_to_the_next_section_and_return_to_the_application(
    application: Application,
    section: FormSection,
    summary: Question,
    partners: Question,
    lead: User,
) -> None:
    following = SectionFactory.create(form=section.form, position=2)
    QuestionFactory.create(section=following)
    only_eligibility = SectionFactory.create(form=section.form, position=3)
    EligibilityQuestionFactory.create(section=only_eligibility)
    client = _client(lead)

    response = Form(client, _section_url(application, section)).post(
        {_field(summary): "We will share a recruitment team", "next": "continue"}
    )
    assert response.status_code == 302
    assert response["Location"] == _section_url(application, following)
    assert _stored(application) == {summary.pk: "We will share a recruitment team"}

    response = Form(client, _section_url(application, following)).post({"next": "continue"})
    assert response["Location"] == reverse("applications:application", args=[application.reference])
    response = Form(client, _section_url(application, section)).post({"next": "application"})
    assert response["Location"] == reverse("applications:application", args=[application.reference])


def test_invalid_input_shows_field_errors_with_what_was_typed_and_stores_nothing(
    application: Application, section: FormSection, summary: Question, lead: User
) -> None:
    amount = QuestionFactory.create(
        section=section, kind=QuestionKind.NUMBER, label="Amount", position=3
    )
    start = QuestionFactory.create(
        section=section, kind=QuestionKind.DATE, label="Start", position=4
    )
    form = Form(_client(lead), _section_url(application, section))

    response = form.post(
        {
            _field(summary): "one two three four five six seven eight nine ten eleven",
            _field(amount): "twelve",
            f"{_field(start)}_day": "31",
            f"{_field(start)}_month": "",
            f"{_field(start)}_year": "2027",
            "next": "continue",
        }
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Error: " in html
    assert "There is a problem" in html
    assert f'href="#id_{_field(summary)}"' in html
    assert "Use 10 words or fewer (you used 11)" in html
    assert "one two three four five six seven eight nine ten eleven</textarea>" in html
    assert "You have 1 word too many" in html
    assert 'value="twelve"' in html
    assert "The date must include a month" in html
    assert 'value="31"' in html and 'value="2027"' in html
    assert not Answer.objects.exists()


def test_the_later_of_two_people_changing_one_answer_is_shown_the_others_and_can_merge(
    application: Application,
    section: FormSection,
    summary: Question,
    partners: Question,
    lead: User,
) -> None:
    collaborator = CollaboratorFactory.create(
        application=application, user__full_name="Priya Shah"
    ).user
    url = _section_url(application, section)
    lead_page = Form(_client(lead), url)
    collaborator_page = Form(_client(collaborator), url)

    collaborator_page.post({_field(summary): "Priya's summary", "next": "continue"})
    response = lead_page.post(
        {_field(summary): "Lead's summary", _field(partners): "Eastfield", "next": "continue"}
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "Priya Shah changed this answer on" in html
    assert "Priya Shah's answer" in html and "Priya&#x27;s summary</p>" in html
    assert "Lead&#x27;s summary</textarea>" in html and 'value="Eastfield"' in html
    assert _stored(application) == {summary.pk: "Priya's summary"}

    # The page now carries the version they were shown: saving the merge is accepted.
    merged = Form.__new__(Form)
    merged.client, merged.url, merged.html = lead_page.client, url, html
    merged.bases = dict(
        re.findall(
            r'<input type="hidden" name="(question_\d+_(?:version|loaded))" value="([^"]*)">', html
        )
    )
    response = merged.post(
        {
            _field(summary): "Priya's and the lead's summary",
            _field(partners): "Eastfield",
            "next": "continue",
        }
    )
    assert response.status_code == 302
    assert _stored(application) == {
        summary.pk: "Priya's and the lead's summary",
        partners.pk: "Eastfield",
    }


def test_two_people_changing_different_answers_of_one_section_are_both_saved(
    application: Application,
    section: FormSection,
    summary: Question,
    partners: Question,
    lead: User,
) -> None:
    Answer.objects.create(application=application, question=summary, value="First draft")
    collaborator = CollaboratorFactory.create(application=application).user
    url = _section_url(application, section)
    lead_page = Form(_client(lead), url)
    collaborator_page = Form(_client(collaborator), url)

    collaborator_page.post(
        {_field(summary): "Second draft", _field(partners): "", "next": "continue"}
    )
    # The lead's page still shows the first draft of the summary, untouched.
    response = lead_page.post(
        {_field(summary): "First draft", _field(partners): "Eastfield", "next": "continue"}
    )

    assert response.status_code == 302
    assert _stored(application) == {summary.pk: "Second draft", partners.pk: "Eastfield"}


def test_an_answer_saved_while_the_page_is_being_built_is_never_blanked_by_it(
    application: Application,
    section: FormSection,
    summary: Question,
    partners: Question,
    lead: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    collaborator = CollaboratorFactory.create(application=application).user
    built = SectionAnswersForm

    def form_then_someone_saves(*args: Any, **kwargs: Any) -> Any:
        form = built(*args, **kwargs)
        if not form.is_bound and not Answer.objects.filter(question=summary).exists():
            # The collaborator's save lands after the lead's page read the answers.
            Answer.objects.create(
                application=application, question=summary, value="Theirs", updated_by=collaborator
            )
        return form

    monkeypatch.setattr(SECTION_FORM, form_then_someone_saves)
    url = _section_url(application, section)
    lead_page = Form(_client(lead), url)
    monkeypatch.setattr(SECTION_FORM, built)

    # The lead's page shows the summary empty; they fill in only the partners.
    response = lead_page.post({_field(summary): "", _field(partners): "Eastfield"})

    assert response.status_code == 302
    assert _stored(application) == {summary.pk: "Theirs", partners.pk: "Eastfield"}


def test_autosave_answers_with_a_status_and_new_bases_and_saves(
    application: Application,
    section: FormSection,
    summary: Question,
    partners: Question,
    lead: User,
) -> None:
    page = Form(_client(lead), _section_url(application, section))

    response = page.post(
        {_field(summary): "Saved while typing", _field(partners): ""}, autosave=True
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r"Saved at \d\d:\d\d (GMT|BST)", html)
    assert '<div id="answer-bases" hx-swap-oob="true">' in html
    assert f'name="{_field(summary)}_version" value="1"' in html
    assert "<html" not in html
    assert _stored(application) == {summary.pk: "Saved while typing"}

    # A second autosave from the same page, with the swapped-in bases, is not a conflict.
    page.bases = dict(re.findall(r'name="(question_\d+_(?:version|loaded))" value="([^"]*)"', html))
    response = page.post({_field(summary): "Saved again", _field(partners): ""}, autosave=True)
    assert "Saved at" in response.content.decode()
    assert _stored(application) == {summary.pk: "Saved again"}


def test_autosave_never_writes_back_a_stale_copy_of_someone_elses_answer(
    application: Application,
    section: FormSection,
    summary: Question,
    partners: Question,
    lead: User,
) -> None:
    collaborator = CollaboratorFactory.create(
        application=application, user__full_name="Priya Shah"
    ).user
    url = _section_url(application, section)
    lead_page = Form(_client(lead), url)
    Form(_client(collaborator), url).post({_field(partners): "Eastfield", "next": "continue"})

    # The lead types in the summary; their page still has the partners box empty.
    response = lead_page.post({_field(summary): "Lead's", _field(partners): ""}, autosave=True)
    assert "Saved at" in response.content.decode()
    lead_page.bases = dict(
        re.findall(
            r'name="(question_\d+_(?:version|loaded))" value="([^"]*)"', response.content.decode()
        )
    )
    # Later they type in the partners box too: that is a conflict, not an overwrite.
    response = lead_page.post(
        {_field(summary): "Lead's", _field(partners): "Northmoor"}, autosave=True
    )

    html = response.content.decode()
    assert "Not saved: Priya Shah changed “Partners”" in html
    assert _stored(application) == {summary.pk: "Lead's", partners.pk: "Eastfield"}


def test_autosave_reports_invalid_input_without_saving(
    application: Application,
    section: FormSection,
    summary: Question,
    partners: Question,
    lead: User,
) -> None:
    page = Form(_client(lead), _section_url(application, section))
    response = page.post(
        {_field(summary): "a b c d e f g h i j k l", _field(partners): "Eastfield"}, autosave=True
    )
    assert "Not saved: “Summary”: Use 10 words or fewer" in response.content.decode()
    assert not Answer.objects.exists()


@pytest.mark.parametrize("state", [ApplicationState.SUBMITTED, ApplicationState.WITHDRAWN])
def test_an_application_past_draft_is_read_only(
    application: Application, section: FormSection, summary: Question, lead: User, state: str
) -> None:
    page = Form(_client(lead), _section_url(application, section))
    Application.objects.filter(pk=application.pk).update(state=state)

    html = _client(lead).get(_section_url(application, section)).content.decode()
    assert "so its answers can no longer be changed" in html
    assert "disabled" in html and "hx-post" not in html and "Save and continue" not in html

    response = page.post({_field(summary): "Too late", "next": "continue"})
    assert response.status_code == 200
    assert "can no longer be changed" in response.content.decode()
    response = page.post({_field(summary): "Too late"}, autosave=True)
    assert "Not saved: This application is" in response.content.decode()
    assert not Answer.objects.exists()


def test_staff_read_the_section_but_cannot_save_it(
    application: Application, section: FormSection, summary: Question
) -> None:
    staff = UserFactory.create()
    user_role_grant(user=staff, role=SiteRole.PROGRAMME_STAFF)
    client = _client(staff)
    html = client.get(_section_url(application, section)).content.decode()
    assert "only its applicants change them" in html and "disabled" in html
    assert (
        client.post(_section_url(application, section), {_field(summary): "x"}).status_code == 403
    )
    assert client.post(_section_url(application, section) + "autosave/", {}).status_code == 403
    assert not Answer.objects.exists()


def test_autosave_is_post_only(application: Application, section: FormSection, lead: User) -> None:
    assert _client(lead).get(_section_url(application, section) + "autosave/").status_code == 405


@pytest.fixture
def upload(section: FormSection) -> Question:
    return QuestionFactory.create(
        section=section,
        kind=QuestionKind.FILE,
        label="Letter of support",
        allowed_file_types=["pdf"],
        max_file_mb=2,
        position=5,
    )


def test_an_upload_is_saved_with_the_form_and_linked_for_download(
    application: Application, section: FormSection, upload: Question, lead: User
) -> None:
    client = _client(lead)
    page = Form(client, _section_url(application, section))
    assert "Upload a PDF, up to 2 MB." in page.html and 'accept=".pdf"' in page.html
    assert f'hx-params="not {_field(upload)}"' in page.html

    response = page.post(
        {_field(upload): SimpleUploadedFile("Support letter.pdf", PDF), "next": "application"}
    )

    assert response.status_code == 302
    html = client.get(_section_url(application, section)).content.decode()
    download = reverse("applications:answer_file", args=[application.reference, upload.pk])
    assert f'<a href="{download}">Support letter.pdf</a>' in html


def test_an_upload_that_is_not_what_its_name_says_is_refused_and_typed_answers_stay(
    application: Application, section: FormSection, summary: Question, upload: Question, lead: User
) -> None:
    page = Form(_client(lead), _section_url(application, section))
    response = page.post(
        {
            _field(summary): "Kept as typed",
            _field(upload): SimpleUploadedFile("letter.pdf", b"<html>not a pdf</html>"),
            "next": "continue",
        }
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "“letter.pdf” does not contain what its name says (PDF)" in html
    assert "Kept as typed</textarea>" in html
    assert not Answer.objects.exists()


def _answer_with_file(
    application: Application, question: Question, name: str = "Plan.pdf"
) -> Answer:
    answer = Answer(
        application=application,
        question=question,
        file_name=name,
        file_content_type="application/pdf",
        file_size=len(PDF),
    )
    answer.file.save(name, SimpleUploadedFile(name, PDF), save=False)
    answer.save()
    return answer


def _download(client: Client, application: Application, question: Question) -> Any:
    return client.get(
        reverse("applications:answer_file", args=[application.reference, question.pk])
    )


def test_members_staff_and_unconflicted_assessors_download_an_uploaded_file(
    upload: Question, application: Application
) -> None:
    _answer_with_file(application, upload, "Plan für 2027.pdf")
    collaborator = CollaboratorFactory.create(application=application).user
    staff = UserFactory.create()
    user_role_grant(user=staff, role=SiteRole.PROGRAMME_STAFF)
    assessor = AssignmentFactory.create(application=application).assessor

    for person in (application.lead_applicant, collaborator, staff, assessor):
        response = _download(_client(person), application, upload)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Type"] == "application/pdf"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Disposition"].startswith("attachment;")
        assert "filename*=utf-8''Plan%20f%C3%BCr%202027.pdf" in response["Content-Disposition"]


def test_other_people_get_404_and_a_conflicted_assessor_403_for_a_file(
    upload: Question, application: Application
) -> None:
    _answer_with_file(application, upload)
    other_applicant = ApplicationFactory.create(round=application.round).lead_applicant
    conflicted = AssignmentFactory.create(
        application=application, conflict=AssessorAssignment.Conflict.CONFLICTED
    ).assessor

    assert _download(_client(other_applicant), application, upload).status_code == 404
    assert _download(_client(UserFactory.create()), application, upload).status_code == 404
    assert _download(_client(conflicted), application, upload).status_code == 403
    assert _download(Client(), application, upload).status_code == 302


def test_no_file_is_404(upload: Question, application: Application, summary: Question) -> None:
    client = _client(application.lead_applicant)
    assert _download(client, application, upload).status_code == 404
    Answer.objects.create(application=application, question=summary, value="Text, not a file")
    assert _download(client, application, summary).status_code == 404


def test_a_file_is_removed_after_confirming_with_a_version_check(
    upload: Question,
    application: Application,
    lead: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    _answer_with_file(application, upload)
    client = _client(lead)
    url = reverse("applications:answer_file_delete", args=[application.reference, upload.pk])

    page = client.get(url)
    assert page.status_code == 200 and "Remove Plan.pdf?" in page.content.decode()
    stale = client.post(url, {"version": "0"})
    assert stale.status_code == 200 and "so it was not removed" in stale.content.decode()
    name = Answer.objects.get(question=upload).file.name
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"version": "1"})

    assert response.status_code == 302
    assert not Answer.objects.get(question=upload).file.storage.exists(name)
    assert response["Location"] == _section_url(application, upload.section)
    assert not Answer.objects.get(question=upload).file


def test_a_file_cannot_be_removed_by_staff_or_after_submitting(
    upload: Question, application: Application, lead: User
) -> None:
    _answer_with_file(application, upload)
    url = reverse("applications:answer_file_delete", args=[application.reference, upload.pk])
    staff = UserFactory.create()
    user_role_grant(user=staff, role=SiteRole.PROGRAMME_STAFF)
    assert _client(staff).post(url, {"version": "1"}).status_code == 403

    Application.objects.filter(pk=application.pk).update(state=ApplicationState.SUBMITTED)
    response = _client(lead).post(url, {"version": "1"})
    assert "can no longer be changed" in response.content.decode()
    assert Answer.objects.get(question=upload).file


def test_dates_and_ticked_options_round_trip_through_the_page(
    application: Application, section: FormSection, lead: User
) -> None:
    starts = QuestionFactory.create(
        section=section, kind=QuestionKind.DATE, label="Start date", position=1
    )
    involved = QuestionFactory.create(
        section=section,
        kind=QuestionKind.MULTIPLE_CHOICE,
        label="Corporate services involved",
        choices=["HR", "IT", "Estates"],
        required=False,
        position=2,
    )
    client = _client(lead)
    url = _section_url(application, section)

    Form(client, url).post(
        {
            f"{_field(starts)}_day": "5",
            f"{_field(starts)}_month": "3",
            f"{_field(starts)}_year": "2027",
            _field(involved): ["IT", "HR"],
            "next": "continue",
        }
    )
    assert _stored(application) == {starts.pk: "2027-03-05", involved.pk: ["HR", "IT"]}

    page = Form(client, url)
    assert f'name="{_field(starts)}_day" type="text" inputmode="numeric" value="5"' in page.html
    assert f'name="{_field(starts)}_month" type="text" inputmode="numeric" value="3"' in page.html
    assert "<legend" in page.html and "Select all that apply." in page.html
    assert re.search(r'value="HR" checked', page.html) and re.search(
        r'value="IT" checked', page.html
    )
    assert not re.search(r'value="Estates" checked', page.html)

    # Unticking every option clears the answer.
    page.post(
        {
            f"{_field(starts)}_day": "5",
            f"{_field(starts)}_month": "3",
            f"{_field(starts)}_year": "2027",
            "next": "continue",
        }
    )
    assert _stored(application) == {starts.pk: "2027-03-05", involved.pk: None}


@pytest.mark.parametrize(
    ("day", "month", "year", "message"),
    [
        ("31", "2", "2027", "Enter a real date"),
        ("1", "March", "2027", "Enter the date in numbers"),
        ("1", "3", "27", "Enter the year with 4 numbers"),
        ("", "", "2027", "The date must include a day and a month"),
    ],
)
def test_a_date_that_cannot_be_read_is_named_on_its_field(
    application: Application,
    section: FormSection,
    lead: User,
    day: str,
    month: str,
    year: str,
    message: str,
) -> None:
    starts = QuestionFactory.create(section=section, kind=QuestionKind.DATE, label="Start date")
    response = Form(_client(lead), _section_url(application, section)).post(
        {
            f"{_field(starts)}_day": day,
            f"{_field(starts)}_month": month,
            f"{_field(starts)}_year": year,
        }
    )
    html = response.content.decode()
    assert f'<a href="#id_{_field(starts)}">Start date: {message}' in html
    assert f'id="id_{_field(starts)}-error"' in html
    assert not Answer.objects.exists()
