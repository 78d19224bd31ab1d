from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("engagement/_stay_informed.html", takes_context=True)
def stay_informed_box(context: dict[str, Any], programme: Any = None) -> dict[str, Any]:
    """The "Stay informed" box on programme and round pages, linking to the sign-up page
    with that programme chosen."""
    return {"request": context.get("request"), "programme": programme}
