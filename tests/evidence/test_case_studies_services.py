"""Case study services: drafting, the review workflow's moves, and who is told."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from sharedpurpose.core.models import AuditEvent
from sharedpurpose.evidence.models import CaseStudy, CaseStudyReview, OutcomeArea
from sharedpurpose.evidence.services.case_studies import (
    MOVES,
    CaseStudyValues,
    Mover,
    case_study_create,
    case_study_move,
    case_study_update,
    moves_for,
)
from sharedpurpose.improvement.models import TeamMembership
from tests.factories import MeasureFactory, MembershipFactory, TeamFactory

from .case_study_factories import CaseStudyFactory, staff_user
from .factories import InterventionFactory

pytestmark = pytest.mark.django_db

Status = CaseStudy.Status
Action = CaseStudyReview.Action


def _values(**overrides: Any) -> CaseStudyValues:
    fields: dict[str, Any] = {
        "title": "Video clinics for diabetes follow-up",
        "summary": "Remote follow-ups rose.",
        "problem": "Long journeys for short reviews.",
        "what_we_did": "A video link in every letter.",
        "results": "A third of follow-ups are remote.",
        "learning": "Test the device first.",
        "outcome_area": OutcomeArea.ACCESS,
    }
    return CaseStudyValues(**(fields | overrides))


def _member(role: str = TeamMembership.Role.MEMBER) -> TeamMembership:
    return MembershipFactory.create(role=role)


# --------------------------------------------------------------------------
# Drafting
# --------------------------------------------------------------------------


def test_a_draft_gets_a_slug_from_its_title_and_links_its_measures() -> None:
    membership = _member()
    measure = MeasureFactory.create(team=membership.team)
    intervention = InterventionFactory.create()

    case_study = case_study_create(
        actor=membership.user,
        team=membership.team,
        values=_values(
            corporate_services=("it_digital",),
            clinical_areas=(" Diabetes ", "", "Diabetes", "Respiratory"),
            interventions=(intervention,),
            measures=(measure,),
        ),
    )

    assert case_study.slug == "video-clinics-for-diabetes-follow-up"
    assert case_study.status == Status.DRAFT
    assert case_study.clinical_areas == ["Diabetes", "Respiratory"]
    assert list(case_study.measures.all()) == [measure]
    assert list(case_study.interventions.all()) == [intervention]
    event = AuditEvent.objects.get(action="case_study.create")
    assert event.scope == f"team:{membership.team.pk}"
    assert event.changes["title"] == [None, "Video clinics for diabetes follow-up"]


def test_slugs_stay_unique_and_never_take_reserved_addresses() -> None:
    membership = _member()
    CaseStudyFactory.create(slug="falls")

    first = case_study_create(
        actor=membership.user, team=membership.team, values=_values(title="Falls")
    )
    reserved = case_study_create(
        actor=membership.user, team=membership.team, values=_values(title="New")
    )

    assert first.slug == "falls-2"
    assert reserved.slug == "new-2"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"title": "  "}, "title", "Enter a title"),
        ({"summary": "x" * 301}, "summary", "Enter 300 characters or fewer"),
        ({"outcome_area": "happiness"}, "outcome_area", "Choose the outcome area"),
        ({"corporate_services": ("catering",)}, "corporate_services", "Choose corporate services"),
        ({"clinical_areas": ("x" * 201,)}, "clinical_areas", "200 characters or fewer"),
        ({"slug": "Not A Slug!"}, "slug", "lower-case letters"),
        ({"slug": "new"}, "slug", "is taken"),
    ],
)
def test_bad_values_are_refused_with_the_field_named(
    overrides: dict[str, Any], field: str, message: str
) -> None:
    membership = _member()

    with pytest.raises(ValidationError) as caught:
        case_study_create(actor=membership.user, team=membership.team, values=_values(**overrides))

    assert message in " ".join(caught.value.message_dict[field])
    assert not CaseStudy.objects.exists()


def test_a_typed_slug_already_taken_is_refused() -> None:
    membership = _member()
    CaseStudyFactory.create(slug="taken")

    with pytest.raises(ValidationError) as caught:
        case_study_create(actor=membership.user, team=membership.team, values=_values(slug="taken"))

    assert "“taken” is taken" in caught.value.message_dict["slug"][0]


def test_measures_of_another_team_are_refused() -> None:
    membership = _member()
    elsewhere = MeasureFactory.create()

    with pytest.raises(ValidationError) as caught:
        case_study_create(
            actor=membership.user, team=membership.team, values=_values(measures=(elsewhere,))
        )

    assert caught.value.message_dict["measures"] == ["Choose measures of this team"]


@pytest.mark.parametrize("status", [Status.DRAFT, Status.CHANGES_REQUESTED])
def test_drafts_and_case_studies_sent_back_can_be_edited(status: str) -> None:
    membership = _member()
    case_study = CaseStudyFactory.create(team=membership.team, status=status, slug="kept")

    updated = case_study_update(
        actor=membership.user, case_study=case_study, values=_values(title="A better title")
    )

    assert (updated.title, updated.slug) == ("A better title", "kept")
    event = AuditEvent.objects.get(action="case_study.update")
    assert event.changes["title"][1] == "A better title"


@pytest.mark.parametrize("status", [Status.IN_REVIEW, Status.PUBLISHED])
def test_case_studies_in_review_or_published_cannot_be_edited(status: str) -> None:
    membership = _member()
    case_study = CaseStudyFactory.create(team=membership.team, status=status, title="Before")

    with pytest.raises(ValidationError, match="cannot be changed now"):
        case_study_update(actor=membership.user, case_study=case_study, values=_values())

    case_study.refresh_from_db()
    assert case_study.title == "Before"


# --------------------------------------------------------------------------
# The workflow
# --------------------------------------------------------------------------


def _offered(status: str, by: Mover) -> list[str]:
    return [str(move.action) for move in moves_for(CaseStudy(status=status), by)]


def test_the_table_offers_each_mover_only_the_moves_from_the_current_status() -> None:
    assert _offered(Status.DRAFT, Mover.TEAM) == [Action.SUBMITTED]
    assert _offered(Status.CHANGES_REQUESTED, Mover.TEAM) == [Action.SUBMITTED]
    assert _offered(Status.IN_REVIEW, Mover.TEAM) == []
    assert _offered(Status.IN_REVIEW, Mover.STAFF) == [Action.CHANGES_REQUESTED, Action.PUBLISHED]
    assert _offered(Status.PUBLISHED, Mover.STAFF) == [Action.UNPUBLISHED]
    assert _offered(Status.DRAFT, Mover.STAFF) == []
    assert {m.by for m in MOVES.values()} == {Mover.TEAM, Mover.STAFF}


def test_submit_request_changes_resubmit_publish_and_unpublish(
    django_capture_on_commit_callbacks: Any,
) -> None:
    membership = _member()
    staff = staff_user()
    case_study = CaseStudyFactory.create(team=membership.team, title="Sensor lighting")

    case_study = case_study_move(
        actor=membership.user, case_study=case_study, action=Action.SUBMITTED
    )
    assert case_study.status == Status.IN_REVIEW
    with django_capture_on_commit_callbacks(execute=True):
        case_study = case_study_move(
            actor=staff,
            case_study=case_study,
            action=Action.CHANGES_REQUESTED,
            comment="Say which wards.",
        )
    assert case_study.status == Status.CHANGES_REQUESTED
    case_study = case_study_move(
        actor=membership.user, case_study=case_study, action=Action.SUBMITTED
    )
    with django_capture_on_commit_callbacks(execute=True):
        case_study = case_study_move(actor=staff, case_study=case_study, action=Action.PUBLISHED)
    assert case_study.status == Status.PUBLISHED
    assert case_study.published_at is not None
    case_study = case_study_move(
        actor=staff, case_study=case_study, action=Action.UNPUBLISHED, comment="Data corrected."
    )

    assert (case_study.status, case_study.published_at) == (Status.DRAFT, None)
    assert list(case_study.reviews.values_list("action", "comment")) == [
        (Action.SUBMITTED, ""),
        (Action.CHANGES_REQUESTED, "Say which wards."),
        (Action.SUBMITTED, ""),
        (Action.PUBLISHED, ""),
        (Action.UNPUBLISHED, "Data corrected."),
    ]
    assert list(
        AuditEvent.objects.filter(object_type="evidence.casestudy")
        .order_by("pk")
        .values_list("action", flat=True)
    ) == [
        "case_study.submitted",
        "case_study.changes_requested",
        "case_study.submitted",
        "case_study.published",
        "case_study.unpublished",
    ]
    # The team is told twice: changes requested, then published.
    subjects = [m.subject for m in mail.outbox]
    assert subjects == [
        "Changes requested to the case study “Sensor lighting”",
        "Your case study “Sensor lighting” is published",
    ]
    assert "Say which wards." in mail.outbox[0].body
    assert f"/teams/{membership.team.slug}/case-studies/{case_study.slug}/" in mail.outbox[0].body
    assert f"/case-studies/{case_study.slug}/" in mail.outbox[1].body
    assert mail.outbox[0].to == [membership.user.email]


def test_every_member_is_e_mailed_separately(django_capture_on_commit_callbacks: Any) -> None:
    team = TeamFactory.create()
    members = MembershipFactory.create_batch(2, team=team)
    case_study = CaseStudyFactory.create(team=team, status=Status.IN_REVIEW)

    with django_capture_on_commit_callbacks(execute=True):
        case_study_move(actor=staff_user(), case_study=case_study, action=Action.PUBLISHED)

    assert sorted(m.to[0] for m in mail.outbox) == sorted(m.user.email for m in members)


@pytest.mark.parametrize(
    ("status", "action"),
    [
        (Status.DRAFT, Action.PUBLISHED),
        (Status.DRAFT, Action.CHANGES_REQUESTED),
        (Status.IN_REVIEW, Action.SUBMITTED),
        (Status.IN_REVIEW, Action.UNPUBLISHED),
        (Status.PUBLISHED, Action.PUBLISHED),
        (Status.CHANGES_REQUESTED, Action.PUBLISHED),
    ],
)
def test_moves_not_open_from_the_status_are_refused(status: str, action: str) -> None:
    case_study = CaseStudyFactory.create(status=status)

    with pytest.raises(ValidationError, match="cannot be moved"):
        case_study_move(actor=staff_user(), case_study=case_study, action=action, comment="Why")

    case_study.refresh_from_db()
    assert case_study.status == status
    assert not case_study.reviews.exists()


@pytest.mark.parametrize(
    ("status", "action", "message"),
    [
        (Status.IN_REVIEW, Action.CHANGES_REQUESTED, "Enter the changes the team should make"),
        (Status.PUBLISHED, Action.UNPUBLISHED, "Enter why the case study is being unpublished"),
    ],
)
def test_requesting_changes_and_unpublishing_need_a_comment(
    status: str, action: str, message: str
) -> None:
    case_study = CaseStudyFactory.create(status=status)

    with pytest.raises(ValidationError) as caught:
        case_study_move(actor=staff_user(), case_study=case_study, action=action, comment="  ")

    assert caught.value.message_dict["comment"] == [message]


def test_only_published_teams_case_studies_can_be_published() -> None:
    case_study = CaseStudyFactory.create(
        status=Status.IN_REVIEW, team=TeamFactory.create(is_published=False, name="Hidden team")
    )

    with pytest.raises(ValidationError, match="Hidden team is not published"):
        case_study_move(actor=staff_user(), case_study=case_study, action=Action.PUBLISHED)

    case_study.refresh_from_db()
    assert case_study.status == Status.IN_REVIEW


def test_team_members_cannot_make_staff_moves_and_outsiders_cannot_submit() -> None:
    membership = _member(TeamMembership.Role.LEAD)
    in_review = CaseStudyFactory.create(team=membership.team, status=Status.IN_REVIEW)
    draft = CaseStudyFactory.create(team=membership.team)
    contributor = MembershipFactory.create(
        team=membership.team, role=TeamMembership.Role.DATA_CONTRIBUTOR
    )

    with pytest.raises(PermissionDenied):
        case_study_move(actor=membership.user, case_study=in_review, action=Action.PUBLISHED)
    with pytest.raises(PermissionDenied):
        case_study_move(actor=contributor.user, case_study=draft, action=Action.SUBMITTED)
    with pytest.raises(PermissionDenied):
        case_study_move(actor=_member().user, case_study=draft, action=Action.SUBMITTED)


def test_an_unknown_move_is_refused() -> None:
    case_study = CaseStudyFactory.create()

    with pytest.raises(ValidationError, match="Choose submit"):
        case_study_move(actor=staff_user(), case_study=case_study, action="delete")
