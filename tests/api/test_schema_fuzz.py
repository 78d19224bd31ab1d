"""Schemathesis against the live schema, in process: every operation, fuzzed with valid and
invalid input, answers without a server error, with a body and a content type its schema
documents.

The caller is the demo's team member with a read-write token for all their teams, so the
fuzzed requests reach real code: path parameters and the points sent are, often, the team's
own objects (the demo's Northmoor team, its goals and measures with their data).

Each operation is one test inside one database transaction (pytest-django's ``db``), rolled
back at its end, so what fuzzed POSTs write never leaks into another test. Each request gets
its own savepoint from ``ATOMIC_REQUESTS``, as it would get its own transaction in production.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterator
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
import schemathesis
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import RequestFactory
from django.urls import resolve
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis import HookContext
from schemathesis import checks as schemathesis_checks
from schemathesis.core.result import Ok

from sharedpurpose.accounts.models import User
from sharedpurpose.api.tokens import token_create
from sharedpurpose.config.wsgi import application
from sharedpurpose.improvement.models import Goal, Measure, Team

SCHEMA_URL = "/api/openapi.json"
#: The demo team whose objects the fuzzed requests aim at.
TEAM = "northmoor-value-based-interviewing"
MEMBER = "team@demo.example.org"
#: Examples per operation: enough to explore each schema, small enough for two cores.
MAX_EXAMPLES = 15
CHECKS = [
    schemathesis_checks.not_a_server_error,
    schemathesis_checks.response_schema_conformance,
    schemathesis_checks.content_type_conformance,
    schemathesis_checks.status_code_conformance,
]


def _live_schema() -> dict[str, Any]:
    """What ``/api/openapi.json`` serves, read from its view when the tests are collected.

    Not through the whole WSGI app: its middleware opens a database transaction per request
    (``ATOMIC_REQUESTS``), and there is no test database while tests are collected.
    ``test_schemathesis_loads_the_served_schema`` checks the two are the same.
    """
    match = resolve(SCHEMA_URL)
    response = match.func(RequestFactory().get(SCHEMA_URL), *match.args, **match.kwargs)
    assert response.status_code == 200
    served: dict[str, Any] = json.loads(response.content)
    return served


#: The live schema; requests go through the whole WSGI app, in process.
schema = schemathesis.openapi.from_dict(_live_schema())
schema.app = application
#: The demo team's objects for this test, which the hooks below aim the requests at.
KNOWN: dict[str, Any] = {}


def _known_objects() -> dict[str, Any]:
    team = Team.objects.select_related("round__programme").get(slug=TEAM)
    measure = Measure.objects.filter(team=team, points__isnull=False).order_by("pk").first()
    goal = Goal.objects.filter(team=team).order_by("pk").first()
    assert measure is not None and goal is not None, "the demo team has goals and data"
    return {
        "team": team.slug,
        "round": team.round_id,
        "programme": team.round.programme.slug,
        "goal": goal.pk,
        "measure": measure.pk,
    }


def _aimed_path_parameters(path: str, known: dict[str, Any]) -> dict[str, Any]:
    """The team's own objects for each path parameter of ``path``."""
    names = {
        "round_id": known["round"],
        "goal_id": known["goal"],
        "measure_id": known["measure"],
        "slug": known["programme"] if path.startswith("/api/v1/programmes/") else known["team"],
    }
    return {name: value for name, value in names.items() if "{" + name + "}" in path}


@pytest.fixture
def _connection_kept(db: None) -> Iterator[None]:
    """Requests run inside the test's transaction, so they must not close its connection at
    their end: disconnect ``close_old_connections`` as Django's own test client does."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def token_headers(_connection_kept: None) -> dict[str, str]:
    """The demo, and a read-write token of its team member for all their teams."""
    call_command("demo", stdout=StringIO())
    member = User.objects.get(email=MEMBER)
    _, text = token_create(
        user=member,
        name="Schema fuzzing",
        scope="read_write",
        expires_at=timezone.now() + timedelta(days=1),
        all_teams=True,
    )
    KNOWN.clear()
    KNOWN.update(_known_objects())
    return {"Authorization": f"Bearer {text}"}


@schema.hook
def flatmap_path_parameters(
    context: HookContext, path_parameters: dict[str, Any]
) -> st.SearchStrategy[dict[str, Any]]:
    # Mostly the team's own objects (so the operation's code runs), sometimes fuzz. The
    # schema's examples are drawn while collecting, before the demo exists: left as they are.
    if not path_parameters or not KNOWN or context.operation is None:
        return st.just(path_parameters)
    aimed = {**path_parameters, **_aimed_path_parameters(context.operation.path, KNOWN)}
    return st.sampled_from([aimed, aimed, path_parameters])


@schema.hook
def map_body(context: HookContext, body: Any) -> Any:
    # Points sent in bulk go, mostly, to one of the team's measures.
    bulk = context.operation is not None and context.operation.path.endswith("/points/bulk")
    if KNOWN and bulk and isinstance(body, dict):
        for point in body.get("points") or []:
            if (
                isinstance(point, dict)
                and "measure" in point
                and zlib.crc32(repr(point).encode()) % 4
            ):
                point["measure"] = KNOWN["measure"]
    return body


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_as_its_schema_says(
    case: Any, token_headers: dict[str, str]
) -> None:
    case.call_and_validate(headers=token_headers, checks=CHECKS)


@pytest.mark.usefixtures("_connection_kept")
def test_schemathesis_loads_the_served_schema() -> None:
    served = schemathesis.openapi.from_wsgi(SCHEMA_URL, application)
    assert served.raw_schema == schema.raw_schema
    assert served.raw_schema["openapi"].startswith("3.")
    operations = list(served.get_all_operations())
    assert all(isinstance(result, Ok) for result in operations), "every operation loads"
    assert len(operations) == len(list(schema.get_all_operations())) > 0
