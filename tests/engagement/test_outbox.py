from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sharedpurpose.accounts.roles import SiteRole, user_role_grant
from sharedpurpose.core.models import AuditEvent
from sharedpurpose.engagement import outbox
from sharedpurpose.engagement.models import OutboxMessage
from sharedpurpose.engagement.notify import round_open_fanout_run, round_opened
from sharedpurpose.engagement.outbox import outbox_deliver, outbox_enqueue
from sharedpurpose.programmes.models import RoundState
from tests.engagement.factories_subscriptions import SubscriberFactory
from tests.factories import ProgrammeFactory, RoundFactory, UserFactory

pytestmark = pytest.mark.django_db

Status = OutboxMessage.Status


def _enqueue(key: str = "k1", **kwargs: Any) -> OutboxMessage | None:
    return outbox_enqueue(
        dedupe_key=key,
        kind="test",
        to_email="a@example.org",
        subject="Hello",
        body_text="Text",
        body_html="<p>HTML</p>",
        headers={"X-Test": "1"},
        **kwargs,
    )


def test_enqueue_inserts_once_and_sends_text_and_html_on_commit(
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        first = _enqueue()
        second = _enqueue()

    assert first is not None
    assert second is None
    assert OutboxMessage.objects.count() == 1
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.body == "Text"
    assert isinstance(sent, EmailMultiAlternatives)
    assert sent.alternatives[0][0] == "<p>HTML</p>"
    assert sent.extra_headers["X-Test"] == "1"
    first.refresh_from_db()
    assert first.status == Status.SENT
    assert first.sent_at is not None


def test_nothing_is_sent_when_the_transaction_rolls_back(
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _enqueue()
    assert len(callbacks) == 1
    assert mail.outbox == []


def test_failures_back_off_then_fail_and_staff_can_retry(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    message = _enqueue()
    assert message is not None
    start = timezone.now()
    with mock.patch.object(
        EmailMultiAlternatives, "send", side_effect=ConnectionError("SMTP down")
    ):
        expected_waits = [1, 5, 25, 125]
        for attempt, wait in enumerate(expected_waits, start=1):
            now = start + timedelta(days=attempt)
            result = outbox_deliver(now=lambda now=now: now)  # type: ignore[misc]
            message.refresh_from_db()
            assert result.retried == 1
            assert message.status == Status.QUEUED
            assert message.attempts == attempt
            assert message.next_attempt_at == now + timedelta(minutes=wait)
            # Not due yet: a run straight away leaves it alone.
            assert outbox_deliver(now=lambda now=now: now).retried == 0  # type: ignore[misc]
        outbox_deliver(now=lambda: start + timedelta(days=10))
    message.refresh_from_db()
    assert message.status == Status.FAILED
    assert message.attempts == 5
    assert "SMTP down" in message.last_error

    round_ = RoundFactory.create(state=RoundState.OPEN)
    message.round = round_
    message.kind = "round_open"
    message.save()
    staff = UserFactory.create()
    user_role_grant(user=staff, role=SiteRole.PROGRAMME_STAFF)
    client.force_login(staff)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/outbox/{message.pk}/retry/")

    assert response.status_code == 302
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert AuditEvent.objects.filter(action="outbox.retry", object_id=str(message.pk)).exists()


@pytest.mark.parametrize("who", ["anonymous", "member"])
def test_only_staff_can_retry(client: Client, who: str) -> None:
    message = _enqueue()
    assert message is not None
    OutboxMessage.objects.filter(pk=message.pk).update(status=Status.FAILED, attempts=5)
    if who == "member":
        client.force_login(UserFactory.create())

    response = client.post(f"/outbox/{message.pk}/retry/")

    assert response.status_code == (302 if who == "anonymous" else 403)
    if who == "anonymous":
        assert "/accounts/login/" in response["Location"]
    message.refresh_from_db()
    assert message.status == Status.FAILED


def test_a_crash_between_claim_and_send_requeues_and_sends_once() -> None:
    message = _enqueue()
    assert message is not None
    mail.outbox.clear()
    OutboxMessage.objects.filter(pk=message.pk).update(status=Status.QUEUED)
    claimed = outbox.outbox_claim(now=timezone.now())  # the worker dies here
    assert [m.pk for m in claimed] == [message.pk]

    assert outbox_deliver().sent == 0  # still claimed: not sent by another run

    later = timezone.now() + outbox.CLAIM_TIMEOUT + timedelta(seconds=1)
    result = outbox_deliver(now=lambda: later)
    again = outbox_deliver(now=lambda: later)

    assert (result.requeued, result.sent, again.sent) == (1, 1, 0)
    assert len(mail.outbox) == 1


def _round_with_subscribers() -> tuple[Any, list[Any]]:
    programme = ProgrammeFactory.create()
    other = ProgrammeFactory.create()
    round_ = RoundFactory.create(programme=programme, state=RoundState.OPEN)
    everything = SubscriberFactory.create()
    chosen = SubscriberFactory.create(all_programmes=False)
    chosen.programmes.set([programme])
    SubscriberFactory.create(all_programmes=False).programmes.set([other])
    SubscriberFactory.create(confirmed_at=None)
    SubscriberFactory.create(unsubscribed_at=timezone.now())
    return round_, [everything, chosen]


def test_round_opening_mails_each_confirmed_interested_subscriber_once(
    django_capture_on_commit_callbacks: Any,
) -> None:
    round_, expected = _round_with_subscribers()

    with django_capture_on_commit_callbacks(execute=True):
        round_opened(round_=round_)
    with django_capture_on_commit_callbacks(execute=True):
        round_opened(round_=round_)  # e.g. a retried task
    assert round_open_fanout_run(round_id=round_.pk) == 0
    outbox_deliver()

    assert sorted(m.to[0] for m in mail.outbox) == sorted(s.email for s in expected)
    assert OutboxMessage.objects.filter(round=round_, status=Status.SENT).count() == 2
    sent = mail.outbox[0]
    assert round_.name in sent.subject
    assert sent.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = sent.extra_headers["List-Unsubscribe"]
    assert unsubscribe.startswith("<http") and "/u/" in unsubscribe
    assert unsubscribe.strip("<>") in sent.body
    assert unsubscribe.strip("<>") in sent.alternatives[0][0]  # type: ignore[attr-defined]
    assert "@@" not in sent.body


def test_fanout_resumes_after_a_crash_without_duplicates() -> None:
    round_, expected = _round_with_subscribers()
    with mock.patch.object(outbox, "outbox_schedule"):
        assert round_open_fanout_run(round_id=round_.pk, chunk_size=1) == 2
    # A crash after the first chunk: remove the second row, run again.
    OutboxMessage.objects.filter(round=round_).order_by("-pk").first().delete()  # type: ignore[union-attr]

    assert round_open_fanout_run(round_id=round_.pk, chunk_size=1) == 1
    assert OutboxMessage.objects.filter(round=round_).count() == 2


def test_no_mail_when_the_round_is_no_longer_open() -> None:
    round_, _ = _round_with_subscribers()
    round_.state = RoundState.CLOSED
    round_.save()
    assert round_open_fanout_run(round_id=round_.pk) == 0
    assert mail.outbox == []


def test_outbox_send_command_delivers_due_messages() -> None:
    from django.core.management import call_command

    with mock.patch.object(outbox, "outbox_schedule"):
        _enqueue()
    assert mail.outbox == []
    call_command("outbox_send")
    assert len(mail.outbox) == 1


def test_staff_see_progress_and_failures_on_the_round_page(client: Client) -> None:
    round_, _ = _round_with_subscribers()
    with mock.patch.object(outbox, "outbox_schedule"):
        round_open_fanout_run(round_id=round_.pk)
    first, second = OutboxMessage.objects.filter(round=round_).order_by("pk")
    OutboxMessage.objects.filter(pk=first.pk).update(status=Status.SENT)
    OutboxMessage.objects.filter(pk=second.pk).update(
        status=Status.FAILED, attempts=5, last_error="SMTPRecipientsRefused: mailbox full"
    )
    staff = UserFactory.create()
    user_role_grant(user=staff, role=SiteRole.PROGRAMME_STAFF)
    client.force_login(staff)
    url = reverse(
        "programmes:round_manage",
        kwargs={"programme_slug": round_.programme.slug, "round_slug": round_.slug},
    )

    html = client.get(url).content.decode()

    assert "E-mails about applications opening" in html
    assert re.search(r"Sent</dt>\s*<dd[^>]*>1<", html)
    assert re.search(r"Failed</dt>\s*<dd[^>]*>1<", html)
    assert "mailbox full" in html
    assert f"/outbox/{second.pk}/retry/" in html
