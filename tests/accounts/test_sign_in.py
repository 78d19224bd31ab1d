from __future__ import annotations

import re
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import identify_hasher
from django.core import mail
from django.test import Client

from sharedpurpose.accounts.roles import SiteRole, user_is_programme_staff, user_role_grant
from sharedpurpose.config import settings as configured_settings
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_people_sign_in_with_their_email_address(client: Client) -> None:
    user = UserFactory.create(email="nurse@example.org")

    response = client.post("/accounts/login/", {"login": "Nurse@Example.org", "password": PASSWORD})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_passwords_are_hashed_with_argon2(settings: Any) -> None:
    settings.PASSWORD_HASHERS = configured_settings.PASSWORD_HASHERS
    user = UserFactory.create()

    assert identify_hasher(user.password).algorithm == "argon2"


def test_sign_up_requires_email_verification_sent_in_the_background(client: Client) -> None:
    response = client.post(
        "/accounts/signup/",
        {
            "email": "new@example.org",
            "password1": "a long enough pass 42",
            "password2": "a long enough pass 42",
        },
    )

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert len(mail.outbox) == 1
    link = re.search(r"http://\S+/accounts/confirm-email/\S+/", str(mail.outbox[0].body))
    assert link is not None

    confirm_path = link.group(0).split("testserver", 1)[-1]
    client.post(confirm_path)
    assert EmailAddress.objects.get(email="new@example.org").verified


def test_password_reset_sends_a_link(client: Client) -> None:
    UserFactory.create(email="forgetful@example.org")

    client.post("/accounts/password/reset/", {"email": "forgetful@example.org"})

    assert len(mail.outbox) == 1
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


def test_repeated_failed_sign_ins_are_throttled(client: Client) -> None:
    UserFactory.create(email="target@example.org")
    for _ in range(5):
        client.post("/accounts/login/", {"login": "target@example.org", "password": "wrong guess"})

    response = client.post(
        "/accounts/login/", {"login": "target@example.org", "password": PASSWORD}
    )

    assert response.status_code in {200, 429}
    assert "_auth_user_id" not in client.session
    assert "Too many failed login attempts" in response.content.decode()


def test_failed_sign_in_shows_the_error_summary_and_keeps_the_email(client: Client) -> None:
    response = client.post("/accounts/login/", {"login": "someone@example.org", "password": "nope"})

    html = response.content.decode()
    assert "There is a problem" in html
    assert 'value="someone@example.org"' in html


def test_admin_is_for_programme_staff_only(client: Client) -> None:
    member = UserFactory.create()
    client.force_login(member)
    assert client.get("/admin/").status_code == 302

    staff = UserFactory.create()
    user_role_grant(user=staff, role=SiteRole.PROGRAMME_STAFF)
    client.force_login(staff)
    assert user_is_programme_staff(staff)
    assert client.get("/admin/").status_code == 200
