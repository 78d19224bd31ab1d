from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("engagement/_comments.html", takes_context=True)
def comments_section(context: dict[str, Any], programme: Any, round_: Any = None) -> dict[str, Any]:
    """The comments and questions of a programme or round page, with the form to post one."""
    return {"request": context.get("request"), "programme": programme, "round": round_}
