"""The download of a person who is at once subscriber, commenter, applicant, team member,
assessor and staff holds their data from every declared holder."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import models

from sharedpurpose.accounts.personal_data import personal_data_export
from sharedpurpose.core.personal_data import YOUR_PART, personal_data_registry
from tests.accounts.test_personal_data import Person, person_with_everything, stored_file_removed

from .people import DATABASE_TASKS, Kept, a_part_in_everything

pytestmark = pytest.mark.django_db


@pytest.fixture
def ada(
    settings: Any, django_capture_on_commit_callbacks: Callable[..., Any]
) -> Iterator[tuple[Person, Kept]]:
    settings.TASKS = DATABASE_TASKS
    with django_capture_on_commit_callbacks(execute=True):
        person = person_with_everything("ada@example.org", "Ada Lovelace")
        kept = a_part_in_everything(person)
        other = person_with_everything("bob@example.org", "Bob Babbage")
        a_part_in_everything(other)
    yield person, kept
    stored_file_removed(person)
    stored_file_removed(other)


def test_every_declared_holding_is_in_the_download(ada: tuple[Person, Kept]) -> None:
    person, _ = ada
    data = personal_data_export(person.user)

    for holder in personal_data_registry().holders:
        if holder.export is None:
            continue
        assert data.get(holder.export), f"{holder.model} is declared in {holder.export!r}"
    mine = {(row["record"], row["your_part"]) for row in data[YOUR_PART]}
    for holder in personal_data_registry().holders:
        if holder.export != YOUR_PART:
            continue
        model = holder.model_class
        for field_name in holder.user_fields:
            field = model._meta.get_field(field_name)
            assert isinstance(field, models.Field)
            part = (str(model._meta.verbose_name), str(field.verbose_name))
            assert part in mine, f"{holder.model}.{field_name}"
    assert "Bob" not in json.dumps(data)


def test_the_download_says_what_each_record_is_about_and_when(
    ada: tuple[Person, Kept],
) -> None:
    person, _ = ada
    data = personal_data_export(person.user)

    parts = {(row["record"], row["your_part"]): row for row in data[YOUR_PART]}
    decided = parts[("decision", "decided by")]
    assert decided["about"] == f"{person.in_assessment.reference}: waitlist"
    assert decided["at"] is not None
    owner = parts[("measure", "data owner")]
    assert owner == {
        "record": "measure",
        "your_part": "data owner",
        "about": f"{person.team.name}: {person.measure.name}",
        "at": None,
    }
    programme = person.in_assessment.round.programme
    assert data["programmes_you_staff"] == [{"programme": programme.name}]
    changed_at = person.data_change.changed_at.isoformat()
    assert data["data_you_entered"] == [
        {
            "team": person.team.name,
            "measure": person.measure.name,
            "values_you_entered_last": 1,
            "changes_you_made": 1,
            "first_change_at": changed_at,
            "last_change_at": changed_at,
        }
    ]


def test_the_download_lists_the_emails_sent_or_waiting_for_the_person(
    ada: tuple[Person, Kept],
) -> None:
    person, kept = ada
    data = personal_data_export(person.user)

    outbox = {(m["kind"], m["status"]) for m in data["emails_to_you"]}
    assert outbox == {
        ("decision_letter", "queued"),
        ("decision_letter", "sent"),
        ("comment_answered", "queued"),
    }
    account = {(m["subject"], m["status"]) for m in data["account_emails_to_you"]}
    assert account == {
        (f"Join {kept.invited_to.name} on Shared Purpose", "ready"),
        (f"Please assess an application to {kept.assessing.round.name}", "ready"),
        ("Confirm your e-mail address", "successful"),
    }
