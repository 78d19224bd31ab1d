from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date

import pytest

from sharedpurpose.improvement.diagram import (
    CLINICAL_FILL,
    CLINICAL_INK,
    CORPORATE_FILL,
    CORPORATE_INK,
    DiagramNode,
    render_driver_diagram,
)

SVG = "{http://www.w3.org/2000/svg}"
NODES = [
    DiagramNode(
        1, None, "primary", "Safe staffing on every shift", "corporate", "HR and workforce"
    ),
    DiagramNode(2, 1, "secondary", "Rosters filled six weeks ahead", "clinical", "Ward A"),
    DiagramNode(
        3,
        2,
        "change_idea",
        "E-rostering gap alerts",
        "corporate",
        "IT and digital",
        date(2025, 3, 1),
    ),
    DiagramNode(4, 1, "change_idea", "Safety huddles", "clinical", ""),
]


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - parsing our own output


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _boxes(root: ET.Element) -> dict[str, ET.Element]:
    """Each node group keyed by its first line of text."""
    found = {}
    for group in root.iter(f"{SVG}g"):
        if "sp-diagram__node" in group.get("class", ""):
            text = group.find(f"{SVG}text")
            assert text is not None
            found["".join(text.itertext()).strip()] = group
    return found


def test_the_diagram_is_a_standalone_accessible_svg() -> None:
    svg = render_driver_diagram("Reduce falls by 30% by March 2026", NODES)
    root = _parse(svg)

    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert re.fullmatch(r"0 0 \d+ \d+(\.\d)?", root.get("viewBox", ""))
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and desc is not None
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert title.text == "Driver diagram: Reduce falls by 30% by March 2026"
    assert desc.text == (
        "Aim: Reduce falls by 30% by March 2026. 1 primary driver, 1 secondary driver and "
        "2 change ideas (1 started); 2 owned by corporate support services and 2 owned by "
        "clinical services."
    )
    assert not re.search(r"\sstyle=|<style|<script|href=", svg)


def test_columns_run_left_to_right_and_boxes_are_filled_by_side() -> None:
    root = _parse(render_driver_diagram("Aim", NODES))
    boxes = _boxes(root)

    def x_and_fill(text: str) -> tuple[float, str]:
        rect = boxes[text].find(f"{SVG}rect")
        assert rect is not None
        return float(rect.get("x", "0")), rect.get("fill", "")

    aim_x, _ = x_and_fill("Aim")
    primary_x, primary_fill = x_and_fill("Safe staffing on every shift")
    secondary_x, secondary_fill = x_and_fill("Rosters filled six weeks ahead")
    idea_x, idea_fill = x_and_fill("E-rostering gap alerts")
    direct_x, _ = x_and_fill("Safety huddles")
    assert aim_x < primary_x < secondary_x < idea_x == direct_x
    assert (primary_fill, secondary_fill, idea_fill) == (
        CORPORATE_FILL,
        CLINICAL_FILL,
        CORPORATE_FILL,
    )
    headings = [t.text for t in root.findall(f"{SVG}text")]
    assert headings[:4] == ["Aim", "Primary drivers", "Secondary drivers", "Change ideas"]
    assert len(root.findall(f".//{SVG}path")) == 4  # aim→primary, primary→2, secondary→idea


def test_each_box_names_its_owner_so_colour_is_not_the_only_cue() -> None:
    svg = render_driver_diagram("Aim", NODES)

    assert "Corporate: HR and workforce" in svg
    assert "Clinical: Ward A" in svg
    assert "Started 1 Mar 2025" in svg
    assert "Corporate support services</text>" in svg and "Clinical services</text>" in svg


@pytest.mark.parametrize(
    ("fill", "ink"), [(CORPORATE_FILL, CORPORATE_INK), (CLINICAL_FILL, CLINICAL_INK)]
)
def test_box_text_meets_aa_contrast(fill: str, ink: str) -> None:
    assert _contrast(fill, ink) >= 4.5


def test_text_is_escaped_and_long_text_wraps_inside_its_box() -> None:
    long_text = "Share <bank> staff & rota " + "across every ward in the partnership " * 3
    svg = render_driver_diagram(
        'Aim with "quotes" & <tags>',
        [DiagramNode(1, None, "primary", long_text, "clinical", "Ward \x07B")],
    )
    root = _parse(svg)  # well-formed despite the markup and control character

    box = _boxes(root)
    group = next(g for key, g in box.items() if key.startswith("Share <bank> staff & rota"))
    rect, text = group.find(f"{SVG}rect"), group.find(f"{SVG}text")
    assert rect is not None and text is not None
    lines = [t.text or "" for t in text.findall(f"{SVG}tspan")]
    assert len(lines) >= 4
    assert all(len(line) <= 32 for line in lines)
    last_baseline = float(text.get("y", "0")) + sum(float(t.get("dy", "0")) for t in text)
    assert last_baseline < float(rect.get("y", "0")) + float(rect.get("height", "0"))
    assert "&lt;tags&gt;" in svg and "\x07" not in svg


def test_an_empty_diagram_still_shows_the_aim_and_legend() -> None:
    svg = render_driver_diagram("Reduce waits", [])
    assert "Reduce waits" in svg
    assert "0 primary drivers, 0 secondary drivers and 0 change ideas" in svg
    assert "Who owns each box" in svg


def test_boxes_of_one_column_never_overlap() -> None:
    nodes = [
        DiagramNode(
            i,
            None if i < 3 else (i % 3),
            "primary" if i < 3 else "secondary",
            "A driver with a fairly long description " * (i % 3 + 1),
            "clinical",
            "W",
        )
        for i in range(12)
    ]
    root = _parse(render_driver_diagram("Aim", nodes))
    columns: dict[str, list[tuple[float, float]]] = {}
    for group in _boxes(root).values():
        rect = group.find(f"{SVG}rect")
        assert rect is not None
        y, height = float(rect.get("y", "0")), float(rect.get("height", "0"))
        columns.setdefault(rect.get("x", ""), []).append((y, y + height))
    for spans in columns.values():
        spans.sort()
        assert all(
            top >= previous_bottom
            for (_, previous_bottom), (top, _) in zip(spans, spans[1:], strict=False)
        )
