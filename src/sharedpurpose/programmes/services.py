"""Changes to programmes, rounds and announcements, made by programme staff and audited.

Key dates are typed by staff as local date and time in the round's own timezone (applications
close "5pm, 14 March 2027, Europe/London") and stored as aware datetimes. A round moves through
its lifecycle only along ``lifecycle.ALLOWED_TRANSITIONS``; opening it for applications
announces it once and queues the e-mail to people who asked to be told.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from sharedpurpose.accounts.roles import user_is_programme_staff, user_staffs_programme
from sharedpurpose.core.audit import audit_changes, audit_record

from .dates import when_local
from .lifecycle import transition_allowed
from .models import Announcement, Programme, Round, RoundState, RoundTransition
from .selectors import PROGRAMME_STAFFING_REFUSED

if TYPE_CHECKING:
    from sharedpurpose.accounts.models import User

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
#: Addresses under /programmes/<programme>/ taken by other pages (the programme's evidence).
RESERVED_ROUND_SLUGS = frozenset({"evidence"})
_PROGRAMME_FIELDS = ("slug", "name", "summary", "description", "is_published")
_ROUND_FIELDS = (
    "number",
    "slug",
    "name",
    "summary",
    "aims",
    "body",
    "timezone",
    "applications_open_at",
    "applications_close_at",
    "delivery_starts_on",
    "delivery_ends_on",
)
_ANNOUNCEMENT_FIELDS = ("round", "title", "body", "published_at")
PROGRAMME_CREATE_REFUSED = (
    "Only staff of every programme can create a programme. Staff of one programme can "
    "add rounds and announcements to it."
)


def programme_scope(programme: Programme) -> str:
    """The audit scope of a programme's records."""
    return f"programme:{programme.pk}"


def _staff_require(actor: User, programme: Programme) -> None:
    """Only people who run ``programme`` change it, its rounds and its announcements."""
    if not user_staffs_programme(actor, programme.pk):
        raise PermissionDenied(f"Only the staff of {programme.name} can change it.")


def _every_programme_staff_require(actor: User, reason: str) -> None:
    if not user_is_programme_staff(actor):
        raise PermissionDenied(reason)


def _snapshot(obj: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in fields}


def _slug_check(slug: str, errors: dict[str, str]) -> None:
    if not _SLUG.match(slug):
        errors["slug"] = (
            "Web address must use lower-case letters, numbers and hyphens only, "
            "for example shared-purpose"
        )


def _text_required(values: dict[str, str], labels: dict[str, str], errors: dict[str, str]) -> None:
    for name, label in labels.items():
        if not values[name].strip():
            errors[name] = f"Enter the {label}"


# --------------------------------------------------------------------------
# Programmes
# --------------------------------------------------------------------------


def programme_values_clean(
    *,
    programme: Programme | None,
    slug: str,
    name: str,
    summary: str,
    description: str,
    is_published: bool,
) -> dict[str, Any]:
    values = {
        "slug": slug.strip().lower(),
        "name": name.strip(),
        "summary": summary.strip(),
        "description": description.strip(),
    }
    errors: dict[str, str] = {}
    _text_required(values, {"name": "programme's name", "summary": "summary"}, errors)
    _slug_check(values["slug"], errors)
    others = Programme.objects.filter(slug=values["slug"])
    if programme is not None:
        others = others.exclude(pk=programme.pk)
    if "slug" not in errors and others.exists():
        errors["slug"] = "Another programme already uses this web address"
    if errors:
        raise ValidationError(errors)
    return {**values, "is_published": is_published}


@transaction.atomic
def programme_create(
    *,
    actor: User,
    slug: str,
    name: str,
    summary: str,
    description: str = "",
    is_published: bool = False,
) -> Programme:
    _every_programme_staff_require(actor, PROGRAMME_CREATE_REFUSED)
    values = programme_values_clean(
        programme=None,
        slug=slug,
        name=name,
        summary=summary,
        description=description,
        is_published=is_published,
    )
    programme = Programme.objects.create(**values)
    audit_record(
        actor=actor,
        action="programme.create",
        obj=programme,
        scope=programme_scope(programme),
        summary=f"Created programme “{programme.name}”",
        changes=audit_changes({}, _snapshot(programme, _PROGRAMME_FIELDS)),
    )
    return programme


@transaction.atomic
def programme_update(
    *,
    actor: User,
    programme: Programme,
    slug: str,
    name: str,
    summary: str,
    description: str,
    is_published: bool,
) -> Programme:
    _staff_require(actor, programme)
    values = programme_values_clean(
        programme=programme,
        slug=slug,
        name=name,
        summary=summary,
        description=description,
        is_published=is_published,
    )
    before = _snapshot(programme, _PROGRAMME_FIELDS)
    for field, value in values.items():
        setattr(programme, field, value)
    programme.save()
    audit_record(
        actor=actor,
        action="programme.update",
        obj=programme,
        scope=programme_scope(programme),
        summary=f"Edited programme “{programme.name}”",
        changes=audit_changes(before, _snapshot(programme, _PROGRAMME_FIELDS)),
    )
    return programme


# --------------------------------------------------------------------------
# Rounds
# --------------------------------------------------------------------------


def local_to_aware(value: datetime | None, zone: str) -> datetime | None:
    """A wall-clock time in ``zone`` as an aware datetime (already aware values are kept)."""
    if value is None or timezone.is_aware(value):
        return value
    return value.replace(tzinfo=ZoneInfo(zone))


def _timezone_valid(zone: str) -> bool:
    if zone not in available_timezones():
        return False
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


@dataclass(frozen=True)
class RoundValues:
    """What staff typed for a round, before it is checked."""

    number: int
    slug: str
    name: str
    summary: str
    aims: list[str]
    body: str = ""
    timezone: str = "Europe/London"
    applications_open_local: datetime | None = None
    applications_close_local: datetime | None = None
    delivery_starts_on: date | None = None
    delivery_ends_on: date | None = None


def round_values_clean(
    *, programme: Programme, round_: Round | None, values: RoundValues
) -> dict[str, Any]:
    """Check a round's values and return them as model fields, dates made aware.

    Raises ``ValidationError`` keyed by field name; the preview uses this without saving.
    """
    text = {
        "slug": values.slug.strip().lower(),
        "name": values.name.strip(),
        "summary": values.summary.strip(),
        "body": values.body.strip(),
        "timezone": values.timezone.strip(),
    }
    errors: dict[str, str] = {}
    _text_required(text, {"name": "round's name", "summary": "summary"}, errors)
    _slug_check(text["slug"], errors)
    others = Round.objects.filter(programme=programme)
    if round_ is not None:
        others = others.exclude(pk=round_.pk)
    if "slug" not in errors and others.filter(slug=text["slug"]).exists():
        errors["slug"] = f"Another round of {programme.name} already uses this web address"
    if text["slug"] in RESERVED_ROUND_SLUGS:
        errors["slug"] = f"“{text['slug']}” is the address of another page of the programme"
    if values.number < 1:
        errors["number"] = "Round number must be 1 or more"
    elif others.filter(number=values.number).exists():
        errors["number"] = f"{programme.name} already has a round {values.number}"
    zone_ok = _timezone_valid(text["timezone"])
    if not zone_ok:
        errors["timezone"] = (
            "Timezone must be a name from the timezone database, for example Europe/London"
        )
    opens = local_to_aware(values.applications_open_local, text["timezone"]) if zone_ok else None
    closes = local_to_aware(values.applications_close_local, text["timezone"]) if zone_ok else None
    if opens and closes and closes <= opens:
        errors["applications_close_local"] = "Applications must close after they open"
    starts, ends = values.delivery_starts_on, values.delivery_ends_on
    if starts and ends and ends <= starts:
        errors["delivery_ends_on"] = "Delivery must end after it starts"
    if errors:
        raise ValidationError(errors)
    return {
        **text,
        "number": values.number,
        "aims": [aim.strip() for aim in values.aims if aim.strip()],
        "applications_open_at": opens,
        "applications_close_at": closes,
        "delivery_starts_on": starts,
        "delivery_ends_on": ends,
    }


@transaction.atomic
def round_create(*, actor: User, programme: Programme, values: RoundValues) -> Round:
    """A new round of ``programme``, in draft until staff announce or open it."""
    _staff_require(actor, programme)
    fields = round_values_clean(programme=programme, round_=None, values=values)
    round_ = Round.objects.create(programme=programme, state=RoundState.DRAFT, **fields)
    audit_record(
        actor=actor,
        action="round.create",
        obj=round_,
        scope=programme_scope(programme),
        summary=f"Created round {round_.number} “{round_.name}” of {programme.name}",
        changes=audit_changes({}, _snapshot(round_, _ROUND_FIELDS)),
    )
    return round_


@transaction.atomic
def round_update(*, actor: User, round_: Round, values: RoundValues) -> Round:
    _staff_require(actor, round_.programme)
    fields = round_values_clean(programme=round_.programme, round_=round_, values=values)
    before = _snapshot(round_, _ROUND_FIELDS)
    for field, value in fields.items():
        setattr(round_, field, value)
    round_.save()
    audit_record(
        actor=actor,
        action="round.update",
        obj=round_,
        scope=programme_scope(round_.programme),
        summary=f"Edited round {round_.number} “{round_.name}” of {round_.programme.name}",
        changes=audit_changes(before, _snapshot(round_, _ROUND_FIELDS)),
    )
    return round_


def _state_label(state: str) -> str:
    try:
        return str(RoundState(state).label).lower()
    except ValueError:
        return f"“{state}”"


def _opening_announcement_body(round_: Round) -> str:
    text = f"{round_.programme.name} is open for applications to round {round_.number}, "
    text += f"{round_.name}."
    if round_.applications_close_at:
        closes = when_local(round_.applications_close_at, round_.timezone)
        text += f" Applications close at {closes}."
    return f"{text}\n\n{round_.summary}"


@transaction.atomic
def round_transition(*, actor: User, round_: Round, to_state: str) -> RoundTransition:
    """Move ``round_`` to ``to_state`` if the lifecycle allows it, and record who did it.

    Opening for applications also publishes the "Applications open" announcement and queues
    the e-mail to subscribers, in the same transaction; both happen once per round however
    often the round is reopened.
    """
    _staff_require(actor, round_.programme)
    locked = Round.objects.select_for_update().select_related("programme").get(pk=round_.pk)
    from_state = locked.state
    if to_state not in RoundState.values:
        raise ValidationError({"to_state": f"“{to_state}” is not a state a round can be in"})
    if not transition_allowed(from_state, to_state):
        raise ValidationError(
            {
                "to_state": f"A round that is {_state_label(from_state)} cannot move "
                f"to {_state_label(to_state)}"
            }
        )
    if to_state == RoundState.OPEN and locked.applications_close_at is None:
        raise ValidationError(
            {"to_state": "Set the date applications close before opening the round"}
        )
    locked.state = to_state
    locked.save(update_fields=["state", "updated_at"])
    transition = RoundTransition.objects.create(
        round=locked, from_state=from_state, to_state=to_state, actor=actor
    )
    audit_record(
        actor=actor,
        action="round.transition",
        obj=locked,
        scope=programme_scope(locked.programme),
        summary=f"Moved round “{locked.name}” from {_state_label(from_state)} "
        f"to {_state_label(to_state)}",
        changes={"state": [from_state, to_state]},
    )
    if to_state == RoundState.OPEN:
        _round_opening_announce(actor=actor, round_=locked)
    round_.state = locked.state
    return transition


def _round_opening_announce(*, actor: User, round_: Round) -> None:
    _, created = Announcement.objects.get_or_create(
        round=round_,
        kind=Announcement.Kind.APPLICATIONS_OPEN,
        defaults={
            "programme": round_.programme,
            "title": f"Applications open: {round_.name}",
            "body": _opening_announcement_body(round_),
            "published_at": timezone.now(),
            "created_by": actor,
        },
    )
    if created:
        # Imported here: engagement depends on programmes, not the other way round.
        from sharedpurpose.engagement.notify import round_opened

        round_opened(round_=round_)


# --------------------------------------------------------------------------
# Announcements (staff news)
# --------------------------------------------------------------------------


def _announcement_values_clean(
    *, programme: Programme, round_: Round | None, title: str, body: str
) -> dict[str, Any]:
    values = {"title": title.strip(), "body": body.strip()}
    errors: dict[str, str] = {}
    _text_required(values, {"title": "title", "body": "announcement"}, errors)
    if round_ is not None and round_.programme_id != programme.pk:
        errors["round"] = f"Choose a round of {programme.name}"
    if errors:
        raise ValidationError(errors)
    return {**values, "round": round_}


@transaction.atomic
def announcement_create(
    *,
    actor: User,
    programme: Programme,
    title: str,
    body: str,
    round_: Round | None = None,
    published_at: datetime | None = None,
) -> Announcement:
    _staff_require(actor, programme)
    values = _announcement_values_clean(programme=programme, round_=round_, title=title, body=body)
    announcement = Announcement.objects.create(
        programme=programme,
        kind=Announcement.Kind.NEWS,
        published_at=published_at or timezone.now(),
        created_by=actor,
        **values,
    )
    audit_record(
        actor=actor,
        action="announcement.create",
        obj=announcement,
        scope=programme_scope(programme),
        summary=f"Published announcement “{announcement.title}”",
        changes=audit_changes({}, _snapshot(announcement, _ANNOUNCEMENT_FIELDS)),
    )
    return announcement


@transaction.atomic
def announcement_update(
    *,
    actor: User,
    announcement: Announcement,
    title: str,
    body: str,
    round_: Round | None = None,
) -> Announcement:
    _staff_require(actor, announcement.programme)
    values = _announcement_values_clean(
        programme=announcement.programme, round_=round_, title=title, body=body
    )
    if announcement.kind == Announcement.Kind.APPLICATIONS_OPEN:
        # The opening announcement stays tied to the round that opened.
        values["round"] = announcement.round
    before = _snapshot(announcement, _ANNOUNCEMENT_FIELDS)
    for field, value in values.items():
        setattr(announcement, field, value)
    announcement.save()
    audit_record(
        actor=actor,
        action="announcement.update",
        obj=announcement,
        scope=programme_scope(announcement.programme),
        summary=f"Edited announcement “{announcement.title}”",
        changes=audit_changes(before, _snapshot(announcement, _ANNOUNCEMENT_FIELDS)),
    )
    return announcement


@transaction.atomic
def announcement_delete(*, actor: User, announcement: Announcement) -> None:
    _staff_require(actor, announcement.programme)
    if announcement.kind == Announcement.Kind.APPLICATIONS_OPEN:
        # Deleting it would let a reopened round e-mail its subscribers a second time.
        raise ValidationError(
            "The announcement that applications opened cannot be deleted; edit it instead"
        )
    audit_record(
        actor=actor,
        action="announcement.delete",
        obj=announcement,
        scope=programme_scope(announcement.programme),
        summary=f"Deleted announcement “{announcement.title}”",
        changes=audit_changes(_snapshot(announcement, _ANNOUNCEMENT_FIELDS), {}),
    )
    announcement.delete()


# --------------------------------------------------------------------------
# The people who run one programme only
# --------------------------------------------------------------------------


@transaction.atomic
def programme_staff_add(*, actor: User, programme: Programme, email: str) -> User:
    """Let the account with ``email`` run ``programme`` (and no other) as its staff."""
    from sharedpurpose.accounts.models import User

    _every_programme_staff_require(actor, PROGRAMME_STAFFING_REFUSED)
    address = email.strip()
    person = User.objects.filter(email__iexact=address, is_active=True).first()
    if person is None:
        raise ValidationError(
            {
                "email": f"There is no account with the e-mail address {address}. Ask them to "
                "sign up first, then add them."
            }
        )
    if user_is_programme_staff(person):
        raise ValidationError(
            {
                "email": f"{person.get_full_name()} already runs every programme as the "
                "funder's staff."
            }
        )
    if programme.staff.filter(pk=person.pk).exists():
        raise ValidationError({"email": f"{person.get_full_name()} already runs {programme.name}."})
    programme.staff.add(person)
    audit_record(
        actor=actor,
        action="programme.staff_add",
        obj=programme,
        scope=programme_scope(programme),
        summary=f"Added {person.get_full_name()} to the staff of {programme.name}",
        changes={"staff": [None, person.pk]},
    )
    return person


@transaction.atomic
def programme_staff_remove(*, actor: User, programme: Programme, person: User) -> None:
    """Stop ``person`` running ``programme``; they keep any other role they hold."""
    _every_programme_staff_require(actor, PROGRAMME_STAFFING_REFUSED)
    if not programme.staff.filter(pk=person.pk).exists():
        raise ValidationError(f"{person.get_full_name()} does not run {programme.name}.")
    programme.staff.remove(person)
    audit_record(
        actor=actor,
        action="programme.staff_remove",
        obj=programme,
        scope=programme_scope(programme),
        summary=f"Removed {person.get_full_name()} from the staff of {programme.name}",
        changes={"staff": [person.pk, None]},
    )
