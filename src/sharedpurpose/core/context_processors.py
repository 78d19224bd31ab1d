from __future__ import annotations

from functools import cached_property

from django.conf import settings
from django.contrib.auth.models import Group
from django.db.models import Exists, OuterRef
from django.http import HttpRequest

from sharedpurpose.accounts.roles import SiteRole


def site(request: HttpRequest) -> dict[str, object]:
    return {
        "site_name": settings.SHAREDPURPOSE_SITE_NAME,
        "funder_name": settings.SHAREDPURPOSE_FUNDER_NAME,
        "site_url": settings.SITE_URL,
        "nav": Navigation(request),
    }


class Navigation:
    """Which of the header's personal links a signed-in person gets, read in one query the
    first time the header asks."""

    def __init__(self, request: HttpRequest) -> None:
        self.request = request

    @cached_property
    def _flags(self) -> dict[str, bool]:
        user = self.request.user
        if not user.is_authenticated:
            return {}
        from sharedpurpose.accounts.models import User
        from sharedpurpose.applications.models import ApplicationMember, AssessorAssignment

        row = (
            User.objects.filter(pk=user.pk)
            .annotate(
                applies=Exists(ApplicationMember.objects.filter(user=OuterRef("pk"))),
                assesses=Exists(AssessorAssignment.objects.filter(assessor=OuterRef("pk"))),
                is_staff_member=Exists(
                    Group.objects.filter(user=OuterRef("pk"), name=SiteRole.PROGRAMME_STAFF.value)
                ),
            )
            .values("applies", "assesses", "is_staff_member", "is_active")
            .first()
        )
        return row or {}

    @property
    def applications(self) -> bool:
        return bool(self._flags.get("applies"))

    @property
    def assessments(self) -> bool:
        return bool(self._flags.get("assesses"))

    @property
    def programme_staff(self) -> bool:
        return bool(self._flags.get("is_staff_member") and self._flags.get("is_active"))
