"""Forms of the data pages: the grid of points, an import upload and its column mapping."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.forms import BoundField

from ..imports import DENOMINATOR, FIELD_LABELS, FIELDS, VALUE
from ..models import Measure
from ..services.data import PointEntry, cell_name
from ..services.imports import MAX_IMPORT_BYTES


class DataGridForm(forms.Form):
    """One text input per cell of the grid: the value and, for p and u charts, the denominator."""

    def __init__(
        self,
        *args: Any,
        periods: Sequence[tuple[date, str]],
        with_denominator: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.periods = list(periods)
        self.with_denominator = with_denominator
        for period, label in self.periods:
            self.fields[cell_name(VALUE, period)] = _cell(f"Value for {label}")
            if with_denominator:
                self.fields[cell_name(DENOMINATOR, period)] = _cell(f"Denominator for {label}")

    def entries(self) -> list[PointEntry]:
        """The rows that were on the page submitted and that the person changed there.

        Each cell carries the value it showed when the page was loaded; a row whose cells still
        hold what was loaded changes nothing, so a page loaded before someone else saved leaves
        their points alone. A row missing from the page changes nothing either.
        """
        data = self.cleaned_data
        entries = []
        for period, _ in self.periods:
            value_name = cell_name(VALUE, period)
            if value_name not in self.data:
                continue
            names = [value_name, cell_name(DENOMINATOR, period)]
            cells = [self[name] for name in names if name in self.fields]
            if not any(isinstance(c, GridCell) and c.changed_since_loaded for c in cells):
                continue
            entries.append(
                PointEntry(
                    period=period,
                    value=data.get(value_name, ""),
                    denominator=data.get(cell_name(DENOMINATOR, period), ""),
                )
            )
        return entries


class GridCell(BoundField):
    """A cell of the grid, which also knows the value it showed when the page was loaded."""

    @property
    def loaded_name(self) -> str:
        return f"{self.html_name}{LOADED_SUFFIX}"

    @property
    def loaded(self) -> str:
        """What the cell showed when the page was first loaded, kept when it is shown again."""
        if self.form.is_bound and self.loaded_name in self.form.data:
            return str(self.form.data[self.loaded_name])
        return str(self.initial or "")

    @property
    def changed_since_loaded(self) -> bool:
        # A page without the loaded values (a script posting cells) means every cell it sends.
        if self.loaded_name not in self.form.data:
            return True
        return str(self.form.data.get(self.html_name, "")).strip() != self.loaded.strip()


LOADED_SUFFIX = "_loaded"


class GridCellField(forms.CharField):
    def get_bound_field(self, form: forms.BaseForm, field_name: str) -> GridCell:
        return GridCell(form, self, field_name)


def _cell(label: str) -> forms.CharField:
    return GridCellField(
        label=label,
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false"}),
    )


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label="Upload a file",
        help_text=(
            f"A CSV file (UTF-8) or an Excel workbook (.xlsx), up to "
            f"{MAX_IMPORT_BYTES // (1024 * 1024)} MB, with a header row naming its columns."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx"}),
    )
    measure = forms.ModelChoiceField(
        queryset=Measure.objects.none(),
        required=False,
        label="Measure",
        empty_label="The file names the measure of each row",
        help_text="The measure the file holds; leave it for a file with a measure column.",
    )

    def __init__(self, *args: Any, measures: QuerySet[Measure], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        measure_field = self.fields["measure"]
        assert isinstance(measure_field, forms.ModelChoiceField)
        measure_field.queryset = measures


class ImportMappingForm(forms.Form):
    """A select per column of the file: what the column holds."""

    def __init__(
        self, *args: Any, header: Sequence[str], mapping: dict[str, int], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.header = list(header)
        by_column = {position: name for name, position in mapping.items()}
        choices = [("", "Not imported"), *((f, FIELD_LABELS[f]) for f in FIELDS)]
        for position, name in enumerate(self.header):
            self.fields[f"column_{position}"] = forms.ChoiceField(
                label=f"Column '{name}'",
                choices=choices,
                required=False,
                initial=by_column.get(position, ""),
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        taken: dict[str, str] = {}
        for position in range(len(self.header)):
            name = f"column_{position}"
            field = cleaned.get(name, "")
            if not field:
                continue
            if field in taken:
                self.add_error(
                    name,
                    f"Column '{self.header[position]}': only one column can hold the "
                    f"{FIELD_LABELS[field].lower()}",
                )
            taken[field] = name
        return cleaned

    def mapping(self) -> dict[str, int]:
        return {
            self.cleaned_data[f"column_{position}"]: position
            for position in range(len(self.header))
            if self.cleaned_data.get(f"column_{position}")
        }
