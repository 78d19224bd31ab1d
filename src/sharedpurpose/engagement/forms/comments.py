"""Forms for comments and questions, reports, answers, moderation settings and personal data."""

from __future__ import annotations

from django import forms

from ..models import EngagementSettings
from ..services.comments import ANSWER_MAX, BODY_MAX, NAME_MAX, REASON_MAX


class CommentForm(forms.Form):
    programme = forms.IntegerField(widget=forms.HiddenInput)
    round = forms.IntegerField(widget=forms.HiddenInput, required=False)
    author_name = forms.CharField(
        label="Your name",
        max_length=NAME_MAX,
        help_text="Shown with your comment.",
        error_messages={
            "required": "Enter your name",
            "max_length": f"Your name must be {NAME_MAX} characters or fewer",
        },
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    author_email = forms.EmailField(
        label="Your e-mail address",
        help_text="Kept private. We use it only to tell you when your question is answered.",
        error_messages={
            "required": "Enter your e-mail address",
            "invalid": "Enter an e-mail address like name@example.org",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    body = forms.CharField(
        label="Your comment or question",
        max_length=BODY_MAX,
        help_text=(
            f"Up to {BODY_MAX:,} characters. You can use *emphasis*, **bold**, lists and links."
        ),
        error_messages={
            "required": "Enter your comment or question",
            "max_length": f"Your comment must be {BODY_MAX:,} characters or fewer",
        },
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    is_question = forms.BooleanField(
        label="This is a question for the funder",
        required=False,
        help_text="Staff answer questions here and e-mail you when they do.",
    )
    # Left empty by people; bots that fill every field give themselves away.
    website = forms.CharField(
        label="Leave this empty",
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )


class ReportForm(forms.Form):
    reason = forms.CharField(
        label="What is wrong with this comment?",
        max_length=REASON_MAX,
        help_text="For example, it is abusive, spam, or shares someone's personal details.",
        error_messages={
            "required": "Tell us what is wrong with this comment",
            "max_length": f"Your reason must be {REASON_MAX:,} characters or fewer",
        },
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class AnswerForm(forms.Form):
    body = forms.CharField(
        label="Answer",
        max_length=ANSWER_MAX,
        help_text="Markdown: *emphasis*, **bold**, lists and links.",
        error_messages={"required": "Enter the answer"},
        widget=forms.Textarea(attrs={"rows": 8}),
    )


class ModerationSettingsForm(forms.Form):
    comment_moderation = forms.ChoiceField(
        label="How comments are moderated",
        choices=EngagementSettings.Moderation.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose pre-moderated or post-moderated"},
    )


class MyCommentsRequestForm(forms.Form):
    email = forms.EmailField(
        label="Your e-mail address",
        help_text="The address you gave when you posted.",
        error_messages={
            "required": "Enter your e-mail address",
            "invalid": "Enter an e-mail address like name@example.org",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
