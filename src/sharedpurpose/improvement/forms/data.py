"""Forms of the data pages: the grid of points, an import upload and its column mapping."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django import forms
from django.db.models import QuerySet

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
        """The rows that were on the page submitted; a row missing from it changes nothing."""
        data = self.cleaned_data
        return [
            PointEntry(
                period=period,
                value=data.get(cell_name(VALUE, period), ""),
                denominator=data.get(cell_name(DENOMINATOR, period), ""),
            )
            for period, _ in self.periods
            if cell_name(VALUE, period) in self.data
        ]


def _cell(label: str) -> forms.CharField:
    return forms.CharField(
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
