"""Key dates written the way people read them, in the round's own timezone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def clock_words(local: datetime) -> str:
    """``5pm``, ``9:30am``, ``midday`` or ``midnight``."""
    if local.hour == 0 and local.minute == 0:
        return "midnight"
    if local.hour == 12 and local.minute == 0:
        return "midday"
    hour = local.hour % 12 or 12
    minutes = f":{local.minute:02d}" if local.minute else ""
    return f"{hour}{minutes}{'am' if local.hour < 12 else 'pm'}"


def when_local(value: datetime, zone: str) -> str:
    """``5pm, 14 March 2027 (Europe/London)``: an aware datetime shown in ``zone``, named."""
    try:
        tz = ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        # A zone mistyped outside the site's forms (e.g. the Django admin): say UTC, truthfully.
        tz, zone = ZoneInfo("UTC"), "UTC"
    local = value.astimezone(tz)
    return f"{clock_words(local)}, {local.day} {local:%B %Y} ({zone})"
