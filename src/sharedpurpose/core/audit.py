"""One way to record a change: ``audit_record`` after each change a service makes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models

from .models import AuditEvent

if TYPE_CHECKING:
    from sharedpurpose.accounts.models import User


def audit_changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """The fields whose value differs, as ``{field: [old, new]}`` with JSON-safe values."""
    return {
        field: [_plain(before.get(field)), _plain(after.get(field))]
        for field in sorted(set(before) | set(after))
        if before.get(field) != after.get(field)
    }


def audit_record(
    *,
    actor: User | None,
    action: str,
    obj: models.Model | None,
    scope: str,
    summary: str,
    changes: dict[str, list[Any]] | None = None,
) -> AuditEvent:
    """Record a change; ``obj`` is ``None`` for a change to many rows at once (a clean-up)."""
    return AuditEvent.objects.create(
        actor=actor,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        scope=scope,
        summary=summary[:300],
        changes=changes or {},
    )


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, models.Model):
        return value.pk
    return str(value)
