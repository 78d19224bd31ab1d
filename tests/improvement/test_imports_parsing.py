"""Reading CSV and Excel files into checked rows, with problems named by line and column."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest

from sharedpurpose.improvement import imports
from sharedpurpose.improvement.imports import (
    ImportFileError,
    ProblemLog,
    SeriesRules,
    mapping_suggest,
    parse_date,
    parse_number,
)
from tests.improvement.factories_data import xlsx_bytes

MONTHLY = SeriesRules("monthly", "xmr")


def check(data: bytes, kind: str = "csv", rules: SeriesRules = MONTHLY, measures: bool = False):
    problems = ProblemLog()
    with imports.table_open(io.BytesIO(data), kind) as table:
        mapping = mapping_suggest(table.header)
        rows = list(
            imports.rows_checked(
                table,
                mapping,
                rules_for=lambda name: rules if not measures or name in ("A", "B") else None,
                problems=problems,
                one_measure=not measures,
            )
        )
    return rows, [str(p) for p in problems.problems]


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_csv_delimiters_are_detected(delimiter: str) -> None:
    text = delimiter.join(["Month", "Value"]) + "\n" + delimiter.join(["2024-01-01", "12.5"])
    rows, problems = check(text.encode())
    assert problems == []
    assert [(r.period, r.value) for r in rows] == [(date(2024, 1, 1), 12.5)]


def test_a_utf8_byte_order_mark_does_not_spoil_the_first_header() -> None:
    rows, problems = check("\ufeffperiod,value\r\n01/02/2024,3\r\n".encode())
    assert problems == []
    assert rows[0].period == date(2024, 2, 1) and rows[0].line == 2


def test_title_rows_above_the_header_are_skipped_and_lines_count_as_a_spreadsheet_does() -> None:
    text = "Falls report\n\nDate,Falls,Bed days\n2024-01-01,4,900\n2024-02-01,abc,910\n"
    rows, problems = check(text.encode())
    assert [r.line for r in rows] == [4]
    assert problems == ["Line 5, column Falls: 'abc' is not a number"]


def test_excel_workbooks_are_read_with_dates_as_dates() -> None:
    data = xlsx_bytes(
        [["period", "value", "n"], [datetime(2024, 3, 1), 5, 10], ["2024-04-01", "6", 12]]
    )
    rows, problems = check(data, "xlsx", SeriesRules("monthly", "p"))
    assert problems == []
    assert [(r.line, r.period, r.value, r.denominator) for r in rows] == [
        (2, date(2024, 3, 1), 5.0, 10.0),
        (3, date(2024, 4, 1), 6.0, 12.0),
    ]


def test_a_file_that_is_not_a_workbook_is_refused() -> None:
    with pytest.raises(ImportFileError, match="not an Excel workbook"):
        check(b"period,value\n", "xlsx")


def test_a_file_in_another_encoding_is_refused_with_advice() -> None:
    with pytest.raises(ImportFileError, match="UTF-8"):
        check("période,valeur\n2024-01-01,1\n".encode("utf-16"))


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("2024-04-01", date(2024, 4, 1)),
        ("01/04/2024", date(2024, 4, 1)),
        ("1/4/24", date(2024, 4, 1)),
        ("2024-04", date(2024, 4, 1)),
        ("Apr 2024", date(2024, 4, 1)),
        ("2024-04-01T00:00:00", date(2024, 4, 1)),
        (45383, date(2024, 4, 1)),
        ("45383", date(2024, 4, 1)),
        (datetime(2024, 4, 1, 0, 0), date(2024, 4, 1)),
    ],
)
def test_dates_in_the_forms_people_use(cell: imports.Cell, expected: date) -> None:
    assert parse_date(cell) == expected


def test_a_date_that_is_not_a_date_says_so() -> None:
    with pytest.raises(ValueError, match="'31/02/2024' is not a date"):
        parse_date("31/02/2024")


@pytest.mark.parametrize(
    ("cell", "percent", "expected"),
    [
        ("1,234.5", False, 1234.5),
        ("1 234", False, 1234.0),
        ("-3", False, -3.0),
        ("95%", True, 0.95),
        ("0.95", True, 0.95),
        ("", False, None),
        (7, False, 7.0),
    ],
)
def test_numbers_in_the_forms_people_use(
    cell: imports.Cell, percent: bool, expected: float | None
) -> None:
    assert parse_number(cell, percent=percent) == expected


@pytest.mark.parametrize("cell", ["abc", "1,23", "nan", "inf", "12a"])
def test_text_that_is_not_a_number_is_refused(cell: str) -> None:
    with pytest.raises(ValueError, match="is not a number"):
        parse_number(cell)


def test_a_percentage_for_a_measure_not_in_per_cent_is_refused() -> None:
    with pytest.raises(ValueError, match="percentage"):
        parse_number("95%", percent=False)


def test_the_mapping_is_suggested_from_header_names() -> None:
    assert mapping_suggest(["Measure", "Week commencing", "Numerator", "Denominator"]) == {
        "measure": 0,
        "period": 1,
        "value": 2,
        "denominator": 3,
    }
    assert mapping_suggest(["Month", "Falls per 1,000 bed days"], measure_names=["x"]) == {
        "period": 0,
        "value": 1,
    }


def test_periods_must_match_the_measures_frequency() -> None:
    _, monthly = check(b"period,value\n2024-01-15,1\n")
    _, weekly = check(
        b"period,value\n2024-01-02,1\n2024-01-08,2\n", rules=SeriesRules("weekly", "xmr")
    )
    _, daily = check(b"period,value\n2024-01-02,1\n", rules=SeriesRules("daily", "xmr"))
    assert monthly == [
        "Line 2, column period: 2024-01-15 is not the first day of a month (monthly data)"
    ]
    assert weekly == [
        "Line 2, column period: 2024-01-02 is not a Monday (weekly data start on Mondays)"
    ]
    assert daily == []


def test_chart_rules_for_denominators_and_counts() -> None:
    p_chart = SeriesRules("monthly", "p")
    _, problems = check(
        b"period,value,denominator\n2024-01-01,5,\n2024-02-01,12,10\n2024-03-01,1,0\n",
        rules=p_chart,
    )
    assert problems == [
        "Line 2, column denominator: a p chart needs a denominator",
        "Line 3, column value: 12 is more than the denominator 10",
        "Line 4, column denominator: 0 is not above 0",
    ]
    _, counts = check(b"period,value\n2024-01-01,-1\n", rules=SeriesRules("monthly", "c"))
    assert counts == ["Line 2, column value: -1 is below 0; a c chart counts events"]


def test_the_same_period_twice_is_a_problem_but_blank_values_are_skipped() -> None:
    rows, problems = check(b"period,value\n2024-01-01,1\n2024-02-01,\n2024-01-01,2\n")
    assert [r.line for r in rows] == [2]
    assert problems == ["Line 4, column period: 2024-01-01 appears more than once"]


def test_files_with_several_measures_name_each_rows_measure() -> None:
    text = b"measure,period,value\nA,2024-01-01,1\nB,2024-01-01,2\nC,2024-01-01,3\n,2024-02-01,4\n"
    rows, problems = check(text, measures=True)
    assert [(r.measure_key, r.value) for r in rows] == [("A", 1.0), ("B", 2.0)]
    assert problems == [
        "Line 4, column measure: 'C' is not a measure of this team",
        "Line 5, column measure: the measure is empty",
    ]


def test_a_report_keeps_a_readable_number_of_problems_and_counts_the_rest() -> None:
    body = "".join(f"2024-01-01,x{i}\n" for i in range(imports.MAX_REPORTED_PROBLEMS + 50))
    problems = ProblemLog()
    with imports.table_open(io.BytesIO(("period,value\n" + body).encode()), "csv") as table:
        list(
            imports.rows_checked(
                table,
                {"period": 0, "value": 1},
                rules_for=lambda name: MONTHLY,
                problems=problems,
                one_measure=True,
            )
        )
    assert problems.count == imports.MAX_REPORTED_PROBLEMS + 50
    assert len(problems.problems) == imports.MAX_REPORTED_PROBLEMS
