"""SVG charts and data tables (sharedpurpose.spc.svg), checked by parsing the output."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
import pytest

from sharedpurpose.spc.attribute import g_chart, p_chart
from sharedpurpose.spc.runs import run_chart
from sharedpurpose.spc.svg import describe, format_x, render_chart, render_data_table

SVG = "{http://www.w3.org/2000/svg}"
SHIFT_Y = [1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 8, 9, 8, 9, np.nan, 8, 9, 8, 9, 8, 9]


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - parsing our own output


def _points(root: ET.Element) -> list[ET.Element]:
    return [el for el in root.iter() if "sp-point" in (el.get("class") or "").split()]


def _months(count: int, start: str = "2016-04") -> np.ndarray:
    months = np.arange(np.datetime64(start, "M"), np.datetime64(start, "M") + count)
    return months.astype("datetime64[D]")


def test_well_formed_with_accessible_title_and_desc() -> None:
    r = run_chart(SHIFT_Y, improvement_direction="decrease")
    root = _parse(render_chart(r, title="Falls per 1,000 bed days"))
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("viewBox") == "0 0 720 360"
    assert root.get("width") is None and root.get("height") is None
    title = root.find(f"{SVG}title")
    desc = root.find(f"{SVG}desc")
    assert title is not None and desc is not None
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert title.text == "Falls per 1,000 bed days"
    assert desc.text and desc.text.endswith(".")


def test_one_marker_per_present_point_with_classes() -> None:
    r = run_chart(SHIFT_Y, improvement_direction="decrease")
    root = _parse(render_chart(r, title="t"))
    points = _points(root)
    assert len(points) == 20  # one value is missing
    improvement = [p for p in points if "sp-special_cause_improvement" in p.get("class", "")]
    concern = [p for p in points if "sp-special_cause_concern" in p.get("class", "")]
    assert len(improvement) == 10 and len(concern) == 10
    assert all("sp-rule-shift" in p.get("class", "") for p in points)
    # shape differs from common-cause circles, not just colour
    assert {p.tag for p in improvement} == {f"{SVG}polygon"}
    assert {p.tag for p in concern} == {f"{SVG}rect"}
    assert all(p.find(f"{SVG}title") is not None for p in points)


def test_common_cause_points_are_circles() -> None:
    r = run_chart([3, 7, 4, 8, 2, 6, 5, 9, 1, 7, 4, 6])
    points = _points(_parse(render_chart(r, title="t")))
    assert len(points) == 12
    assert {p.tag for p in points} == {f"{SVG}circle"}
    assert all("sp-common_cause" in p.get("class", "") for p in points)


def test_lines_break_at_missing_values_and_rebases() -> None:
    r = run_chart(SHIFT_Y)
    root = _parse(render_chart(r, title="t"))
    lines = [el for el in root.iter(f"{SVG}polyline") if el.get("class") == "sp-data-line"]
    assert len(lines) == 2  # broken at the missing value
    x = np.arange(1, 22)
    rebased = run_chart(SHIFT_Y, x, rebase=[11])
    root = _parse(render_chart(rebased, title="t"))
    lines = [el for el in root.iter(f"{SVG}polyline") if el.get("class") == "sp-data-line"]
    assert len(lines) == 3
    centre = [el for el in root.iter(f"{SVG}path") if el.get("class") == "sp-centre"]
    assert len(centre) == 2
    assert len([el for el in root.iter() if el.get("class") == "sp-rebase"]) == 1


def test_text_is_escaped_and_nothing_external() -> None:
    nasty = "A&E <script>alert(\"x\")</script> 'quoted'"
    svg = render_chart(run_chart([1, 2, 3]), title=nasty, description="a < b & c")
    root = _parse(svg)
    assert root.find(f"{SVG}title") is not None
    assert root.find(f"{SVG}title").text == nasty  # type: ignore[union-attr]
    assert root.find(f"{SVG}desc").text == "a < b & c"  # type: ignore[union-attr]
    assert "<script" not in svg
    assert not any(el.tag.endswith("script") for el in root.iter())
    for el in root.iter():
        for key, val in el.attrib.items():
            assert "href" not in key
            assert "url(" not in val and "http" not in val.replace("http://www.w3.org/2000/svg", "")


def test_p_chart_limits_target_and_icons() -> None:
    x = _months(24)
    n = [1000] * 24
    y = [880, 900, 890, 910, 900, 920, 880, 890, 900, 910, 900, 890] * 2
    r = p_chart(y, n, x, target=0.95)
    svg = render_chart(r, title="Seen within 4 hours")
    root = _parse(svg)
    classes = [el.get("class", "") for el in root.iter()]
    assert classes.count("sp-lpl") == 1 and classes.count("sp-upl") == 1
    assert any(c == "sp-target" for c in classes)
    variation = [el for el in root.iter() if "sp-variation-icon" in el.get("class", "")]
    assurance = [el for el in root.iter() if "sp-assurance-icon" in el.get("class", "")]
    assert len(variation) == 1 and len(assurance) == 1
    assert "sp-icon-consistent_fail" in assurance[0].get("class", "")
    assert assurance[0].find(f"{SVG}title") is not None
    desc = root.find(f"{SVG}desc")
    assert desc is not None and desc.text == (
        "Monthly values from Apr 2016 to Mar 2018 show common cause variation at the last "
        "point; the process is expected to consistently fail the 95% target."
    )
    assert ">95%<" in svg or "Target 95%" in svg
    assert "Apr 2016" in svg


def test_no_assurance_icon_without_target() -> None:
    root = _parse(render_chart(g_chart([10, 30, 20, 60, 15]), title="g"))
    assert not [el for el in root.iter() if "sp-assurance-icon" in el.get("class", "")]


def test_describe_special_cause() -> None:
    r = run_chart(SHIFT_Y, _months(21), improvement_direction="increase")
    text = describe(r)
    assert text.startswith("Monthly values from Apr 2016 to Dec 2017 show special cause")
    assert "improvement (higher values)" in text


def test_format_x() -> None:
    assert format_x(np.datetime64("2019-03-01")) == "Mar 2019"
    assert format_x(7) == "7"


def test_deterministic_and_unique_ids() -> None:
    r = run_chart([1, 2, 3])
    assert render_chart(r, title="a") == render_chart(r, title="a")
    a = _parse(render_chart(r, title="a")).find(f"{SVG}title")
    b = _parse(render_chart(r, title="b")).find(f"{SVG}title")
    assert a is not None and b is not None and a.get("id") != b.get("id")
    c = _parse(render_chart(r, title="a", id_prefix="chart-7")).find(f"{SVG}title")
    assert c is not None and c.get("id") == "chart-7-title"


def test_size_validation() -> None:
    with pytest.raises(ValueError):
        render_chart(run_chart([1, 2]), title="t", width=10)


def test_data_table_is_accessible_html() -> None:
    r = p_chart([5, 9, np.nan], [50, 60, 55], _months(3))
    html = render_data_table(r, caption="Proportion <seen>")
    root = ET.fromstring(html)  # noqa: S314 - parsing our own output
    assert root.tag == "table"
    caption = root.find("caption")
    assert caption is not None and caption.text == "Proportion <seen>"
    heads = root.findall("./thead/tr/th")
    assert all(h.get("scope") == "col" for h in heads)
    assert [h.text for h in heads][:3] == ["Date", "Value", "Denominator"]
    rows = root.findall("./tbody/tr")
    assert len(rows) == 3
    first = rows[0].find("th")
    assert first is not None and first.get("scope") == "row" and first.text == "Apr 2016"
    assert rows[0].findall("td")[0].text == "10%"
    assert rows[2].findall("td")[-1].text == "Missing"


def test_renders_xmr_results() -> None:
    xmr_mod = pytest.importorskip("sharedpurpose.spc.batch")
    x = _months(24)
    y = [
        90.0,
        91,
        89,
        92,
        90,
        91,
        89,
        90,
        92,
        91,
        90,
        89,
        95,
        96,
        95,
        97,
        96,
        95,
        96,
        97,
        95,
        96,
        97,
        96,
    ]
    r = xmr_mod.xmr(x, y, target=92.0, rebase=[x[12]])
    root = _parse(render_chart(r, title="XmR", target=92.0))
    assert len(_points(root)) == 24
    # periods are found from the change of mean when the result carries none
    centre = [el for el in root.iter(f"{SVG}path") if el.get("class") == "sp-centre"]
    assert len(centre) == 2
    assert [el for el in root.iter() if el.get("class") == "sp-target"]
