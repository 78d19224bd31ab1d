"""What team workspaces hold about people (see ``core.personal_data``)."""

from __future__ import annotations

from sharedpurpose.core.personal_data import YOUR_PART, Erasure, Holder, invitation_holders

_TEAM_HISTORY = (
    "Teams need a complete history of their work and data; who did it stays pointing at the "
    "person's (anonymous) account."
)

HOLDERS = (
    Holder(
        model="improvement.TeamMembership",
        fields=("user", "clinical_area", "corporate_service", "side", "role"),
        erasure=Erasure.DELETED,
        export="team_memberships",
        reason="A place in a team gives access and serves only the person; leaving is audited.",
    ),
    *invitation_holders("improvement.TeamInvitation", about="team__name", reason=_TEAM_HISTORY),
    Holder(
        model="improvement.Goal",
        fields=("corporate_owner", "clinical_owner"),
        erasure=Erasure.KEPT,
        export=YOUR_PART,
        about=("team__name", "title"),
        when="created_at",
        reason=(
            "A goal's owner stays as the (anonymous) person until the team chooses another, "
            "as when a member is removed."
        ),
    ),
    Holder(
        model="improvement.Measure",
        fields=("data_owner",),
        erasure=Erasure.UNLINKED,
        export=YOUR_PART,
        about=("team__name", "name"),
        reason="Who leaves a team supplies no more of its data, as when a lead removes them.",
    ),
    Holder(
        model="improvement.DataPoint",
        fields=("updated_by",),
        erasure=Erasure.KEPT,
        export="data_you_entered",
        reason=_TEAM_HISTORY,
    ),
    Holder(
        model="improvement.DataPointChange",
        fields=("changed_by",),
        erasure=Erasure.KEPT,
        export="data_you_entered",
        reason=_TEAM_HISTORY,
    ),
    Holder(
        model="improvement.DataImport",
        fields=("uploaded_by",),
        erasure=Erasure.KEPT,
        export=YOUR_PART,
        about=("team__name", "filename"),
        when="uploaded_at",
        rewrite=("filename",),
        in_team="team",
        reason=(
            "An import is part of the history of a team's data; a file name that names the "
            "person names the pseudonym instead."
        ),
    ),
    Holder(
        model="improvement.Rebase",
        fields=("created_by",),
        erasure=Erasure.KEPT,
        export=YOUR_PART,
        about=("measure__team__name", "measure__name"),
        when="created_at",
        rewrite=("reason",),
        in_team="measure__team",
        reason=_TEAM_HISTORY,
    ),
    Holder(
        model="improvement.PdsaCycle",
        fields=("created_by",),
        erasure=Erasure.KEPT,
        export=YOUR_PART,
        about=("change_idea__goal__team__name", "title"),
        when="created_at",
        rewrite=(
            "title",
            "plan_question",
            "plan_prediction",
            "plan_who",
            "plan_what",
            "plan_where",
            "do_notes",
            "study_notes",
            "act_notes",
        ),
        in_team="change_idea__goal__team",
        reason=(
            "PDSA cycles are the team's learning; who runs a test (plan_who) and the notes "
            "may name people, and name the pseudonym instead once the person is erased."
        ),
    ),
)

NOT_PERSONAL = {
    "improvement.Organisation.name": "an organisation's name",
    "improvement.Team.name": "a team's name",
    "improvement.Measure.name": "a measure's name",
}
