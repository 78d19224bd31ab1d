from __future__ import annotations

import hashlib
from typing import Any

from django import template
from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from sharedpurpose.accounts.roles import user_staffs_programme
from sharedpurpose.core.text import markdown_to_html

from ..comments_selectors import comments_page_fingerprint, comments_published_for_page
from ..forms.comments import CommentForm

register = template.Library()

LIST_TEMPLATE = "engagement/comments/_list.html"
# Bump when _list.html changes, so no page keeps serving the old markup.
LIST_MARKUP_VERSION = 1
LIST_CACHE_SECONDS = 60 * 60


def _list_html(programme: Any, round_: Any, *, request: Any, is_staff: bool) -> SafeString:
    """The rendered comments of a page. Rendering Markdown dominates the page's cost, so the
    public's copy is cached under a key that changes whenever the comments change."""
    funder = settings.SHAREDPURPOSE_FUNDER_NAME
    page = round_ if round_ is not None else programme

    def render() -> str:
        context = {
            "comments": comments_published_for_page(programme=programme, round_=round_),
            "is_staff": is_staff,
            "funder_name": funder,
            "page": page,
        }
        # Staff controls carry CSRF tokens, so only the public's copy is shared.
        return render_to_string(LIST_TEMPLATE, context, request=request if is_staff else None)

    if is_staff:
        return mark_safe(render())  # noqa: S308 - a template rendered with autoescaping
    fingerprint = comments_page_fingerprint(programme=programme, round_=round_)
    digest = hashlib.sha256(f"{funder}|{fingerprint}".encode()).hexdigest()[:24]
    round_id = round_.pk if round_ is not None else 0
    key = f"sp-comments:v{LIST_MARKUP_VERSION}:{programme.pk}:{round_id}:{digest}"
    cached = cache.get(key)
    html = cached if isinstance(cached, str) else None
    if html is None:
        html = render()
        cache.set(key, html, LIST_CACHE_SECONDS)
    return mark_safe(html)  # noqa: S308 - a template rendered with autoescaping


@register.filter
def comment_markdown(text: str) -> SafeString:
    """The public's Markdown, with any HTML they typed shown as text rather than dropped."""
    return mark_safe(markdown_to_html((text or "").replace("<", "&lt;")))  # noqa: S308 - nh3


@register.inclusion_tag("engagement/_comments.html", takes_context=True)
def comments_section(context: dict[str, Any], programme: Any, round_: Any = None) -> dict[str, Any]:
    """The comments and questions of a programme or round page, with the form to post one."""
    request = context.get("request")
    user = getattr(request, "user", None)
    # Staff controls only for the people who run this page's programme.
    is_staff = user is not None and user_staffs_programme(user, programme.pk)
    locked = programme.comments_locked or bool(round_ is not None and round_.comments_locked)
    form = CommentForm(
        initial={"programme": programme.pk, "round": round_.pk if round_ is not None else None}
    )
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "programme": programme,
        "round": round_,
        "page": round_ if round_ is not None else programme,
        "comments_html": _list_html(programme, round_, request=request, is_staff=is_staff),
        "form": form,
        "locked": locked,
        "is_staff": is_staff,
    }
