"""Uploaded files live outside the web root and are served only through a view that checks
who is asking (``views.answers.answer_file``)."""

from __future__ import annotations

from django.core.files.storage import Storage, storages


def private_storage() -> Storage:
    return storages["private"]
