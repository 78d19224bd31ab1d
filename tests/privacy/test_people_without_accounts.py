"""Commenters and subscribers have no account: through the signed links they get by e-mail they
download what is held about them and erase it, leaving their name and address nowhere."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from sharedpurpose.core.models import AuditEvent
from sharedpurpose.engagement.models import Comment, OutboxMessage, Subscriber
from sharedpurpose.engagement.notify import round_opened
from sharedpurpose.engagement.services.comments import (
    comment_answer,
    comment_approve,
    comment_post,
    my_comments_link_request,
    my_comments_token_make,
)
from sharedpurpose.engagement.services.subscriptions import (
    confirm_token,
    preferences_token,
    subscriber_confirm,
    subscription_request,
)
from sharedpurpose.programmes.models import Programme, RoundState
from tests.engagement.factories_comments import staff_user
from tests.factories import ProgrammeFactory, RoundFactory

from .people import texts_naming

pytestmark = pytest.mark.django_db

CAROL = ("Carol Commenter", "carol@example.org")
DAN = ("Dan Commenter", "dan@example.org")
SAM = ("Sam Subscriber", "sam@example.org")


def _commenter(programme: Programme, name: str, email: str) -> Comment:
    """A question approved and answered by staff, naming its asker, and a link asked for."""
    comment = comment_post(
        programme=programme,
        round_=None,
        author_name=name,
        author_email=email,
        body="When do applications open?",
        is_question=True,
        ip_address=f"192.0.2.{len(name)}",
    )
    assert comment is not None
    staff = staff_user()
    comment_approve(actor=staff, comment=comment)
    comment_answer(actor=staff, comment=comment, body=f"In May, {name}.")
    my_comments_link_request(email=email, ip_address="198.51.100.7")
    return comment


def test_a_commenter_downloads_then_erases_everything_held_about_them(client: Client) -> None:
    programme = ProgrammeFactory.create()
    carol = _commenter(programme, *CAROL)
    _commenter(programme, *DAN)
    token = my_comments_token_make(email="carol@example.org")
    assert texts_naming(*CAROL)

    export = client.get(reverse("engagement:my_comments_export", args=[token]))
    client.post(reverse("engagement:my_comments_erase", args=[token]))

    data = json.loads(export.content)
    assert [(c["name"], c["text"]) for c in data["comments"]] == [
        ("Carol Commenter", "When do applications open?")
    ]
    assert data["comments"][0]["answers"][0]["text"] == "In May, Carol Commenter."
    assert {m["kind"] for m in data["emails_to_you"]} == {"comment_answered", "my_comments_link"}
    assert texts_naming(*CAROL) == []
    assert texts_naming(*DAN) != []
    # The record of how staff moderated her question stays, naming no one.
    moderation = AuditEvent.objects.filter(object_type="engagement.comment", object_id=carol.pk)
    assert sorted(moderation.values_list("action", "summary")) == [
        ("comment.approve", "Approved the comment by Erased commenter"),
        ("comment.erase", "Erased a comment at the request of the person who wrote it"),
    ]


def test_e_mails_about_comments_not_sent_yet_are_dropped_and_sent_ones_emptied(
    client: Client,
) -> None:
    _commenter(ProgrammeFactory.create(), *CAROL)
    answered = OutboxMessage.objects.get(kind="comment_answered", to_email="carol@example.org")
    OutboxMessage.objects.filter(pk=answered.pk).update(status=OutboxMessage.Status.SENT)
    token = my_comments_token_make(email="carol@example.org")

    client.post(reverse("engagement:my_comments_erase", args=[token]))

    sent = OutboxMessage.objects.get(pk=answered.pk)
    assert sent.status == OutboxMessage.Status.SENT
    assert (sent.to_email, sent.body_text, sent.body_html, sent.headers) == ("", "", "", {})
    assert not OutboxMessage.objects.filter(kind="my_comments_link").exists()


def test_a_subscriber_downloads_then_erases_everything_held_about_them(
    client: Client, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    round_ = RoundFactory.create(state=RoundState.OPEN)
    for name, email in (SAM, ("Tess Subscriber", "tess@example.org")):
        subscription_request(
            email=email,
            name=name,
            all_programmes=True,
            programme_ids=[],
            consent=True,
            ip_address="203.0.113.9",
        )
    for subscriber in Subscriber.objects.all():
        subscriber_confirm(token=confirm_token(subscriber.pk))
    sam = Subscriber.objects.get(email=SAM[1])
    with django_capture_on_commit_callbacks(execute=True):
        round_opened(round_=round_)
    assert texts_naming(*SAM)
    preferences = f"/stay-informed/preferences/{preferences_token(sam.pk)}"

    export = client.get(f"{preferences}/my-data.json")
    client.post(f"{preferences}/erase/")

    data = json.loads(export.content)
    assert (data["email"], data["name"]) == (SAM[1], SAM[0])
    assert data["confirmed_at"] is not None
    assert len(data["messages_sent"]) == 2  # the confirmation and the round's opening
    assert texts_naming(*SAM) == []
    assert texts_naming("Tess Subscriber", "tess@example.org") != []
