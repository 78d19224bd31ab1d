"""What the evidence base holds about people (see ``core.personal_data``)."""

from __future__ import annotations

from sharedpurpose.core.personal_data import YOUR_PART, Erasure, Holder

_WHO_DID_IT = (
    "Part of the evidence base's history; who did it stays pointing at the person's "
    "(anonymous) account."
)

HOLDERS = (
    Holder(
        model="evidence.CaseStudy",
        fields=("created_by", "contacts"),
        erasure=Erasure.KEPT,
        export="case_studies_you_created",
        rewrite=("title", "summary", "problem", "what_we_did", "results", "learning", "contacts"),
        in_team="team",
        reason=(
            "A case study is its team's published learning and stays; the person named as a "
            "contact or in its text is named by the pseudonym instead."
        ),
    ),
    Holder(
        model="evidence.CaseStudyReview",
        fields=("actor",),
        erasure=Erasure.KEPT,
        export=YOUR_PART,
        about=("case_study__title", "action"),
        when="created_at",
        rewrite=("comment",),
        in_team="case_study__team",
        reason=_WHO_DID_IT,
    ),
    Holder(
        model="evidence.Intervention",
        fields=("created_by",),
        erasure=Erasure.KEPT,
        export=YOUR_PART,
        about=("name",),
        when="created_at",
        reason=_WHO_DID_IT,
    ),
    Holder(
        model="evidence.InterventionUse",
        fields=("created_by",),
        erasure=Erasure.KEPT,
        export=YOUR_PART,
        about=("intervention__name", "site"),
        when="created_at",
        reason=_WHO_DID_IT,
    ),
    Holder(
        model="evidence.ProgrammeReport",
        fields=("requested_by",),
        erasure=Erasure.KEPT,
        export=YOUR_PART,
        about=("round__name",),
        when="requested_at",
        reason=_WHO_DID_IT,
    ),
)

NOT_PERSONAL = {
    "evidence.Intervention.name": "an intervention's name",
}
