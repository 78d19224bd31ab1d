from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from sharedpurpose.demo.engagement import comments_demo_load
from sharedpurpose.engagement.models import Comment, FunderAnswer

pytestmark = pytest.mark.django_db


def test_the_demo_shows_wendys_question_and_the_funders_answer(client: Client) -> None:
    call_command("demo", stdout=StringIO())
    comments_demo_load()
    counts = (Comment.objects.count(), FunderAnswer.objects.count())

    comments_demo_load()

    assert (Comment.objects.count(), FunderAnswer.objects.count()) == counts
    html = client.get("/programmes/closing-the-gap/shared-purpose/").content.decode()
    assert "Wendy" in html
    assert "another round of Shared Purpose programme support" in html
    assert "2013/14" in html
    assert "Answer from" in html and "Dear Wendy" in html
    assert "wendy@demo.example.org" not in html
