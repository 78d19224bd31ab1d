"""Forms for starting an application, its partnership, submitting and withdrawing."""

from __future__ import annotations

from typing import Any

from django import forms

from sharedpurpose.improvement.models import CorporateService, Side

from ..models import ApplicationMember, Question
from ..services.applications import TITLE_MAX_LENGTH, eligibility_field_name

_SERVICE_CHOICES = [("", "Choose a service"), *CorporateService.choices]
_SIDE_CHOICES = [("", "Choose a side"), *Side.choices]


class ApplyStartForm(forms.Form):
    """The round's eligibility questions, as radios, and the project's title."""

    title = forms.CharField(
        label="Project title",
        max_length=TITLE_MAX_LENGTH,
        help_text="A short name for what your partnership will do.",
        error_messages={"required": "Enter the title of your project."},
    )

    def __init__(self, *args: Any, questions: list[Question], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        fields: dict[str, forms.Field] = {}
        for question in questions:
            fields[eligibility_field_name(question)] = forms.ChoiceField(
                label=question.label,
                help_text=question.help_text,
                choices=[(choice, choice) for choice in question.choices],
                widget=forms.RadioSelect,
                error_messages={"required": f"Answer “{question.label}”."},
            )
        # Eligibility first: an ineligible applicant need not think of a title.
        self.fields = {**fields, "title": self.fields["title"]}

    def eligibility_fields(self) -> list[forms.BoundField]:
        return [self[eligibility_field_name(question)] for question in self.questions]

    def eligibility_answers(self) -> dict[int, str]:
        return {
            question.pk: self.cleaned_data.get(eligibility_field_name(question), "")
            for question in self.questions
        }


class VersionForm(forms.Form):
    """Every partnership change posts the version of the application it was based on."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class OrganisationForm(VersionForm):
    name = forms.CharField(label="Organisation name", max_length=200)
    kind = forms.CharField(
        label="Type of organisation (optional)",
        max_length=100,
        required=False,
        help_text="For example acute trust, integrated care board or local authority.",
    )


class PlacementForm(VersionForm):
    """The side someone works on, and their corporate service or clinical area."""

    side = forms.ChoiceField(label="Side", choices=_SIDE_CHOICES)
    corporate_service = forms.ChoiceField(
        label="Corporate service",
        choices=_SERVICE_CHOICES,
        required=False,
        help_text="For people in corporate support services.",
    )
    clinical_area = forms.CharField(
        label="Clinical service, specialty or ward",
        max_length=200,
        required=False,
        help_text="For people in clinical services, for example 'Emergency department'.",
    )


class InviteForm(PlacementForm):
    email = forms.EmailField(
        label="E-mail address",
        help_text="They accept by signing in with this address.",
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    leads_side = forms.BooleanField(
        label="They will lead for their side",
        required=False,
        help_text="The partnership's corporate-services lead or clinical lead, "
        "if nobody leads that side when they accept.",
    )

    field_order = ["version", "email", "side", "corporate_service", "clinical_area", "leads_side"]


class LeadsForm(VersionForm):
    """One lead per side, each chosen among the members working on that side."""

    corporate_lead = forms.TypedChoiceField(
        label="Corporate-services lead", coerce=int, required=False, empty_value=None
    )
    clinical_lead = forms.TypedChoiceField(
        label="Clinical lead", coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args: Any, members: list[ApplicationMember], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.members = {member.pk: member for member in members}
        for name, side in (("corporate_lead", Side.CORPORATE), ("clinical_lead", Side.CLINICAL)):
            field = self.fields[name]
            assert isinstance(field, forms.TypedChoiceField)
            field.choices = [
                (str(m.pk), m.user.get_full_name()) for m in members if m.side == side
            ] + [("", "Nobody yet")]
            field.widget = forms.RadioSelect(choices=field.choices)

    def chosen(self, name: str) -> ApplicationMember | None:
        pk = self.cleaned_data.get(name)
        return self.members.get(pk) if pk is not None else None


class SubmitForm(forms.Form):
    confirm = forms.BooleanField(
        label="I confirm that the information in this application is correct and that "
        "every partner organisation has agreed to it being submitted.",
        error_messages={"required": "Confirm the application is correct and agreed."},
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label="Why are you withdrawing? (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Programme staff and your collaborators will see this.",
    )
