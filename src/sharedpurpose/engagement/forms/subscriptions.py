"""Forms of "stay informed": sign-up and preferences."""

from __future__ import annotations

from typing import Any

from django import forms

from sharedpurpose.core.forms import ModelMultipleChoiceField
from sharedpurpose.programmes.models import Programme

INTEREST_ALL = "all"
INTEREST_CHOSEN = "chosen"


class InterestsForm(forms.Form):
    interests = forms.ChoiceField(
        label="Which programmes do you want to hear about?",
        choices=[(INTEREST_ALL, "All programmes"), (INTEREST_CHOSEN, "Only the ones I choose")],
        initial=INTEREST_ALL,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose all programmes or the ones you want"},
    )
    programmes = ModelMultipleChoiceField(
        label="Programmes",
        queryset=Programme.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose programmes from the list"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        programmes = self.fields["programmes"]
        assert isinstance(programmes, forms.ModelMultipleChoiceField)
        programmes.queryset = Programme.objects.filter(is_published=True).order_by("name")

    @property
    def all_programmes(self) -> bool:
        return bool(self.cleaned_data.get("interests") != INTEREST_CHOSEN)

    @property
    def programme_ids(self) -> list[int]:
        if self.all_programmes:
            return []
        return [programme.pk for programme in self.cleaned_data.get("programmes") or []]


class SubscribeForm(InterestsForm):
    email = forms.EmailField(
        label="E-mail address",
        max_length=254,
        error_messages={
            "required": "Enter your e-mail address",
            "invalid": "Enter an e-mail address in the correct format, like name@example.com",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    name = forms.CharField(
        label="Name (optional)",
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"max_length": "Name must be 100 characters or fewer"},
    )
    consent = forms.BooleanField(
        label="I agree",
        error_messages={"required": "Tick the box to say you agree, or we cannot e-mail you"},
    )
    # Left empty by people; bots that fill every field are ignored quietly.
    website = forms.CharField(required=False, label="Leave this empty")

    field_order = ["email", "name", "interests", "programmes", "consent", "website"]


class PreferencesForm(InterestsForm):
    name = forms.CharField(
        label="Name (optional)",
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"max_length": "Name must be 100 characters or fewer"},
    )
    subscribed = forms.BooleanField(
        label="E-mail me news about these programmes",
        required=False,
    )

    field_order = ["name", "interests", "programmes", "subscribed"]
