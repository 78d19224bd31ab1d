"""Forms staff use to build a round's application form and its assessment criteria. They
parse what was typed; ``services.builder`` checks the rules."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms

from ..answers import DEFAULT_MAX_FILE_MB
from ..models import ApplicationForm, Criterion, FileType, FormSection, Question, QuestionKind
from ..services.builder import CriterionValues, QuestionValues, round_label

#: The fields each kind of question asks for, besides label, help text and required.
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    QuestionKind.SHORT_TEXT: (),
    QuestionKind.LONG_TEXT: ("word_limit",),
    QuestionKind.SINGLE_CHOICE: (
        "choices",
        "is_eligibility",
        "eligible_choices",
        "ineligible_reason",
    ),
    QuestionKind.MULTIPLE_CHOICE: ("choices",),
    QuestionKind.NUMBER: ("min_value", "max_value"),
    QuestionKind.DATE: (),
    QuestionKind.FILE: ("allowed_file_types", "max_file_mb"),
}
_KIND_SPECIFIC = frozenset(name for names in KIND_FIELDS.values() for name in names)


def _whole_number(label: str, example: int) -> dict[str, str]:
    return {"invalid": f"{label} must be a whole number, for example {example}"}


class FormSettingsForm(forms.Form):
    introduction = forms.CharField(
        label="Introduction (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Shown to applicants before the form. Markdown: **bold**, *italic*, lists "
        "and links",
    )
    requires_corporate_lead = forms.BooleanField(
        label="The partnership must name a corporate-services lead", required=False
    )
    requires_clinical_lead = forms.BooleanField(
        label="The partnership must name a clinical lead", required=False
    )
    min_partner_organisations = forms.IntegerField(
        label="Minimum number of partner organisations",
        help_text="Besides the lead organisation",
        error_messages={
            "required": "Enter the minimum number of partner organisations, for example 1",
            **_whole_number("Minimum number of partner organisations", 1),
        },
    )

    @staticmethod
    def initial_from(form: ApplicationForm) -> dict[str, Any]:
        return {
            "introduction": form.introduction,
            "requires_corporate_lead": form.requires_corporate_lead,
            "requires_clinical_lead": form.requires_clinical_lead,
            "min_partner_organisations": form.min_partner_organisations,
        }


class RoundChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return round_label(obj)


class CopyFromRoundForm(forms.Form):
    """Choose the round to copy a form or criteria from, among ``sources``."""

    source_round = RoundChoiceField(
        label="Round to copy from",
        queryset=None,
        empty_label=None,
        error_messages={
            "required": "Choose the round to copy from",
            "invalid_choice": "Choose one of the rounds listed",
        },
    )

    def __init__(self, *args: Any, sources: Sequence[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from sharedpurpose.programmes.models import Round

        field = self.fields["source_round"]
        assert isinstance(field, RoundChoiceField)
        field.queryset = (
            Round.objects.filter(pk__in=[source.pk for source in sources])
            .select_related("programme")
            .order_by("programme__name", "-number")
        )


class SectionForm(forms.Form):
    title = forms.CharField(
        label="Section title", max_length=200, error_messages={"required": "Enter the title"}
    )
    description = forms.CharField(
        label="Description (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Shown to applicants above the section's questions. Markdown",
    )

    @staticmethod
    def initial_from(section: FormSection) -> dict[str, Any]:
        return {"title": section.title, "description": section.description}


class QuestionKindForm(forms.Form):
    kind = forms.ChoiceField(
        label="What kind of question is it?",
        choices=QuestionKind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the kind of question",
            "invalid_choice": "Choose one of the kinds of question listed",
        },
    )


class QuestionForm(forms.Form):
    """The fields of one kind of question; the others are left out."""

    label = forms.CharField(
        label="Question", max_length=300, error_messages={"required": "Enter the question"}
    )
    help_text = forms.CharField(
        label="Help text (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Shown under the question to explain what a good answer covers",
    )
    required = forms.BooleanField(
        label="Applicants must answer this question", required=False, initial=True
    )
    word_limit = forms.IntegerField(
        label="Word limit",
        error_messages={
            "required": "Enter the word limit, for example 500",
            **_whole_number("Word limit", 500),
        },
    )
    choices = forms.CharField(
        label="Choices",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="One choice per line, at least two",
        error_messages={"required": "Enter at least two choices, one per line"},
    )
    min_value = forms.DecimalField(
        label="Smallest number allowed (optional)",
        required=False,
        max_digits=14,
        decimal_places=2,
        error_messages={"invalid": "Enter a number, for example 0"},
    )
    max_value = forms.DecimalField(
        label="Largest number allowed (optional)",
        required=False,
        max_digits=14,
        decimal_places=2,
        error_messages={"invalid": "Enter a number, for example 100000"},
    )
    allowed_file_types = forms.MultipleChoiceField(
        label="File types applicants may upload",
        choices=FileType.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Choose at least one file type applicants may upload",
            "invalid_choice": "Choose file types from the list",
        },
    )
    max_file_mb = forms.IntegerField(
        label="Largest file size in MB",
        initial=DEFAULT_MAX_FILE_MB,
        help_text="From 1 to 25",
        error_messages={
            "required": f"Enter the largest file size, for example {DEFAULT_MAX_FILE_MB}",
            **_whole_number("Largest file size", DEFAULT_MAX_FILE_MB),
        },
    )
    is_eligibility = forms.BooleanField(
        label="Ask this before the application starts, as an eligibility question",
        required=False,
        help_text="Applicants who give another answer than an eligible one are stopped and "
        "shown the reason",
    )
    eligible_choices = forms.CharField(
        label="Eligible choices",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One per line, written exactly as in the choices above",
    )
    ineligible_reason = forms.CharField(
        label="Reason shown to ineligible applicants",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = QuestionKind(kind)
        for name in _KIND_SPECIFIC - set(KIND_FIELDS[self.kind]):
            del self.fields[name]

    @staticmethod
    def initial_from(question: Question) -> dict[str, Any]:
        return {
            "label": question.label,
            "help_text": question.help_text,
            "required": question.required,
            "word_limit": question.word_limit,
            "choices": "\n".join(question.choices or []),
            "min_value": question.min_value,
            "max_value": question.max_value,
            "allowed_file_types": list(question.allowed_file_types or []),
            "max_file_mb": question.max_file_mb or DEFAULT_MAX_FILE_MB,
            "is_eligibility": question.is_eligibility,
            "eligible_choices": "\n".join(question.eligible_choices or []),
            "ineligible_reason": question.ineligible_reason,
        }

    def values(self) -> QuestionValues:
        data = self.cleaned_data
        return QuestionValues(
            kind=self.kind.value,
            label=data["label"],
            help_text=data["help_text"],
            required=data["required"],
            word_limit=data.get("word_limit"),
            choices=data.get("choices", "").splitlines(),
            min_value=data.get("min_value"),
            max_value=data.get("max_value"),
            allowed_file_types=list(data.get("allowed_file_types", [])),
            max_file_mb=data.get("max_file_mb"),
            is_eligibility=data.get("is_eligibility", False),
            eligible_choices=data.get("eligible_choices", "").splitlines(),
            ineligible_reason=data.get("ineligible_reason", ""),
        )


class QuestionMoveForm(forms.Form):
    """Move a question up or down, or to another section of the same form."""

    direction = forms.ChoiceField(
        choices=[("up", "Up"), ("down", "Down")], required=False, widget=forms.HiddenInput
    )
    to_section = forms.ModelChoiceField(
        label="Move to the section",
        queryset=FormSection.objects.none(),
        required=False,
        empty_label=None,
        error_messages={"invalid_choice": "Choose a section of this form"},
    )

    def __init__(self, *args: Any, question: Question, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["to_section"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = (
            FormSection.objects.filter(form_id=question.section.form_id)
            .exclude(pk=question.section_id)
            .order_by("position", "pk")
        )


class MoveForm(forms.Form):
    direction = forms.ChoiceField(
        choices=[("up", "Up"), ("down", "Down")],
        error_messages={"required": "Choose to move up or down"},
    )


class CriterionForm(forms.Form):
    name = forms.CharField(
        label="Name", max_length=200, error_messages={"required": "Enter the criterion's name"}
    )
    guidance = forms.CharField(
        label="Guidance for assessors (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="What each score means. Markdown: **bold**, *italic* and lists",
    )
    weight = forms.IntegerField(
        label="Weight",
        initial=1,
        help_text="A whole number from 1 to 100; a criterion weighted 2 counts twice as much "
        "as one weighted 1",
        error_messages={
            "required": "Enter the weight, for example 1",
            **_whole_number("Weight", 1),
        },
    )
    scale_min = forms.IntegerField(
        label="Lowest score",
        initial=0,
        error_messages={
            "required": "Enter the lowest score, for example 0",
            **_whole_number("Lowest score", 0),
        },
    )
    scale_max = forms.IntegerField(
        label="Highest score",
        initial=5,
        help_text="10 at most",
        error_messages={
            "required": "Enter the highest score, for example 5",
            **_whole_number("Highest score", 5),
        },
    )

    @staticmethod
    def initial_from(criterion: Criterion) -> dict[str, Any]:
        return {
            "name": criterion.name,
            "guidance": criterion.guidance,
            "weight": criterion.weight,
            "scale_min": criterion.scale_min,
            "scale_max": criterion.scale_max,
        }

    def values(self) -> CriterionValues:
        data = self.cleaned_data
        return CriterionValues(
            name=data["name"],
            guidance=data["guidance"],
            weight=data["weight"],
            scale_min=data["scale_min"],
            scale_max=data["scale_max"],
        )
