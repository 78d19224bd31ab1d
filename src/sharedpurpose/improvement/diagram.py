"""Driver diagrams drawn as standalone, accessible SVG. Framework-free: no Django here.

The diagram reads left to right in four columns: the aim, primary drivers, secondary drivers and
change ideas, joined by elbow connectors. Each box is filled by the side that owns it (corporate
support services or clinical services) and also names its owner in words, so colour is never the
only cue. The same string is shown inline on pages, downloaded as a ``.svg`` file and drawn into a
canvas for the PNG export, so it carries its own size, background, fonts and legend.

Example:
    >>> svg = render_driver_diagram(
    ...     "Reduce falls by 30% by March 2026",
    ...     [DiagramNode(1, None, "primary", "Safe staffing", "corporate", "HR and workforce")],
    ... )
    >>> svg.startswith("<svg") and 'role="img"' in svg and "1 primary driver" in svg
    True
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from html import escape

__all__ = [
    "CLINICAL_FILL",
    "CLINICAL_INK",
    "COLUMNS",
    "CORPORATE_FILL",
    "CORPORATE_INK",
    "DiagramNode",
    "render_driver_diagram",
]

FONT_STACK = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"

# NHS identity colours. Corporate: NHS Blue with white text (6.2:1); clinical: NHS Warm Yellow
# with NHS Black text (8.5:1). Blue against yellow stays distinct in every common colour-vision
# deficiency, and every box names its owner as well.
CORPORATE_FILL = "#005eb8"
CORPORATE_STROKE = "#003087"
CORPORATE_INK = "#ffffff"
CLINICAL_FILL = "#ffb81c"
CLINICAL_STROKE = "#212b32"
CLINICAL_INK = "#212b32"
AIM_FILL = "#ffffff"
AIM_STROKE = "#212b32"
AIM_INK = "#212b32"
CONNECTOR = "#4c6272"  # NHS Dark Grey: 6.5:1 on white, above the 3:1 that lines need
BACKGROUND = "#ffffff"

COLUMNS = ("Aim", "Primary drivers", "Secondary drivers", "Change ideas")
_COLUMN_OF_KIND = {"primary": 1, "secondary": 2, "change_idea": 3}
_KIND_NAMES = {
    "primary": ("primary driver", "primary drivers"),
    "secondary": ("secondary driver", "secondary drivers"),
    "change_idea": ("change idea", "change ideas"),
}
_SIDE_PREFIX = {"corporate": "Corporate", "clinical": "Clinical"}
_SIDE_NAMES = {"corporate": "corporate support services", "clinical": "clinical services"}

# Layout, in SVG user units (one unit is one CSS pixel at natural size).
MARGIN = 16
BOX_WIDTH = 220
COLUMN_GAP = 48
ROW_GAP = 12
PADDING = 8
HEADER_HEIGHT = 36
FONT_SIZE = 13
LINE_HEIGHT = 17
OWNER_FONT_SIZE = 11
OWNER_LINE_HEIGHT = 14
OWNER_GAP = 4
CORNER_RADIUS = 4
LEGEND_HEIGHT = 56
SWATCH = 16
# Average glyph width of the system sans-serif fonts, in ems, to wrap text without measuring it.
AVERAGE_GLYPH_EM = 0.52
_TEXT_CHARS = int((BOX_WIDTH - 2 * PADDING) / (FONT_SIZE * AVERAGE_GLYPH_EM))
_OWNER_CHARS = int((BOX_WIDTH - 2 * PADDING) / (OWNER_FONT_SIZE * AVERAGE_GLYPH_EM))
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class DiagramNode:
    """One box of the diagram. Nodes are drawn in the order given among their siblings."""

    id: int
    parent_id: int | None  # None: hangs from the aim
    kind: str  # "primary", "secondary" or "change_idea"
    text: str
    side: str  # "corporate" or "clinical"
    owner: str  # the corporate service or clinical area, e.g. "Estates and facilities"
    started_on: date | None = None


@dataclass
class _Box:
    column: int
    lines: list[str]
    owner_lines: list[str]
    side: str  # "corporate", "clinical" or "aim"
    children: list[_Box]
    y: float = 0.0

    @property
    def x(self) -> float:
        return MARGIN + self.column * (BOX_WIDTH + COLUMN_GAP)

    @property
    def height(self) -> float:
        owner = len(self.owner_lines) * OWNER_LINE_HEIGHT
        return 2 * PADDING + len(self.lines) * LINE_HEIGHT + (OWNER_GAP + owner if owner else 0)

    @property
    def middle(self) -> float:
        return self.y + self.height / 2


def render_driver_diagram(
    goal_aim: str, nodes: Sequence[DiagramNode], *, id_prefix: str = "driver-diagram"
) -> str:
    """The driver diagram of ``goal_aim`` as a standalone SVG document (no XML declaration)."""
    aim = _Box(0, _wrap(goal_aim or "Aim not set", _TEXT_CHARS), ["Shared aim"], "aim", [])
    aim.children = _boxes(nodes)

    subtree_heights: dict[int, float] = {}
    content = _place_children(aim.children, HEADER_HEIGHT, subtree_heights)
    content = max(content, aim.height)
    aim.y = HEADER_HEIGHT + (content - aim.height) / 2
    if aim.children:
        _place_children(
            aim.children,
            HEADER_HEIGHT + (content - _span(aim.children, subtree_heights)) / 2,
            subtree_heights,
        )

    width = 2 * MARGIN + len(COLUMNS) * BOX_WIDTH + (len(COLUMNS) - 1) * COLUMN_GAP
    legend_top = HEADER_HEIGHT + content + 2 * ROW_GAP
    height = legend_top + LEGEND_HEIGHT
    title_id, desc_id = f"{id_prefix}-title", f"{id_prefix}-desc"

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {_n(height)}" '
        f'width="{width}" height="{_n(height)}" role="img" '
        f'aria-labelledby="{title_id} {desc_id}" class="sp-diagram__svg" '
        f'font-family="{_attr(FONT_STACK)}" font-size="{FONT_SIZE}">',
        f'<title id="{title_id}">Driver diagram: {_text(goal_aim)}</title>',
        f'<desc id="{desc_id}">{_text(_describe(goal_aim, nodes))}</desc>',
        f'<rect x="0" y="0" width="{width}" height="{_n(height)}" fill="{BACKGROUND}"/>',
    ]
    for column, heading in enumerate(COLUMNS):
        x = MARGIN + column * (BOX_WIDTH + COLUMN_GAP)
        parts.append(
            f'<text x="{x}" y="{HEADER_HEIGHT - 14}" font-weight="bold" '
            f'fill="{AIM_INK}">{_text(heading)}</text>'
        )
    parts.append(f'<g fill="none" stroke="{CONNECTOR}" stroke-width="1.5">')
    parts.extend(_connectors(aim))
    parts.append("</g>")
    parts.extend(_draw(aim))
    parts.extend(_legend(legend_top))
    parts.append("</svg>")
    return "\n".join(parts)


# --------------------------------------------------------------------------
# Layout
# --------------------------------------------------------------------------


def _boxes(nodes: Sequence[DiagramNode]) -> list[_Box]:
    """The aim's children as a tree of boxes; nodes with an unknown parent hang from the aim."""
    known = {node.id for node in nodes}
    boxes = {node.id: _box(node) for node in nodes}
    roots: list[_Box] = []
    for node in nodes:
        if node.parent_id is None or node.parent_id not in known or node.parent_id == node.id:
            roots.append(boxes[node.id])
        else:
            boxes[node.parent_id].children.append(boxes[node.id])
    return roots


def _box(node: DiagramNode) -> _Box:
    side = node.side if node.side in _SIDE_PREFIX else "clinical"
    owner = f"{_SIDE_PREFIX[side]}: {node.owner}" if node.owner else _SIDE_PREFIX[side]
    owner_lines = _wrap(owner, _OWNER_CHARS)
    if node.kind == "change_idea" and node.started_on is not None:
        owner_lines.append(f"Started {node.started_on.day} {node.started_on:%b %Y}")
    return _Box(
        column=_COLUMN_OF_KIND.get(node.kind, 3),
        lines=_wrap(node.text, _TEXT_CHARS),
        owner_lines=owner_lines,
        side=side,
        children=[],
    )


def _subtree_height(box: _Box, memo: dict[int, float]) -> float:
    if id(box) not in memo:
        memo[id(box)] = max(box.height, _span(box.children, memo))
    return memo[id(box)]


def _span(boxes: list[_Box], memo: dict[int, float]) -> float:
    if not boxes:
        return 0.0
    return sum(_subtree_height(b, memo) for b in boxes) + ROW_GAP * (len(boxes) - 1)


def _place_children(boxes: list[_Box], top: float, memo: dict[int, float]) -> float:
    """Stack ``boxes`` from ``top``, each centred on its own subtree; the height used."""
    cursor = top
    for box in boxes:
        height = _subtree_height(box, memo)
        box.y = cursor + (height - box.height) / 2
        children_span = _span(box.children, memo)
        _place_children(box.children, cursor + (height - children_span) / 2, memo)
        cursor += height + ROW_GAP
    return max(0.0, cursor - top - ROW_GAP)


# --------------------------------------------------------------------------
# Drawing
# --------------------------------------------------------------------------


def _connectors(parent: _Box) -> list[str]:
    parts = []
    for child in parent.children:
        x1, x2 = parent.x + BOX_WIDTH, child.x
        # Branch right after the parent, so a change idea that skips the secondary column
        # crosses it on its own row instead of seeming to hang from a secondary driver.
        elbow = x1 + COLUMN_GAP / 2
        parts.append(
            f'<path d="M{_n(x1)} {_n(parent.middle)} H{_n(elbow)} V{_n(child.middle)} H{_n(x2)}"/>'
        )
        parts.extend(_connectors(child))
    return parts


def _draw(box: _Box) -> list[str]:
    fill, stroke, ink = {
        "corporate": (CORPORATE_FILL, CORPORATE_STROKE, CORPORATE_INK),
        "clinical": (CLINICAL_FILL, CLINICAL_STROKE, CLINICAL_INK),
        "aim": (AIM_FILL, AIM_STROKE, AIM_INK),
    }[box.side]
    x, y = box.x, box.y
    parts = [
        f'<g class="sp-diagram__node sp-diagram__node--{box.side}">',
        f'<rect x="{_n(x)}" y="{_n(y)}" width="{BOX_WIDTH}" height="{_n(box.height)}" '
        f'rx="{CORNER_RADIUS}" fill="{fill}" stroke="{stroke}" stroke-width="1.5"/>',
        f'<text x="{_n(x + PADDING)}" y="{_n(y + PADDING)}" fill="{ink}">',
    ]
    for index, line in enumerate(box.lines):
        dy = FONT_SIZE if index == 0 else LINE_HEIGHT
        parts.append(f'<tspan x="{_n(x + PADDING)}" dy="{dy}">{_text(line)}</tspan>')
    parts.append("</text>")
    if box.owner_lines:
        owner_top = y + PADDING + len(box.lines) * LINE_HEIGHT + OWNER_GAP
        parts.append(
            f'<text x="{_n(x + PADDING)}" y="{_n(owner_top)}" fill="{ink}" '
            f'font-size="{OWNER_FONT_SIZE}" font-style="italic">'
        )
        for index, line in enumerate(box.owner_lines):
            dy = OWNER_FONT_SIZE if index == 0 else OWNER_LINE_HEIGHT
            parts.append(f'<tspan x="{_n(x + PADDING)}" dy="{dy}">{_text(line)}</tspan>')
        parts.append("</text>")
    parts.append("</g>")
    for child in box.children:
        parts.extend(_draw(child))
    return parts


def _legend(top: float) -> list[str]:
    parts = [
        f'<g class="sp-diagram__legend" font-size="{OWNER_FONT_SIZE + 1}" fill="{AIM_INK}">',
        f'<text x="{MARGIN}" y="{_n(top + 12)}" font-weight="bold">Who owns each box</text>',
    ]
    x = MARGIN
    entries = (
        (CORPORATE_FILL, CORPORATE_STROKE, "Corporate support services"),
        (CLINICAL_FILL, CLINICAL_STROKE, "Clinical services"),
    )
    for fill, stroke, label in entries:
        swatch_top = top + 24
        parts.append(
            f'<rect x="{x}" y="{_n(swatch_top)}" width="{SWATCH}" height="{SWATCH}" '
            f'rx="2" fill="{fill}" stroke="{stroke}" stroke-width="1.5"/>'
        )
        parts.append(
            f'<text x="{x + SWATCH + 6}" y="{_n(swatch_top + SWATCH - 3)}">{_text(label)}</text>'
        )
        x += SWATCH + 6 + 220
    parts.append("</g>")
    return parts


def _describe(goal_aim: str, nodes: Sequence[DiagramNode]) -> str:
    counts = []
    for kind, (one, many) in _KIND_NAMES.items():
        count = sum(1 for node in nodes if node.kind == kind)
        counts.append(f"{count} {one if count == 1 else many}")
    started = sum(1 for n in nodes if n.kind == "change_idea" and n.started_on is not None)
    sides = [
        f"{sum(1 for n in nodes if n.side == side)} owned by {name}"
        for side, name in _SIDE_NAMES.items()
    ]
    started_text = f" ({started} started)" if started else ""
    return (
        f"Aim: {goal_aim or 'not set'}. {counts[0]}, {counts[1]} and {counts[2]}{started_text}; "
        f"{sides[0]} and {sides[1]}."
    )


def _wrap(text: str, width: int) -> list[str]:
    return textwrap.wrap(" ".join(str(text).split()), width=width, break_on_hyphens=True) or [""]


def _text(value: str) -> str:
    return escape(_XML_INVALID.sub("", value), quote=False)


def _attr(value: str) -> str:
    return escape(_XML_INVALID.sub("", value), quote=True)


def _n(value: float) -> str:
    """A coordinate with at most one decimal place and no trailing zeros."""
    return f"{value:.1f}".rstrip("0").rstrip(".")
