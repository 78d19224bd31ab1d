"""Background tasks of applications: each unpacks plain values and calls a service."""

from __future__ import annotations

from django_tasks import task

from .services.applications import application_confirmation_deliver


@task()
def application_confirmation_send(*, application_id: int) -> int:
    """E-mail the members that the application was submitted, with its PDF; once only."""
    return application_confirmation_deliver(application_id=application_id)
