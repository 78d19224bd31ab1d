"""Entering and correcting points in the grid; export; the history of changes."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from openpyxl import load_workbook

from sharedpurpose.improvement.models import DataPoint, DataPointChange, Measure, TeamMembership
from sharedpurpose.improvement.services.data import PointEntry, points_save
from tests.factories import MeasureFactory, MembershipFactory, TeamFactory
from tests.improvement.factories_data import DataPointFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def member() -> TeamMembership:
    return MembershipFactory.create(role=TeamMembership.Role.DATA_CONTRIBUTOR)


def test_points_are_added_corrected_and_removed_with_one_change_each(
    member: TeamMembership,
) -> None:
    measure = MeasureFactory.create(team=member.team)
    DataPointFactory.create(measure=measure, period=date(2024, 1, 1), value=5.0)
    DataPointFactory.create(measure=measure, period=date(2024, 2, 1), value=6.0)
    DataPointFactory.create(measure=measure, period=date(2024, 3, 1), value=7.0)

    saved = points_save(
        actor=member.user,
        measure=measure,
        rows=[
            PointEntry(date(2024, 1, 1), "5"),  # unchanged
            PointEntry(date(2024, 2, 1), "6.5"),
            PointEntry(date(2024, 3, 1), ""),
            PointEntry(date(2024, 4, 1), "1,200"),
            PointEntry(date(2024, 5, 1), ""),  # an empty new row
        ],
    )

    assert (saved.created, saved.updated, saved.removed) == (1, 1, 1)
    assert list(measure.points.values_list("period", "value")) == [
        (date(2024, 1, 1), 5.0),
        (date(2024, 2, 1), 6.5),
        (date(2024, 4, 1), 1200.0),
    ]
    changes = {
        c.period: (c.old_value, c.new_value, c.source, c.changed_by_id)
        for c in DataPointChange.objects.all()
    }
    assert changes == {
        date(2024, 2, 1): (6.0, 6.5, "grid", member.user.pk),
        date(2024, 3, 1): (7.0, None, "grid", member.user.pk),
        date(2024, 4, 1): (None, 1200.0, "grid", member.user.pk),
    }
    assert Measure.objects.get(pk=measure.pk).data_version == measure.data_version + 1


def test_saving_an_unchanged_grid_writes_nothing(member: TeamMembership) -> None:
    measure = MeasureFactory.create(team=member.team)
    DataPointFactory.create(measure=measure, period=date(2024, 1, 1), value=5.0)
    saved = points_save(
        actor=member.user, measure=measure, rows=[PointEntry(date(2024, 1, 1), "5.0")]
    )
    assert saved.changed == 0
    assert Measure.objects.get(pk=measure.pk).data_version == measure.data_version
    assert not DataPointChange.objects.exists()


@pytest.mark.parametrize(
    ("chart_type", "frequency", "entry", "cell", "message"),
    [
        (
            "xmr",
            "monthly",
            PointEntry(date(2024, 4, 1), "abc"),
            "value_2024-04-01",
            "Value for April 2024: 'abc' is not a number",
        ),
        (
            "xmr",
            "monthly",
            PointEntry(date(2024, 4, 2), "1"),
            "value_2024-04-02",
            "not the first day of a month",
        ),
        ("xmr", "weekly", PointEntry(date(2024, 4, 2), "1"), "value_2024-04-02", "not a Monday"),
        (
            "p",
            "monthly",
            PointEntry(date(2024, 4, 1), "5"),
            "denominator_2024-04-01",
            "Denominator for April 2024: a p chart needs a denominator",
        ),
        (
            "p",
            "monthly",
            PointEntry(date(2024, 4, 1), "12", "10"),
            "value_2024-04-01",
            "12 is more than the denominator 10",
        ),
        (
            "u",
            "monthly",
            PointEntry(date(2024, 4, 1), "-1", "10"),
            "value_2024-04-01",
            "-1 is below 0",
        ),
        (
            "c",
            "monthly",
            PointEntry(date(2024, 4, 1), "-2"),
            "value_2024-04-01",
            "a c chart counts events",
        ),
    ],
)
def test_bad_cells_are_named_with_their_period_and_nothing_is_saved(
    member: TeamMembership,
    chart_type: str,
    frequency: str,
    entry: PointEntry,
    cell: str,
    message: str,
) -> None:
    measure = MeasureFactory.create(team=member.team, chart_type=chart_type, frequency=frequency)
    good = PointEntry(date(2024, 1, 1), "1", "10")
    with pytest.raises(ValidationError) as caught:
        points_save(actor=member.user, measure=measure, rows=[good, entry])
    assert message in " ".join(caught.value.message_dict[cell])
    assert not DataPoint.objects.exists()


def test_daily_measures_take_any_date(member: TeamMembership) -> None:
    measure = MeasureFactory.create(team=member.team, frequency=Measure.Frequency.DAILY)
    points_save(actor=member.user, measure=measure, rows=[PointEntry(date(2024, 4, 3), "2")])
    assert measure.points.get().period == date(2024, 4, 3)


def test_per_cent_measures_take_percentages(member: TeamMembership) -> None:
    measure = MeasureFactory.create(team=member.team, unit="%")
    points_save(actor=member.user, measure=measure, rows=[PointEntry(date(2024, 4, 1), "95%")])
    assert measure.points.get().value == pytest.approx(0.95)


# Pages ----------------------------------------------------------------------------------------


def test_the_grid_labels_each_input_and_lists_quality_flags(
    client: Client, member: TeamMembership
) -> None:
    measure = MeasureFactory.create(team=member.team, name="Falls")
    DataPointFactory.create(measure=measure, period=date(2024, 1, 1), value=5.0)
    DataPointFactory.create(measure=measure, period=date(2024, 3, 1), value=6.0)
    client.force_login(member.user)

    html = client.get(f"/teams/{member.team.slug}/measures/{measure.pk}/data/").content.decode()

    assert '<label class="nhsuk-label nhsuk-u-visually-hidden" for="id_value_2024-03-01">' in html
    assert "Value for March 2024" in html
    assert 'value="6"' in html
    assert "No data for February 2024" in html
    assert "Late data" in html


def test_a_bad_cell_is_shown_in_the_summary_and_keeps_what_was_typed(
    client: Client, member: TeamMembership
) -> None:
    measure = MeasureFactory.create(team=member.team)
    DataPointFactory.create(measure=measure, period=date(2024, 1, 1), value=5.0)
    client.force_login(member.user)
    url = f"/teams/{member.team.slug}/measures/{measure.pk}/data/?all=1"

    response = client.post(url, {"value_2024-01-01": "five"})

    html = response.content.decode()
    assert response.status_code == 400
    assert 'href="#id_value_2024-01-01"' in html
    assert "Value for January 2024: &#x27;five&#x27; is not a number" in html
    assert 'value="five"' in html
    assert measure.points.get().value == 5.0


def test_saving_the_grid_redirects_with_a_message(client: Client, member: TeamMembership) -> None:
    measure = MeasureFactory.create(team=member.team)
    DataPointFactory.create(measure=measure, period=date(2024, 1, 1), value=5.0)
    client.force_login(member.user)
    url = f"/teams/{member.team.slug}/measures/{measure.pk}/data/?all=1"

    response = client.post(url, {"value_2024-01-01": "7"}, follow=True)

    assert "Saved 1 point." in response.content.decode()
    assert measure.points.get().value == 7.0


def test_readers_see_the_data_but_cannot_change_it(client: Client) -> None:
    coach = MembershipFactory.create(role=TeamMembership.Role.COACH)
    measure = MeasureFactory.create(team=coach.team)
    DataPointFactory.create(measure=measure, period=date(2024, 1, 1), value=5.0)
    client.force_login(coach.user)
    url = f"/teams/{coach.team.slug}/measures/{measure.pk}/data/"

    page = client.get(url)
    assert page.status_code == 200 and "Save data" not in page.content.decode()
    assert client.post(url, {"value_2024-01-01": "9"}).status_code == 403
    assert client.get(url.replace("data/", "export.csv")).status_code == 200
    assert measure.points.get().value == 5.0


def test_another_teams_member_gets_404_everywhere(client: Client, member: TeamMembership) -> None:
    measure = MeasureFactory.create(team=member.team)
    outsider = MembershipFactory.create(team=TeamFactory.create())
    client.force_login(outsider.user)
    base = f"/teams/{member.team.slug}/measures/{measure.pk}"
    own = f"/teams/{outsider.team.slug}/measures/{measure.pk}"

    for url in (f"{base}/data/", f"{base}/export.csv", f"{base}/history/", f"{own}/data/"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"{own}/data/", {"value_2024-01-01": "1"}).status_code == 404
    assert not DataPoint.objects.exists()


def test_export_as_csv_and_xlsx(client: Client, member: TeamMembership) -> None:
    measure = MeasureFactory.create(team=member.team, name="Harm-free care (%)", chart_type="p")
    DataPointFactory.create(measure=measure, period=date(2024, 1, 1), value=9.0, denominator=10)
    DataPointFactory.create(measure=measure, period=date(2024, 2, 1), value=8.5, denominator=None)
    client.force_login(member.user)
    base = f"/teams/{member.team.slug}/measures/{measure.pk}"

    response = client.get(f"{base}/export.csv")
    assert response["Content-Disposition"] == 'attachment; filename="harm-free-care.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [
        ["period", "value", "denominator"],
        ["2024-01-01", "9", "10"],
        ["2024-02-01", "8.5", ""],
    ]

    response = client.get(f"{base}/export.xlsx")
    assert response["Content-Disposition"] == 'attachment; filename="harm-free-care.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == ("period", "value", "denominator")
    assert values[1][0].date() == date(2024, 1, 1)  # type: ignore[union-attr]
    assert values[1][1:] == (9, 10)

    assert client.get(f"{base}/export.pdf").status_code == 404


def test_history_lists_who_changed_what(client: Client, member: TeamMembership) -> None:
    measure = MeasureFactory.create(team=member.team)
    DataPointFactory.create(measure=measure, period=date(2024, 1, 1), value=5.0)
    points_save(actor=member.user, measure=measure, rows=[PointEntry(date(2024, 1, 1), "6")])
    client.force_login(member.user)

    html = client.get(f"/teams/{member.team.slug}/measures/{measure.pk}/history/").content.decode()

    assert member.user.get_full_name() in html
    assert "January 2024" in html
    assert '<td class="nhsuk-table__cell">5</td>' in html
    assert '<td class="nhsuk-table__cell">6</td>' in html
    assert "Entered in the grid" in html


def test_rows_missing_from_the_submitted_page_are_left_alone(
    client: Client, member: TeamMembership
) -> None:
    measure = MeasureFactory.create(team=member.team)
    DataPointFactory.create(measure=measure, period=date(2024, 1, 1), value=5.0)
    client.force_login(member.user)
    url = f"/teams/{member.team.slug}/measures/{measure.pk}/data/?all=1"

    client.post(url, {"value_2024-02-01": "3"})

    assert list(measure.points.values_list("period", "value")) == [
        (date(2024, 1, 1), 5.0),
        (date(2024, 2, 1), 3.0),
    ]


def test_a_cleared_value_removes_the_point_through_the_page(
    client: Client, member: TeamMembership
) -> None:
    measure = MeasureFactory.create(team=member.team)
    DataPointFactory.create(measure=measure, period=date(2024, 1, 1), value=5.0)
    client.force_login(member.user)
    url = f"/teams/{member.team.slug}/measures/{measure.pk}/data/?all=1"

    client.post(url, {"value_2024-01-01": ""})

    assert not measure.points.exists()
    assert DataPointChange.objects.get().new_value is None


def test_the_grid_window_ends_at_the_current_period_or_near_late_data() -> None:
    from sharedpurpose.improvement.views.data import MeasureDataPage

    measure = MeasureFactory.create()
    DataPointFactory.create(measure=measure, period=date(2026, 9, 1))
    DataPointFactory.create(measure=measure, period=date(2026, 10, 1))
    on_time = MeasureDataPage(measure, today=date(2026, 11, 15))
    assert (on_time.all_periods[0], on_time.all_periods[-1]) == (
        date(2024, 12, 1),
        date(2026, 11, 1),
    )
    assert len(on_time.all_periods) == 24 and not on_time.is_partial

    late = MeasureDataPage(measure, today=date(2029, 1, 15))
    assert (late.all_periods[0], late.all_periods[-1]) == (date(2025, 10, 1), date(2027, 10, 1))
    assert late.is_partial

    everything = MeasureDataPage(measure, today=date(2029, 1, 15), show_all=True)
    assert everything.all_periods[-1] == date(2029, 1, 1) and not everything.is_partial
