"""Forms of the charts area: the dashboard filter, rebases and PDSA cycles."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms

from sharedpurpose.core.forms import ModelMultipleChoiceField

from ..models import DriverNode, Goal, Measure, PdsaCycle, Side, Team
from ..services.pdsa import PdsaValues

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DashboardFilterForm(forms.Form):
    goal = forms.ModelChoiceField(
        queryset=Goal.objects.none(), required=False, empty_label="All goals", label="Goal"
    )
    side = forms.ChoiceField(
        choices=[("", "Both sides"), *Side.choices], required=False, label="Side"
    )

    def __init__(self, *args: Any, team: Team, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        goal_field = self.fields["goal"]
        assert isinstance(goal_field, forms.ModelChoiceField)
        goal_field.queryset = team.goals.order_by("title")
        goal_field.error_messages["invalid_choice"] = "Choose one of this team's goals"
        self.fields["side"].error_messages["invalid_choice"] = "Choose corporate or clinical"


class RebaseForm(forms.Form):
    period = forms.TypedChoiceField(
        label="First period of the new limits",
        coerce=date.fromisoformat,
        error_messages={
            "required": "Choose the first period of the new limits",
            "invalid_choice": "Choose a period that has data",
        },
    )
    reason = forms.CharField(
        label="Why did the process change?",
        help_text="For example, a new triage model started. Shown on the chart.",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=500,
        error_messages={"required": "Enter why the process changed at this point"},
    )

    def __init__(self, *args: Any, periods: list[date], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["period"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", "Choose a period")] + [
            (p.isoformat(), f"{p:%-d %B %Y}") for p in periods[1:]
        ]


class PdsaForm(forms.Form):
    title = forms.CharField(
        max_length=200, error_messages={"required": "Enter a title for the cycle"}
    )
    previous = forms.ModelChoiceField(
        queryset=PdsaCycle.objects.none(),
        required=False,
        label="Builds on the cycle",
        help_text="Cycles that build on each other form a ramp.",
        empty_label="None: this cycle starts a ramp",
    )
    plan_question = forms.CharField(
        label="Plan: what question will this cycle answer?",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter the question this cycle will answer"},
    )
    plan_prediction = forms.CharField(
        label="Plan: what do you predict will happen?",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter what you predict will happen"},
    )
    plan_who = forms.CharField(label="Plan: who will carry it out?", max_length=300, required=False)
    plan_what = forms.CharField(
        label="Plan: what will they do?", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    plan_where = forms.CharField(label="Plan: where?", max_length=300, required=False)
    starts_on = forms.DateField(
        label="Starts on",
        required=False,
        widget=_DATE,
        help_text="The cycle is marked on the linked charts from this date.",
        error_messages={"invalid": "Enter the start date as a real date"},
    )
    ends_on = forms.DateField(
        label="Ends on",
        required=False,
        widget=_DATE,
        error_messages={"invalid": "Enter the end date as a real date"},
    )
    measures = ModelMultipleChoiceField(
        queryset=Measure.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Charts that show the result",
    )
    do_notes = forms.CharField(
        label="Do: what happened?", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    study_notes = forms.CharField(
        label="Study: the result against the prediction",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    act_decision = forms.ChoiceField(
        label="Act: what next?",
        choices=[("", "Not decided yet"), *PdsaCycle.Decision.choices],
        required=False,
        widget=forms.RadioSelect,
    )
    act_notes = forms.CharField(
        label="Act: notes", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(
        self,
        *args: Any,
        team: Team,
        change_idea: DriverNode,
        cycle: PdsaCycle | None = None,
        **kwargs: Any,
    ) -> None:
        if cycle is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                **{name: getattr(cycle, name) for name in self.base_fields if name != "measures"},
                "previous": cycle.previous_id,
                "measures": [m.pk for m in cycle.measures.all()],
            }
        super().__init__(*args, **kwargs)
        previous = self.fields["previous"]
        assert isinstance(previous, forms.ModelChoiceField)
        cycles = change_idea.cycles.order_by("starts_on", "pk")
        previous.queryset = cycles.exclude(pk=cycle.pk) if cycle is not None else cycles
        measures = self.fields["measures"]
        assert isinstance(measures, forms.ModelMultipleChoiceField)
        measures.queryset = team.measures.order_by("side", "name")

    def values(self) -> PdsaValues:
        data = dict(self.cleaned_data)
        data["measures"] = tuple(data.get("measures") or ())
        return PdsaValues(**data)
