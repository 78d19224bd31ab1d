"""Markdown written by staff or the public, rendered to HTML that cannot run script."""

from __future__ import annotations

import markdown as markdown_lib
import nh3

# Formatting only: no images (no remote content), no raw HTML survives sanitising.
ALLOWED_TAGS = frozenset(
    {
        "p",
        "br",
        "strong",
        "em",
        "ul",
        "ol",
        "li",
        "blockquote",
        "code",
        "pre",
        "a",
        "h2",
        "h3",
        "h4",
        "hr",
    }
)
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
ALLOWED_URL_SCHEMES = frozenset({"https", "http", "mailto"})


def markdown_to_html(text: str) -> str:
    html = markdown_lib.markdown(text, extensions=["sane_lists"], output_format="html")
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(ALLOWED_URL_SCHEMES),
        link_rel="nofollow noopener noreferrer",
    )
