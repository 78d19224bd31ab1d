"""Background tasks shared by every app. Tasks unpack plain values and call a function."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django_tasks import task


@task()
def email_send(*, subject: str, body: str, to: list[str], html_body: str | None = None) -> int:
    message = EmailMultiAlternatives(
        subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=to
    )
    if html_body:
        message.attach_alternative(html_body, "text/html")
    return message.send()
