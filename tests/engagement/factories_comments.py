"""Factories for comments, answers and reports."""

from __future__ import annotations

import factory

from sharedpurpose.accounts.models import User
from sharedpurpose.accounts.roles import SiteRole, user_role_grant
from sharedpurpose.engagement.models import Comment, CommentReport, FunderAnswer
from tests.factories import ProgrammeFactory, RoundFactory, UserFactory


class CommentFactory(factory.django.DjangoModelFactory[Comment]):
    class Meta:
        model = Comment

    round = factory.SubFactory(RoundFactory)
    programme = factory.LazyAttribute(
        lambda c: c.round.programme if c.round else ProgrammeFactory()
    )
    author_name = factory.Sequence(lambda n: f"Commenter {n}")
    author_email = factory.Sequence(lambda n: f"commenter{n}@example.org")
    body = "A thoughtful comment."
    status = Comment.Status.PUBLISHED


class FunderAnswerFactory(factory.django.DjangoModelFactory[FunderAnswer]):
    class Meta:
        model = FunderAnswer

    comment = factory.SubFactory(CommentFactory, is_question=True)
    body = "An answer from the funder."


class CommentReportFactory(factory.django.DjangoModelFactory[CommentReport]):
    class Meta:
        model = CommentReport

    comment = factory.SubFactory(CommentFactory)
    reason = "It is spam."


def staff_user() -> User:
    user = UserFactory.create()
    user_role_grant(user=user, role=SiteRole.PROGRAMME_STAFF)
    return user
