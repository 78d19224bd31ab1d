from __future__ import annotations

from typing import Any

from django import template
from django.forms import BoundField
from django.utils.safestring import SafeString, mark_safe

from sharedpurpose.accounts.roles import user_staffs_programme
from sharedpurpose.core.text import markdown_to_html

register = template.Library()

_INPUT_CLASSES = {
    "textarea": "nhsuk-textarea",
    "select": "nhsuk-select",
    "checkbox": "nhsuk-checkboxes__input",
    "radioselect": "nhsuk-radios__input",
    "checkboxselectmultiple": "nhsuk-checkboxes__input",
}


@register.filter
def runs_programme(user: Any, programme_id: int) -> bool:
    """Whether to offer staff links about one programme: to the people who run it (its own
    staff, the funder's staff of every programme). Staff pages check again themselves."""
    return user_staffs_programme(user, programme_id)


@register.filter
def markdown(text: str) -> SafeString:
    return mark_safe(markdown_to_html(text or ""))  # noqa: S308 - sanitised by nh3


@register.inclusion_tag("core/forms/field.html")
def nhsuk_field(field: BoundField, width_class: str = "") -> dict[str, Any]:
    """Render a form field as an NHS.UK form group with hint and error message."""
    widget_type = field.widget_type
    css = _INPUT_CLASSES.get(widget_type, "nhsuk-input")
    if field.errors:
        css += " nhsuk-input--error" if css == "nhsuk-input" else f" {css}--error"
    if width_class:
        css += f" {width_class}"
    described_by = []
    if field.help_text:
        described_by.append(f"{field.auto_id}-hint")
    if field.errors:
        described_by.append(f"{field.auto_id}-error")
    attrs: dict[str, str | bool] = {"class": css}
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    return {
        "field": field,
        "widget": field.as_widget(attrs=attrs),
        "is_checkbox": widget_type == "checkbox",
    }


@register.inclusion_tag("core/forms/error_summary.html")
def nhsuk_error_summary(form: Any) -> dict[str, Any]:
    errors: list[tuple[str, str]] = [("", str(e)) for e in form.non_field_errors()]
    for field in form:
        errors.extend((f"#{field.auto_id}", str(error)) for error in field.errors)
    return {"errors": errors}
