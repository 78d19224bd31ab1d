"""Where personal data lives, and the one way to write a person out of free text.

Each app says what it holds about people in its own ``personal_data`` module: ``HOLDERS``,
one ``Holder`` per model and set of fields, saying how the person's export carries it and
what erasing them does to it, and why; and ``NOT_PERSONAL``, fields that look as if they
hold a person (a ``name``) but name something else. ``personal_data_registry`` gathers them
all; a test walks every model and fails on any field that points at a user or could hold a
name or an address and is in neither.

Records the funder must keep stay after erasure, but must not name the person. Services
write names and addresses into texts (audit summaries, e-mails, reasons), and people write
them into answers, notes and contacts, so ``Pseudonym.rewrite`` replaces every whole-word
occurrence of the person's names and addresses with the pseudonym that now stands for
them, and ``personal_text_rewrite`` applies it to each holder's ``rewrite`` fields.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache, reduce
from importlib import import_module
from operator import or_
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models import Q, QuerySet
from django.db.models.functions import Cast
from django.utils.module_loading import module_has_submodule

#: The export section listing the records that name the person as the one who did something.
YOUR_PART = "your_part_in_records"

#: Names shorter than this are words ("Al", "Jo"), not names worth searching texts for.
NAME_MIN_LENGTH = 3

_REWRITE_BATCH = 500


class Erasure(StrEnum):
    """What erasing a person does to a holder's rows."""

    DELETED = "deleted"
    KEPT = "kept, naming no one"
    PARTLY = "deleted where it serves only the person, otherwise kept naming no one"
    UNLINKED = "kept, no longer pointing at the person"
    EMPTIED = "kept as a count, emptied of the person"


@dataclass(frozen=True)
class Holder:
    """A model's fields that hold a person's data, and what export and erasure do with them.

    ``export`` names the section of the person's download that carries the rows (``None``
    when nothing in them is the person's to read, said in ``reason``). For ``YOUR_PART``
    holders the rows whose user fields point at the person are listed generically: what the
    record is ``about`` (lookups joined with ": ") and ``when``. ``rewrite`` fields are free
    text the person's names and addresses are rewritten out of on erasure, in every row, or
    only in rows of the person's teams (``in_team``, a lookup to the team) and applications
    (``in_application``, a lookup to the application).
    """

    model: str
    fields: tuple[str, ...]
    erasure: Erasure
    reason: str
    export: str | None = None
    about: tuple[str, ...] = ()
    when: str = ""
    rewrite: tuple[str, ...] = ()
    in_team: str | None = None
    in_application: str | None = None

    @property
    def model_class(self) -> type[models.Model]:
        return apps.get_model(self.model)

    @property
    def user_fields(self) -> tuple[str, ...]:
        """The fields that point at a user (foreign keys and many-to-many)."""
        user_model = apps.get_model(settings.AUTH_USER_MODEL)
        return tuple(
            name
            for name in self.fields
            if getattr(self.model_class._meta.get_field(name), "related_model", None) is user_model
        )


@dataclass(frozen=True)
class Registry:
    holders: tuple[Holder, ...]
    #: ``"app_label.Model.field"``: why the field, whose name suggests a person, holds none.
    not_personal: dict[str, str]

    def covers(self, model: type[models.Model], field_name: str) -> bool:
        label = f"{model._meta.label}.{field_name}"
        held = any(
            h.model == model._meta.label and field_name in (*h.fields, *h.rewrite)
            for h in self.holders
        )
        return held or label in self.not_personal


@cache
def personal_data_registry() -> Registry:
    """Every installed app's ``personal_data.HOLDERS`` and ``NOT_PERSONAL``."""
    holders: list[Holder] = []
    not_personal: dict[str, str] = {}
    for app_config in apps.get_app_configs():
        if not app_config.name.startswith("sharedpurpose."):
            continue
        if not module_has_submodule(app_config.module, "personal_data"):
            continue
        module = import_module(f"{app_config.name}.personal_data")
        holders.extend(getattr(module, "HOLDERS", ()))
        not_personal.update(getattr(module, "NOT_PERSONAL", {}))
    return Registry(holders=tuple(holders), not_personal=not_personal)


# --- writing a person out of free text -------------------------------------------------------


@dataclass(frozen=True)
class Pseudonym:
    """A person's names and addresses, and what stands for each in texts that are kept."""

    names: tuple[str, ...]
    addresses: tuple[str, ...]
    name: str
    email: str
    _patterns: tuple[tuple[re.Pattern[str], str], ...] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        # Addresses first, longest first, so a name inside an address is never half-replaced.
        addresses = sorted({a for a in self.addresses if a}, key=len, reverse=True)
        names = sorted({n for n in self.names if len(n) >= NAME_MIN_LENGTH}, key=len, reverse=True)
        patterns = [
            (re.compile(rf"(?<![\w.+-]){re.escape(a)}(?![\w-]|\.[\w-])", re.IGNORECASE), self.email)
            for a in addresses
        ] + [(re.compile(rf"(?<!\w){re.escape(n)}(?!\w)", re.IGNORECASE), self.name) for n in names]
        object.__setattr__(self, "_patterns", tuple(patterns))

    @property
    def needles(self) -> tuple[str, ...]:
        """What a database search for the person looks for."""
        return tuple(
            {a for a in self.addresses if a} | {n for n in self.names if len(n) >= NAME_MIN_LENGTH}
        )

    def rewrite(self, value: Any) -> Any:
        """``value`` with the person replaced: strings, and strings inside JSON values."""
        if isinstance(value, str):
            for pattern, replacement in self._patterns:
                value = pattern.sub(replacement, value)
            return value
        if isinstance(value, list):
            return [self.rewrite(item) for item in value]
        if isinstance(value, dict):
            return {key: self.rewrite(item) for key, item in value.items()}
        return value


def _mentions(model: type[models.Model], fields: Sequence[str], needles: Iterable[str]) -> Q:
    """Rows where any of ``fields`` contains any needle, whatever the case (a coarse filter;
    ``Pseudonym.rewrite`` decides on whole words)."""
    conditions = []
    for name in fields:
        if isinstance(model._meta.get_field(name), models.JSONField):
            alias = f"{name}__as_text"
            for needle in needles:
                # SQLite stores JSON with non-ASCII characters escaped.
                escaped = json.dumps(needle)[1:-1]
                conditions += [Q(**{f"{alias}__icontains": v}) for v in {needle, escaped}]
        else:
            conditions += [Q(**{f"{name}__icontains": needle}) for needle in needles]
    return reduce(or_, conditions, Q(pk__in=[]))


def rows_rewrite(pseudonym: Pseudonym, rows: QuerySet[Any], fields: Sequence[str]) -> int:
    """Write the person out of ``fields`` of ``rows``; returns how many rows changed."""
    needles = pseudonym.needles
    if not needles or not fields:
        return 0
    model = rows.model
    json_fields = [
        name for name in fields if isinstance(model._meta.get_field(name), models.JSONField)
    ]
    candidates = rows.annotate(
        **{f"{name}__as_text": Cast(name, models.TextField()) for name in json_fields}
    ).filter(_mentions(model, fields, needles))
    changed: list[models.Model] = []
    for row in candidates.only("pk", *fields).iterator(chunk_size=_REWRITE_BATCH):
        dirty = False
        for name in fields:
            before = getattr(row, name)
            after = pseudonym.rewrite(before)
            if after != before:
                setattr(row, name, after)
                dirty = True
        if dirty:
            changed.append(row)
    model._default_manager.bulk_update(changed, list(fields), batch_size=_REWRITE_BATCH)
    return len(changed)


def personal_text_rewrite(
    pseudonym: Pseudonym, *, teams: Collection[int], applications: Collection[int]
) -> int:
    """Write the person out of every holder's ``rewrite`` fields: everywhere, or in the
    person's ``teams`` and ``applications`` for text people write. Returns rows changed."""
    changed = 0
    for holder in personal_data_registry().holders:
        if not holder.rewrite:
            continue
        rows = holder.model_class._default_manager.all()
        if holder.in_team or holder.in_application:
            within = Q(pk__in=[])
            if holder.in_team:
                within |= Q(**{f"{holder.in_team}__in": list(teams)})
            if holder.in_application:
                within |= Q(**{f"{holder.in_application}__in": list(applications)})
            rows = rows.filter(within)
        changed += rows_rewrite(pseudonym, rows, holder.rewrite)
    return changed


# --- account e-mails waiting in, or sent through, the task queue ------------------------------


def _email_tasks_to(addresses: Iterable[str]) -> QuerySet[Any]:
    from django_tasks_db.models import DBTaskResult

    from .tasks import email_send

    wanted = [a for a in addresses if a]
    return (
        DBTaskResult.objects.filter(task_path=email_send.module_path)
        .annotate(args_as_text=Cast("args_kwargs", models.TextField()))
        .filter(reduce(or_, (Q(args_as_text__icontains=a) for a in wanted), Q(pk__in=[])))
        .order_by("enqueued_at")
    )


def _recipients(row: Any) -> list[str]:
    return list(row.args_kwargs.get("kwargs", {}).get("to", []))


def email_tasks_export(addresses: Collection[str]) -> list[dict[str, Any]]:
    """Account e-mails (sign-in, invitations) queued or sent to any of ``addresses``."""
    lowered = {a.lower() for a in addresses}
    return [
        {
            "subject": row.args_kwargs["kwargs"].get("subject", ""),
            "status": row.status.lower(),
            "queued_at": row.enqueued_at.isoformat(),
            "finished_at": row.finished_at.isoformat() if row.finished_at else None,
        }
        for row in _email_tasks_to(addresses)
        if lowered & {a.lower() for a in _recipients(row)}
    ]


def email_tasks_erase(addresses: Collection[str]) -> int:
    """Take ``addresses`` off account e-mails in the task queue: one not sent yet to no one
    else is dropped; the record of one sent keeps neither the address nor the words."""
    from django_tasks import TaskResultStatus

    lowered = {a.lower() for a in addresses}
    changed = 0
    for row in _email_tasks_to(addresses):
        recipients = _recipients(row)
        others = [a for a in recipients if a.lower() not in lowered]
        if others == recipients:
            continue  # only mentions them: the text rewrite deals with it
        changed += 1
        if others:
            row.args_kwargs["kwargs"]["to"] = others
            row.save(update_fields=["args_kwargs"])
        elif row.status == TaskResultStatus.READY:
            row.delete()
        else:
            row.args_kwargs = {"args": [], "kwargs": {}}
            row.traceback = ""
            row.save(update_fields=["args_kwargs", "traceback"])
    return changed


def invitation_holders(model: str, *, about: str, reason: str) -> tuple[Holder, ...]:
    """What an invitation holds: the invited address, who invited and who accepted."""
    return (
        Holder(
            model=model,
            fields=("email",),
            erasure=Erasure.PARTLY,
            export="invitations_to_your_address",
            reason=(
                "A pending invitation serves only the person and is deleted; an accepted one "
                "records who joined, and its address becomes the pseudonym."
            ),
        ),
        Holder(
            model=model,
            fields=("invited_by",),
            erasure=Erasure.KEPT,
            export=YOUR_PART,
            about=(about,),
            when="created_at",
            reason=reason,
        ),
        Holder(
            model=model,
            fields=("accepted_by",),
            erasure=Erasure.KEPT,
            export=YOUR_PART,
            about=(about,),
            when="accepted_at",
            reason=reason,
        ),
    )


HOLDERS = (
    Holder(
        model="core.AuditEvent",
        fields=("actor",),
        erasure=Erasure.KEPT,
        export="changes_you_made",
        rewrite=("summary", "changes"),
        reason=(
            "The audit trail of who changed what is the funder's record and is never edited, "
            "except that the person's names and addresses in it become their pseudonym; the "
            "actor stays pointing at their (anonymous) account."
        ),
    ),
    Holder(
        model="django_tasks_database.DBTaskResult",
        fields=("args_kwargs",),
        erasure=Erasure.EMPTIED,
        export="emails_to_you",
        rewrite=("args_kwargs", "traceback"),
        reason=(
            "Account e-mails (sign-in, invitations, assignments) wait here until the worker "
            "sends them: one to the person not sent yet is dropped, the record of one sent "
            "keeps no address and no words, and e-mails to others that name them name the "
            "pseudonym instead."
        ),
    ),
)

NOT_PERSONAL = {
    "django_tasks_database.DBTaskResult.queue_name": "the name of a task queue",
    "django_tasks_database.DBTaskResult.backend_name": "the name of a task backend",
}


def addresses_q(field_name: str, addresses: Iterable[str]) -> Q:
    """Rows whose ``field_name`` is any of ``addresses``, whatever their case."""
    return reduce(or_, (Q(**{f"{field_name}__iexact": a}) for a in addresses if a), Q(pk__in=[]))
