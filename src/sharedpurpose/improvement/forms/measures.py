"""Forms for defining measures and adopting them from the library."""

from __future__ import annotations

from typing import Any

from django import forms

from sharedpurpose.accounts.models import User

from ..library import TEMPLATES
from ..models import ChartType, DriverNode, Goal, Measure, MeasureKind, Side, Team


class _TeamUserChoiceField(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        return obj.get_full_name()


class _NodeChoiceField(forms.ModelChoiceField[DriverNode]):
    def label_from_instance(self, obj: DriverNode) -> str:
        return f"{obj.goal.title}: {obj.get_kind_display()} – {obj.text}"


def _team_members(team: Team) -> Any:
    return User.objects.filter(team_memberships__team=team).order_by("full_name", "email")


class MeasureForm(forms.Form):
    name = forms.CharField(label="Name", max_length=200)
    goal = forms.ModelChoiceField(queryset=Goal.objects.none(), label="Goal", empty_label=None)
    definition = forms.CharField(
        label="Operational definition",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=(
            "What is counted and how: inclusions, exclusions, the source, and for p and u "
            "charts what the denominator (n) is."
        ),
    )
    unit = forms.CharField(
        label="Unit",
        max_length=50,
        required=False,
        help_text="For example days, %, £k or 'per 1,000 bed days'.",
    )
    frequency = forms.ChoiceField(label="Frequency", choices=Measure.Frequency.choices)
    improvement_direction = forms.ChoiceField(
        label="Improvement direction", choices=Measure.Direction.choices
    )
    target = forms.FloatField(
        label="Target (optional)",
        required=False,
        help_text="For a percentage, enter a proportion: 0.95 for 95%.",
    )
    chart_type = forms.ChoiceField(label="Chart type", choices=ChartType.choices)
    kind = forms.ChoiceField(label="Kind of measure", choices=MeasureKind.choices)
    side = forms.ChoiceField(label="Side", choices=Side.choices)
    driver_node = _NodeChoiceField(
        queryset=DriverNode.objects.none(),
        label="Driver or change idea (optional)",
        required=False,
        empty_label="None",
        help_text="Must belong to the same goal's driver diagram.",
    )
    data_owner = _TeamUserChoiceField(
        queryset=User.objects.none(),
        label="Data owner",
        required=False,
        empty_label="No one yet",
        help_text="The team member who supplies the data.",
    )
    source_note = forms.CharField(
        label="Source of the data (optional)",
        max_length=300,
        required=False,
        help_text="Where the data come from, with any licence.",
    )

    def __init__(self, *args: Any, team: Team, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._set_queryset("goal", team.goals.order_by("created_at"))
        self._set_queryset(
            "driver_node",
            DriverNode.objects.filter(goal__team=team)
            .select_related("goal")
            .order_by("goal__created_at", "position", "pk"),
        )
        self._set_queryset("data_owner", _team_members(team))

    def _set_queryset(self, name: str, queryset: Any) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = queryset

    def clean_name(self) -> str:
        return str(self.cleaned_data["name"]).strip()


class AdoptForm(forms.Form):
    template = forms.ChoiceField(choices=[(key, t.name) for key, t in TEMPLATES.items()])
    goal = forms.ModelChoiceField(
        queryset=Goal.objects.none(), label="Add to goal", empty_label=None
    )
    side = forms.ChoiceField(label="Side", choices=Side.choices)

    def __init__(self, *args: Any, team: Team, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["goal"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = team.goals.order_by("created_at")


class MeasureDeleteForm(forms.Form):
    confirm = forms.BooleanField(
        label="Yes, delete this measure and all its data points",
        required=False,
    )
