"""Retention: deleting sign-ups nobody confirmed.

Two kinds of sign-up expire. A stay-informed sign-up whose confirmation link expired unused
(engagement's ``subscribers_expire``), and an account whose address was never verified
``SHAREDPURPOSE_UNVERIFIED_ACCOUNT_DAYS`` after sign-up and to which nothing but its
address is attached (no team, application, role, token, record of anything done). ``retention_run``
does both and records the counts in the audit trail. The task worker runs it once a day
(``retention_schedule`` queues the next run; ``sharedpurpose worker`` starts the chain), and
``sharedpurpose retention`` runs it at once, for cron or a systemd timer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, ForeignObjectRel, OuterRef, Q, QuerySet
from django.utils import timezone

from sharedpurpose.core.audit import audit_record
from sharedpurpose.core.personal_data import email_tasks_erase
from sharedpurpose.engagement.services.subscriptions import subscribers_expire

from .models import User

#: How often the worker runs retention.
RETENTION_INTERVAL = timedelta(days=1)

#: Rows that belong to signing in alone: an account with only these is a bare sign-up.
_SIGN_IN_ONLY = frozenset({EmailAddress._meta.label_lower})


@dataclass(frozen=True)
class RetentionResult:
    expired_sign_ups: int
    unverified_accounts: int


def _anything_attached() -> Q:
    """Accounts any row of any model points at, sign-in's own rows aside: found from the
    relations themselves, so a model added later counts without anyone remembering it."""
    attached = Q(pk__in=[])
    for relation in User._meta.get_fields(include_hidden=True):
        if not isinstance(relation, ForeignObjectRel):
            continue
        holder = relation.field.model
        if holder._meta.label_lower in _SIGN_IN_ONLY:
            continue
        rows = holder._default_manager.filter(**{relation.field.name: OuterRef("pk")})
        attached |= Q(Exists(rows))
    return attached


def unverified_accounts_expired(*, now: datetime | None = None) -> QuerySet[User]:
    """Sign-ups older than the retention period whose address was never verified and to
    which nothing else is attached."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.SHAREDPURPOSE_UNVERIFIED_ACCOUNT_DAYS)
    addresses = EmailAddress.objects.filter(user=OuterRef("pk"))
    return (
        User.objects.filter(date_joined__lt=cutoff, is_staff=False, is_superuser=False)
        # Accounts made by a sign-up have an address on record; others were made by hand.
        .filter(Exists(addresses))
        .exclude(Exists(addresses.filter(verified=True)))
        .exclude(_anything_attached())
    )


def unverified_accounts_delete(*, now: datetime | None = None) -> int:
    """Delete expired unverified sign-ups with the account e-mails to them; return how many."""
    with transaction.atomic():
        users = list(unverified_accounts_expired(now=now).select_for_update())
        if not users:
            return 0
        addresses = {u.email for u in users} | set(
            EmailAddress.objects.filter(user__in=users).values_list("email", flat=True)
        )
        email_tasks_erase(sorted(addresses))
        User.objects.filter(pk__in=[u.pk for u in users]).delete()
    return len(users)


def retention_run(*, now: datetime | None = None) -> RetentionResult:
    """Delete expired sign-ups of both kinds and record how many went."""
    now = now or timezone.now()
    with transaction.atomic():
        result = RetentionResult(
            expired_sign_ups=subscribers_expire(now=now),
            unverified_accounts=unverified_accounts_delete(now=now),
        )
        audit_record(
            actor=None,
            action="retention.run",
            obj=None,
            scope="site",
            summary=(
                f"Deleted {result.expired_sign_ups} unconfirmed stay-informed sign-up(s) and "
                f"{result.unverified_accounts} unverified account(s)"
            ),
            changes={
                "expired_sign_ups": [result.expired_sign_ups, 0],
                "unverified_accounts": [result.unverified_accounts, 0],
            },
        )
    return result


def retention_schedule(*, run_after: datetime | None = None) -> bool:
    """Queue a run of retention for the worker at ``run_after`` (now by default), unless one
    is already waiting. False when the task backend cannot hold work for later (cron must
    run ``sharedpurpose retention`` then)."""
    from django_tasks import TaskResultStatus
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    from .tasks import retention_task

    if not isinstance(retention_task.get_backend(), DatabaseBackend):
        return False
    with transaction.atomic():
        waiting = DBTaskResult.objects.filter(
            task_path=retention_task.module_path, status=TaskResultStatus.READY
        )
        if not waiting.exists():
            retention_task.using(run_after=run_after or timezone.now()).enqueue()
    return True
