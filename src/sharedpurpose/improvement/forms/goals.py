"""Forms for goals and driver diagram nodes. They parse input; the services validate the rules."""

from __future__ import annotations

from typing import Any

from django import forms

from sharedpurpose.accounts.models import User

from ..models import CorporateService, DriverNode, Goal, Side, Team

Kind = DriverNode.Kind


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class MemberChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.get_full_name())


class GoalForm(forms.Form):
    title = forms.CharField(
        label="Title", max_length=200, error_messages={"required": "Enter the goal's title"}
    )
    aim_what = forms.CharField(
        label="What will improve",
        max_length=300,
        help_text="For example, reduce falls on wards A to C",
        error_messages={"required": "Enter what will improve"},
    )
    aim_how_much = forms.CharField(
        label="How much",
        max_length=100,
        help_text="For example, by 30%",
        error_messages={"required": "Enter how much it will improve"},
    )
    aim_by_when = forms.DateField(
        label="By when",
        widget=DateInput(),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        help_text="For example, 31/03/2026",
        error_messages={
            "required": "Enter the date by when the aim will be met",
            "invalid": "By when must be a real date, for example 31/03/2026",
        },
    )
    corporate_owner = MemberChoiceField(
        label="Corporate owner",
        queryset=None,
        empty_label="Choose a member on the corporate side",
        help_text="A member of the team who works in a corporate support service",
        error_messages={"required": "Choose the corporate owner"},
    )
    clinical_owner = MemberChoiceField(
        label="Clinical owner",
        queryset=None,
        empty_label="Choose a member on the clinical side",
        help_text="A member of the team who works in a clinical service",
        error_messages={"required": "Choose the clinical owner"},
    )

    def __init__(self, *args: Any, team: Team, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, side in (("corporate_owner", Side.CORPORATE), ("clinical_owner", Side.CLINICAL)):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = User.objects.filter(
                team_memberships__team=team, team_memberships__side=side
            ).order_by("full_name", "email")

    @classmethod
    def initial_from(cls, goal: Goal) -> dict[str, Any]:
        return {
            "title": goal.title,
            "aim_what": goal.aim_what,
            "aim_how_much": goal.aim_how_much,
            "aim_by_when": goal.aim_by_when,
            "corporate_owner": goal.corporate_owner_id,
            "clinical_owner": goal.clinical_owner_id,
        }


def owner_choices(team: Team) -> list[tuple[str, Any]]:
    """One list of who may own a node: each corporate service, then the team's clinical areas."""
    areas = sorted(
        {area for area in team.clinical_areas if area}
        | set(
            team.memberships.filter(side=Side.CLINICAL)
            .exclude(clinical_area="")
            .values_list("clinical_area", flat=True)
        )
    )
    return [
        ("", "Choose who owns it"),
        (
            Side.CORPORATE.label,
            [(f"corporate:{value}", label) for value, label in CorporateService.choices],
        ),
        (
            Side.CLINICAL.label,
            [(f"clinical:{area}", area) for area in areas]
            + [("clinical:", "Clinical services (no area named)")],
        ),
    ]


def owner_parse(value: str) -> dict[str, str]:
    """``corporate:finance`` or ``clinical:Ward A`` as the service's side and area arguments."""
    side, _, area = (value or "").partition(":")
    if side == Side.CORPORATE:
        return {"side": side, "corporate_service": area, "clinical_area": ""}
    return {"side": side, "corporate_service": "", "clinical_area": area}


class NodeAddForm(forms.Form):
    text = forms.CharField(
        label="Text",
        max_length=300,
        error_messages={"required": "Enter the text of the driver or change idea"},
    )
    kind = forms.ChoiceField(label="Type", choices=Kind.choices)
    # A plain field with a list to pick from: the service checks the side, service and area.
    owner = forms.CharField(
        label="Owned by",
        widget=forms.Select,
        error_messages={"required": "Choose who owns it: a corporate service or a clinical team"},
    )

    def __init__(
        self,
        *args: Any,
        team: Team,
        parent: DriverNode | None,
        owners: list[tuple[str, Any]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        kinds = child_kinds(parent)
        kind_field = self.fields["kind"]
        assert isinstance(kind_field, forms.ChoiceField)
        kind_field.choices = [(k.value, k.label) for k in kinds]
        kind_field.initial = kinds[0].value
        if len(kinds) == 1:
            kind_field.widget = forms.HiddenInput()
        owner_widget = self.fields["owner"].widget
        assert isinstance(owner_widget, forms.Select)
        owner_widget.choices = owner_choices(team) if owners is None else owners


def child_kinds(parent: DriverNode | None) -> list[DriverNode.Kind]:
    if parent is None:
        return [Kind.PRIMARY]
    if parent.kind == Kind.PRIMARY:
        return [Kind.SECONDARY, Kind.CHANGE_IDEA]
    if parent.kind == Kind.SECONDARY:
        return [Kind.CHANGE_IDEA]
    return []


class NodeRenameForm(forms.Form):
    text = forms.CharField(
        label="New text",
        max_length=300,
        error_messages={"required": "Enter the text of the driver or change idea"},
    )


class NodeMoveForm(forms.Form):
    direction = forms.ChoiceField(
        choices=[("up", "Up"), ("down", "Down")], required=False, widget=forms.HiddenInput
    )
    parent = forms.TypedChoiceField(
        label="Move under", coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args: Any, options: list[DriverNode], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["parent"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", "Choose where to move it")] + [
            (node.pk, f"{node.get_kind_display()}: {node.text}") for node in options
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("direction") and cleaned.get("parent") is None and not self.errors:
            self.add_error("parent", "Choose where to move it")
        return cleaned


class NodeStartForm(forms.Form):
    started_on = forms.DateField(
        label="Started testing on",
        required=False,
        widget=DateInput(),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        help_text="Leave empty if the team has not started testing it",
        error_messages={"invalid": "Started testing on must be a real date, like 01/03/2025"},
    )
