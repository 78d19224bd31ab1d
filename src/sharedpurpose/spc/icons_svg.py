"""Variation and assurance icons drawn as small SVG groups.

Circular badges in the spirit of NHS England's "Making Data Count" icons,
drawn from scratch: a coloured ring, a small sketch of the data and a letter.
Colour is never the only cue: each badge has a letter (H, L, P, F, ?), a shape
inside it and its own ``<title>``.
"""

from __future__ import annotations

from html import escape

# NHSRplotthedots ``ptd_spc_colours()`` (the current Making Data Count palette).
COLOUR_COMMON = "#a6a6a6"
COLOUR_IMPROVEMENT = "#00b0f0"
COLOUR_CONCERN = "#e46c0a"
COLOUR_NEUTRAL = "#490092"
COLOUR_TARGET = "#de1b1b"
# Greys dark enough for text and thin strokes on white (WCAG AA, 4.5:1).
COLOUR_INK = "#1f1f1f"
COLOUR_MUTED_INK = "#595959"
# Common-cause dots inside badges, a shade darker than the ring so they read.
COLOUR_DOT = "#7b7d7d"

VARIATION_TEXT = {
    "common_cause": "Common cause variation: no significant change",
    "improvement_high": "Special cause variation: improvement (higher values)",
    "improvement_low": "Special cause variation: improvement (lower values)",
    "concern_high": "Special cause variation: concern (higher values)",
    "concern_low": "Special cause variation: concern (lower values)",
    "neutral_high": "Special cause variation: higher values (neither better nor worse)",
    "neutral_low": "Special cause variation: lower values (neither better nor worse)",
}

ASSURANCE_TEXT = {
    "consistent_pass": "Assurance: the process will consistently meet the target",
    "consistent_fail": "Assurance: the process will consistently fail the target",
    "inconsistent": "Assurance: the process will hit and miss the target at random",
}


def icon_texts(variation_icon: str, assurance_icon: str | None = None) -> list[str]:
    """The icons in words, variation first: the text alternative wherever they are drawn.

    >>> icon_texts("improvement_low", "consistent_pass")[1]
    'Assurance: the process will consistently meet the target'
    """
    texts = [VARIATION_TEXT.get(variation_icon, VARIATION_TEXT["common_cause"])]
    if assurance_icon:
        texts.append(ASSURANCE_TEXT.get(assurance_icon, ASSURANCE_TEXT["inconsistent"]))
    return texts


def _fmt(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".")


def variation_colour(icon: str) -> str:
    """Ring colour of a variation icon.

    >>> variation_colour("concern_low")
    '#e46c0a'
    """
    if icon.startswith("improvement"):
        return COLOUR_IMPROVEMENT
    if icon.startswith("concern"):
        return COLOUR_CONCERN
    if icon.startswith("neutral"):
        return COLOUR_NEUTRAL
    return COLOUR_COMMON


def variation_icon_svg(icon: str, cx: float, cy: float, r: float = 20.0) -> str:
    """A variation badge centred at (cx, cy).

    >>> 'class="sp-icon sp-variation-icon sp-icon-common_cause"' in variation_icon_svg(
    ...     "common_cause", 0, 0)
    True
    """
    text = VARIATION_TEXT.get(icon, VARIATION_TEXT["common_cause"])
    colour = variation_colour(icon)
    # A sketch of seven points: level for common cause, stepping up or down otherwise.
    step = 0.0 if icon == "common_cause" else (1.0 if icon.endswith("high") else -1.0)
    dots = []
    for i in range(7):
        dx = (i - 3) * r * 0.2
        wobble = (0.12 if i % 2 else -0.12) * r
        level = (step * r * 0.3) if i >= 4 else (-step * r * 0.15)
        filled = colour if (step and i >= 4) else COLOUR_DOT
        dots.append(
            f'<circle cx="{_fmt(cx + dx)}" cy="{_fmt(cy + r * 0.25 - level + wobble)}" '
            f'r="{_fmt(r * 0.11)}" fill="{filled}"/>'
        )
    letter = "" if step == 0 else ("H" if step > 0 else "L")
    letter_svg = (
        f'<text x="{_fmt(cx)}" y="{_fmt(cy - r * 0.25)}" text-anchor="middle" '
        f'font-size="{_fmt(r * 0.6)}" font-weight="700" fill="{colour}">{letter}</text>'
        if letter
        else ""
    )
    return (
        f'<g class="sp-icon sp-variation-icon sp-icon-{escape(icon)}" role="img" '
        f'aria-label="{escape(text)}"><title>{escape(text)}</title>'
        f'<circle cx="{_fmt(cx)}" cy="{_fmt(cy)}" r="{_fmt(r)}" fill="#ffffff" '
        f'stroke="{colour}" stroke-width="{_fmt(r * 0.14)}"/>' + letter_svg + "".join(dots) + "</g>"
    )


def assurance_icon_svg(icon: str, cx: float, cy: float, r: float = 20.0) -> str:
    """An assurance badge centred at (cx, cy): P (pass), F (fail) or ? (hit and miss).

    >>> ">P</text>" in assurance_icon_svg("consistent_pass", 0, 0)
    True
    """
    text = ASSURANCE_TEXT.get(icon, ASSURANCE_TEXT["inconsistent"])
    if icon == "consistent_pass":
        colour, letter = COLOUR_IMPROVEMENT, "P"
    elif icon == "consistent_fail":
        colour, letter = COLOUR_CONCERN, "F"
    else:
        colour, letter = COLOUR_COMMON, "?"
    # A dashed target line across the badge, with the letter above it.
    return (
        f'<g class="sp-icon sp-assurance-icon sp-icon-{escape(icon)}" role="img" '
        f'aria-label="{escape(text)}"><title>{escape(text)}</title>'
        f'<circle cx="{_fmt(cx)}" cy="{_fmt(cy)}" r="{_fmt(r)}" fill="#ffffff" '
        f'stroke="{colour}" stroke-width="{_fmt(r * 0.14)}"/>'
        f'<text x="{_fmt(cx)}" y="{_fmt(cy + r * 0.1)}" text-anchor="middle" '
        f'font-size="{_fmt(r * 0.8)}" font-weight="700" '
        f'fill="{COLOUR_INK if letter == "?" else colour}">{letter}</text>'
        f'<line x1="{_fmt(cx - r * 0.6)}" y1="{_fmt(cy + r * 0.42)}" '
        f'x2="{_fmt(cx + r * 0.6)}" y2="{_fmt(cy + r * 0.42)}" stroke="{COLOUR_TARGET}" '
        f'stroke-width="{_fmt(r * 0.08)}" stroke-dasharray="{_fmt(r * 0.15)} {_fmt(r * 0.1)}"/>'
        "</g>"
    )
