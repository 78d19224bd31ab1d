"""What programmes hold about people (see ``core.personal_data``)."""

from __future__ import annotations

from sharedpurpose.core.personal_data import YOUR_PART, Erasure, Holder

_STAFF_RECORD = (
    "Who moved a round or published an announcement is part of the funder's record; it stays "
    "pointing at the person's (anonymous) account."
)

HOLDERS = (
    Holder(
        model="programmes.Programme",
        fields=("staff",),
        erasure=Erasure.DELETED,
        export="programmes_you_staff",
        reason="A place on a programme's staff gives access, and serves only while they work.",
    ),
    Holder(
        model="programmes.RoundTransition",
        fields=("actor",),
        erasure=Erasure.KEPT,
        export=YOUR_PART,
        about=("round__programme__name", "round__name"),
        when="occurred_at",
        reason=_STAFF_RECORD,
    ),
    Holder(
        model="programmes.Announcement",
        fields=("created_by",),
        erasure=Erasure.KEPT,
        export=YOUR_PART,
        about=("programme__name", "title"),
        when="published_at",
        reason=_STAFF_RECORD,
    ),
)

NOT_PERSONAL = {
    "programmes.Programme.name": "a programme's name",
    "programmes.Round.name": "a round's name",
}
