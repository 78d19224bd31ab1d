from __future__ import annotations

import pytest

from sharedpurpose.improvement.library import (
    MEASURE_SETS,
    TEMPLATES,
    MeasureTemplate,
    library_template_get,
)
from sharedpurpose.improvement.models import ChartType, Measure, MeasureKind, Side


def _set(name: str) -> dict[str, MeasureTemplate]:
    measure_set = next(s for s in MEASURE_SETS if s.name == name)
    return {t.name: t for t in measure_set.templates}


def test_the_library_has_a_set_for_each_innovation_and_clinical_outcomes() -> None:
    assert [s.name for s in MEASURE_SETS] == [
        "Value-based interviewing",
        "Telemedicine",
        "Workforce intelligence",
        "Microsystem coaching",
        "Common clinical outcomes",
    ]
    assert {"Time to hire", "12-month retention of new starters"} <= set(
        _set("Value-based interviewing")
    )
    assert {"Share of consultations held remotely", "Did-not-attend rate"} <= set(
        _set("Telemedicine")
    )
    assert {"Vacancy rate", "Staff turnover", "Sickness absence rate", "Agency spend"} <= set(
        _set("Workforce intelligence")
    )
    assert {"Teams coached", "Staff engagement score"} <= set(_set("Microsystem coaching"))


def test_clinical_outcomes_use_the_chart_that_fits_their_data() -> None:
    clinical = _set("Common clinical outcomes")
    falls = clinical["Inpatient falls per 1,000 bed days"]
    assert falls.chart_type == ChartType.U and "bed days" in falls.denominator.lower()
    four_hour = clinical["Four-hour A&E performance"]
    assert four_hour.chart_type in {ChartType.P, ChartType.XMR}
    assert four_hour.suggested_target == 0.95
    assert clinical["Hospital-acquired pressure ulcers"].chart_type == ChartType.C
    assert "Patient experience: would recommend" in clinical


def test_every_template_is_complete_and_valid() -> None:
    assert len(TEMPLATES) == sum(len(s.templates) for s in MEASURE_SETS)
    for template in TEMPLATES.values():
        assert len(template.definition) > 80, template.key
        assert template.frequency in Measure.Frequency.values
        assert template.direction in Measure.Direction.values
        assert template.side in Side.values and template.kind in MeasureKind.values
        # p and u charts must say what n is; other charts have no denominator.
        needs_n = template.chart_type in {ChartType.P, ChartType.U}
        assert bool(template.denominator) == needs_n, template.key
        if template.unit == "%" and template.suggested_target is not None:
            assert 0 < template.suggested_target < 1, template.key
    kinds = {t.kind for t in TEMPLATES.values()}
    assert kinds == set(MeasureKind.values)


def test_unknown_keys_raise_lookup_error() -> None:
    assert library_template_get("ae-four-hour").name == "Four-hour A&E performance"
    with pytest.raises(LookupError):
        library_template_get("no-such-measure")
