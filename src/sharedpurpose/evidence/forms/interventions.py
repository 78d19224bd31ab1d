"""Forms for the intervention catalogue and for linking change ideas to interventions.

They parse what was typed; ``services.interventions`` checks the rules (unique names, sites).
"""

from __future__ import annotations

from typing import Any

from django import forms

from sharedpurpose.improvement.models import CorporateService

from ..models import Intervention


class ClinicalAreasField(forms.Field):
    """Clinical areas typed one per line, cleaned to a list."""

    widget = forms.Textarea(attrs={"rows": 4})

    def to_python(self, value: Any) -> list[str]:
        text = "" if value in self.empty_values else str(value)
        return [line.strip() for line in text.splitlines() if line.strip()]

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return "\n".join(str(item) for item in value)
        return value


class InterventionForm(forms.Form):
    """The fields a team fills in to add an intervention to the catalogue."""

    name = forms.CharField(
        label="Name",
        max_length=200,
        help_text="For example, value-based interviewing",
        error_messages={"required": "Enter the intervention's name"},
    )
    summary = forms.CharField(
        label="Summary",
        max_length=300,
        help_text="One sentence that says what the intervention is",
        error_messages={"required": "Enter a one-sentence summary"},
    )
    description = forms.CharField(
        label="Description",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="What it involves and how to start. You can use Markdown.",
    )
    corporate_services = forms.MultipleChoiceField(
        label="Corporate services involved",
        required=False,
        choices=CorporateService.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose corporate services from the list"},
    )
    clinical_areas = ClinicalAreasField(
        label="Clinical areas involved",
        required=False,
        help_text="One per line, for example Emergency department",
    )


class StaffInterventionForm(InterventionForm):
    """Staff also choose the web address."""

    slug = forms.SlugField(
        label="Web address",
        max_length=50,
        required=False,
        help_text="Lower-case letters, numbers and hyphens; left empty, it is made from the name",
        error_messages={
            "invalid": "Use only lower-case letters, numbers and hyphens in the web address"
        },
    )

    field_order = ["name", "slug", "summary", "description", "corporate_services"]

    @classmethod
    def initial_from(cls, intervention: Intervention) -> dict[str, Any]:
        return {
            "name": intervention.name,
            "slug": intervention.slug,
            "summary": intervention.summary,
            "description": intervention.description,
            "corporate_services": list(intervention.corporate_services),
            "clinical_areas": list(intervention.clinical_areas),
        }


NO_INTERVENTION = ""


class InterventionUseForm(forms.Form):
    """Which intervention a change idea uses, and where."""

    intervention = forms.ChoiceField(
        label="Intervention",
        required=False,
        error_messages={"invalid_choice": "Choose an intervention from the list, or none"},
    )
    site = forms.CharField(
        label="Site",
        required=False,
        max_length=200,
        help_text="Where the team uses it, for example Wards 7 to 10, Riverside",
        error_messages={"max_length": "The site must be 200 characters or fewer"},
    )

    def __init__(self, *args: Any, interventions: list[Intervention], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.interventions = {str(i.pk): i for i in interventions}
        field = self.fields["intervention"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(NO_INTERVENTION, "None")] + [(str(i.pk), i.name) for i in interventions]

    def chosen(self) -> Intervention | None:
        value = self.cleaned_data.get("intervention") or NO_INTERVENTION
        return self.interventions.get(value)
