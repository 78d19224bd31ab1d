from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import caches
from hypothesis import settings as hypothesis_settings

# Two shared cores can stall any example; correctness, not speed, is what the properties check.
hypothesis_settings.register_profile("sharedpurpose", deadline=None)
hypothesis_settings.load_profile("sharedpurpose")

IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _isolated_services(settings: Any) -> Iterator[None]:
    """Each test gets its own cache (rate limits), runs background tasks at once, and hashes
    passwords quickly (Argon2 is checked on its own in tests/accounts)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "pages"},
    }
    settings.TASKS = IMMEDIATE_TASKS
    for alias in ("default", "pages"):
        caches[alias].clear()
    yield
    for alias in ("default", "pages"):
        caches[alias].clear()
