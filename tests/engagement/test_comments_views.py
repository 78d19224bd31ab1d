from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sharedpurpose.core import public_cache
from sharedpurpose.core.models import AuditEvent
from sharedpurpose.engagement.models import (
    Comment,
    CommentReport,
    EngagementSettings,
    OutboxMessage,
)
from sharedpurpose.engagement.services import comments as services
from sharedpurpose.engagement.services.comments import my_comments_token_make
from sharedpurpose.programmes.models import Round, RoundState
from tests.factories import RoundFactory, UserFactory

from .factories_comments import CommentFactory, FunderAnswerFactory, staff_user

pytestmark = pytest.mark.django_db


def _form(round_: Round, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "programme": round_.programme_id,
        "round": round_.pk,
        "author_name": "Wendy",
        "author_email": "wendy@example.org",
        "body": "Will there be another round?",
        "is_question": "on",
        "website": "",
    }
    data.update(overrides)
    return data


POST_URL = "/comments/post/"


@pytest.fixture(autouse=True)
def _render_every_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests follow pages across changes; the page cache's few-second reuse window for
    anonymous readers (tested in tests/core/test_public_cache.py) would hide them."""
    monkeypatch.setattr(public_cache, "RECENT_SECONDS", 0)


def test_the_round_page_offers_the_comment_form(client: Client) -> None:
    round_ = RoundFactory.create()

    html = client.get(round_.get_absolute_url()).content.decode()

    assert 'id="comments"' in html
    assert "This is a question for the funder" in html
    assert "Leave this empty" in html and 'tabindex="-1"' in html


def test_posting_redirects_to_the_comments_and_thanks_the_poster(client: Client) -> None:
    round_ = RoundFactory.create()

    response = client.post(POST_URL, _form(round_), follow=True)

    assert response.redirect_chain[-1][0] == f"{round_.get_absolute_url()}#comments"
    assert "your comment will appear once checked" in response.content.decode()
    comment = Comment.objects.get()
    assert comment.is_question and comment.status == Comment.Status.PENDING
    assert "Will there be another round?" not in response.content.decode()


def test_post_moderated_comments_show_at_once(client: Client) -> None:
    EngagementSettings.objects.update_or_create(pk=1, defaults={"comment_moderation": "post"})
    round_ = RoundFactory.create()

    response = client.post(POST_URL, _form(round_), follow=True)

    assert "Will there be another round?" in response.content.decode()


def test_bad_input_is_shown_in_the_error_summary_and_kept(client: Client) -> None:
    round_ = RoundFactory.create()

    response = client.post(POST_URL, _form(round_, body="x" * 5001, author_name="Wendy W"))

    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert "5,000 characters or fewer" in html
    assert 'value="Wendy W"' in html
    assert not Comment.objects.exists()


def test_rate_limited_posts_get_429_and_a_clear_message(client: Client) -> None:
    round_ = RoundFactory.create()
    for _ in range(3):
        client.post(POST_URL, _form(round_))

    response = client.post(POST_URL, _form(round_))

    assert response.status_code == 429
    assert "Wait 10 minutes" in response.content.decode()
    assert Comment.objects.count() == 3


def test_honeypot_posts_look_accepted_but_store_nothing(client: Client) -> None:
    round_ = RoundFactory.create()

    response = client.post(POST_URL, _form(round_, website="buy now"))

    assert response.status_code == 302
    assert not Comment.objects.exists()


@pytest.mark.parametrize("state", [RoundState.DRAFT])
def test_comments_cannot_be_posted_on_unpublished_pages(client: Client, state: str) -> None:
    draft = RoundFactory.create(state=state)
    unpublished = RoundFactory.create(programme__is_published=False)

    assert client.post(POST_URL, _form(draft)).status_code == 404
    assert client.post(POST_URL, _form(unpublished)).status_code == 404
    other = RoundFactory.create()
    assert client.post(POST_URL, _form(draft, programme=other.programme_id)).status_code == 404
    assert client.post(POST_URL, _form(draft, programme="x")).status_code == 404
    assert not Comment.objects.exists()


def test_locked_pages_say_comments_are_closed(client: Client) -> None:
    round_ = RoundFactory.create(comments_locked=True)

    html = client.get(round_.get_absolute_url()).content.decode()
    assert "Comments are closed on this page" in html
    assert "This is a question for the funder" not in html
    response = client.post(POST_URL, _form(round_))
    assert response.status_code == 400
    assert not Comment.objects.exists()


def test_published_comments_show_name_and_answer_never_the_email(
    client: Client, settings: Any
) -> None:
    settings.SHAREDPURPOSE_FUNDER_NAME = "The Test Foundation"
    answer = FunderAnswerFactory.create(
        comment__author_name="Wendy", comment__author_email="wendy@example.org"
    )
    CommentFactory.create(round=answer.comment.round, status=Comment.Status.PENDING, body="Wait")
    CommentFactory.create(round=answer.comment.round, status=Comment.Status.HIDDEN, body="Gone")
    assert answer.comment.round is not None

    html = client.get(answer.comment.round.get_absolute_url()).content.decode()

    assert "Wendy" in html
    assert "wendy@example.org" not in html
    assert ">Question<" in html
    assert "Answer from The Test Foundation" in html
    assert "An answer from the funder." in html
    assert "Report this comment" in html
    assert "Wait" not in html and "Gone" not in html


@pytest.mark.parametrize(
    ("body", "forbidden"),
    [
        ("<script>alert(1)</script>", "<script>alert"),
        ('<img src="https://evil.example/x.png" onerror="alert(1)">', "<img"),
        ("![pic](https://evil.example/x.png)", "<img"),
        ('<a href="#" onclick="alert(1)">x</a>', '<a href="#" onclick'),
        ("[click](javascript:alert(1))", "javascript:"),
        ('<iframe src="https://evil.example"></iframe>', "<iframe"),
    ],
)
def test_no_user_text_can_run_script_or_load_remote_content(
    client: Client, body: str, forbidden: str
) -> None:
    comment = CommentFactory.create(body=body)
    assert comment.round is not None

    html = client.get(comment.round.get_absolute_url()).content.decode()
    section = html[html.index('id="comments"') :]

    assert forbidden not in section


def test_html_in_a_comment_shows_as_text(client: Client) -> None:
    comment = CommentFactory.create(body="<script>alert(1)</script> and **bold**")
    assert comment.round is not None

    html = client.get(comment.round.get_absolute_url()).content.decode()

    assert "&lt;script&gt;alert(1)&lt;/script&gt; and <strong>bold</strong>" in html


def test_links_in_comments_are_nofollow(client: Client) -> None:
    comment = CommentFactory.create(body="[site](https://example.org)")
    assert comment.round is not None

    html = client.get(comment.round.get_absolute_url()).content.decode()

    assert 'rel="nofollow noopener noreferrer"' in html


def test_the_round_page_query_count_stays_flat_with_50_comments(client: Client) -> None:
    round_ = RoundFactory.create()
    FunderAnswerFactory.create(comment__round=round_)
    with CaptureQueriesContext(connection) as few:
        client.get(round_.get_absolute_url())
    for _ in range(49):
        FunderAnswerFactory.create(comment__round=round_)

    with CaptureQueriesContext(connection) as many:
        response = client.get(round_.get_absolute_url())

    assert response.content.decode().count("Report this comment<") == 50
    assert len(many) == len(few)


def test_readers_report_a_comment(client: Client) -> None:
    comment = CommentFactory.create()
    url = reverse("engagement:comment_report", args=[comment.pk])

    assert client.get(url).status_code == 200
    assert client.post(url, {"reason": ""}).status_code == 400
    response = client.post(url, {"reason": "It is spam"})

    assert response.status_code == 302
    assert CommentReport.objects.get().reason == "It is spam"


def test_only_published_comments_can_be_reported(client: Client) -> None:
    comment = CommentFactory.create(status=Comment.Status.HIDDEN)

    assert client.get(reverse("engagement:comment_report", args=[comment.pk])).status_code == 404


STAFF_GETS = ["moderation_queue", "comment_settings"]


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("moderation_queue", "get"),
        ("comment_settings", "get"),
        ("comment_approve", "post"),
        ("comment_hide", "post"),
        ("comment_unhide", "post"),
        ("comment_delete", "post"),
        ("comment_answer", "post"),
        ("comments_lock", "post"),
    ],
)
def test_staff_pages_need_programme_staff(client: Client, name: str, method: str) -> None:
    comment = CommentFactory.create(status=Comment.Status.PENDING)
    args = [comment.pk] if name.startswith("comment_") and name != "comment_settings" else []
    url = reverse(f"engagement:{name}", args=args)
    data = {"body": "Answer", "programme": comment.programme_id, "locked": "1"}

    anonymous = getattr(client, method)(url, data)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/accounts/login/")
    client.force_login(UserFactory.create())
    assert getattr(client, method)(url, data).status_code == 403

    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING
    assert not AuditEvent.objects.exists()


def test_the_queue_lists_pending_first_then_reported(client: Client) -> None:
    reported = CommentFactory.create(body="Reported one")
    CommentReport.objects.create(comment=reported, reason="Rude")
    CommentFactory.create(status=Comment.Status.PENDING, body="Pending one")
    client.force_login(staff_user())

    html = client.get(reverse("engagement:moderation_queue")).content.decode()

    assert html.index("Pending one") < html.index("Reported one")
    assert "Reported 1 time" in html


def test_staff_approve_and_answer_then_the_asker_is_emailed_once(client: Client) -> None:
    comment = CommentFactory.create(
        status=Comment.Status.PENDING, is_question=True, author_email="wendy@example.org"
    )
    client.force_login(staff_user())

    client.post(reverse("engagement:comment_approve", args=[comment.pk]))
    answer_url = reverse("engagement:comment_answer", args=[comment.pk])
    preview = client.post(answer_url, {"body": "Yes **soon**", "action": "preview"})
    assert "<strong>soon</strong>" in preview.content.decode()
    assert not OutboxMessage.objects.exists()
    client.post(answer_url, {"body": "Yes **soon**", "action": "publish"})

    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED
    assert OutboxMessage.objects.filter(to_email="wendy@example.org").count() == 1
    assert set(AuditEvent.objects.values_list("action", flat=True)) == {
        "comment.approve",
        "comment.answer",
    }


def test_staff_delete_after_confirming(client: Client) -> None:
    comment = CommentFactory.create()
    client.force_login(staff_user())
    url = reverse("engagement:comment_delete", args=[comment.pk])

    assert "Delete the comment by" in client.get(url).content.decode()
    assert Comment.objects.exists()
    client.post(url)

    assert not Comment.objects.exists()
    assert AuditEvent.objects.filter(action="comment.delete").exists()


def test_staff_lock_a_round_page(client: Client) -> None:
    round_ = RoundFactory.create()
    client.force_login(staff_user())

    response = client.post(
        reverse("engagement:comments_lock"),
        {"programme": round_.programme_id, "round": round_.pk, "locked": "1"},
    )

    assert response.status_code == 302
    round_.refresh_from_db()
    assert round_.comments_locked


def test_staff_choose_post_moderation(client: Client) -> None:
    client.force_login(staff_user())
    url = reverse("engagement:comment_settings")

    assert client.post(url, {"comment_moderation": "never"}).status_code == 400
    client.post(url, {"comment_moderation": "post"})

    assert EngagementSettings.objects.get(pk=1).comment_moderation == "post"


def test_my_data_request_says_the_same_either_way(client: Client) -> None:
    CommentFactory.create(author_email="wendy@example.org")
    url = reverse("engagement:my_comments_request")

    known = client.post(url, {"email": "wendy@example.org"}, follow=True).content.decode()
    unknown = client.post(url, {"email": "nobody@example.org"}, follow=True).content.decode()

    message = "If we hold comments from that address"
    assert message in known and message in unknown
    assert list(OutboxMessage.objects.values_list("to_email", flat=True)) == ["wendy@example.org"]


def test_my_data_page_exports_and_erases(client: Client) -> None:
    answer = FunderAnswerFactory.create(comment__author_email="wendy@example.org")
    token = my_comments_token_make(email="wendy@example.org")

    page = client.get(reverse("engagement:my_comments", args=[token]))
    assert page.status_code == 200 and "Erase my comments" in page.content.decode()
    export = client.get(reverse("engagement:my_comments_export", args=[token]))
    assert export["Content-Type"] == "application/json"
    assert json.loads(export.content)["comments"][0]["answers"][0]["text"] == answer.body

    client.post(reverse("engagement:my_comments_erase", args=[token]))

    assert not Comment.objects.exists()


def test_a_forged_my_data_link_is_refused(client: Client) -> None:
    CommentFactory.create(author_email="wendy@example.org")

    response = client.get(reverse("engagement:my_comments", args=["wendy@example.org:abc"]))

    assert response.status_code == 400
    assert client.post(reverse("engagement:my_comments_erase", args=["x:y"])).status_code == 400
    assert Comment.objects.exists()


def test_the_cached_comments_follow_every_change(client: Client) -> None:
    comment = CommentFactory.create(body="First version")
    assert comment.round is not None
    url = comment.round.get_absolute_url()
    staff = staff_user()
    assert "First version" in client.get(url).content.decode()

    services.comment_answer(actor=staff, comment=comment, body="Fresh answer")
    assert "Fresh answer" in client.get(url).content.decode()
    services.comment_hide(actor=staff, comment=comment)
    assert "First version" not in client.get(url).content.decode()
    services.comment_unhide(actor=staff, comment=comment)
    assert "First version" in client.get(url).content.decode()
    services.comment_delete(actor=staff, comment=comment)
    assert "First version" not in client.get(url).content.decode()
