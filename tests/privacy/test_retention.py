"""Retention deletes sign-ups nobody confirmed, keeps everything else, records how many went,
and runs in the task worker once a day."""

from __future__ import annotations

import time
from datetime import timedelta
from io import StringIO
from typing import Any
from unittest import mock

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from sharedpurpose.accounts.models import User
from sharedpurpose.accounts.retention import retention_run
from sharedpurpose.accounts.tasks import retention_task
from sharedpurpose.core.models import AuditEvent
from sharedpurpose.core.tasks import email_send
from sharedpurpose.engagement.models import OutboxMessage, Subscriber
from sharedpurpose.engagement.services.subscriptions import confirm_token, subscription_request
from sharedpurpose.improvement.models import TeamMembership
from tests.applications.factories import ApplicationFactory
from tests.engagement.factories_subscriptions import SubscriberFactory
from tests.factories import MembershipFactory, UserFactory

from .people import DATABASE_TASKS

pytestmark = pytest.mark.django_db


def _days_ago(days: int) -> Any:
    return timezone.now() - timedelta(days=days)


def _signed_up(email: str, *, days_ago: int, verified: bool = False) -> User:
    """An account made by signing up ``days_ago``, its address verified or not."""
    user = UserFactory.create(email=email, verified=False)
    User.objects.filter(pk=user.pk).update(date_joined=_days_ago(days_ago))
    EmailAddress.objects.create(user=user, email=email, verified=verified, primary=True)
    return user


def test_unconfirmed_sign_ups_go_once_their_link_has_expired(settings: Any) -> None:
    settings.SHAREDPURPOSE_SUBSCRIBE_CONFIRM_DAYS = 7
    expired = SubscriberFactory.create(confirmed_at=None, consented_at=_days_ago(8))
    waiting = SubscriberFactory.create(confirmed_at=None, consented_at=_days_ago(6))
    confirmed = SubscriberFactory.create(consented_at=_days_ago(400))
    OutboxMessage.objects.create(
        dedupe_key="confirm-expired",
        kind="subscribe_confirm",
        to_email=expired.email,
        subject="Confirm",
        body_text="Confirm",
        subscriber=expired,
    )

    result = retention_run()

    assert result.expired_sign_ups == 1
    assert set(Subscriber.objects.values_list("pk", flat=True)) == {waiting.pk, confirmed.pk}
    assert not OutboxMessage.objects.filter(to_email=expired.email).exists()


def test_the_confirmation_period_is_a_setting_shared_by_the_link_and_retention(
    settings: Any, client: Client
) -> None:
    settings.SHAREDPURPOSE_SUBSCRIBE_CONFIRM_DAYS = 2
    subscription_request(
        email="late@example.org",
        name="",
        all_programmes=True,
        programme_ids=[],
        consent=True,
        ip_address="192.0.2.1",
    )
    late = Subscriber.objects.get(email="late@example.org")
    link = f"/stay-informed/confirm/{confirm_token(late.pk)}/"

    retention_run(now=timezone.now() + timedelta(days=1))
    assert Subscriber.objects.filter(pk=late.pk).exists()
    with mock.patch("django.core.signing.time.time", return_value=time.time() + 3 * 86400):
        refused = client.post(link)
    retention_run(now=timezone.now() + timedelta(days=3))

    assert refused.status_code == 410
    assert not Subscriber.objects.filter(pk=late.pk).exists()


def test_unverified_accounts_with_nothing_attached_go_after_the_set_time(settings: Any) -> None:
    settings.SHAREDPURPOSE_UNVERIFIED_ACCOUNT_DAYS = 30
    settings.TASKS = DATABASE_TASKS
    bare = _signed_up("bare@example.org", days_ago=31)
    email_send.enqueue(subject="Confirm your e-mail address", body="Hi", to=["bare@example.org"])
    applicant = _signed_up("applicant@example.org", days_ago=31)
    ApplicationFactory.create(lead_applicant=applicant)
    member = _signed_up("member@example.org", days_ago=31)
    MembershipFactory.create(user=member, role=TeamMembership.Role.MEMBER)
    recent = _signed_up("recent@example.org", days_ago=29)
    verified = _signed_up("verified@example.org", days_ago=400, verified=True)
    staff = _signed_up("staff@example.org", days_ago=31)
    User.objects.filter(pk=staff.pk).update(is_staff=True)
    made_by_hand = UserFactory.create(email="by-hand@example.org", verified=False)
    User.objects.filter(pk=made_by_hand.pk).update(date_joined=_days_ago(400))

    result = retention_run()

    assert result.unverified_accounts == 1
    assert not User.objects.filter(pk=bare.pk).exists()
    assert not EmailAddress.objects.filter(email="bare@example.org").exists()
    assert set(User.objects.values_list("pk", flat=True)) == {
        applicant.pk,
        member.pk,
        recent.pk,
        verified.pk,
        staff.pk,
        made_by_hand.pk,
    }
    # The confirmation e-mail still waiting for the deleted account will not go.
    assert not [
        row
        for row in DBTaskResult.objects.filter(task_path=email_send.module_path)
        if "bare@example.org" in row.args_kwargs["kwargs"].get("to", [])
    ]


def test_each_run_records_how_many_went() -> None:
    SubscriberFactory.create(confirmed_at=None, consented_at=_days_ago(30))
    _signed_up("bare@example.org", days_ago=400)

    retention_run()
    retention_run()

    runs = AuditEvent.objects.filter(action="retention.run").order_by("pk")
    assert [(e.actor_id, e.scope, e.changes) for e in runs] == [
        (None, "site", {"expired_sign_ups": [1, 0], "unverified_accounts": [1, 0]}),
        (None, "site", {"expired_sign_ups": [0, 0], "unverified_accounts": [0, 0]}),
    ]
    assert runs[0].summary == (
        "Deleted 1 unconfirmed stay-informed sign-up(s) and 1 unverified account(s)"
    )


def test_the_command_runs_retention_at_once_for_cron() -> None:
    SubscriberFactory.create(confirmed_at=None, consented_at=_days_ago(30))
    out = StringIO()

    call_command("retention", stdout=out)

    assert out.getvalue().strip() == (
        "Deleted 1 unconfirmed stay-informed sign-up(s) and 0 unverified account(s)."
    )
    assert not Subscriber.objects.exists()


def test_the_worker_runs_retention_daily_from_one_queued_run(settings: Any) -> None:
    settings.TASKS = DATABASE_TASKS
    out = StringIO()

    call_command("retention", "--schedule", stdout=out)
    call_command("retention", "--schedule", stdout=StringIO())  # a second worker starting

    waiting = DBTaskResult.objects.filter(task_path=retention_task.module_path)
    [first] = waiting
    assert first.status == TaskResultStatus.READY
    assert first.run_after <= timezone.now()
    assert out.getvalue().strip() == "Retention runs in the task worker once a day."

    SubscriberFactory.create(confirmed_at=None, consented_at=_days_ago(30))
    DBTaskResult.objects.filter(pk=first.pk).update(status=TaskResultStatus.RUNNING)
    counts = retention_task.call()

    assert counts == {"expired_sign_ups": 1, "unverified_accounts": 0}
    [tomorrow] = waiting.filter(status=TaskResultStatus.READY)
    assert timedelta(hours=23) < tomorrow.run_after - timezone.now() <= timedelta(days=1)


def test_without_a_task_queue_that_can_wait_the_command_says_to_use_cron() -> None:
    out = StringIO()

    call_command("retention", "--schedule", stdout=out)

    assert "from cron or a systemd timer" in out.getvalue()
