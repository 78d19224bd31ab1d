"""What the API holds about people (see ``core.personal_data``)."""

from __future__ import annotations

from sharedpurpose.core.personal_data import Erasure, Holder

HOLDERS = (
    Holder(
        model="api.ApiToken",
        fields=("user", "name"),
        erasure=Erasure.DELETED,
        export="api_tokens",
        reason=(
            "A token acts as the person and serves only them; its name is theirs. The secret "
            "is never exported (only its hash is kept, and that is deleted too)."
        ),
    ),
)
