"""Factories for programme staff and rounds with key dates, on top of tests/factories.py."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sharedpurpose.accounts.models import User
from sharedpurpose.accounts.roles import SiteRole, user_role_grant
from sharedpurpose.programmes.models import Round, RoundState
from tests.factories import RoundFactory, UserFactory


def staff_create(**kwargs: object) -> User:
    user = UserFactory.create(**kwargs)
    user_role_grant(user=user, role=SiteRole.PROGRAMME_STAFF)
    return user


def round_with_dates_create(*, state: RoundState = RoundState.DRAFT, **kwargs: object) -> Round:
    """A round whose applications open 1 February and close 5pm, 14 March 2027 (London)."""
    values: dict[str, object] = {
        "timezone": "Europe/London",
        "applications_open_at": datetime(2027, 2, 1, 9, 0, tzinfo=UTC),
        "applications_close_at": datetime(2027, 3, 14, 17, 0, tzinfo=UTC),
        "delivery_starts_on": date(2027, 9, 1),
        "delivery_ends_on": date(2029, 8, 31),
    }
    return RoundFactory.create(state=state, **{**values, **kwargs})
