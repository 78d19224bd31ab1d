"""What applications and their assessment hold about people (see ``core.personal_data``)."""

from __future__ import annotations

from sharedpurpose.core.personal_data import YOUR_PART, Erasure, Holder, invitation_holders

_FUNDERS_RECORD = (
    "The funder must keep a complete record of how money was applied for, assessed and "
    "awarded; who did each step stays pointing at the person's (anonymous) account, and "
    "texts that name them name the pseudonym instead."
)

HOLDERS = (
    Holder(
        model="applications.Application",
        fields=("lead_applicant",),
        erasure=Erasure.PARTLY,
        export="applications",
        rewrite=("title",),
        in_application="pk",
        reason=(
            "A draft only the person works on is deleted with its answers and files; an "
            "application past draft is the funder's record and stays. " + _FUNDERS_RECORD
        ),
    ),
    Holder(
        model="applications.ApplicationMember",
        fields=("user", "clinical_area", "corporate_service", "side"),
        erasure=Erasure.PARTLY,
        export="applications",
        reason=(
            "A place in a draft is removed (the others carry on); a place in an application "
            "past draft is part of the funder's record and stays."
        ),
    ),
    *invitation_holders(
        "applications.ApplicationInvitation", about="application__reference", reason=_FUNDERS_RECORD
    ),
    Holder(
        model="applications.Answer",
        fields=("updated_by", "file_name", "file", "file_content_type"),
        erasure=Erasure.PARTLY,
        export="applications",
        rewrite=("value", "file_name"),
        in_application="application",
        reason=(
            "Answers and uploaded files of a draft only the person works on are deleted; "
            "those of applications the funder keeps stay. " + _FUNDERS_RECORD
        ),
    ),
    Holder(
        model="applications.ApplicationTransition",
        fields=("actor",),
        erasure=Erasure.KEPT,
        export=YOUR_PART,
        about=("application__reference", "to_state"),
        when="occurred_at",
        rewrite=("reason",),
        in_application="application",
        reason=_FUNDERS_RECORD,
    ),
    Holder(
        model="applications.AssessorAssignment",
        fields=("assessor", "conflict_reason"),
        erasure=Erasure.KEPT,
        export="assessments",
        rewrite=("conflict_reason",),
        in_application="application",
        reason="An assessment and its declaration of interest are part of the funder's record.",
    ),
    Holder(
        model="applications.AssessorAssignment",
        fields=("assigned_by",),
        erasure=Erasure.KEPT,
        export=YOUR_PART,
        about=("application__reference",),
        when="assigned_at",
        reason=_FUNDERS_RECORD,
    ),
    Holder(
        model="applications.Score",
        fields=("comment",),
        erasure=Erasure.KEPT,
        export="assessments",
        rewrite=("comment",),
        in_application="assignment__application",
        reason="An assessor's scores and comments are part of the funder's record.",
    ),
    Holder(
        model="applications.Decision",
        fields=("decided_by",),
        erasure=Erasure.KEPT,
        export=YOUR_PART,
        about=("application__reference", "outcome"),
        when="decided_at",
        rewrite=("feedback", "moderation_note"),
        in_application="application",
        reason=_FUNDERS_RECORD,
    ),
    Holder(
        model="applications.Award",
        fields=("created_by",),
        erasure=Erasure.KEPT,
        export=YOUR_PART,
        about=("application__reference", "team__name"),
        when="created_at",
        rewrite=("conditions",),
        in_application="application",
        reason=_FUNDERS_RECORD,
    ),
)

NOT_PERSONAL = {
    "applications.ApplicationOrganisation.name": "an organisation's name",
    "applications.Criterion.name": "an assessment criterion's name",
}
