"""A signed-in person's data: the export holds each kind of it, and nothing of anyone else's.

``person_with_everything`` builds someone who has every kind of data the platform holds, beside
someone else who has the same kinds; the erasure tests use it too.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone

from sharedpurpose.accounts.models import User
from sharedpurpose.accounts.personal_data import personal_data_export
from sharedpurpose.accounts.roles import SiteRole, user_role_grant
from sharedpurpose.api.models import ApiToken
from sharedpurpose.applications.models import (
    Answer,
    Application,
    ApplicationInvitation,
    ApplicationState,
    AssessorAssignment,
    FormSection,
    Question,
    Score,
)
from sharedpurpose.core.audit import audit_record
from sharedpurpose.core.models import AuditEvent
from sharedpurpose.engagement.models import Comment, OutboxMessage, Subscriber
from sharedpurpose.evidence.models import CaseStudy
from sharedpurpose.improvement.models import (
    DataPointChange,
    Measure,
    Team,
    TeamInvitation,
    TeamMembership,
)
from tests.applications.factories import (
    ApplicationFactory,
    AssignmentFactory,
    CollaboratorFactory,
    CriterionFactory,
    QuestionFactory,
    SectionFactory,
)
from tests.engagement.factories_comments import CommentFactory, FunderAnswerFactory
from tests.engagement.factories_subscriptions import SubscriberFactory
from tests.evidence.case_study_factories import CaseStudyFactory
from tests.factories import PASSWORD, MeasureFactory, MembershipFactory, UserFactory
from tests.improvement.factories_members import InvitationFactory, LeadFactory

pytestmark = pytest.mark.django_db


@dataclass
class Person:
    """One person's data of every kind, and the rows around it."""

    user: User
    team: Team  # a member
    led_team: Team  # one of two leads
    measure: Measure  # in ``team``, whose data they supply
    lone_draft: Application  # only they work on it
    lone_answer: Answer  # with a file
    shared_draft: Application  # led by someone else
    shared_answer: Answer  # theirs, in the shared draft
    others_answer: Answer  # the lead's, in the shared draft
    in_assessment: Application  # they lead it; it is with the funder
    team_invitation: TeamInvitation  # pending, to their address
    application_invitation: ApplicationInvitation  # pending, to their other address
    accepted_invitation: ApplicationInvitation  # to their address, accepted
    assignment: AssessorAssignment  # conflicted, with a score
    score: Score
    case_study: CaseStudy
    token: ApiToken
    comment: Comment
    subscriber: Subscriber
    audit_event: AuditEvent
    data_change: DataPointChange
    queued_mail: OutboxMessage
    sent_mail: OutboxMessage


def api_token(user: User, *, name: str, prefix: str) -> ApiToken:
    return ApiToken.objects.create(
        user=user,
        name=name,
        prefix=prefix,
        secret_hash="f" * 64,
        scope=ApiToken.Scope.READ,
        expires_at=timezone.now() + timedelta(days=30),
    )


def _answer(application: Application, user: User, value: str, **extra: Any) -> Answer:
    section = FormSection.objects.filter(form__round=application.round).first()
    question: Question = QuestionFactory.create(
        section=section or SectionFactory.create(form__round=application.round)
    )
    return Answer.objects.create(
        application=application, question=question, value=value, updated_by=user, **extra
    )


def _mail(to: str, status: str, key: str) -> OutboxMessage:
    return OutboxMessage.objects.create(
        dedupe_key=key,
        kind="decision_letter",
        to_email=to,
        subject="About your application",
        body_text="Dear Ada",
        body_html="<p>Dear Ada</p>",
        status=status,
    )


def person_with_everything(email: str, name: str) -> Person:
    user = UserFactory.create(email=email, full_name=name)
    local, domain = email.split("@")
    other_address = f"{local}.work@{domain}"
    EmailAddress.objects.create(user=user, email=other_address, verified=True, primary=False)
    user_role_grant(user=user, role=SiteRole.ASSESSOR)

    team = MembershipFactory.create(user=user, role=TeamMembership.Role.MEMBER).team
    led_team = LeadFactory.create(user=user).team
    LeadFactory.create(team=led_team)
    measure = MeasureFactory.create(team=team, data_owner=user)
    data_change = DataPointChange.objects.create(
        measure=measure,
        period=date(2025, 1, 1),
        new_value=12.0,
        source=DataPointChange.Source.GRID,
        changed_by=user,
        changed_at=timezone.now(),
    )

    lone_draft = ApplicationFactory.create(lead_applicant=user)
    lone_answer = _answer(lone_draft, user, "", file_name=f"{local}-plan.pdf")
    lone_answer.file.save("upload", ContentFile(b"%PDF-1.4 plan"))
    shared_draft = ApplicationFactory.create()
    CollaboratorFactory.create(application=shared_draft, user=user)
    shared_answer = _answer(shared_draft, user, f"{name} wrote this answer")
    others_answer = _answer(shared_draft, shared_draft.lead_applicant, "The lead wrote this")
    in_assessment = ApplicationFactory.create(
        lead_applicant=user, state=ApplicationState.IN_ASSESSMENT
    )
    accepted_invitation = ApplicationInvitation.objects.create(
        application=in_assessment,
        email=email,
        token=f"accepted-{local}",
        expires_at=timezone.now() + timedelta(days=14),
        accepted_at=timezone.now(),
        accepted_by=user,
    )
    application_invitation = ApplicationInvitation.objects.create(
        application=ApplicationFactory.create(),
        email=other_address.upper(),
        token=f"pending-{local}",
        expires_at=timezone.now() + timedelta(days=14),
    )
    team_invitation = InvitationFactory.create(email=email)

    assignment = AssignmentFactory.create(
        assessor=user,
        conflict=AssessorAssignment.Conflict.CONFLICTED,
        conflict_reason=f"{name} used to work there",
    )
    score = Score.objects.create(
        assignment=assignment,
        criterion=CriterionFactory.create(round=assignment.application.round),
        score=4,
        comment=f"{name} found it strong",
    )
    case_study = CaseStudyFactory.create(team=team, created_by=user, title=f"{name}'s story")
    token = api_token(user, name=f"{name}'s warehouse", prefix=f"pre{local}")
    comment = CommentFactory.create(author_email=email.upper(), body=f"{name} asks a question")
    FunderAnswerFactory.create(comment=comment)
    subscriber = SubscriberFactory.create(email=other_address, name=name)
    audit_event = audit_record(
        actor=user, action="goal.create", obj=team, scope="team:1", summary=f"{name} made a goal"
    )
    return Person(
        user=user,
        team=team,
        led_team=led_team,
        measure=measure,
        lone_draft=lone_draft,
        lone_answer=lone_answer,
        shared_draft=shared_draft,
        shared_answer=shared_answer,
        others_answer=others_answer,
        in_assessment=in_assessment,
        team_invitation=team_invitation,
        application_invitation=application_invitation,
        accepted_invitation=accepted_invitation,
        assignment=assignment,
        score=score,
        case_study=case_study,
        token=token,
        comment=comment,
        subscriber=subscriber,
        audit_event=audit_event,
        data_change=data_change,
        queued_mail=_mail(email, OutboxMessage.Status.QUEUED, f"queued-{local}"),
        sent_mail=_mail(other_address, OutboxMessage.Status.SENT, f"sent-{local}"),
    )


def stored_file_removed(person: Person) -> None:
    """Delete the file the builder uploaded to private storage (under the var directory)."""
    storage = Answer._meta.get_field("file").storage
    storage.delete(person.lone_answer.file.name)


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


def test_the_export_holds_each_kind_of_the_persons_data(ada: Person, bob: Person) -> None:
    data = personal_data_export(ada.user)

    assert data["account"] == {
        "email": "ada@example.org",
        "name": "Ada Lovelace",
        "joined_at": ada.user.date_joined.isoformat(),
        "last_signed_in_at": None,
        "roles": ["Assessor"],
        "admin_site_access": False,
    }
    assert data["email_addresses"] == [
        {"email": "ada@example.org", "verified": True, "primary": True},
        {"email": "ada.work@example.org", "verified": True, "primary": False},
    ]
    assert sorted((m["team"], m["role"], m["side"]) for m in data["team_memberships"]) == sorted(
        [
            (ada.team.name, "Member", "Clinical services"),
            (ada.led_team.name, "Team lead", "Corporate support services"),
        ]
    )

    applications = {a["reference"]: a for a in data["applications"]}
    assert set(applications) == {
        ada.lone_draft.reference,
        ada.shared_draft.reference,
        ada.in_assessment.reference,
    }
    lone = applications[ada.lone_draft.reference]
    assert lone["state"] == "Draft"
    assert lone["your_role"]["lead_applicant"] is True
    assert lone["answers_you_last_updated"][0]["file_name"] == "ada-plan.pdf"
    shared = applications[ada.shared_draft.reference]
    assert shared["your_role"] == {
        "lead_applicant": False,
        "side": "Clinical services",
        "area": "Emergency department",
        "leads_side": False,
        "joined_at": shared["your_role"]["joined_at"],
    }
    assert [a["value"] for a in shared["answers_you_last_updated"]] == [
        "Ada Lovelace wrote this answer"
    ]
    assert applications[ada.in_assessment.reference]["state"] == "In assessment"

    invitations = data["invitations_to_your_address"]
    assert {(i["to_join"], i["email"].lower()) for i in invitations} == {
        ("team", "ada@example.org"),
        ("application", "ada.work@example.org"),
        ("application", "ada@example.org"),
    }

    [assessment] = data["assessments"]
    assert assessment["application"] == ada.assignment.application.reference
    assert assessment["conflict_of_interest"] == "Conflict of interest declared"
    assert assessment["conflict_reason"] == "Ada Lovelace used to work there"
    assert assessment["scores"] == [
        {
            "criterion": ada.score.criterion.name,
            "score": 4,
            "comment": "Ada Lovelace found it strong",
        }
    ]

    assert [c["title"] for c in data["case_studies_you_created"]] == ["Ada Lovelace's story"]
    [token] = data["api_tokens"]
    assert token["name"] == "Ada Lovelace's warehouse"
    assert token["prefix"] == "preada"
    assert token["scope"] == "Read only"
    assert {"created_at", "expires_at", "last_used_at", "revoked_at"} <= set(token)

    comments = {c["email"]: c["comments"] for c in data["comments"]}
    assert [c["text"] for c in comments["ada@example.org"]] == ["Ada Lovelace asks a question"]
    assert comments["ada.work@example.org"] == []
    assert [s["email"] for s in data["subscriptions"]] == ["ada.work@example.org"]
    assert [e["summary"] for e in data["changes_you_made"]] == ["Ada Lovelace made a goal"]


def test_the_export_holds_nothing_of_anyone_elses_and_no_secret(ada: Person, bob: Person) -> None:
    # A comment under an address on Ada's account she never confirmed is not hers to read.
    EmailAddress.objects.create(user=ada.user, email="unconfirmed@example.org", verified=False)
    CommentFactory.create(author_email="unconfirmed@example.org", body="Someone else's words")

    text = json.dumps(personal_data_export(ada.user))

    for foreign in (
        "bob",
        "Bob Babbage",
        "The lead wrote this",
        "Someone else's words",
        bob.team.name,
        bob.lone_draft.reference,
        ada.shared_draft.lead_applicant.email,
        "f" * 64,
    ):
        assert foreign not in text


def test_signed_in_people_download_their_data_as_an_uncached_attachment(
    client: Client, ada: Person, bob: Person
) -> None:
    client.force_login(ada.user)

    response = client.get("/account/your-data/download/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == 'attachment; filename="your-data.json"'
    assert response["Cache-Control"] == "no-store"
    data = json.loads(response.content)
    assert data["account"]["email"] == "ada@example.org"
    assert data["account"]["last_signed_in_at"] is not None


def test_the_your_data_page_says_what_we_hold_in_plain_words(
    client: Client, ada: Person, bob: Person
) -> None:
    client.force_login(ada.user)

    response = client.get("/account/your-data/")

    page = response.content.decode()
    assert response.status_code == 200
    for shown in (
        "Your data",
        "ada@example.org",
        "ada.work@example.org (confirmed)",
        ada.team.name,
        ada.led_team.name,
        "Team lead",
        f"{ada.shared_draft.reference}: {ada.shared_draft.title}",
        "In assessment",
        "Ada Lovelace&#x27;s story",
        "Download your data (JSON)",
        "2 sent or waiting to be sent",
        "Erase your account",
        'href="/account/your-data/erase/"',
    ):
        assert shown in page
    assert "Bob" not in page
    assert bob.team.name not in page


def test_the_header_links_signed_in_people_to_their_data(client: Client) -> None:
    client.force_login(UserFactory.create())

    page = client.get("/").content.decode()

    assert 'href="/account/your-data/">Your data</a>' in page


@pytest.mark.parametrize(
    "path", ["/account/your-data/", "/account/your-data/download/", "/account/your-data/erase/"]
)
def test_anonymous_visitors_are_sent_to_sign_in(client: Client, path: str) -> None:
    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={path}"


def test_an_erase_attempt_by_an_anonymous_visitor_changes_nothing(client: Client) -> None:
    user = UserFactory.create()

    response = client.post("/account/your-data/erase/", {"password": PASSWORD})

    assert response.status_code == 302
    assert User.objects.get(pk=user.pk).is_active
