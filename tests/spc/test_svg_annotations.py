"""Annotations, shared x ranges and compact icons in sharedpurpose.spc.svg."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date

import numpy as np
import pytest

from sharedpurpose.spc.batch import xmr
from sharedpurpose.spc.runs import run_chart
from sharedpurpose.spc.svg import Annotation, render_chart, render_icons

SVG = "{http://www.w3.org/2000/svg}"


def _months(count: int, start: str = "2024-01") -> np.ndarray:
    first = np.datetime64(start, "M")
    return np.arange(first, first + count).astype("datetime64[D]")


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own output


def _ticks(root: ET.Element) -> list[tuple[str | None, str | None]]:
    axes = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "sp-axes")
    return [
        (t.get("x"), t.text) for t in axes.iter(f"{SVG}text") if t.get("text-anchor") == "middle"
    ]


def test_annotations_are_numbered_markers_with_titles_and_a_key() -> None:
    r = run_chart([3, 4, 3, 5, 4, 3, 4, 5, 3, 4, 5, 4], _months(12))
    notes = [
        Annotation(date(2024, 3, 1), "Night huddles", "change"),
        Annotation(np.datetime64("2024-05-06"), "Huddle on ward A", "pdsa"),
        Annotation(date(2024, 8, 1), "New rota", "rebase"),
    ]

    root = _parse(render_chart(r, title="Falls", annotations=notes))

    markers = [g for g in root.iter(f"{SVG}g") if "sp-annotation " in (g.get("class") or "")]
    assert [m.get("class") for m in markers] == [
        "sp-annotation sp-annotation-change",
        "sp-annotation sp-annotation-pdsa",
        "sp-annotation sp-annotation-rebase",
    ]
    titles = [m.find(f"{SVG}title").text for m in markers]  # type: ignore[union-attr]
    assert titles[1] == "2. PDSA: Huddle on ward A (6 May 2024)"
    key = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "sp-annotation-key")
    assert [t.text for t in key] == [
        "1. Change idea: Night huddles (1 Mar 2024)",
        "2. PDSA: Huddle on ward A (6 May 2024)",
        "3. Rebase: New rota (1 Aug 2024)",
    ]
    assert root.get("viewBox") == "0 0 720 418"  # grown for three key rows
    desc = root.find(f"{SVG}desc")
    assert desc is not None and "Marked on the chart: 1. Change idea" in (desc.text or "")


def test_annotations_outside_the_chart_are_listed_but_not_drawn() -> None:
    r = run_chart([3, 4, 3, 5], _months(4))
    root = _parse(
        render_chart(r, title="t", annotations=[Annotation(date(2030, 1, 1), "Later", "pdsa")])
    )
    assert not [g for g in root.iter(f"{SVG}g") if "sp-annotation " in (g.get("class") or "")]
    assert "1. PDSA: Later (1 Jan 2030)" in ET.tostring(root, encoding="unicode")


def test_long_labels_are_shortened_in_the_key_only() -> None:
    label = "A very long description of the change " * 5
    svg = render_chart(run_chart([1, 2, 3]), title="t", annotations=[Annotation(2, label)])
    root = _parse(svg)
    key = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "sp-annotation-key")
    text = key[0].text or ""
    assert text.endswith("…") and len(text) < len(label)
    assert label.strip() in svg  # the marker's title keeps it whole


def test_unknown_annotation_kind_is_refused() -> None:
    with pytest.raises(ValueError):
        Annotation(1, "x", "meeting")


def test_charts_with_one_x_range_share_ticks_and_scale() -> None:
    a = xmr(_months(12), [5.0, 6, 5, 7, 6, 5, 6, 7, 5, 6, 5, 6])
    b = run_chart([30, 31, 29, 30, 32, 31], _months(6, "2024-07"))
    rng = (date(2024, 1, 1), date(2024, 12, 1))

    ticks_a = _ticks(_parse(render_chart(a, title="a", x_range=rng)))
    ticks_b = _ticks(_parse(render_chart(b, title="b", x_range=rng)))

    assert ticks_a == ticks_b and ticks_a[0][1] == "Jan 2024"
    # without a shared range each chart scales to its own data
    assert _ticks(_parse(render_chart(b, title="b")))[0][1] == "Jul 2024"


def test_compact_icons_have_text_alternatives() -> None:
    r = xmr(_months(12), [5.0, 6, 5, 7, 6, 5, 6, 7, 5, 6, 5, 15], target=4.0)

    root = _parse(render_icons(r, target=4.0))

    assert root.get("role") == "img"
    label = root.get("aria-label") or ""
    assert label.startswith("Special cause variation: improvement (higher values)")
    assert "Assurance: the process will hit and miss the target at random" in label
    assert root.find(f"{SVG}title") is not None
    icons = [g for g in root.iter(f"{SVG}g") if "sp-icon " in (g.get("class") or "")]
    assert len(icons) == 2 and all(g.find(f"{SVG}title") is not None for g in icons)
    untargeted = xmr(_months(12), [5.0, 6, 5, 7, 6, 5, 6, 7, 5, 6, 5, 15])
    assert "Assurance" not in (_parse(render_icons(untargeted)).get("aria-label") or "")
