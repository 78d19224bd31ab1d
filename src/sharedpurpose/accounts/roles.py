"""The roles people hold on the platform, checked in one place.

Programme staff and assessors are site-wide groups: the funder's programme staff run
every programme, and administrators count as programme staff. Someone can also run one
programme only, by being in its ``Programme.staff``; they reach the staff pages of that
programme and nothing of the others. Team membership (with a team role and a side) lives
in ``improvement.TeamMembership``. Anyone with an account can apply; everyone else is
the anonymous public.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from .models import User


class SiteRole(StrEnum):
    PROGRAMME_STAFF = "Programme staff"
    ASSESSOR = "Assessor"
    APPLICANT = "Applicant"


def user_has_role(user: User | AnonymousUser, role: SiteRole) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return user.groups.filter(name=role.value).exists()


def user_is_programme_staff(user: User | AnonymousUser) -> bool:
    """Staff of every programme: the funder's programme staff, and administrators."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or user_has_role(user, SiteRole.PROGRAMME_STAFF)


def user_staffs_programme(user: User | AnonymousUser, programme_id: int) -> bool:
    """Whether ``user`` runs the programme: staff of every programme, or of this one."""
    if user_is_programme_staff(user):
        return True
    if not user.is_authenticated or not user.is_active:
        return False
    return user.staffed_programmes.filter(pk=programme_id).exists()


def programme_ids_staffed_by(user: User | AnonymousUser) -> frozenset[int] | None:
    """The programmes ``user`` runs; ``None`` means every programme."""
    if user_is_programme_staff(user):
        return None
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    return frozenset(user.staffed_programmes.values_list("pk", flat=True))


def user_reaches_staff_pages(user: User | AnonymousUser) -> bool:
    """Staff of every programme or of at least one: each staff page then checks which."""
    ids = programme_ids_staffed_by(user)
    return ids is None or bool(ids)


def user_is_assessor(user: User | AnonymousUser) -> bool:
    return user_has_role(user, SiteRole.ASSESSOR)


def user_role_grant(*, user: User, role: SiteRole) -> None:
    """Give ``user`` a site role; programme staff also reach the Django admin."""
    from django.contrib.auth.models import Group

    group, _ = Group.objects.get_or_create(name=role.value)
    user.groups.add(group)
    if role is SiteRole.PROGRAMME_STAFF and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
