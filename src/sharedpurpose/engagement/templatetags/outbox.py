"""``{% outbox_progress round %}``: how the e-mails about a round opening are going."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Count

from sharedpurpose.accounts.roles import user_staffs_programme
from sharedpurpose.programmes.models import Round

from ..models import OutboxMessage
from ..notify import KIND_ROUND_OPEN

register = template.Library()

FAILED_SHOWN = 50


@register.inclusion_tag("engagement/_outbox_progress.html", takes_context=True)
def outbox_progress(context: dict[str, Any], round_: Round) -> dict[str, Any]:
    request = context.get("request")
    if request is None or not user_staffs_programme(request.user, round_.programme_id):
        return {"show": False}
    messages = OutboxMessage.objects.filter(round=round_, kind=KIND_ROUND_OPEN)
    counts = {status: 0 for status in OutboxMessage.Status.values}
    for row in messages.values("status").annotate(n=Count("pk")):
        counts[row["status"]] = row["n"]
    failed = list(
        messages.filter(status=OutboxMessage.Status.FAILED)
        .only("pk", "to_email", "last_error", "attempts")
        .order_by("pk")[:FAILED_SHOWN]
    )
    return {
        "show": True,
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "round": round_,
        "counts": counts,
        "total": sum(counts.values()),
        "failed": failed,
        "failed_more": max(counts[OutboxMessage.Status.FAILED] - len(failed), 0),
    }
