from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone
from playwright.sync_api import Page, expect

from sharedpurpose.accounts.roles import SiteRole, user_role_grant
from sharedpurpose.engagement.models import Subscriber
from sharedpurpose.programmes.models import RoundState
from tests.factories import ProgrammeFactory, RoundFactory, UserFactory

from .conftest import assert_accessible

pytestmark = pytest.mark.django_db(transaction=True)

EMAIL = "ada@example.org"


def _path(body: str, pattern: str) -> str:
    match = re.search(rf"https?://[^/\s]+({pattern}[^\s\"<]*)", body)
    assert match, body
    return match.group(1)


def test_sign_up_confirm_hear_that_applications_open_and_unsubscribe(
    live_server: object, page: Page
) -> None:
    # Given a programme whose next round opens soon, and a member of programme staff
    base = str(live_server)
    programme = ProgrammeFactory.create(name="Safer Discharge")
    round_ = RoundFactory.create(
        programme=programme,
        name="Spring round",
        state=RoundState.ANNOUNCED,
        applications_open_at=timezone.now(),
        applications_close_at=timezone.now() + timedelta(days=30),
    )
    staff = UserFactory.create()
    user_role_grant(user=staff, role=SiteRole.PROGRAMME_STAFF)

    # When a visitor signs up from the programme page
    page.goto(base + programme.get_absolute_url())
    page.get_by_role("link", name=re.compile("Sign up to stay informed")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Stay informed")
    expect(page.get_by_label("Safer Discharge")).to_be_checked()
    assert_accessible(page)
    page.get_by_label("E-mail address").fill(EMAIL)
    page.get_by_label("I agree").check()
    page.get_by_role("button", name="Sign up").click()

    # Then they are asked to check their e-mail, and only a confirmation was sent
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your e-mail")
    assert_accessible(page)
    assert [m.to for m in mail.outbox] == [[EMAIL]]

    # When they open the confirmation link and confirm
    page.goto(base + _path(str(mail.outbox[0].body), "/stay-informed/confirm/"))
    assert_accessible(page)
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You are signed up")
    assert_accessible(page)

    # And staff open the round for applications
    from sharedpurpose.programmes.services import round_transition

    with transaction.atomic():
        round_transition(actor=staff, round_=round_, to_state=RoundState.OPEN)

    # Then exactly one e-mail about it arrives, with a one-click unsubscribe header
    opening = [m for m in mail.outbox if "Applications are open" in m.subject]
    assert len(opening) == 1
    assert opening[0].to == [EMAIL]
    assert opening[0].extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # When they follow the unsubscribe link and press the button
    page.goto(base + _path(str(opening[0].body), "/u/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Unsubscribe")
    assert_accessible(page)
    page.get_by_role("button", name="Unsubscribe").click()

    # Then they are unsubscribed
    expect(page.get_by_role("heading", level=1)).to_have_text("You are unsubscribed")
    assert_accessible(page)
    assert Subscriber.objects.get(email=EMAIL).unsubscribed_at is not None
