from __future__ import annotations

from typing import Any

from django import template

from sharedpurpose.accounts.roles import user_is_programme_staff

register = template.Library()


@register.filter
def is_programme_staff(user: Any) -> bool:
    """Whether to offer staff links; the staff pages check the role again themselves."""
    return user_is_programme_staff(user)
