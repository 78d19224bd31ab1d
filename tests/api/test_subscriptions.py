"""Signing up to stay informed through the API: the web's double opt-in, the same answer for
every address, field paths for bad input and a limit per address."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client

from sharedpurpose.api.routers.subscriptions import ACCEPTED
from sharedpurpose.engagement.models import Subscriber
from sharedpurpose.engagement.services.subscriptions import CONSENT_TEXT
from sharedpurpose.programmes.models import Programme
from tests.engagement.factories_subscriptions import SubscriberFactory
from tests.factories import ProgrammeFactory

from .helpers_read import fields, ok, problem

pytestmark = pytest.mark.django_db

URL = "/api/v1/subscriptions"


def _sign_up(client: Client, capture: Any, address: str = "10.0.0.1", **body: Any) -> Any:
    payload = {"email": "ada@example.org", "name": "Ada", "consent": True}
    with capture(execute=True):
        return client.post(
            URL, {**payload, **body}, content_type="application/json", REMOTE_ADDR=address
        )


def test_a_sign_up_is_unconfirmed_and_mailed_one_confirmation_link(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    response = _sign_up(client, django_capture_on_commit_callbacks)

    assert ok(response, 202) == {"detail": ACCEPTED}
    subscriber = Subscriber.objects.get(email="ada@example.org")
    assert subscriber.confirmed_at is None and subscriber.all_programmes is True
    assert subscriber.consent_text == CONSENT_TEXT and subscriber.name == "Ada"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ada@example.org"]
    assert "/stay-informed/confirm/" in mail.outbox[0].body


@pytest.mark.parametrize("all_programmes", [False, None])
def test_chosen_programmes_are_named_by_slug(
    client: Client, django_capture_on_commit_callbacks: Any, all_programmes: bool | None
) -> None:
    wanted = ProgrammeFactory.create(slug="closing-the-gap")
    ProgrammeFactory.create(slug="other")
    body: dict[str, Any] = {"programmes": ["closing-the-gap"], "all_programmes": all_programmes}
    if all_programmes is None:
        del body["all_programmes"]

    response = _sign_up(client, django_capture_on_commit_callbacks, **body)

    assert response.status_code == 202
    subscriber = Subscriber.objects.get()
    assert subscriber.all_programmes is False
    assert list(subscriber.programmes.all()) == [wanted]


def test_the_shortest_sign_up_is_for_every_programme(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            URL, {"email": "ada@example.org", "consent": True}, content_type="application/json"
        )

    assert response.status_code == 202
    assert Subscriber.objects.get().all_programmes is True
    assert len(mail.outbox) == 1


def test_an_address_already_signed_up_gets_the_same_answer_and_no_mail(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    SubscriberFactory.create(email="ada@example.org")

    response = _sign_up(client, django_capture_on_commit_callbacks)

    assert ok(response, 202) == {"detail": ACCEPTED}
    assert Subscriber.objects.count() == 1 and Subscriber.objects.get().confirmed_at is not None
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("body", "field", "pointer"),
    [
        ({"email": "not an address"}, "email", "#/email"),
        ({"consent": False}, "consent", "#/consent"),
        ({"name": "Ada\u0000"}, "name", "#/name"),
        ({"all_programmes": False, "programmes": []}, "programmes", "#/programmes"),
        ({"name": "x" * 101}, "name", "#/name"),
    ],
)
def test_bad_input_is_refused_with_the_fields_path(
    client: Client,
    django_capture_on_commit_callbacks: Any,
    body: dict[str, Any],
    field: str,
    pointer: str,
) -> None:
    response = _sign_up(client, django_capture_on_commit_callbacks, **body)

    assert fields(problem(response, 422)) == {field: pointer}
    assert not Subscriber.objects.exists() and mail.outbox == []


def test_unknown_or_unpublished_programmes_are_refused_by_position(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    ProgrammeFactory.create(slug="closing-the-gap")
    draft: Programme = ProgrammeFactory.create(slug="draft", is_published=False)

    response = _sign_up(
        client,
        django_capture_on_commit_callbacks,
        all_programmes=False,
        programmes=["closing-the-gap", "nope", draft.slug],
    )

    assert fields(problem(response, 422)) == {
        "programmes.1": "#/programmes/1",
        "programmes.2": "#/programmes/2",
    }


def test_consent_is_required(client: Client) -> None:
    response = client.post(URL, {"email": "ada@example.org"}, content_type="application/json")

    assert fields(problem(response, 422)) == {"consent": "#/consent"}


def test_sign_ups_are_limited_per_address(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    for n in range(10):
        response = _sign_up(client, django_capture_on_commit_callbacks, email=f"p{n}@example.org")
        assert response.status_code == 202

    refused = _sign_up(client, django_capture_on_commit_callbacks, email="p10@example.org")
    elsewhere = _sign_up(
        client, django_capture_on_commit_callbacks, address="10.0.0.2", email="q@example.org"
    )

    problem(refused, 429)
    assert int(refused["Retry-After"]) > 0
    assert elsewhere.status_code == 202
    assert not Subscriber.objects.filter(email="p10@example.org").exists()


def test_the_services_own_limit_shared_with_the_web_form_is_a_429_too(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    for n in range(10):  # the web form's sign-ups count against the same address
        client.post(
            "/stay-informed/",
            {"email": f"w{n}@example.org", "interests": "all", "consent": "on"},
            REMOTE_ADDR="10.0.0.3",
        )

    response = _sign_up(client, django_capture_on_commit_callbacks, address="10.0.0.3")

    problem(response, 429)
    assert not Subscriber.objects.filter(email="ada@example.org").exists()
