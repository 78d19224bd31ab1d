"""Forms for staff editing programmes, rounds and announcements. They parse input; the services
check the rules (dates in order, a real timezone, unique web addresses)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django import forms
from django.core.exceptions import ValidationError

from sharedpurpose.accounts.models import User

from .models import Announcement, Programme, Round, RoundState
from .services import RoundValues

_LOCAL_FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M")
_DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class LocalDateTimeField(forms.Field):
    """A wall-clock date and time with no timezone: the round's own zone is applied later,
    so the site's default zone must not be."""

    widget = LocalDateTimeInput
    default_error_messages = {"invalid": "Enter a real date and time, for example 14/03/2027 17:00"}

    def to_python(self, value: Any) -> datetime | None:
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            return value.replace(tzinfo=None)
        text = str(value).strip()
        for fmt in _LOCAL_FORMATS:
            try:
                return datetime.strptime(text, fmt)
            except ValueError:
                continue
        raise ValidationError(self.error_messages["invalid"], code="invalid")


class ProgrammeForm(forms.Form):
    name = forms.CharField(
        label="Name", max_length=200, error_messages={"required": "Enter the programme's name"}
    )
    slug = forms.SlugField(
        label="Web address",
        max_length=50,
        help_text="Lower-case letters, numbers and hyphens, for example closing-the-gap",
        error_messages={
            "required": "Enter the web address",
            "invalid": "Web address must use lower-case letters, numbers and hyphens only",
        },
    )
    summary = forms.CharField(
        label="Summary",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One or two sentences shown in lists and search results",
        error_messages={"required": "Enter the summary"},
    )
    description = forms.CharField(
        label="Description",
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text="Markdown: **bold**, *italic*, lists, links and ## headings",
    )
    is_published = forms.BooleanField(label="Published on the public site", required=False)

    @staticmethod
    def initial_from(programme: Programme) -> dict[str, Any]:
        return {
            "name": programme.name,
            "slug": programme.slug,
            "summary": programme.summary,
            "description": programme.description,
            "is_published": programme.is_published,
        }


class RoundForm(forms.Form):
    number = forms.IntegerField(
        label="Round number",
        min_value=1,
        max_value=999,
        error_messages={
            "required": "Enter the round number",
            "invalid": "Round number must be a whole number, for example 3",
            "min_value": "Round number must be 1 or more",
            "max_value": "Round number must be 999 or less",
        },
    )
    name = forms.CharField(
        label="Name", max_length=200, error_messages={"required": "Enter the round's name"}
    )
    slug = forms.SlugField(
        label="Web address",
        max_length=50,
        help_text="Lower-case letters, numbers and hyphens, for example shared-purpose",
        error_messages={
            "required": "Enter the web address",
            "invalid": "Web address must use lower-case letters, numbers and hyphens only",
        },
    )
    summary = forms.CharField(
        label="Summary",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter the summary"},
    )
    aims = forms.CharField(
        label="Aims",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One aim per line",
    )
    body = forms.CharField(
        label="Details",
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text="Markdown: **bold**, *italic*, lists, links and ## headings",
    )
    timezone = forms.CharField(
        label="Timezone of the key dates",
        max_length=64,
        initial="Europe/London",
        help_text="A name from the timezone database, for example Europe/London",
        error_messages={"required": "Enter the timezone, for example Europe/London"},
    )
    applications_open_local = LocalDateTimeField(
        label="Applications open", required=False, help_text="Date and time in the timezone above"
    )
    applications_close_local = LocalDateTimeField(
        label="Applications close", required=False, help_text="Date and time in the timezone above"
    )
    delivery_starts_on = forms.DateField(
        label="Delivery starts",
        required=False,
        widget=DateInput(),
        input_formats=_DATE_FORMATS,
        error_messages={"invalid": "Delivery starts must be a real date, for example 01/09/2027"},
    )
    delivery_ends_on = forms.DateField(
        label="Delivery ends",
        required=False,
        widget=DateInput(),
        input_formats=_DATE_FORMATS,
        error_messages={"invalid": "Delivery ends must be a real date, for example 31/08/2029"},
    )

    @staticmethod
    def initial_from(round_: Round) -> dict[str, Any]:
        try:
            zone = ZoneInfo(round_.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            zone = ZoneInfo("UTC")

        def local(value: datetime | None) -> datetime | None:
            return value.astimezone(zone).replace(tzinfo=None) if value else None

        return {
            "number": round_.number,
            "name": round_.name,
            "slug": round_.slug,
            "summary": round_.summary,
            "aims": "\n".join(round_.aims or []),
            "body": round_.body,
            "timezone": round_.timezone,
            "applications_open_local": local(round_.applications_open_at),
            "applications_close_local": local(round_.applications_close_at),
            "delivery_starts_on": round_.delivery_starts_on,
            "delivery_ends_on": round_.delivery_ends_on,
        }

    def values(self) -> RoundValues:
        data = self.cleaned_data
        return RoundValues(
            number=data["number"],
            slug=data["slug"],
            name=data["name"],
            summary=data["summary"],
            aims=data["aims"].splitlines(),
            body=data["body"],
            timezone=data["timezone"],
            applications_open_local=data["applications_open_local"],
            applications_close_local=data["applications_close_local"],
            delivery_starts_on=data["delivery_starts_on"],
            delivery_ends_on=data["delivery_ends_on"],
        )


class RoundChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"Round {obj.number}: {obj.name}"


class AnnouncementForm(forms.Form):
    title = forms.CharField(
        label="Title", max_length=200, error_messages={"required": "Enter the title"}
    )
    body = forms.CharField(
        label="Announcement",
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Markdown: **bold**, *italic*, lists and links",
        error_messages={"required": "Enter the announcement"},
    )
    round = RoundChoiceField(
        label="About a round (optional)",
        queryset=Round.objects.none(),
        required=False,
        empty_label="The whole programme",
    )

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["round"]
        assert isinstance(field, RoundChoiceField)
        field.queryset = Round.objects.filter(programme=programme).order_by("number")

    @staticmethod
    def initial_from(announcement: Announcement) -> dict[str, Any]:
        return {
            "title": announcement.title,
            "body": announcement.body,
            "round": announcement.round_id,
        }


class TransitionForm(forms.Form):
    to_state = forms.ChoiceField(choices=RoundState.choices, widget=forms.HiddenInput)


class ProgrammeStaffAddForm(forms.Form):
    email = forms.EmailField(
        label="E-mail address of their account",
        max_length=254,
        help_text="They must already have an account on this site",
        error_messages={
            "required": "Enter the e-mail address of the person to add",
            "invalid": "Enter an e-mail address in the correct format, like name@example.org",
        },
    )


class ProgrammeStaffRemoveForm(forms.Form):
    """Which of the programme's own staff to remove; only they can be chosen."""

    person: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        queryset=None, widget=forms.HiddenInput
    )

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["person"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = programme.staff.all()
