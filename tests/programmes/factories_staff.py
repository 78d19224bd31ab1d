"""People who run one programme only, beside the funder's staff of every programme."""

from __future__ import annotations

from sharedpurpose.accounts.models import User
from sharedpurpose.programmes.models import Programme
from tests.factories import UserFactory


def programme_staff_create(programme: Programme, **kwargs: object) -> User:
    """Someone in ``programme``'s own staff, with no site role."""
    user = UserFactory.create(**kwargs)
    programme.staff.add(user)
    return user
