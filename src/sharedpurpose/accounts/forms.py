"""Forms of the account pages."""

from __future__ import annotations

from django import forms


class EraseAccountForm(forms.Form):
    # The service checks the password, so a wrong one is shown here beside the field.
    password = forms.CharField(
        label="Your password",
        help_text="The password you sign in with, to show it is you.",
        strip=False,
        error_messages={"required": "Enter your password"},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
