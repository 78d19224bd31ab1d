"""Every place that can hold a person is declared, with what export and erasure do with it.

The walk goes over every model Django knows (ours, sign-in's, sessions', the admin's, the task
queue's): a field that points at a user, holds an e-mail address, or whose name says it holds
a person's name or contacts must be in a ``personal_data`` module's ``HOLDERS``, or in its
``NOT_PERSONAL`` with the reason it names something else.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models

from sharedpurpose.core.personal_data import YOUR_PART, Erasure, personal_data_registry

#: Words in a field's name that say it may hold a person: their name, address or contacts.
PERSON_WORDS = re.compile(r"name|email|who|contact|author")


def fields_that_could_hold_a_person(model: type[models.Model]) -> Iterator[str]:
    user_model = get_user_model()
    for field in model._meta.get_fields():
        if not isinstance(field, models.Field):
            continue  # the far side of a relation, declared where its foreign key is
        points_at_a_user = field.is_relation and field.related_model is user_model
        text = isinstance(field, models.CharField | models.TextField | models.JSONField)
        if (
            points_at_a_user
            or isinstance(field, models.EmailField)
            or (text and PERSON_WORDS.search(field.name))
        ):
            yield field.name


def test_every_field_that_could_hold_a_person_is_declared() -> None:
    registry = personal_data_registry()

    undeclared = [
        f"{model._meta.label}.{name}"
        for model in apps.get_models()
        for name in fields_that_could_hold_a_person(model)
        if not registry.covers(model, name)
    ]

    assert undeclared == [], (
        "Declare these in the app's personal_data.py: HOLDERS (how they are exported and "
        "erased, and why) or NOT_PERSONAL (what they name instead of a person)"
    )


def test_the_walk_finds_the_people_it_must() -> None:
    found = {
        f"{model._meta.label}.{name}"
        for model in apps.get_models()
        for name in fields_that_could_hold_a_person(model)
    }

    assert {
        "accounts.User.email",
        "accounts.User.full_name",
        "engagement.Comment.author_name",
        "engagement.Subscriber.email",
        "engagement.OutboxMessage.to_email",
        "applications.AssessorAssignment.assessor",
        "applications.Answer.file_name",
        "improvement.PdsaCycle.plan_who",
        "evidence.CaseStudy.contacts",
        "programmes.Programme.staff",
        "api.ApiToken.user",
        "core.AuditEvent.actor",
        "admin.LogEntry.user",
        "account.EmailAddress.email",
    } <= found


@pytest.mark.django_db
def test_each_declaration_names_real_fields_working_lookups_and_a_reason() -> None:
    registry = personal_data_registry()
    user_model = get_user_model()

    for holder in registry.holders:
        model = holder.model_class
        for name in (*holder.fields, *holder.rewrite):
            model._meta.get_field(name)
        assert isinstance(holder.erasure, Erasure)
        assert len(holder.reason) > 20, holder
        rows = model._default_manager.all()
        # Each lookup compiles against the schema: a renamed field fails here, not in an erasure.
        str(rows.values_list(*holder.about, *([holder.when] if holder.when else [])).query)
        for lookup in (holder.in_team, holder.in_application):
            if lookup:
                str(rows.filter(**{f"{lookup}__in": [1]}).query)
        if holder.export == YOUR_PART:
            assert holder.about, holder
            assert holder.user_fields, holder
        for name in holder.user_fields:
            assert getattr(model._meta.get_field(name), "related_model", None) is user_model
    for label, why in registry.not_personal.items():
        app_label, model_name, field_name = label.split(".")
        apps.get_model(app_label, model_name)._meta.get_field(field_name)
        assert why
