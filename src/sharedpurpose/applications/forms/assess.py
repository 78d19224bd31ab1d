"""Forms for assessment: filtering staff's list, assigning assessors, declaring a conflict of
interest and scoring. The services check everything again; these parse what was typed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms

from sharedpurpose.accounts.models import User

from ..models import ApplicationState, Criterion
from ..services.assessment import assessors_available, comment_field, score_field

COMMENT_MAX_LENGTH = 5000


class StateFilterForm(forms.Form):
    """Staff's list of a round's applications, narrowed to one state (drafts are not listed)."""

    state = forms.ChoiceField(
        label="Show applications that are",
        required=False,
        choices=[
            ("", "Any state"),
            *((s.value, s.label) for s in ApplicationState if s != ApplicationState.DRAFT),
        ],
    )


class AssessorChoiceField(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.get_full_name()} ({obj.email})"


class AssignForm(forms.Form):
    assessor = AssessorChoiceField(
        label="Assessor",
        queryset=User.objects.none(),
        empty_label="Choose an assessor",
        help_text="People who hold the Assessor role. They are e-mailed and first declare "
        "any conflict of interest.",
        error_messages={
            "required": "Choose an assessor to assign.",
            "invalid_choice": "Choose an assessor from the list.",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assessor"]
        assert isinstance(field, AssessorChoiceField)
        field.queryset = assessors_available()


class UnassignForm(forms.Form):
    """Nothing to fill in: the confirmation is the POST itself."""


class ConflictForm(forms.Form):
    YES = "yes"
    NO = "no"

    conflicted = forms.ChoiceField(
        label="Do you have a conflict of interest?",
        choices=[(YES, "Yes, I have a conflict of interest"), (NO, "No, I have no conflict")],
        widget=forms.RadioSelect,
        error_messages={"required": "Answer whether you have a conflict of interest."},
    )
    reason = forms.CharField(
        label="If yes, describe the conflict",
        help_text="For example: you work for one of the organisations, or you are related to "
        "or work closely with one of the people named.",
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    @property
    def is_conflicted(self) -> bool:
        return bool(self.cleaned_data.get("conflicted") == self.YES)


class ScoresForm(forms.Form):
    """A score (radios across the criterion's scale) and a comment for every criterion.

    Saving a draft accepts missing scores; the service requires them all on submit.
    """

    SAVE = "save"
    SUBMIT = "submit"

    #: Which button was pressed; without one (e.g. Enter in a field) the scores are saved.
    action = forms.ChoiceField(
        choices=[(SAVE, "Save draft"), (SUBMIT, "Submit scores")], required=False
    )

    def __init__(self, *args: Any, criteria: Sequence[Criterion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for criterion in self.criteria:
            scale = f"from {criterion.scale_min} to {criterion.scale_max}"
            self.fields[score_field(criterion.pk)] = forms.TypedChoiceField(
                label=f"Score for {criterion.name}",
                choices=[
                    (value, str(value))
                    for value in range(criterion.scale_min, criterion.scale_max + 1)
                ],
                coerce=int,
                empty_value=None,
                required=False,
                widget=forms.RadioSelect,
                error_messages={
                    "invalid_choice": f"Choose a score {scale} for {criterion.name}.",
                },
            )
            self.fields[comment_field(criterion.pk)] = forms.CharField(
                label=f"Comment on {criterion.name}",
                required=False,
                max_length=COMMENT_MAX_LENGTH,
                widget=forms.Textarea(attrs={"rows": 4}),
                error_messages={
                    "max_length": f"Keep the comment on {criterion.name} under "
                    f"{COMMENT_MAX_LENGTH} characters."
                },
            )

    @staticmethod
    def initial_from(
        criteria: Sequence[Criterion], recorded: dict[int, tuple[int | None, str]]
    ) -> dict[str, Any]:
        initial: dict[str, Any] = {}
        for criterion in criteria:
            score, comment = recorded.get(criterion.pk, (None, ""))
            initial[score_field(criterion.pk)] = score
            initial[comment_field(criterion.pk)] = comment
        return initial

    @property
    def is_submit(self) -> bool:
        return bool(self.cleaned_data.get("action") == self.SUBMIT)

    def scores(self) -> dict[int, int | None]:
        return {c.pk: self.cleaned_data.get(score_field(c.pk)) for c in self.criteria}

    def comments(self) -> dict[int, str]:
        return {c.pk: self.cleaned_data.get(comment_field(c.pk)) or "" for c in self.criteria}

    def fields_of(self, criterion: Criterion) -> tuple[forms.BoundField, forms.BoundField]:
        return self[score_field(criterion.pk)], self[comment_field(criterion.pk)]
