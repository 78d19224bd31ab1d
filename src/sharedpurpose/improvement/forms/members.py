"""Forms for inviting and placing team members, and for sharing a workspace."""

from __future__ import annotations

from typing import Any

from django import forms

from ..models import CorporateService, Side, Team, TeamMembership

_SERVICE_CHOICES = [("", "Not corporate"), *CorporateService.choices]


class MemberPlacementForm(forms.Form):
    """A team role, and where on the corporate or clinical side the person works."""

    role = forms.ChoiceField(label="Team role", choices=TeamMembership.Role.choices)
    side = forms.ChoiceField(label="Side", choices=Side.choices)
    corporate_service = forms.ChoiceField(
        label="Corporate service",
        choices=_SERVICE_CHOICES,
        required=False,
        help_text="For people on the corporate side.",
    )
    clinical_area = forms.CharField(
        label="Clinical service, specialty or ward",
        max_length=200,
        required=False,
        help_text="For people on the clinical side, for example 'Ward 7' or 'Diabetes'.",
    )


class InviteForm(MemberPlacementForm):
    email = forms.EmailField(
        label="E-mail address",
        help_text="They accept by signing in with this address.",
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    field_order = ["email", "role", "side", "corporate_service", "clinical_area"]


class MemberRemoveForm(forms.Form):
    """Nothing to fill in: the confirmation is the POST itself."""


class ShareForm(forms.Form):
    SHARE = "share"
    UNSHARE = "unshare"

    action = forms.ChoiceField(choices=[(SHARE, "Share"), (UNSHARE, "Stop sharing")])
    team = forms.ModelChoiceField(queryset=Team.objects.none(), label="Team")

    def __init__(self, *args: Any, team: Team, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only teams of the same programme are offered; the service checks it again.
        field = self.fields["team"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Team.objects.filter(round__programme=team.round.programme).exclude(
            pk=team.pk
        )
