"""Twenty people at once on a real server (gunicorn, two processes of ten threads): entering
data, posting comments and editing one application. Nothing acknowledged is lost, no
request fails, and the database is never "locked" for anyone."""

from __future__ import annotations

import html
import re
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import pytest
from django.utils import timezone

from sharedpurpose.accounts.models import User
from sharedpurpose.applications.models import Answer as StoredAnswer
from sharedpurpose.applications.models import QuestionKind
from sharedpurpose.engagement.models import Comment
from sharedpurpose.improvement.models import DataPoint, DataPointChange, TeamMembership
from sharedpurpose.improvement.quality import period_add, period_start
from tests.applications.factories import (
    ApplicationFactory,
    CollaboratorFactory,
    QuestionFactory,
    SectionFactory,
)
from tests.factories import MeasureFactory, MembershipFactory, ProgrammeFactory, TeamFactory

from .browser import Answer, Browser
from .processes import running_server, session_cookies

pytestmark = pytest.mark.django_db(transaction=True)

CLIENTS = 20
#: Clients 0-14 each enter their own month; 15-19 all enter the same one.
OWN_PERIOD_CLIENTS = 15
COMMENTS_EACH = 2
INPUT = re.compile(r'<input\b[^>]*\bname="([^"]+)"[^>]*\bvalue="([^"]*)"')
T = TypeVar("T")


def _all_at_once(work: Callable[[int], T]) -> list[T]:
    """Run ``work(client)`` for every client in its own thread, released together."""
    start = threading.Barrier(CLIENTS)

    def run(client: int) -> T:
        start.wait(timeout=120)
        return work(client)

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        return list(pool.map(run, range(CLIENTS)))


def _form_fields(page: Answer) -> list[tuple[str, str]]:
    """The inputs of a page's form, as a browser would send them back."""
    return [
        (name, html.unescape(value))
        for name, value in INPUT.findall(page.text)
        if name != "csrfmiddlewaretoken"
    ]


def _replaced(fields: list[tuple[str, str]], name: str, value: str) -> list[tuple[str, str]]:
    assert name in {field for field, _ in fields}, name
    return [(field, value if field == name else old) for field, old in fields]


def _assert_healthy(answers: list[Answer]) -> None:
    for answer in answers:
        assert answer.status < 500, answer.text[-3000:]
        assert "database is locked" not in answer.text


def test_twenty_concurrent_clients_lose_no_write(tmp_path: Path) -> None:
    team = TeamFactory.create()
    measure = MeasureFactory.create(team=team, name="Time to hire", frequency="monthly")
    programme = ProgrammeFactory.create()
    application = ApplicationFactory.create()
    section = SectionFactory.create(form__round=application.round, title="Partnership")
    questions = [
        QuestionFactory.create(
            section=section,
            kind=QuestionKind.SHORT_TEXT,
            label=f"Question {number}",
            position=number,
            required=False,
        )
        for number in range(CLIENTS)
    ]
    people: list[User] = []
    for _ in range(CLIENTS):
        membership = MembershipFactory.create(team=team, role=TeamMembership.Role.MEMBER)
        CollaboratorFactory.create(application=application, user=membership.user)
        people.append(membership.user)
    cookies = [session_cookies(person) for person in people]

    this_month = period_start(timezone.localdate(), "monthly")
    # This month's point keeps the grid's window on the last two years whatever is saved.
    DataPoint.objects.create(measure=measure, period=this_month, value=1, updated_at=timezone.now())
    # Months the grid shows, each client's own and then the shared one.
    periods = [period_add(this_month, "monthly", -n) for n in range(1, OWN_PERIOD_CLIENTS + 2)]
    shared_period = periods[-1]
    data_path = f"/teams/{team.slug}/measures/{measure.pk}/data/"
    section_path = f"/applications/{application.reference}/sections/{section.pk}/"

    with running_server(tmp_path, workers=2, threads=10) as server:
        browsers = [
            Browser(server.base, cookies=cookies[n], source_address=f"127.0.0.{10 + n}")
            for n in range(CLIENTS)
        ]

        def enter_data_comment_and_answer(client: int) -> list[Answer]:
            browser = browsers[client]
            grid = browser.get(data_path)
            form = browser.get(section_path)
            assert (grid.status, form.status) == (200, 200)
            period = periods[client] if client < OWN_PERIOD_CLIENTS else shared_period
            cell = f"value_{period.isoformat()}"
            saved_data = browser.post(
                data_path, _replaced(_form_fields(grid), cell, str(100 + client))
            )
            posted = [
                browser.post(
                    "/comments/post/",
                    {
                        "programme": str(programme.pk),
                        "author_name": f"Reader {client}",
                        "author_email": f"reader{client}@example.org",
                        "body": f"Comment {comment} from reader {client}",
                        "website": "",
                    },
                )
                for comment in range(COMMENTS_EACH)
            ]
            saved_answer = browser.post(
                section_path,
                _replaced(
                    _form_fields(form), f"question_{questions[client].pk}", f"Answer {client}"
                ),
            )
            return [saved_data, *posted, saved_answer]

        first = _all_at_once(enter_data_comment_and_answer)
        _assert_healthy([answer for answers in first for answer in answers])

        pages = [browser.get(section_path) for browser in browsers]
        contested = f"question_{questions[0].pk}"
        second = _all_at_once(
            lambda client: browsers[client].post(
                section_path,
                _replaced(_form_fields(pages[client]), contested, f"Everyone's answer {client}"),
            )
        )
        _assert_healthy(second)
        assert "database is locked" not in server.output()

    # Every save was acknowledged, and every acknowledged save is stored.
    assert all(answer.status == 302 for answers in first for answer in answers), [
        answer.status for answers in first for answer in answers
    ]
    stored = dict(DataPoint.objects.filter(measure=measure).values_list("period", "value"))
    for client in range(OWN_PERIOD_CLIENTS):
        assert stored.get(periods[client]) == 100 + client, periods[client]
    shared_changes = list(
        DataPointChange.objects.filter(measure=measure, period=shared_period).order_by("pk")
    )
    assert sorted((c.changed_by_id, c.new_value) for c in shared_changes) == sorted(
        (people[client].pk, 100 + client) for client in range(OWN_PERIOD_CLIENTS, CLIENTS)
    )
    assert stored[shared_period] == shared_changes[-1].new_value
    assert stored[this_month] == 1
    assert len(stored) == OWN_PERIOD_CLIENTS + 2
    assert sorted(Comment.objects.values_list("body", flat=True)) == sorted(
        f"Comment {comment} from reader {client}"
        for client in range(CLIENTS)
        for comment in range(COMMENTS_EACH)
    )

    # Twenty people changing the same answer: one wins, the others are told and lose nothing
    # silently.
    winners = [client for client, answer in enumerate(second) if answer.status == 302]
    assert len(winners) == 1, [answer.status for answer in second]
    for client, answer in enumerate(second):
        if client != winners[0]:
            # Their page again, naming who changed the answer and showing it beside theirs.
            assert answer.status == 200
            assert "after you opened this page" in answer.text
            assert f"Everyone&#x27;s answer {winners[0]}" in answer.text
    answers = dict(
        StoredAnswer.objects.filter(application=application).values_list("question_id", "value")
    )
    assert answers == {
        question.pk: (f"Everyone's answer {winners[0]}" if number == 0 else f"Answer {number}")
        for number, question in enumerate(questions)
    }
    assert StoredAnswer.objects.get(question=questions[0]).version == 2
