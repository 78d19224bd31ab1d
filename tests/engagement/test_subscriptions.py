from __future__ import annotations

import json
import re
import time
from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from sharedpurpose.engagement.models import OutboxMessage, Subscriber
from sharedpurpose.engagement.notify import round_opened
from sharedpurpose.engagement.services.subscriptions import (
    CONSENT_TEXT,
    CONSENT_VERSION,
    RATE_PER_IP,
    preferences_token,
    unsubscribe_token,
)
from sharedpurpose.programmes.models import RoundState
from tests.engagement.factories_subscriptions import SubscriberFactory
from tests.factories import ProgrammeFactory, RoundFactory

pytestmark = pytest.mark.django_db


def _sign_up(client: Client, capture: Any, email: str = "ada@example.org", **extra: Any) -> Any:
    data = {"email": email, "name": "Ada", "interests": "all", "consent": "on", **extra}
    with capture(execute=True):
        return client.post("/stay-informed/", data)


def _confirm_link(message: Any) -> str:
    match = re.search(r"https?://[^/\s]+(/stay-informed/confirm/[^\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_sign_up_records_consent_and_mails_only_a_confirmation(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    page = client.get("/stay-informed/").content.decode()
    assert CONSENT_TEXT in page

    response = _sign_up(client, django_capture_on_commit_callbacks)

    assert response.status_code == 302
    assert response["Location"] == "/stay-informed/check-your-email/"
    subscriber = Subscriber.objects.get(email="ada@example.org")
    assert subscriber.consent_text == CONSENT_TEXT
    assert subscriber.consent_version == CONSENT_VERSION
    assert subscriber.consented_at is not None
    assert subscriber.confirmed_at is None
    assert len(mail.outbox) == 1
    assert "Confirm" in mail.outbox[0].subject

    # Unconfirmed: a round opening mails them nothing.
    round_ = RoundFactory.create(state=RoundState.OPEN)
    with django_capture_on_commit_callbacks(execute=True):
        round_opened(round_=round_)
    assert len(mail.outbox) == 1


def test_confirming_from_the_link_then_receiving_mailings(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    _sign_up(client, django_capture_on_commit_callbacks)
    link = _confirm_link(mail.outbox[0])

    assert "Confirm your e-mail address" in client.get(link).content.decode()
    assert Subscriber.objects.get().confirmed_at is None  # a GET (link checker) confirms nothing
    response = client.post(link)

    assert response.status_code == 200
    assert "You are signed up" in response.content.decode()
    assert Subscriber.objects.get().confirmed_at is not None
    round_ = RoundFactory.create(state=RoundState.OPEN)
    with django_capture_on_commit_callbacks(execute=True):
        round_opened(round_=round_)
    assert len(mail.outbox) == 2
    assert mail.outbox[1].to == ["ada@example.org"]


def test_tampered_and_expired_confirmation_links_are_refused(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    _sign_up(client, django_capture_on_commit_callbacks)
    link = _confirm_link(mail.outbox[0])

    tampered = client.post(link[:-3] + "x/")
    with mock.patch("django.core.signing.time.time", return_value=time.time() + 8 * 86400):
        expired = client.post(link)

    assert tampered.status_code == 400
    assert "This link does not work" in tampered.content.decode()
    assert expired.status_code == 410
    assert "This link has expired" in expired.content.decode()
    assert Subscriber.objects.get().confirmed_at is None


def test_signing_up_again_sends_a_fresh_link_but_tells_a_confirmed_address_nothing(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    _sign_up(client, django_capture_on_commit_callbacks)
    again = _sign_up(client, django_capture_on_commit_callbacks)
    assert again.status_code == 302
    assert len(mail.outbox) == 2
    assert _confirm_link(mail.outbox[1])

    confirmed = SubscriberFactory.create(email="known@example.org")
    response = _sign_up(client, django_capture_on_commit_callbacks, email="known@example.org")

    assert response["Location"] == "/stay-informed/check-your-email/"
    assert len(mail.outbox) == 2
    assert Subscriber.objects.filter(email="known@example.org").count() == 1
    confirmed.refresh_from_db()
    assert confirmed.confirmed_at is not None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": "not-an-address"}, "Enter an e-mail address in the correct format"),
        ({"consent": ""}, "Tick the box to say you agree"),
        ({"interests": "chosen"}, "Choose at least one programme"),
        ({"interests": "nonsense"}, "Select a valid choice"),
        ({"programmes": ["999999"], "interests": "chosen"}, "Choose programmes from the list"),
    ],
)
def test_bad_sign_ups_are_explained_and_change_nothing(
    client: Client, data: dict[str, Any], message: str
) -> None:
    form = {"email": "ada@example.org", "name": "Ada", "interests": "all", "consent": "on"}
    form.update(data)

    response = client.post("/stay-informed/", form)

    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert message in html
    assert 'value="Ada"' in html
    assert Subscriber.objects.count() == 0
    assert OutboxMessage.objects.count() == 0


def test_chosen_programmes_are_stored_and_the_box_preselects_its_programme(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    programme = ProgrammeFactory.create()
    page = client.get(programme.get_absolute_url()).content.decode()
    assert f"/stay-informed/?programme={programme.slug}" in page
    form = client.get(f"/stay-informed/?programme={programme.slug}").content.decode()
    assert re.search(rf'value="{programme.pk}"\s+checked', form)

    _sign_up(
        client,
        django_capture_on_commit_callbacks,
        interests="chosen",
        programmes=[str(programme.pk)],
    )

    subscriber = Subscriber.objects.get()
    assert subscriber.all_programmes is False
    assert list(subscriber.programmes.all()) == [programme]


def test_honeypot_sign_ups_are_quietly_dropped(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    response = _sign_up(client, django_capture_on_commit_callbacks, website="http://spam")
    assert response["Location"] == "/stay-informed/check-your-email/"
    assert Subscriber.objects.count() == 0
    assert mail.outbox == []


def test_sign_ups_are_rate_limited_per_network(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    for n in range(RATE_PER_IP):
        _sign_up(client, django_capture_on_commit_callbacks, email=f"p{n}@example.org")

    response = _sign_up(client, django_capture_on_commit_callbacks, email="late@example.org")

    assert response.status_code == 200
    assert "too many sign-ups" in response.content.decode()
    assert not Subscriber.objects.filter(email="late@example.org").exists()


def test_unconfirmed_sign_ups_expire_after_seven_days() -> None:
    old = SubscriberFactory.create(
        confirmed_at=None, consented_at=timezone.now() - timedelta(days=8)
    )
    recent = SubscriberFactory.create(confirmed_at=None)
    confirmed_long_ago = SubscriberFactory.create(consented_at=timezone.now() - timedelta(days=80))

    call_command("retention")

    assert not Subscriber.objects.filter(pk=old.pk).exists()
    assert Subscriber.objects.filter(pk__in=[recent.pk, confirmed_long_ago.pk]).count() == 2


def test_one_click_unsubscribe_needs_no_csrf_and_is_idempotent() -> None:
    subscriber = SubscriberFactory.create()
    client = Client(enforce_csrf_checks=True)
    url = f"/u/{unsubscribe_token(subscriber.pk)}/"

    assert "Unsubscribe" in client.get(url).content.decode()
    first = client.post(url, {"List-Unsubscribe": "One-Click"})
    second = client.post(url, {"List-Unsubscribe": "One-Click"})

    assert (first.status_code, second.status_code) == (200, 200)
    subscriber.refresh_from_db()
    assert subscriber.unsubscribed_at is not None
    assert client.post(f"/u/{subscriber.pk}:forged/").status_code == 400


def test_preferences_change_interests(client: Client) -> None:
    subscriber = SubscriberFactory.create(name="Ada")
    programme = ProgrammeFactory.create()
    url = f"/stay-informed/preferences/{preferences_token(subscriber.pk)}/"
    assert 'value="Ada"' in client.get(url).content.decode()

    response = client.post(
        url,
        {"name": "Ada L", "interests": "chosen", "programmes": [programme.pk], "subscribed": "on"},
    )

    assert response.status_code == 302
    subscriber.refresh_from_db()
    assert subscriber.name == "Ada L"
    assert subscriber.all_programmes is False
    assert list(subscriber.programmes.all()) == [programme]
    assert client.get("/stay-informed/preferences/1:forged/").status_code == 400


def test_export_contains_everything_kept(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    subscriber = SubscriberFactory.create(name="Ada")
    round_ = RoundFactory.create(state=RoundState.OPEN)
    with django_capture_on_commit_callbacks(execute=True):
        round_opened(round_=round_)

    response = client.get(
        f"/stay-informed/preferences/{preferences_token(subscriber.pk)}/my-data.json"
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = json.loads(response.content)
    assert data["email"] == subscriber.email
    assert data["name"] == "Ada"
    assert data["interests"] == {"all_programmes": True, "programmes": []}
    assert data["consent"]["text"] == CONSENT_TEXT
    assert data["consent"]["version"] == CONSENT_VERSION
    assert data["consent"]["given_at"]
    assert data["confirmed_at"]
    assert [m["subject"] for m in data["messages_sent"]] == [mail.outbox[0].subject]
    assert data["messages_sent"][0]["sent_at"]


def test_erase_deletes_the_subscriber_and_keeps_no_address(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    subscriber = SubscriberFactory.create()
    round_ = RoundFactory.create(state=RoundState.OPEN)
    with django_capture_on_commit_callbacks(execute=True):
        round_opened(round_=round_)
    queued = OutboxMessage.objects.create(
        dedupe_key="later",
        kind="x",
        to_email=subscriber.email,
        subject="s",
        body_text="b",
        subscriber=subscriber,
    )
    url = f"/stay-informed/preferences/{preferences_token(subscriber.pk)}/erase/"
    assert "Erase my data" in client.get(url).content.decode()

    response = client.post(url)

    assert response.status_code == 200
    assert not Subscriber.objects.filter(pk=subscriber.pk).exists()
    assert not OutboxMessage.objects.filter(pk=queued.pk).exists()
    sent = OutboxMessage.objects.get(round=round_)
    assert sent.status == OutboxMessage.Status.SENT
    assert (sent.to_email, sent.body_text, sent.body_html, sent.headers) == ("", "", "", {})
    assert not OutboxMessage.objects.filter(to_email=subscriber.email).exists()
