"""Erasing an account deletes what only serves the person, keeps the funder's records under an
anonymous name, and refuses, changing nothing, when a team or a draft would be left unled."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client

from sharedpurpose.accounts.models import User
from sharedpurpose.accounts.personal_data import (
    personal_data_erase,
    personal_data_erasure_plan,
)
from sharedpurpose.accounts.roles import SiteRole, user_is_programme_staff, user_role_grant
from sharedpurpose.api.models import ApiToken
from sharedpurpose.applications.models import (
    Answer,
    Application,
    ApplicationInvitation,
    ApplicationMember,
    AssessorAssignment,
    Score,
)
from sharedpurpose.core.models import AuditEvent
from sharedpurpose.engagement.models import Comment, FunderAnswer, OutboxMessage, Subscriber
from sharedpurpose.evidence.models import CaseStudy
from sharedpurpose.improvement.models import (
    DataPointChange,
    Measure,
    TeamInvitation,
    TeamMembership,
)
from tests.accounts.test_personal_data import Person, person_with_everything, stored_file_removed
from tests.applications.factories import ApplicationFactory, CollaboratorFactory
from tests.factories import PASSWORD, ProgrammeFactory, UserFactory
from tests.improvement.factories_members import LeadFactory

pytestmark = pytest.mark.django_db

Snapshot = dict[str, Any]


@pytest.fixture
def ada() -> Iterator[Person]:
    person = person_with_everything("ada@example.org", "Ada Lovelace")
    yield person
    stored_file_removed(person)


@pytest.fixture
def bob() -> Iterator[Person]:
    person = person_with_everything("bob@example.org", "Bob Babbage")
    yield person
    stored_file_removed(person)


def _sessions_of(user: User) -> int:
    return sum(s.get_decoded().get(SESSION_KEY) == str(user.pk) for s in Session.objects.all())


def _snapshot() -> Snapshot:
    """Every row count erasure could change, and every user's identity."""
    counted = (
        EmailAddress,
        ApiToken,
        TeamMembership,
        TeamInvitation,
        Application,
        ApplicationMember,
        ApplicationInvitation,
        Answer,
        AssessorAssignment,
        Score,
        CaseStudy,
        Comment,
        FunderAnswer,
        Subscriber,
        OutboxMessage,
        AuditEvent,
        DataPointChange,
        Session,
    )
    return {
        "counts": {model.__name__: model.objects.count() for model in counted},
        "users": list(User.objects.values_list("email", "full_name", "is_active", "password")),
        "invitation_emails": sorted(ApplicationInvitation.objects.values_list("email", flat=True)),
        "outbox": list(OutboxMessage.objects.values_list("to_email", "status")),
    }


def _erase_in_a_client(client: Client, user: User) -> None:
    """Erase ``user``'s account through the confirmation page, signing in first if need be."""
    if client.session.get(SESSION_KEY) != str(user.pk):
        client.force_login(user)
    response = client.post("/account/your-data/erase/", {"password": PASSWORD})
    assert response.status_code == 302, response.content.decode()


def test_erasure_deletes_what_only_serves_the_person(
    client: Client,
    ada: Person,
    bob: Person,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    other_browser = Client()
    other_browser.force_login(ada.user)
    client.force_login(ada.user)
    stored_file = ada.lone_answer.file.name
    storage = ada.lone_answer.file.storage
    assert storage.exists(stored_file)
    before = _snapshot()

    with django_capture_on_commit_callbacks(execute=True):
        _erase_in_a_client(client, ada.user)

    after = _snapshot()["counts"]
    counts = before["counts"]
    # Sign-in: both addresses, the token and every session.
    assert after["EmailAddress"] == counts["EmailAddress"] - 2
    assert not EmailAddress.objects.filter(user=ada.user).exists()
    assert after["ApiToken"] == counts["ApiToken"] - 1
    assert not ApiToken.objects.filter(user=ada.user).exists()
    assert after["Session"] == counts["Session"] - 2
    assert _sessions_of(ada.user) == 0
    assert "_auth_user_id" not in client.session
    # Teams: both places; the measure she supplied has no data owner now.
    assert after["TeamMembership"] == counts["TeamMembership"] - 2
    assert not TeamMembership.objects.filter(user=ada.user).exists()
    assert Measure.objects.get(pk=ada.measure.pk).data_owner is None
    # The draft only she worked on, with its answer and its file.
    assert not Application.objects.filter(pk=ada.lone_draft.pk).exists()
    assert after["Application"] == counts["Application"] - 1
    assert not storage.exists(stored_file)
    # Her place in the shared draft; the draft, its lead and the lead's answer stay.
    shared = Application.objects.get(pk=ada.shared_draft.pk)
    assert shared.version == ada.shared_draft.version + 1
    assert list(shared.members.values_list("user", flat=True)) == [shared.lead_applicant_id]
    assert Answer.objects.filter(pk=ada.others_answer.pk).exists()
    assert after["ApplicationMember"] == counts["ApplicationMember"] - 2
    assert after["Answer"] == counts["Answer"] - 1
    # Pending invitations to either of her addresses.
    assert not TeamInvitation.objects.filter(pk=ada.team_invitation.pk).exists()
    assert not ApplicationInvitation.objects.filter(pk=ada.application_invitation.pk).exists()
    assert after["TeamInvitation"] == counts["TeamInvitation"] - 1
    assert after["ApplicationInvitation"] == counts["ApplicationInvitation"] - 1
    # Her comment with its answer, her subscription, and mail still to send to her.
    assert after["Comment"] == counts["Comment"] - 1
    assert after["FunderAnswer"] == counts["FunderAnswer"] - 1
    assert not Subscriber.objects.filter(pk=ada.subscriber.pk).exists()
    assert after["Subscriber"] == counts["Subscriber"] - 1
    assert not OutboxMessage.objects.filter(pk=ada.queued_mail.pk).exists()
    sent = OutboxMessage.objects.get(pk=ada.sent_mail.pk)
    assert (sent.to_email, sent.body_text, sent.body_html) == ("", "", "")
    assert after["OutboxMessage"] == counts["OutboxMessage"] - 1


def test_erasure_keeps_the_funders_records_pointing_at_an_anonymous_row(
    client: Client, ada: Person, bob: Person
) -> None:
    before = _snapshot()["counts"]

    _erase_in_a_client(client, ada.user)

    user = User.objects.get(pk=ada.user.pk)
    assert user.email == f"erased-{user.pk}@erased.invalid"
    assert user.full_name == f"Erased person {user.pk}"
    assert (user.first_name, user.last_name) == ("", "")
    assert not user.is_active
    assert not user.has_usable_password()
    assert not user.groups.exists()
    after = _snapshot()["counts"]
    for kept in ("AssessorAssignment", "Score", "CaseStudy", "DataPointChange"):
        assert after[kept] == before[kept]
    # The application with the funder, with her place in it, through the same (now anonymous) row.
    application = Application.objects.get(pk=ada.in_assessment.pk)
    assert application.state == ada.in_assessment.state
    assert application.lead_applicant_id == user.pk
    assert application.members.filter(user=user, is_lead_applicant=True).exists()
    accepted = ApplicationInvitation.objects.get(pk=ada.accepted_invitation.pk)
    assert accepted.email == user.email
    assert AssessorAssignment.objects.get(pk=ada.assignment.pk).assessor_id == user.pk
    # Her words stay, naming her pseudonym where they named her.
    assert Score.objects.get(pk=ada.score.pk).comment == f"Erased person {user.pk} found it strong"
    assert CaseStudy.objects.get(pk=ada.case_study.pk).created_by_id == user.pk
    assert DataPointChange.objects.get(pk=ada.data_change.pk).changed_by_id == user.pk
    assert AuditEvent.objects.get(pk=ada.audit_event.pk).actor_id == user.pk
    # One audit event for the erasure, naming only the user id.
    erasure = AuditEvent.objects.get(action="account.erase")
    assert erasure.actor is None
    assert erasure.object_id == str(user.pk)
    assert erasure.summary == f"Erased the account of user {user.pk} at their request"
    assert "ada" not in str(erasure.changes).lower()


def test_erasure_leaves_everyone_else_untouched(client: Client, ada: Person, bob: Person) -> None:
    bobs_rows = {
        "memberships": list(TeamMembership.objects.filter(user=bob.user).values()),
        "tokens": list(ApiToken.objects.filter(user=bob.user).values()),
        "addresses": list(EmailAddress.objects.filter(user=bob.user).values()),
        "comments": list(Comment.objects.filter(author_email__iexact="bob@example.org").values()),
        "subscribers": list(Subscriber.objects.filter(email="bob.work@example.org").values()),
        "invitations": list(ApplicationInvitation.objects.filter(email__icontains="bob").values()),
        "outbox": list(OutboxMessage.objects.filter(to_email__startswith="bob").values()),
        "user": User.objects.filter(pk=bob.user.pk).values().get(),
    }

    _erase_in_a_client(client, ada.user)

    assert bobs_rows == {
        "memberships": list(TeamMembership.objects.filter(user=bob.user).values()),
        "tokens": list(ApiToken.objects.filter(user=bob.user).values()),
        "addresses": list(EmailAddress.objects.filter(user=bob.user).values()),
        "comments": list(Comment.objects.filter(author_email__iexact="bob@example.org").values()),
        "subscribers": list(Subscriber.objects.filter(email="bob.work@example.org").values()),
        "invitations": list(ApplicationInvitation.objects.filter(email__icontains="bob").values()),
        "outbox": list(OutboxMessage.objects.filter(to_email__startswith="bob").values()),
        "user": User.objects.filter(pk=bob.user.pk).values().get(),
    }
    assert Application.objects.filter(pk=bob.lone_draft.pk).exists()


def test_the_last_lead_of_a_team_is_refused_and_nothing_changes(ada: Person, bob: Person) -> None:
    alone = LeadFactory.create(user=ada.user).team
    before = _snapshot()

    with pytest.raises(ValidationError) as refused:
        personal_data_erase(ada.user, password=PASSWORD)

    assert refused.value.messages == [
        f"You are the only lead of {alone.name}, and someone must lead it. Make another member "
        "a lead on the team's members page first, then come back."
    ]
    assert _snapshot() == before


def test_the_refusal_is_shown_before_the_password_is_asked_for(client: Client, ada: Person) -> None:
    alone = LeadFactory.create(user=ada.user).team
    client.force_login(ada.user)

    page = client.get("/account/your-data/erase/").content.decode()
    response = client.post("/account/your-data/erase/", {"password": PASSWORD})

    assert "You cannot erase your account yet" in page
    assert f"You are the only lead of {alone.name}" in page
    assert 'name="password"' not in page
    assert response.status_code == 400
    assert User.objects.get(pk=ada.user.pk).is_active


def test_the_lead_applicant_of_a_draft_others_work_on_is_refused(ada: Person) -> None:
    draft = ApplicationFactory.create(lead_applicant=ada.user)
    CollaboratorFactory.create(application=draft)
    before = _snapshot()

    with pytest.raises(ValidationError) as refused:
        personal_data_erase(ada.user, password=PASSWORD)

    assert [draft.reference in message for message in refused.value.messages] == [True]
    assert _snapshot() == before


def test_a_wrong_password_is_a_field_error_and_nothing_changes(client: Client, ada: Person) -> None:
    client.force_login(ada.user)
    before = _snapshot()

    response = client.post("/account/your-data/erase/", {"password": "not my password"})

    assert response.status_code == 400
    assert response.context["form"].errors == {
        "password": ["Enter your password correctly: it is the one you sign in with"]
    }
    page = response.content.decode()
    assert 'href="#id_password"' in page
    assert "Error: Erase your account" in page
    assert _snapshot() == before


def test_a_missing_password_is_a_field_error(client: Client, ada: Person) -> None:
    client.force_login(ada.user)

    response = client.post("/account/your-data/erase/", {"password": ""})

    assert response.status_code == 400
    assert response.context["form"].errors == {"password": ["Enter your password"]}


def test_the_confirmation_page_says_what_is_deleted_and_what_is_kept(
    client: Client, ada: Person
) -> None:
    client.force_login(ada.user)

    page = client.get("/account/your-data/erase/").content.decode()

    assert "What we will delete" in page
    assert "What we will keep, and why" in page
    for shown in (
        "ada.work@example.org, ada@example.org",
        "your 1 API token",
        f"your place in the team {ada.team.name}",
        f"the draft application {ada.lone_draft.reference}",
        f"your place in the draft application {ada.shared_draft.reference}",
        "2 invitations sent to your address",
        "your 1 comment",
        "your stay-informed sign-up",
        f"the application {ada.in_assessment.reference}",
        "your 1 assessment",
        "1 case study you started",
        f"{ada.in_assessment.reference} is still with the funder",
        f"they will say “Erased person {ada.user.pk}” instead",
        'name="password"',
    ):
        assert shown in page


def test_the_plan_matches_what_erasure_does(ada: Person) -> None:
    plan = personal_data_erasure_plan(ada.user)

    done = personal_data_erase(ada.user, password=PASSWORD)

    assert plan == done
    assert plan.allowed


def test_after_erasure_the_old_address_cannot_sign_in_and_can_sign_up_again(
    client: Client, ada: Person
) -> None:
    _erase_in_a_client(client, ada.user)

    signed_in = client.post("/accounts/login/", {"login": "ada@example.org", "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert signed_in.status_code in {200, 400}

    signed_up = client.post(
        "/accounts/signup/",
        {
            "email": "ada@example.org",
            "password1": "a brand new passphrase 7",
            "password2": "a brand new passphrase 7",
        },
    )
    assert signed_up.status_code == 302
    fresh = User.objects.get(email="ada@example.org")
    assert fresh.pk != ada.user.pk
    assert fresh.is_active


def test_programme_staff_erase_their_own_account_the_same_way(client: Client) -> None:
    staff = UserFactory.create(email="staff@example.org")
    user_role_grant(user=staff, role=SiteRole.PROGRAMME_STAFF)
    programme = ProgrammeFactory.create(name="Safer Wards")
    programme.staff.add(staff)
    client.force_login(staff)
    page = client.get("/account/your-data/erase/").content.decode()

    _erase_in_a_client(client, staff)

    staff.refresh_from_db()
    assert "your place on the staff of Safer Wards" in page
    assert staff.email == f"erased-{staff.pk}@erased.invalid"
    assert not staff.is_staff
    assert not user_is_programme_staff(staff)
    assert not programme.staff.exists()


def test_after_erasure_the_person_lands_on_the_home_page_signed_out(
    client: Client, ada: Person
) -> None:
    client.force_login(ada.user)

    response = client.post("/account/your-data/erase/", {"password": PASSWORD}, follow=True)

    page = response.content.decode()
    assert response.redirect_chain == [("/", 302)]
    assert "Your account has been erased and you have been signed out." in page
    assert "Sign in" in page
