"""Awards: an awarded application becomes a team, and publishing lists it on the round page."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from sharedpurpose.accounts.models import User
from sharedpurpose.accounts.roles import SiteRole, user_role_grant
from sharedpurpose.applications.models import (
    Application,
    ApplicationOrganisation,
    ApplicationState,
    Award,
    Decision,
)
from sharedpurpose.applications.services.awards import (
    AwardTerms,
    application_award,
    awards_publish,
)
from sharedpurpose.applications.services.decisions import decision_record
from sharedpurpose.core import public_cache
from sharedpurpose.core.models import AuditEvent
from sharedpurpose.improvement.models import Organisation, Team, TeamMembership, TeamOrganisation
from tests.factories import TeamFactory, UserFactory

from .factories import ApplicationFactory, CollaboratorFactory

pytestmark = pytest.mark.django_db

S = ApplicationState
Outcome = Decision.Outcome
Role = TeamMembership.Role
CaptureCallbacks = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


def staff_user() -> User:
    user = UserFactory.create(full_name="Sam Staff")
    user_role_grant(user=user, role=SiteRole.PROGRAMME_STAFF)
    return user


def decided(outcome: str = Outcome.AWARD) -> Application:
    """A decided partnership: the lead applicant (corporate lead, HR), a clinical lead, a
    clinical member and a corporate member, from a lead trust and a partner council."""
    application = ApplicationFactory.create(
        state=S.IN_ASSESSMENT, title="Kinder rotas for ward nurses"
    )
    CollaboratorFactory.create(
        application=application,
        user=UserFactory.create(full_name="Cleo Clinical"),
        clinical_area="Emergency department",
        leads_side=True,
    )
    CollaboratorFactory.create(
        application=application,
        user=UserFactory.create(full_name="Carl Cardiology"),
        clinical_area="Cardiology",
    )
    CollaboratorFactory.create(
        application=application,
        user=UserFactory.create(full_name="Fay Finance"),
        side="corporate",
        corporate_service="finance",
        clinical_area="",
    )
    ApplicationOrganisation.objects.create(
        application=application, name="Riverside Council", kind="Local authority"
    )
    decision_record(
        actor=staff_user(), application=application, outcome=outcome, feedback="Well argued."
    )
    application.refresh_from_db()
    return application


def terms(**changes: Any) -> AwardTerms:
    values: dict[str, Any] = {
        "amount": Decimal("125000.00"),
        "starts_on": date(2027, 4, 1),
        "ends_on": date(2029, 3, 31),
        "conditions": "Quarterly reports to the programme.",
        "team_name": "Kinder Rotas",
        "team_slug": "kinder-rotas",
        "innovation": "Self-rostering",
        "summary": "Ward nurses and HR redesign rotas together.",
    }
    return AwardTerms(**{**values, **changes})


def award_url(application: Application) -> str:
    return reverse("applications:award", kwargs={"reference": application.reference})


def awards_url(application: Application) -> str:
    round_ = application.round
    return reverse(
        "applications:awards",
        kwargs={"programme_slug": round_.programme.slug, "round_slug": round_.slug},
    )


# --- making the award --------------------------------------------------------------------


def test_an_award_makes_the_partnership_a_team_and_keeps_the_application(
    django_capture_on_commit_callbacks: CaptureCallbacks,
) -> None:
    application = decided()
    staff = staff_user()
    Organisation.objects.create(name="Riverside Council", kind="Council (existing)")

    with django_capture_on_commit_callbacks(execute=True):
        award = application_award(actor=staff, application=application, terms=terms())

    application.refresh_from_db()
    assert application.state == S.AWARDED
    assert application.transitions.latest("pk").reason == "Award made: £125,000.00"
    team = award.team
    assert (award.application, team.award, team.round) == (application, award, application.round)
    assert (team.slug, team.name, team.innovation, team.is_published) == (
        "kinder-rotas",
        "Kinder Rotas",
        "Self-rostering",
        False,
    )
    roles = {m.user.full_name: (m.role, m.side, m.area_label) for m in team.memberships.all()}
    lead_name = application.lead_applicant.full_name
    assert roles == {
        lead_name: (Role.LEAD, "corporate", "HR and workforce"),
        "Cleo Clinical": (Role.LEAD, "clinical", "Emergency department"),
        "Carl Cardiology": (Role.MEMBER, "clinical", "Cardiology"),
        "Fay Finance": (Role.MEMBER, "corporate", "Finance"),
    }
    assert team.corporate_services == ["hr_workforce", "finance"]
    assert team.clinical_areas == ["Emergency department", "Cardiology"]
    links = {
        (link.organisation.name, link.role)
        for link in TeamOrganisation.objects.filter(team=team).select_related("organisation")
    }
    assert links == {
        (f"Lead Trust {application.pk}", "lead"),
        ("Riverside Council", "partner"),
    }
    # An organisation already known is reused, not duplicated.
    assert Organisation.objects.get(name="Riverside Council").kind == "Council (existing)"
    assert {event.action for event in AuditEvent.objects.filter(actor=staff)} >= {
        "award.create",
        "team.create",
        "application.transition",
    }
    details = [m for m in mail.outbox if m.subject.startswith("Your award for application")]
    assert len(details) == 4
    assert "£125,000.00" in details[0].body
    assert "Quarterly reports to the programme." in details[0].body
    assert "/teams/kinder-rotas/workspace/" in details[0].body


def test_the_team_s_members_can_open_its_workspace(client: Client) -> None:
    application = decided()
    application_award(actor=staff_user(), application=application, terms=terms())
    member = application.members.get(clinical_area="Cardiology").user

    client.force_login(member)

    assert client.get(reverse("improvement:workspace", args=["kinder-rotas"])).status_code == 200


@pytest.mark.parametrize("outcome", [Outcome.REJECT, Outcome.WAITLIST])
def test_only_an_award_decision_can_be_awarded(outcome: str) -> None:
    application = decided(outcome)

    with pytest.raises(ValidationError, match="decided to award"):
        application_award(actor=staff_user(), application=application, terms=terms())

    assert not Team.objects.exists()
    assert not Award.objects.exists()


def test_an_application_is_awarded_once() -> None:
    application = decided()
    staff = staff_user()
    application_award(actor=staff, application=application, terms=terms())

    with pytest.raises(ValidationError, match="already been awarded"):
        application_award(
            actor=staff, application=application, terms=terms(team_slug="another-address")
        )

    assert Team.objects.count() == 1
    assert Award.objects.count() == 1


def test_members_without_a_side_stop_the_award_and_are_named() -> None:
    application = decided()
    application.members.filter(user__full_name="Carl Cardiology").update(side="")

    with pytest.raises(ValidationError, match="does not say which for: Carl Cardiology"):
        application_award(actor=staff_user(), application=application, terms=terms())

    application.refresh_from_db()
    assert application.state == S.DECIDED
    assert not Team.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"amount": Decimal("0")}, "amount"),
        ({"amount": Decimal("-5")}, "amount"),
        ({"ends_on": date(2027, 4, 1)}, "ends_on"),
        ({"team_slug": "Not A Slug!"}, "team_slug"),
        ({"team_name": "  "}, "team_name"),
        ({"innovation": ""}, "innovation"),
        ({"summary": ""}, "summary"),
    ],
)
def test_bad_terms_are_refused_on_their_field(changes: dict[str, Any], field: str) -> None:
    application = decided()

    with pytest.raises(ValidationError) as raised:
        application_award(actor=staff_user(), application=application, terms=terms(**changes))

    assert field in raised.value.message_dict
    assert not Team.objects.exists()


def test_a_team_address_already_taken_is_refused() -> None:
    TeamFactory.create(slug="kinder-rotas")
    application = decided()

    with pytest.raises(ValidationError) as raised:
        application_award(actor=staff_user(), application=application, terms=terms())

    assert "already has the web address" in raised.value.message_dict["team_slug"][0]
    application.refresh_from_db()
    assert application.state == S.DECIDED


# --- the award page ----------------------------------------------------------------------


def test_the_award_form_suggests_the_team_from_the_application(client: Client) -> None:
    TeamFactory.create(slug="kinder-rotas-for-ward-nurses")
    application = decided()
    client.force_login(staff_user())

    page = client.get(award_url(application)).content.decode()

    assert 'value="Kinder rotas for ward nurses"' in page
    assert 'value="kinder-rotas-for-ward-nurses-2"' in page
    assert "a partnership of" in page


def test_staff_make_the_award_and_see_it_linked_to_the_application(client: Client) -> None:
    application = decided()
    client.force_login(staff_user())

    response = client.post(
        award_url(application),
        {
            "amount": "80000",
            "starts_on": "2027-04-01",
            "ends_on": "31/03/2028",
            "conditions": "",
            "team_name": "Kinder Rotas",
            "team_slug": "kinder-rotas",
            "innovation": "Self-rostering",
            "summary": "Together.",
        },
        follow=True,
    )

    page = response.content.decode()
    assert "Award made: Kinder Rotas" in page
    assert "£80,000.00" in page
    assert "1 April 2027 to 31 March 2028" in page
    assert (
        reverse("applications:staff_application", kwargs={"reference": application.reference})
        in page
    )
    assert Award.objects.get().team.slug == "kinder-rotas"


def test_a_bad_award_form_keeps_what_was_typed_and_makes_nothing(client: Client) -> None:
    application = decided()
    client.force_login(staff_user())

    response = client.post(
        award_url(application),
        {
            "amount": "-10",
            "starts_on": "2027-04-01",
            "ends_on": "2026-04-01",
            "team_name": "Kinder Rotas",
            "team_slug": "kinder-rotas",
            "innovation": "",
            "summary": "Together.",
        },
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Award for" in page
    assert 'href="#id_innovation"' in page
    assert 'value="Kinder Rotas"' in page
    assert not Team.objects.exists()

    response = client.post(
        award_url(application),
        {
            "amount": "-10",
            "starts_on": "2027-04-01",
            "ends_on": "2026-04-01",
            "team_name": "Kinder Rotas",
            "team_slug": "kinder-rotas",
            "innovation": "Self-rostering",
            "summary": "Together.",
        },
    )
    page = response.content.decode()
    assert 'href="#id_amount"' in page
    assert 'href="#id_ends_on"' in page
    assert not Team.objects.exists()


def test_the_award_page_refuses_applications_not_decided_for_an_award(client: Client) -> None:
    application = decided(Outcome.REJECT)
    client.force_login(staff_user())

    shown = client.get(award_url(application))
    posted = client.post(award_url(application), {"amount": "1", "team_slug": "x"})

    assert "Only an application the panel decided to award" in shown.content.decode()
    assert "Make the award" not in shown.content.decode()
    assert posted.status_code == 400
    assert not Team.objects.exists()


def test_the_award_pages_are_for_staff_only(client: Client) -> None:
    application = decided()
    assessor = UserFactory.create()
    user_role_grant(user=assessor, role=SiteRole.ASSESSOR)

    anonymous = client.get(award_url(application))
    client.force_login(application.lead_applicant)
    as_applicant = client.post(award_url(application), {})
    as_applicant_round = client.get(awards_url(application))
    client.force_login(assessor)
    as_outsider = client.get(award_url(application))

    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("account_login"))
    assert (as_applicant.status_code, as_applicant_round.status_code) == (403, 403)
    assert as_outsider.status_code == 404
    assert not Team.objects.exists()


# --- publishing --------------------------------------------------------------------------


def test_publishing_lists_the_team_on_the_public_round_page(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Readers within two seconds of each other share one rendering by design
    # (tests/core/test_public_cache.py); this test is about the page's own fingerprint.
    monkeypatch.setattr(public_cache, "RECENT_SECONDS", 0)
    application = decided()
    staff = staff_user()
    application_award(actor=staff, application=application, terms=terms())
    round_page = application.round.get_absolute_url()
    before = client.get(round_page).content.decode()

    published = awards_publish(actor=staff, round_=application.round)

    after = client.get(round_page).content.decode()
    assert "Kinder Rotas" not in before
    assert "Kinder Rotas" in after
    assert "Self-rostering" in after
    assert [award.team.slug for award in published] == ["kinder-rotas"]
    award = Award.objects.select_related("team").get()
    assert award.published_at is not None
    assert award.team.is_published
    assert AuditEvent.objects.filter(action="award.publish").count() == 1
    assert AuditEvent.objects.get(action="awards.publish").scope == f"round:{application.round_id}"


def test_publishing_again_publishes_nothing() -> None:
    application = decided()
    staff = staff_user()
    application_award(actor=staff, application=application, terms=terms())
    awards_publish(actor=staff, round_=application.round)
    first_published_at = Award.objects.get().published_at

    with pytest.raises(ValidationError, match="no unpublished awards"):
        awards_publish(actor=staff, round_=application.round)

    assert Award.objects.get().published_at == first_published_at
    assert AuditEvent.objects.filter(action="award.publish").count() == 1


def test_staff_confirm_then_publish_from_the_awards_page(client: Client) -> None:
    application = decided()
    staff = staff_user()
    application_award(actor=staff, application=application, terms=terms())
    client.force_login(staff)

    listed = client.get(awards_url(application)).content.decode()
    confirm = client.post(awards_url(application), {"step": "confirm"}).content.decode()
    assert not Award.objects.get().published_at
    done = client.post(awards_url(application), {"step": "publish"}, follow=True)

    assert "Kinder Rotas" in listed
    assert "£125,000.00" in listed
    assert "Not published" in listed
    assert "Publish 1 award?" in confirm
    assert "Yes, publish the awards" in confirm
    assert "1 award published" in done.content.decode()
    assert Award.objects.get().published_at is not None


def test_the_awards_page_lists_decisions_still_waiting_for_their_award(client: Client) -> None:
    application = decided()
    client.force_login(staff_user())

    page = client.get(awards_url(application)).content.decode()

    assert "No awards have been made in this round yet." in page
    assert f"Make the award to {application.reference}" in page
    assert award_url(application) in page


def test_publishing_with_nothing_to_publish_says_so(client: Client) -> None:
    application = decided()
    client.force_login(staff_user())

    response = client.post(awards_url(application), {"step": "confirm"})

    assert response.status_code == 200
    assert "There are no unpublished awards in this round." in response.content.decode()
    assert "Publish 0 awards?" not in response.content.decode()


def test_anonymous_visitors_to_the_awards_page_are_asked_to_sign_in(client: Client) -> None:
    application = decided()

    response = client.post(awards_url(application), {"step": "publish"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_staff_reach_the_application_from_the_team_it_became(client: Client) -> None:
    staff = staff_user()
    award = application_award(actor=staff, application=decided(), terms=terms())
    Team.objects.filter(pk=award.team.pk).update(is_published=True)

    client.force_login(staff)
    page = client.get(award.team.get_absolute_url()).content.decode()
    client.force_login(award.application.lead_applicant)
    member_page = client.get(award.team.get_absolute_url()).content.decode()

    assert f"/manage/applications/{award.application.reference}/" in page
    assert "/manage/applications/" not in member_page
