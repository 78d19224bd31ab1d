from __future__ import annotations

import json
from typing import Any

import pytest
from django.core import signing
from django.core.exceptions import ValidationError

from sharedpurpose.core.models import AuditEvent
from sharedpurpose.engagement.models import (
    Comment,
    CommentReport,
    EngagementSettings,
    FunderAnswer,
    OutboxMessage,
)
from sharedpurpose.engagement.services import comments as services
from sharedpurpose.programmes.models import Round
from tests.factories import RoundFactory

from .factories_comments import CommentFactory, staff_user

pytestmark = pytest.mark.django_db


def _post(round_: Round, **overrides: Any) -> Comment | None:
    values: dict[str, Any] = {
        "programme": round_.programme,
        "round_": round_,
        "author_name": "Wendy",
        "author_email": "Wendy@Example.org",
        "body": "Will there be another round?",
        "is_question": True,
        "ip_address": "192.0.2.1",
    }
    values.update(overrides)
    return services.comment_post(**values)


def _moderation(mode: str) -> None:
    EngagementSettings.objects.update_or_create(pk=1, defaults={"comment_moderation": mode})


def test_pre_moderated_comments_wait_for_staff() -> None:
    comment = _post(RoundFactory.create())

    assert comment is not None
    assert comment.status == Comment.Status.PENDING
    assert comment.author_email == "wendy@example.org"


def test_post_moderated_comments_are_published_at_once() -> None:
    _moderation("post")

    comment = _post(RoundFactory.create())

    assert comment is not None and comment.status == Comment.Status.PUBLISHED


def test_a_filled_honeypot_is_silently_discarded() -> None:
    assert _post(RoundFactory.create(), honeypot="http://spam.example") is None
    assert not Comment.objects.exists()


@pytest.mark.parametrize(
    ("field", "overrides"),
    [
        ("author_name", {"author_name": "x" * 101}),
        ("author_name", {"author_name": "   "}),
        ("author_email", {"author_email": "not an address"}),
        ("body", {"body": "x" * 5001}),
        ("body", {"body": ""}),
    ],
)
def test_bad_input_names_the_field_and_stores_nothing(
    field: str, overrides: dict[str, Any]
) -> None:
    with pytest.raises(ValidationError) as caught:
        _post(RoundFactory.create(), **overrides)

    assert field in caught.value.message_dict
    assert not Comment.objects.exists()


def test_locked_pages_refuse_comments() -> None:
    round_ = RoundFactory.create(comments_locked=True)

    with pytest.raises(ValidationError, match="closed"):
        _post(round_)
    assert not Comment.objects.exists()


def test_a_locked_programme_closes_its_round_pages_too() -> None:
    round_ = RoundFactory.create()
    round_.programme.comments_locked = True
    round_.programme.save()

    with pytest.raises(ValidationError, match="closed"):
        _post(round_)


def test_posts_are_rate_limited_per_email_address() -> None:
    round_ = RoundFactory.create()
    for n in range(3):
        _post(round_, ip_address=f"192.0.2.{n}")

    with pytest.raises(services.RateLimitedError):
        _post(round_, ip_address="192.0.2.99", author_email="wendy@example.org")
    assert Comment.objects.count() == 3


def test_posts_are_rate_limited_per_ip_address() -> None:
    round_ = RoundFactory.create()
    for n in range(5):
        _post(round_, author_email=f"person{n}@example.org")

    with pytest.raises(services.RateLimitedError):
        _post(round_, author_email="someone.else@example.org")
    assert Comment.objects.count() == 5


def test_reports_are_stored_and_rate_limited() -> None:
    comment = CommentFactory.create()
    for _ in range(5):
        services.comment_report(comment=comment, reason="Spam", ip_address="192.0.2.7")

    with pytest.raises(services.RateLimitedError):
        services.comment_report(comment=comment, reason="Spam", ip_address="192.0.2.7")
    assert CommentReport.objects.filter(comment=comment).count() == 5


def test_staff_approve_hide_unhide_and_delete_are_audited() -> None:
    staff = staff_user()
    comment = CommentFactory.create(status=Comment.Status.PENDING)
    scope = f"programme:{comment.programme_id}"

    services.comment_approve(actor=staff, comment=comment)
    services.comment_hide(actor=staff, comment=comment)
    assert comment.status == Comment.Status.HIDDEN
    services.comment_unhide(actor=staff, comment=comment)
    services.comment_delete(actor=staff, comment=comment)

    actions = list(
        AuditEvent.objects.filter(scope=scope, actor=staff)
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["comment.approve", "comment.hide", "comment.unhide", "comment.delete"]
    assert not Comment.objects.exists()


def test_hiding_closes_open_reports() -> None:
    report = CommentReport.objects.create(comment=CommentFactory.create(), reason="Rude")

    services.comment_hide(actor=staff_user(), comment=report.comment)

    report.refresh_from_db()
    assert report.resolved_at is not None


def test_answering_publishes_the_answer_and_emails_the_asker_once() -> None:
    staff = staff_user()
    comment = CommentFactory.create(
        status=Comment.Status.PENDING, is_question=True, author_email="wendy@example.org"
    )

    answer = services.comment_answer(actor=staff, comment=comment, body="Yes, **next year**.")

    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED
    message = OutboxMessage.objects.get()
    assert message.dedupe_key == f"comment-answer:{answer.pk}"
    assert message.kind == "comment_answered"
    assert message.to_email == "wendy@example.org"
    assert "next year" in message.body_text
    assert AuditEvent.objects.filter(action="comment.answer", actor=staff).exists()
    # A retry of the e-mail for the same answer is a no-op.
    from sharedpurpose.engagement.outbox import outbox_enqueue

    assert (
        outbox_enqueue(
            dedupe_key=f"comment-answer:{answer.pk}",
            kind="comment_answered",
            to_email="wendy@example.org",
            subject="again",
            body_text="again",
        )
        is None
    )
    assert OutboxMessage.objects.count() == 1


def test_an_empty_answer_is_refused() -> None:
    comment = CommentFactory.create()

    with pytest.raises(ValidationError) as caught:
        services.comment_answer(actor=staff_user(), comment=comment, body="  ")

    assert "body" in caught.value.message_dict
    assert not FunderAnswer.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_locking_a_round_page_is_audited() -> None:
    staff = staff_user()
    round_ = RoundFactory.create()

    services.comments_lock(actor=staff, programme=round_.programme, round_=round_, locked=True)

    round_.refresh_from_db()
    assert round_.comments_locked
    event = AuditEvent.objects.get(action="comments.lock")
    assert event.scope == f"programme:{round_.programme_id}"
    assert event.changes == {"comments_locked": [False, True]}


def test_moderation_setting_is_validated_and_audited() -> None:
    staff = staff_user()
    with pytest.raises(ValidationError):
        services.comment_settings_update(actor=staff, moderation="sometimes")

    services.comment_settings_update(actor=staff, moderation="post")

    assert EngagementSettings.objects.get(pk=1).comment_moderation == "post"
    assert AuditEvent.objects.filter(action="comments.settings", scope="site").exists()


def test_my_data_link_is_sent_only_to_addresses_with_comments() -> None:
    CommentFactory.create(author_email="wendy@example.org")

    services.my_comments_link_request(email="nobody@example.org", ip_address="192.0.2.1")
    assert not OutboxMessage.objects.exists()

    services.my_comments_link_request(email="Wendy@example.org", ip_address="192.0.2.1")
    message = OutboxMessage.objects.get()
    assert message.to_email == "wendy@example.org"
    assert "/comments/my-data/" in message.body_text


def test_my_data_tokens_expire_after_a_day_and_cannot_be_forged() -> None:
    token = services.my_comments_token_make(email="wendy@example.org")
    assert services.my_comments_token_read(token=token) == "wendy@example.org"

    with pytest.raises(ValidationError, match="not valid"):
        services.my_comments_token_read(token=token + "x")
    forged = signing.TimestampSigner(salt="elsewhere").sign_object({"e": "wendy@example.org"})
    with pytest.raises(ValidationError, match="not valid"):
        services.my_comments_token_read(token=forged)


def test_expired_my_data_tokens_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    token = services.my_comments_token_make(email="wendy@example.org")
    monkeypatch.setattr(services, "MY_COMMENTS_MAX_AGE", -1)

    with pytest.raises(ValidationError, match="expired"):
        services.my_comments_token_read(token=token)


def test_export_holds_comments_and_answers_and_erase_removes_them_without_the_address() -> None:
    mine = CommentFactory.create(author_email="wendy@example.org", is_question=True)
    FunderAnswer.objects.create(comment=mine, body="Yes.")
    other = CommentFactory.create(author_email="someone@example.org")

    export = services.my_comments_export(email="wendy@example.org")
    assert json.loads(json.dumps(export))["comments"][0]["answers"][0]["text"] == "Yes."
    assert len(export["comments"]) == 1

    assert services.my_comments_erase(email="wendy@example.org") == 1

    assert list(Comment.objects.all()) == [other]
    assert not FunderAnswer.objects.exists()
    event = AuditEvent.objects.get(action="comment.erase")
    assert "wendy" not in json.dumps([event.summary, event.changes]).lower()
