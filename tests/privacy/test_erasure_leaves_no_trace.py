"""After an account is erased its person's name and addresses are in no text of any table, and
what the funder keeps (the audit of an award, a decision, an assessment, a team's change log)
is still there, naming the pseudonym instead."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django_tasks_db.models import DBTaskResult

from sharedpurpose.accounts.models import User
from sharedpurpose.accounts.personal_data import personal_data_erase
from sharedpurpose.applications.models import (
    ApplicationTransition,
    AssessorAssignment,
    Decision,
    Score,
)
from sharedpurpose.core.models import AuditEvent
from sharedpurpose.core.tasks import email_send
from sharedpurpose.evidence.models import CaseStudy
from sharedpurpose.improvement.models import DataPointChange, PdsaCycle
from tests.accounts.test_personal_data import Person, person_with_everything, stored_file_removed
from tests.factories import PASSWORD

from .people import DATABASE_TASKS, Kept, a_part_in_everything, erased, texts_naming

pytestmark = pytest.mark.django_db

ADA = ("Ada Lovelace", "ada@example.org", "ada.work@example.org")
BOB = ("Bob Babbage", "bob@example.org", "bob.work@example.org")


@pytest.fixture
def people(
    settings: Any, django_capture_on_commit_callbacks: Callable[..., Any]
) -> Iterator[tuple[Person, Kept, Person]]:
    settings.TASKS = DATABASE_TASKS  # account e-mails wait in the task table, as in production
    with django_capture_on_commit_callbacks(execute=True):
        ada = person_with_everything("ada@example.org", "Ada Lovelace")
        kept = a_part_in_everything(ada)
        bob = person_with_everything("bob@example.org", "Bob Babbage")
        a_part_in_everything(bob)
    yield ada, kept, bob
    stored_file_removed(ada)
    stored_file_removed(bob)


def test_no_text_in_any_table_names_an_erased_person(
    people: tuple[Person, Kept, Person],
) -> None:
    ada, _, _ = people
    # The scan sees her everywhere services and people wrote her, and Bob alike.
    before = texts_naming(*ADA)
    for place in (
        "core.AuditEvent.summary",
        "core.AuditEvent.changes",
        "django_tasks_database.DBTaskResult.args_kwargs",
        "engagement.OutboxMessage.body_text",
        "admin.LogEntry.object_repr",
        "applications.Answer.value",
        "applications.ApplicationTransition.reason",
        "applications.Score.comment",
        "improvement.PdsaCycle.plan_who",
        "evidence.CaseStudy.contacts",
        "engagement.Comment.author_name",
        "engagement.Subscriber.name",
        "accounts.User.full_name",
    ):
        assert any(found.startswith(f"{place}#") for found in before), place

    personal_data_erase(ada.user, password=PASSWORD)

    assert texts_naming(*ADA) == []
    assert texts_naming(*BOB) != []


def test_what_the_funder_keeps_stays_and_names_the_pseudonym(
    people: tuple[Person, Kept, Person],
) -> None:
    ada, kept, _ = people

    personal_data_erase(ada.user, password=PASSWORD)

    name, email = erased(ada.user)
    award_audit = AuditEvent.objects.get(pk=kept.award_audit.pk)
    assert award_audit.summary.endswith(f", led by {name}")
    assert award_audit.actor_id == ada.user.pk
    assert Decision.objects.get(pk=kept.decision.pk).feedback == (
        f"Thank you, {name}: a strong partnership."
    )
    assert ApplicationTransition.objects.get(pk=kept.transition.pk).reason == f"Submitted by {name}"
    assert AssessorAssignment.objects.get(pk=ada.assignment.pk).assessor_id == ada.user.pk
    assert Score.objects.get(pk=ada.score.pk).comment == f"{name} found it strong"
    assert DataPointChange.objects.get(pk=ada.data_change.pk).changed_by_id == ada.user.pk
    assert CaseStudy.objects.get(pk=ada.case_study.pk).contacts == f"{name}, {email}"
    assert PdsaCycle.objects.get(created_by=ada.user).plan_who == f"{name} ({email})"
    assert User.objects.get(pk=ada.user.pk).email == email


def test_account_emails_to_the_person_are_dropped_or_emptied(
    people: tuple[Person, Kept, Person],
) -> None:
    ada, _, bob = people
    to_her = [
        row
        for row in DBTaskResult.objects.filter(task_path=email_send.module_path)
        if "ada@example.org" in row.args_kwargs["kwargs"]["to"]
    ]
    assert {row.status for row in to_her} == {"READY", "SUCCESSFUL"}

    personal_data_erase(ada.user, password=PASSWORD)

    left = DBTaskResult.objects.filter(pk__in=[row.pk for row in to_her])
    # Not sent yet: never will be. Sent: the record stays, with no address and no words.
    assert [(row.status, row.args_kwargs) for row in left] == [
        ("SUCCESSFUL", {"args": [], "kwargs": {}})
    ]
    # The invitation she sent a colleague still goes, naming her pseudonym.
    [to_colleague] = [
        row
        for row in DBTaskResult.objects.filter(task_path=email_send.module_path)
        if row.args_kwargs["kwargs"].get("to") == ["colleague@example.org"]
        and "Erased person" in row.args_kwargs["kwargs"]["body"]
    ]
    assert to_colleague.status == "READY"
    assert to_colleague.args_kwargs["kwargs"]["body"].startswith(
        f"{erased(ada.user)[0]} has invited you to join"
    )
    assert any(
        "bob@example.org" in row.args_kwargs["kwargs"].get("to", [])
        for row in DBTaskResult.objects.filter(task_path=email_send.module_path)
    )
