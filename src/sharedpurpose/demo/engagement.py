"""Demo comments and questions on the Shared Purpose round page, with the funder's answer.

Idempotent: each comment is found by its page and author's address, so a second run writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.db import transaction

from sharedpurpose.accounts.models import User
from sharedpurpose.engagement.models import Comment, FunderAnswer
from sharedpurpose.programmes.models import Round

LONDON = ZoneInfo("Europe/London")


@dataclass(frozen=True)
class DemoComment:
    author_name: str
    author_email: str
    body: str
    posted_at: datetime
    is_question: bool = False
    answer: str = ""
    answered_at: datetime | None = None


WENDY_ANSWER = (
    "Dear Wendy\n\n"
    "We plan to run a very similar programme next year, but the focus will not be solely on "
    "corporate services and is therefore not going to be called 'Shared Purpose'.\n\n"
    "Although we are still finalising the details, it is expected to be another demonstration "
    "programme that will continue to support those with ideas, interventions and approaches that "
    "have been tested and shown to be successful at small scale. It will be targeted at "
    "organisations working in partnership to deliver ambitious projects to demonstrate "
    "effectiveness at scale.\n\n"
    "Please sign up to stay informed and as soon as the programme is open for applications you "
    "will be notified."
)

DEMO_COMMENTS = (
    DemoComment(
        author_name="Wendy",
        author_email="wendy@demo.example.org",
        body=(
            "Hi there, is there likely to be another round of Shared Purpose programme support "
            "from the Foundation for 2013/14?"
        ),
        posted_at=datetime(2013, 3, 14, 10, 12, tzinfo=LONDON),
        is_question=True,
        answer=WENDY_ANSWER,
        answered_at=datetime(2013, 3, 19, 15, 40, tzinfo=LONDON),
    ),
    DemoComment(
        author_name="Amir (fictional)",
        author_email="amir@demo.example.org",
        body=(
            "Our estates team joined the ward huddles after hearing about this round. Falls "
            "near the bays they re-lit have dropped. Thank you for **sharing the methods**."
        ),
        posted_at=datetime(2013, 4, 2, 9, 5, tzinfo=LONDON),
    ),
    DemoComment(
        author_name="Helen (fictional)",
        author_email="helen@demo.example.org",
        body=(
            "Will the teams' measures and run charts be published, so others can learn from them?"
        ),
        posted_at=datetime(2013, 5, 21, 14, 30, tzinfo=LONDON),
        is_question=True,
    ),
    DemoComment(
        author_name="Dev (fictional)",
        author_email="dev@demo.example.org",
        body="Great to see procurement and finance teams named as partners in quality.",
        posted_at=datetime(2013, 6, 11, 16, 45, tzinfo=LONDON),
    ),
)


@transaction.atomic
def comments_demo_load() -> None:
    """Add the demo comments and the funder's answer to the Shared Purpose round page."""
    round_ = Round.objects.select_related("programme").filter(slug="shared-purpose").first()
    if round_ is None:
        return
    staff = User.objects.filter(email="staff@demo.example.org").first()
    for spec in DEMO_COMMENTS:
        comment = Comment.objects.filter(round=round_, author_email=spec.author_email).first()
        if comment is None:
            comment = Comment.objects.create(
                programme=round_.programme,
                round=round_,
                author_name=spec.author_name,
                author_email=spec.author_email,
                body=spec.body,
                is_question=spec.is_question,
                status=Comment.Status.PUBLISHED,
            )
            # created_at is set on insert; the demo dates these to when the round ran.
            Comment.objects.filter(pk=comment.pk).update(created_at=spec.posted_at)
        if spec.answer and not comment.answers.exists():
            answer = FunderAnswer.objects.create(
                comment=comment, body=spec.answer, answered_by=staff
            )
            FunderAnswer.objects.filter(pk=answer.pk).update(answered_at=spec.answered_at)
