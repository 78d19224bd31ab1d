from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter

from sharedpurpose.core.tasks import email_send


class AccountAdapter(DefaultAccountAdapter):  # type: ignore[misc]
    """Sends account e-mails through the background task queue, never inside the request."""

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        message = self.render_mail(template_prefix, email, context)
        email_send.enqueue(
            subject=str(message.subject),
            body=str(message.body),
            to=list(message.to),
            html_body=_html_alternative(message),
        )


def _html_alternative(message: Any) -> str | None:
    for content, mimetype in getattr(message, "alternatives", []):
        if mimetype == "text/html":
            return str(content)
    return None
