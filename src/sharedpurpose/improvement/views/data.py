"""A measure's data: the grid, export, history, and imports from CSV and Excel files."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from sharedpurpose.core.web import form_data, form_files, request_actor

from .. import imports
from ..access import Capability, team_get_for
from ..forms.data import DataGridForm, ImportMappingForm, ImportUploadForm
from ..imports import DENOMINATOR, VALUE
from ..models import DataImport, DataPoint, DataPointChange, Measure, Team
from ..quality import QualityFlag, data_quality_flags, period_add, period_label, period_start
from ..services import data as data_services
from ..services import imports as import_services

if TYPE_CHECKING:
    pass

# How many periods the grid shows by default, ending at the current or next period.
GRID_WINDOW = {"monthly": 24, "weekly": 26, "daily": 31}
HISTORY_PAGE_SIZE = 50
EXPORT_FORMATS = ("csv", "xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def plain_number(value: float | None) -> str:
    """A number as typed back into a cell: shortest exact form, no trailing ".0"."""
    if value is None:
        return ""
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


# Presenters ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class GridRow:
    period: date
    label: str
    point: DataPoint | None
    flags: list[QualityFlag]
    value_field: Any = None
    denominator_field: Any = None


class MeasureDataPage:
    """A measure's points, the quality flags on them and the periods the grid shows."""

    def __init__(self, measure: Measure, *, show_all: bool = False, today: date | None = None):
        self.measure = measure
        self.show_all = show_all
        self.today = today or timezone.localdate()

    @cached_property
    def points(self) -> list[DataPoint]:
        return list(self.measure.points.order_by("period"))

    @cached_property
    def flags(self) -> list[QualityFlag]:
        return data_quality_flags(self.measure, self.points, self.today)

    @cached_property
    def with_denominator(self) -> bool:
        return self.measure.chart_type in imports.CHART_NEEDS_DENOMINATOR or any(
            p.denominator is not None for p in self.points
        )

    @cached_property
    def all_periods(self) -> list[date]:
        """The periods the grid shows, oldest first.

        By default a window of ``GRID_WINDOW`` periods ending at the current period, with
        empty rows to fill. When the data are late the window ends half a window after the
        latest point instead, so its points stay in view; with ``show_all`` it runs from
        the first point to the current period.
        """
        frequency = self.measure.frequency
        window = GRID_WINDOW[frequency]
        current = period_start(self.today, frequency)
        if not self.points:
            return self._periods(period_add(current, frequency, 1 - window), current, frequency)
        first, last = self.points[0].period, self.points[-1].period
        end = max(
            period_add(last, frequency), min(current, period_add(last, frequency, window // 2))
        )
        start = min(
            period_add(end, frequency, 1 - window), period_add(last, frequency, -window // 2)
        )
        if self.show_all:
            start, end = min(start, first), max(end, current)
        return self._periods(start, end, frequency)

    def _periods(self, start: date, end: date, frequency: str) -> list[date]:
        periods = []
        period = start
        while period <= end:
            periods.append(period)
            period = period_add(period, frequency)
        # Points off the expected calendar (entered before a change of frequency) still show.
        stray = {p.period for p in self.points if start <= p.period <= end} - set(periods)
        return sorted(set(periods) | stray)

    @cached_property
    def hidden_count(self) -> int:
        first = self.all_periods[0] if self.all_periods else None
        return sum(1 for p in self.points if first is not None and p.period < first)

    @cached_property
    def is_partial(self) -> bool:
        """Whether some periods, with or without points, are not on the grid."""
        if self.show_all or not self.all_periods:
            return False
        current = period_start(self.today, self.measure.frequency)
        return bool(self.hidden_count) or self.all_periods[-1] < current

    def periods_with_labels(self) -> list[tuple[date, str]]:
        return [(p, period_label(p, self.measure.frequency)) for p in self.all_periods]

    def initial(self) -> dict[str, str]:
        initial = {}
        for point in self.points:
            initial[data_services.cell_name(VALUE, point.period)] = plain_number(point.value)
            initial[data_services.cell_name(DENOMINATOR, point.period)] = plain_number(
                point.denominator
            )
        return initial

    def rows(self, form: DataGridForm | None) -> list[GridRow]:
        by_period = {p.period: p for p in self.points}
        flags_by_period: dict[date, list[QualityFlag]] = {}
        for flag in self.flags:
            flags_by_period.setdefault(flag.period, []).append(flag)
        rows = []
        for period in reversed(self.all_periods):
            rows.append(
                GridRow(
                    period=period,
                    label=period_label(period, self.measure.frequency),
                    point=by_period.get(period),
                    flags=flags_by_period.get(period, []),
                    value_field=form[data_services.cell_name(VALUE, period)] if form else None,
                    denominator_field=(
                        form[data_services.cell_name(DENOMINATOR, period)]
                        if form and self.with_denominator
                        else None
                    ),
                )
            )
        return rows


def _measure(team: Team, measure_id: int) -> Measure:
    return get_object_or_404(team.measures.select_related("team"), pk=measure_id)


# The grid -----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def measure_data(request: HttpRequest, team_slug: str, measure_id: int) -> HttpResponse:
    needed = Capability.EDIT_DATA if request.method == "POST" else Capability.VIEW
    team, capabilities = team_get_for(request.user, team_slug, needed)
    measure = _measure(team, measure_id)
    page = MeasureDataPage(measure, show_all=request.GET.get("all") == "1")
    can_edit = Capability.EDIT_DATA in capabilities
    form = None
    if can_edit:
        form = DataGridForm(
            request.POST if request.method == "POST" else None,
            initial=page.initial(),
            periods=page.periods_with_labels(),
            with_denominator=page.with_denominator,
        )
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            saved = data_services.points_save(
                actor=request_actor(request), measure=measure, rows=form.entries()
            )
        except ValidationError as exc:
            _add_cell_errors(form, exc)
        else:
            if saved.changed:
                messages.success(request, f"Saved {_points_phrase(saved.changed)}.")
            else:
                messages.info(request, "Nothing had changed.")
            return redirect(request.get_full_path())
    return render(
        request,
        "improvement/data/grid.html",
        {
            "team": team,
            "capabilities": capabilities,
            "can_edit": can_edit,
            "measure": measure,
            "page": page,
            "form": form,
            "rows": page.rows(form),
        },
        status=400 if request.method == "POST" else 200,
    )


def _add_cell_errors(form: DataGridForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            for error in errors:
                form.add_error(name if name in form.fields else None, error)
    else:
        for error in exc.messages:
            form.add_error(None, error)


def _points_phrase(count: int) -> str:
    return "1 point" if count == 1 else f"{count:,} points"


# Export -------------------------------------------------------------------------------------


@login_required
@require_safe
def measure_export(request: HttpRequest, team_slug: str, measure_id: int, fmt: str) -> HttpResponse:
    team, _ = team_get_for(request.user, team_slug, Capability.VIEW)
    measure = _measure(team, measure_id)
    if fmt not in EXPORT_FORMATS:
        raise Http404("Export as csv or xlsx")
    points = measure.points.order_by("period").values_list("period", "value", "denominator")
    filename = _export_filename(measure.name, fmt)
    if fmt == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        writer = csv.writer(response, lineterminator="\n")
        writer.writerow(["period", "value", "denominator"])
        for period, value, denominator in points.iterator():
            writer.writerow([period.isoformat(), plain_number(value), plain_number(denominator)])
    else:
        response = HttpResponse(_xlsx(measure, points.iterator()), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _export_filename(name: str, fmt: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-").lower()[:80] or "measure"
    return f"{stem}.{fmt}"


def _xlsx(measure: Measure, points: Any) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=re.sub(r"[\[\]:*?/\\]", " ", measure.name)[:31] or "Data")
    sheet.append(["period", "value", "denominator"])
    for period, value, denominator in points:
        sheet.append([period, value, denominator])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# History ------------------------------------------------------------------------------------


@login_required
@require_safe
def measure_history(request: HttpRequest, team_slug: str, measure_id: int) -> HttpResponse:
    team, capabilities = team_get_for(request.user, team_slug, Capability.VIEW)
    measure = _measure(team, measure_id)
    changes = measure.changes.select_related("changed_by", "data_import").order_by(
        "-changed_at", "-pk"
    )
    history: Page[DataPointChange] = Paginator(changes, HISTORY_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = [ChangeRow(change, measure.frequency) for change in history]
    return render(
        request,
        "improvement/data/history.html",
        {
            "team": team,
            "capabilities": capabilities,
            "measure": measure,
            "history": history,
            "rows": rows,
        },
    )


class ChangeRow:
    """One change to a point, worded for the history table."""

    def __init__(self, change: DataPointChange, frequency: str) -> None:
        self.change = change
        self.period_label = period_label(change.period, frequency)
        self.before = self._point(change.old_value, change.old_denominator, "none")
        self.after = self._point(change.new_value, change.new_denominator, "removed")

    @staticmethod
    def _point(value: float | None, denominator: float | None, empty: str) -> str:
        if value is None:
            return empty
        if denominator is None:
            return plain_number(value)
        return f"{plain_number(value)} of {plain_number(denominator)}"


# Imports ------------------------------------------------------------------------------------


@login_required
@require_safe
def import_list(request: HttpRequest, team_slug: str) -> HttpResponse:
    team, capabilities = team_get_for(request.user, team_slug, Capability.VIEW)
    data_imports = team.imports.select_related("measure", "uploaded_by").order_by(
        "-uploaded_at", "-pk"
    )[:100]
    return render(
        request,
        "improvement/data/import_list.html",
        {
            "team": team,
            "capabilities": capabilities,
            "can_edit": Capability.EDIT_DATA in capabilities,
            "imports": data_imports,
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def import_create(request: HttpRequest, team_slug: str) -> HttpResponse:
    team, capabilities = team_get_for(request.user, team_slug, Capability.EDIT_DATA)
    measures = team.measures.order_by("name")
    initial = {}
    if request.GET.get("measure", "").isdigit():
        initial["measure"] = measures.filter(pk=int(request.GET["measure"])).first()
    form = ImportUploadForm(
        form_data(request), form_files(request), measures=measures, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            data_import = import_services.data_import_upload(
                actor=request_actor(request),
                team=team,
                upload=form.cleaned_data["file"],
                measure=form.cleaned_data["measure"],
            )
        except ValidationError as exc:
            _add_form_errors(form, exc)
        else:
            return redirect(
                "improvement:import_preview", team_slug=team.slug, import_id=data_import.pk
            )
    return render(
        request,
        "improvement/data/import_create.html",
        {"team": team, "capabilities": capabilities, "form": form},
        status=400 if request.method == "POST" else 200,
    )


def _add_form_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            for error in errors:
                form.add_error(name if name in form.fields else None, error)
    else:
        for error in exc.messages:
            form.add_error(None, error)


def _import(team: Team, import_id: int) -> DataImport:
    return get_object_or_404(
        team.imports.select_related("measure", "uploaded_by", "team"), pk=import_id
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def import_preview(request: HttpRequest, team_slug: str, import_id: int) -> HttpResponse:
    needed = Capability.EDIT_DATA if request.method == "POST" else Capability.VIEW
    team, capabilities = team_get_for(request.user, team_slug, needed)
    data_import = _import(team, import_id)
    try:
        preview = import_services.data_import_preview(data_import=data_import)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("improvement:import_list", team_slug=team.slug)
    form = ImportMappingForm(
        request.POST if request.method == "POST" else None,
        header=preview.header,
        mapping=preview.mapping,
    )
    if request.method == "POST" and form.is_valid():
        try:
            import_services.data_import_map(
                actor=request_actor(request), data_import=data_import, mapping=form.mapping()
            )
        except ValidationError as exc:
            _add_form_errors(form, exc)
        else:
            messages.info(request, "Column mapping saved and the file checked again.")
            return redirect(request.path)
    return render(
        request,
        "improvement/data/import_preview.html",
        {
            "team": team,
            "capabilities": capabilities,
            "can_edit": Capability.EDIT_DATA in capabilities,
            "data_import": data_import,
            "preview": preview,
            "columns": list(zip(preview.header, preview.column_fields, strict=True)),
            "form": form,
            "field_labels": imports.FIELD_LABELS,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def import_commit(request: HttpRequest, team_slug: str, import_id: int) -> HttpResponse:
    team, _ = team_get_for(request.user, team_slug, Capability.EDIT_DATA)
    data_import = _import(team, import_id)
    try:
        import_services.data_import_commit(actor=request_actor(request), data_import=data_import)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("improvement:import_preview", team_slug=team.slug, import_id=data_import.pk)
    messages.success(
        request,
        f"Imported {data_import.filename}: {_points_phrase(data_import.points_created)} added, "
        f"{_points_phrase(data_import.points_updated)} updated.",
    )
    if data_import.measure is not None:
        return redirect(
            reverse(
                "improvement:measure_data",
                kwargs={"team_slug": team.slug, "measure_id": data_import.measure.pk},
            )
        )
    return redirect("improvement:import_preview", team_slug=team.slug, import_id=data_import.pk)
