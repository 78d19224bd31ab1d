"""The form that creates a personal API token. It parses input; ``tokens.token_create``
decides the rules (a name, a scope, a future expiry within a year, teams the user can open)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils import timezone

from sharedpurpose.improvement.access import teams_visible_to
from sharedpurpose.improvement.models import Team

from .models import ApiToken

if TYPE_CHECKING:
    from sharedpurpose.accounts.models import User

#: The expiry offered when the form opens; people may choose up to a year.
DEFAULT_LIFETIME = timedelta(days=90)
#: The value of the "All my teams" box among the team boxes.
ALL_TEAMS = "all"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def expiry_moment(day: date) -> datetime:
    """A token chosen to expire on ``day`` works until the end of that day, site time."""
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))


class TokenCreateForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=100,
        help_text="What the token is for, so you recognise it later, e.g. 'Warehouse pipeline'.",
        error_messages={"required": "Enter what the token is for, e.g. 'Warehouse pipeline'."},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    scope = forms.ChoiceField(
        label="What it may do",
        choices=ApiToken.Scope.choices,
        initial=ApiToken.Scope.READ,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose read only, or read and write."},
    )
    teams = forms.MultipleChoiceField(
        label="Teams it may reach",
        help_text="The token reaches only these teams, and only what you may do in them.",
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Choose the teams this token may reach, or all your teams.",
            "invalid_choice": "Choose only teams you can open.",
        },
    )
    expires_at = forms.DateField(
        label="Expires on",
        help_text="At most a year from today. The token stops working at the end of this day.",
        widget=DateInput(),
        error_messages={
            "required": "Enter the date the token expires.",
            "invalid": "Enter a real date, like 31/03/2026.",
        },
    )

    #: Descriptions shown under each scope's radio.
    SCOPE_HINTS = {
        ApiToken.Scope.READ: "Read teams, measures, data points and SPC results.",
        ApiToken.Scope.READ_WRITE: "Also push data points, where your team role allows it.",
    }

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user_teams: dict[str, Team] = {
            str(team.pk): team for team in teams_visible_to(user).order_by("name")
        }
        teams = self.fields["teams"]
        assert isinstance(teams, forms.MultipleChoiceField)
        teams.choices = [
            *((key, team.name) for key, team in self.user_teams.items()),
            (ALL_TEAMS, "All my teams"),
        ]
        if not self.is_bound:
            self.initial.setdefault("expires_at", timezone.localdate() + DEFAULT_LIFETIME)
            self.initial.setdefault("scope", ApiToken.Scope.READ)

    def clean_teams(self) -> list[str]:
        chosen: list[str] = self.cleaned_data["teams"]
        if ALL_TEAMS in chosen and len(chosen) > 1:
            raise forms.ValidationError("Choose teams, or all your teams, but not both.")
        return chosen

    @property
    def scope_options(self) -> list[tuple[Any, str]]:
        """Each scope's radio with the hint drawn under it."""
        return [(radio, self.SCOPE_HINTS.get(radio.data["value"], "")) for radio in self["scope"]]

    def token_arguments(self) -> dict[str, Any]:
        """Keyword arguments for ``token_create`` from valid input."""
        chosen: list[str] = self.cleaned_data["teams"]
        return {
            "name": self.cleaned_data["name"],
            "scope": self.cleaned_data["scope"],
            "expires_at": expiry_moment(self.cleaned_data["expires_at"]),
            "all_teams": ALL_TEAMS in chosen,
            "teams": [self.user_teams[key] for key in chosen if key in self.user_teams],
        }


class TokenRevokeForm(forms.Form):
    """Nothing to fill in: the confirmation is the POST itself."""
