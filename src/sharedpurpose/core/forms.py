"""Form fields every app's forms share."""

from __future__ import annotations

import re
from typing import Any, TypeVar

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Model

_M = TypeVar("_M", bound=Model)

#: The largest id a database column holds (64-bit).
ID_MAX = 2**63 - 1
_WHOLE_NUMBER = re.compile(r"[-+]?\d+")


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField[_M]):
    """Django's, refusing numbers too large to be an id before they reach the query: SQLite
    cannot take them as parameters and raises instead of finding nothing."""

    def clean(self, value: Any) -> Any:
        for item in value if isinstance(value, list | tuple) else ():
            text = str(item).strip()
            if _WHOLE_NUMBER.fullmatch(text) and abs(int(text)) > ID_MAX:
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": item},
                )
        return super().clean(value)
