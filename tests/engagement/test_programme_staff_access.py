"""Staff of one programme moderate the comments and follow the e-mail of that programme only;
how comments are moderated, one setting for every programme, is for the funder's staff."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import reverse

from sharedpurpose.accounts.models import User
from sharedpurpose.core.models import AuditEvent
from sharedpurpose.engagement.models import Comment, CommentReport, FunderAnswer, OutboxMessage
from sharedpurpose.engagement.notify import KIND_ROUND_OPEN
from sharedpurpose.programmes.models import Round
from tests.factories import RoundFactory, UserFactory
from tests.programmes.factories_rounds import staff_create
from tests.programmes.factories_staff import programme_staff_create

from .factories_comments import CommentFactory

pytestmark = pytest.mark.django_db


@dataclass
class ProgrammeWorld:
    round: Round
    pending: Comment
    reported: Comment
    hidden: Comment
    failed_email: OutboxMessage
    staff: User


def _programme_world(name: str) -> ProgrammeWorld:
    round_ = RoundFactory.create(programme__name=name, name=f"{name} round")
    reported = CommentFactory.create(round=round_, body=f"{name} reported comment")
    CommentReport.objects.create(comment=reported, reason="Rude")
    return ProgrammeWorld(
        round=round_,
        pending=CommentFactory.create(
            round=round_, status=Comment.Status.PENDING, body=f"{name} pending comment"
        ),
        reported=reported,
        hidden=CommentFactory.create(
            round=round_, status=Comment.Status.HIDDEN, body=f"{name} hidden comment"
        ),
        failed_email=OutboxMessage.objects.create(
            dedupe_key=f"{name}-open",
            kind=KIND_ROUND_OPEN,
            to_email=f"{name.lower()}.subscriber@example.org",
            subject="Applications open",
            body_text="Open.",
            round=round_,
            status=OutboxMessage.Status.FAILED,
            attempts=5,
        ),
        staff=programme_staff_create(round_.programme),
    )


@pytest.fixture
def alder() -> ProgrammeWorld:
    return _programme_world("Alder")


@pytest.fixture
def birch() -> ProgrammeWorld:
    return _programme_world("Birch")


def test_the_moderation_queue_shows_only_comments_on_programmes_they_run(
    client: Client, alder: ProgrammeWorld, birch: ProgrammeWorld
) -> None:
    client.force_login(alder.staff)

    html = client.get(reverse("engagement:moderation_queue")).content.decode()

    assert "Alder pending comment" in html
    assert "Alder reported comment" in html
    assert "Alder hidden comment" in html
    assert "Birch" not in html


def test_staff_of_another_programme_cannot_touch_its_comments(
    client: Client, alder: ProgrammeWorld, birch: ProgrammeWorld
) -> None:
    client.force_login(alder.staff)
    actions = [
        ("comment_approve", birch.pending),
        ("comment_hide", birch.reported),
        ("comment_unhide", birch.hidden),
        ("comment_delete", birch.reported),
        ("comment_answer", birch.reported),
    ]

    for name, comment in actions:
        url = reverse(f"engagement:{name}", args=[comment.pk])
        assert client.post(url, {"body": "Ours now", "action": "publish"}).status_code == 404
        if name in ("comment_delete", "comment_answer"):
            assert client.get(url).status_code == 404

    birch_comments = Comment.objects.filter(programme=birch.round.programme)
    statuses = dict(birch_comments.values_list("pk", "status"))
    assert statuses == {
        birch.pending.pk: Comment.Status.PENDING,
        birch.reported.pk: Comment.Status.PUBLISHED,
        birch.hidden.pk: Comment.Status.HIDDEN,
    }
    assert not FunderAnswer.objects.exists()
    assert not AuditEvent.objects.exists()


def test_staff_of_one_programme_moderate_its_comments(
    client: Client, alder: ProgrammeWorld
) -> None:
    client.force_login(alder.staff)

    client.post(reverse("engagement:comment_approve", args=[alder.pending.pk]))
    client.post(reverse("engagement:comment_hide", args=[alder.reported.pk]))

    alder.pending.refresh_from_db()
    alder.reported.refresh_from_db()
    assert alder.pending.status == Comment.Status.PUBLISHED
    assert alder.reported.status == Comment.Status.HIDDEN
    assert AuditEvent.objects.filter(actor=alder.staff).count() == 2


def test_comments_are_closed_only_on_pages_of_programmes_they_run(
    client: Client, alder: ProgrammeWorld, birch: ProgrammeWorld
) -> None:
    client.force_login(alder.staff)
    lock = reverse("engagement:comments_lock")

    refused = client.post(lock, {"programme": birch.round.programme_id, "locked": "1"})
    refused_round = client.post(
        lock, {"programme": birch.round.programme_id, "round": birch.round.pk, "locked": "1"}
    )
    # Another programme's round under one's own programme is no way in either.
    mixed = client.post(
        lock, {"programme": alder.round.programme_id, "round": birch.round.pk, "locked": "1"}
    )
    closed = client.post(
        lock, {"programme": alder.round.programme_id, "round": alder.round.pk, "locked": "1"}
    )

    assert [r.status_code for r in (refused, refused_round, mixed)] == [404, 404, 404]
    assert closed.status_code == 302
    birch.round.refresh_from_db()
    alder.round.refresh_from_db()
    assert not birch.round.comments_locked and not birch.round.programme.comments_locked
    assert alder.round.comments_locked


def test_staff_controls_show_only_on_pages_of_programmes_they_run(
    client: Client, alder: ProgrammeWorld, birch: ProgrammeWorld
) -> None:
    client.force_login(alder.staff)

    own = client.get(alder.round.get_absolute_url()).content.decode()
    other = client.get(birch.round.get_absolute_url()).content.decode()

    assert "Close comments on this page" in own
    assert "Close comments on this page" not in other
    assert reverse("engagement:comments_lock") not in other


def test_how_comments_are_moderated_is_for_staff_of_every_programme(
    client: Client, alder: ProgrammeWorld
) -> None:
    settings_page = reverse("engagement:comment_settings")
    client.force_login(alder.staff)

    for response in (
        client.get(settings_page),
        client.post(settings_page, {"comment_moderation": "post"}),
    ):
        assert response.status_code == 403
        assert "only staff of every programme change it" in response.content.decode()
    assert settings_page not in client.get(reverse("engagement:moderation_queue")).content.decode()
    assert not AuditEvent.objects.exists()

    client.force_login(staff_create())
    assert client.get(settings_page).status_code == 200


@pytest.mark.parametrize("who", ["funder staff", "administrator"])
def test_funder_staff_and_administrators_still_moderate_every_programme(
    client: Client, alder: ProgrammeWorld, birch: ProgrammeWorld, who: str
) -> None:
    person = staff_create() if who == "funder staff" else UserFactory.create(is_superuser=True)
    client.force_login(person)

    html = client.get(reverse("engagement:moderation_queue")).content.decode()
    client.post(reverse("engagement:comment_approve", args=[birch.pending.pk]))

    assert "Alder pending comment" in html and "Birch pending comment" in html
    birch.pending.refresh_from_db()
    assert birch.pending.status == Comment.Status.PUBLISHED


# --------------------------------------------------------------------------
# E-mail to subscribers about a round
# --------------------------------------------------------------------------


def _round_manage(round_: Round) -> str:
    return reverse(
        "programmes:round_manage",
        kwargs={"programme_slug": round_.programme.slug, "round_slug": round_.slug},
    )


def test_failed_emails_to_subscribers_are_shown_and_retried_by_their_programmes_staff(
    client: Client, alder: ProgrammeWorld, birch: ProgrammeWorld
) -> None:
    client.force_login(alder.staff)

    page = client.get(_round_manage(alder.round)).content.decode()
    retried = client.post(reverse("engagement:outbox_retry", args=[alder.failed_email.pk]))

    assert "alder.subscriber@example.org" in page
    assert "birch.subscriber@example.org" not in page
    assert retried.status_code == 302
    alder.failed_email.refresh_from_db()
    assert alder.failed_email.status != OutboxMessage.Status.FAILED
    assert AuditEvent.objects.filter(action="outbox.retry", actor=alder.staff).exists()


def test_staff_of_another_programme_cannot_retry_its_email(
    client: Client, alder: ProgrammeWorld, birch: ProgrammeWorld
) -> None:
    funders_own = OutboxMessage.objects.create(
        dedupe_key="answer-1",
        kind="comment_answered",
        to_email="asker@example.org",
        subject="Answered",
        body_text="Answered.",
        status=OutboxMessage.Status.FAILED,
    )
    client.force_login(alder.staff)

    for message in (birch.failed_email, funders_own):
        response = client.post(reverse("engagement:outbox_retry", args=[message.pk]))
        assert response.status_code == 404
        message.refresh_from_db()
        assert message.status == OutboxMessage.Status.FAILED
    assert not AuditEvent.objects.exists()

    client.force_login(staff_create())
    assert client.post(reverse("engagement:outbox_retry", args=[funders_own.pk])).status_code == 302
    funders_own.refresh_from_db()
    assert funders_own.status != OutboxMessage.Status.FAILED
