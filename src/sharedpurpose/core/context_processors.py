from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, str]:
    return {
        "site_name": settings.SHAREDPURPOSE_SITE_NAME,
        "funder_name": settings.SHAREDPURPOSE_FUNDER_NAME,
        "site_url": settings.SITE_URL,
    }
