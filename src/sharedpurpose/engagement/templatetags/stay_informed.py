from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("engagement/_stay_informed.html", takes_context=True)
def stay_informed_box(context: dict[str, Any], programme: Any = None) -> dict[str, Any]:
    """The "Stay informed" sign-up box shown on programme and round pages."""
    return {"request": context.get("request"), "programme": programme}
