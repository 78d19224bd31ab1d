"""Forms for decisions, letters and awards. They parse what staff type; the services in
``services.decisions`` and ``services.awards`` decide what is allowed."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from ..models import Decision
from ..services.awards import AwardTerms
from ..services.decisions import FEEDBACK_MAX_CHARS


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _date_field(label: str, help_text: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        widget=DateInput(),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        help_text=help_text,
        error_messages={
            "required": f"Enter the {label.lower()}.",
            "invalid": f"The {label.lower()} must be a real date, like 01/04/2027.",
        },
    )


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Decision",
        choices=Decision.Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose award, reject or waitlist."},
    )
    feedback = forms.CharField(
        label="Feedback to the applicants",
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=FEEDBACK_MAX_CHARS,
        strip=True,
        help_text="Plain text, sent in the decision letter to every member of the partnership.",
        error_messages={"required": "Enter the feedback the applicants will read in their letter."},
    )
    moderation_note = forms.CharField(
        label="Moderation note (optional)",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=FEEDBACK_MAX_CHARS,
        required=False,
        strip=True,
        help_text="For staff only: how the panel reached the decision. Applicants never see it.",
    )

    @staticmethod
    def initial_from(decision: Decision) -> dict[str, str]:
        return {
            "outcome": decision.outcome,
            "feedback": decision.feedback,
            "moderation_note": decision.moderation_note,
        }


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label="Why reconsider this application?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=FEEDBACK_MAX_CHARS,
        help_text="Kept in the application's history, for staff.",
        error_messages={"required": "Say why the application is being reconsidered."},
    )


class LettersSendForm(forms.Form):
    """Nothing to fill in: the POST itself asks for the letters to be sent."""


class PublishForm(forms.Form):
    CONFIRM = "confirm"
    PUBLISH = "publish"

    step = forms.ChoiceField(choices=[(CONFIRM, "Confirm"), (PUBLISH, "Publish")])


class AwardForm(forms.Form):
    amount = forms.DecimalField(
        label="Amount (£)",
        max_digits=12,
        decimal_places=2,
        help_text="In pounds, for example 125000 or 125000.50.",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false"}),
        error_messages={
            "required": "Enter the amount of the award.",
            "invalid": "Enter the amount as a number, like 125000 or 125000.50.",
            "max_digits": "Enter an amount of at most £9,999,999,999.99.",
            "max_decimal_places": "Enter the amount in pounds and pence, like 125000.50.",
            "max_whole_digits": "Enter an amount of at most £9,999,999,999.99.",
        },
    )
    starts_on = _date_field("Start date", "The first day of funding, for example 01/04/2027.")
    ends_on = _date_field("End date", "The last day of funding, for example 31/03/2029.")
    conditions = forms.CharField(
        label="Conditions (optional)",
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text="Any conditions of the award, sent to the team with its details.",
    )
    team_name = forms.CharField(label="Team name", max_length=200)
    team_slug = forms.CharField(
        label="Team web address",
        max_length=50,
        help_text="Lower-case letters, numbers and hyphens; the team's page will be at "
        "/teams/<address>/.",
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocapitalize": "none"}),
    )
    innovation = forms.CharField(
        label="Main innovation",
        max_length=200,
        help_text="Shown on the round's public page, for example 'Value-based recruitment'.",
        error_messages={"required": "Enter the team's main innovation."},
    )
    summary = forms.CharField(
        label="Summary",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Shown on the team's public page once the awards are published.",
    )

    def terms(self) -> AwardTerms:
        data = self.cleaned_data
        amount: Decimal = data["amount"]
        return AwardTerms(
            amount=amount,
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            conditions=data["conditions"],
            team_name=data["team_name"],
            team_slug=data["team_slug"],
            innovation=data["innovation"],
            summary=data["summary"],
        )
