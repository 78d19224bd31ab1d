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
        from sharedpurpose.programmes.models import Programme

        row = (
            User.objects.filter(pk=user.pk)
            .annotate(
                applies=Exists(ApplicationMember.objects.filter(user=OuterRef("pk"))),
                assesses=Exists(AssessorAssignment.objects.filter(assessor=OuterRef("pk"))),
                is_staff_member=Exists(
                    Group.objects.filter(user=OuterRef("pk"), name=SiteRole.PROGRAMME_STAFF.value)
                ),
                runs_a_programme=Exists(
                    Programme.staff.through.objects.filter(user=OuterRef("pk"))
                ),
            )
            .values(
                "applies",
                "assesses",
                "is_staff_member",
                "runs_a_programme",
                "is_superuser",
                "is_active",
            )
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
        """Whether to offer the staff pages: to staff of every programme or of at least one,
        as ``accounts.roles.user_reaches_staff_pages`` decides."""
        flags = self._flags
        runs = any(flags.get(f) for f in ("is_staff_member", "is_superuser", "runs_a_programme"))
        return bool(runs and flags.get("is_active"))
