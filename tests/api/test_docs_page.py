from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_docs_page_lets_a_signed_in_browser_try_changes_with_its_csrf_token() -> None:
    client = Client()
    client.force_login(UserFactory.create())
    client.get("/api/docs")  # the first visit sets the CSRF cookie

    page = client.get("/api/docs").content.decode()

    assert 'data-api-csrf="true"' in page
    assert 'data-csrf-token=""' not in page
    assert "ninja/swagger-ui-bundle.js" in page  # served from our own static files
    assert "cdn" not in page
