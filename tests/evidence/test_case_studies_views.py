"""Case study pages: the public library and page, the team's drafts, staff review, and who
may open each."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client

from sharedpurpose.core.models import AuditEvent
from sharedpurpose.evidence.models import CaseStudy, CaseStudyReview, OutcomeArea
from sharedpurpose.evidence.services.compute import evidence_compute_for_use
from sharedpurpose.evidence.views.case_studies import CaseStudyPage
from sharedpurpose.improvement.charts import measure_charts_invalidate
from sharedpurpose.improvement.models import DataPoint, TeamMembership
from tests.factories import MeasureFactory, MembershipFactory, TeamFactory, UserFactory

from .case_study_factories import CaseStudyFactory, PublishedCaseStudyFactory, staff_user
from .factories import BASELINE, STEP_DOWN, InterventionFactory, month, site_with

pytestmark = pytest.mark.django_db

Status = CaseStudy.Status
FORM = {
    "title": "Sensor lighting on the wards",
    "summary": "Fewer falls at night.",
    "problem": "Falls on the way to the bathroom.",
    "what_we_did": "We fitted **sensor lighting**.",
    "results": "Falls shifted down.",
    "learning": "Ask the ward.",
    "outcome_area": OutcomeArea.SAFETY,
    "corporate_services": ["estates"],
    "clinical_areas": "Older people's wards\nStroke unit",
}


def _team_url(case_study: CaseStudy, suffix: str = "") -> str:
    return f"/teams/{case_study.team.slug}/case-studies/{case_study.slug}/{suffix}"


def _published_with_evidence() -> CaseStudy:
    """A published case study whose team used an intervention with a known improvement."""
    intervention = InterventionFactory.create(name="Sensor lighting", slug="sensor-lighting")
    use = site_with(intervention, BASELINE + STEP_DOWN)
    evidence_compute_for_use(use)
    team = use.change_idea.goal.team
    case_study = PublishedCaseStudyFactory.create(team=team, title="Lighting the way")
    case_study.interventions.add(intervention)
    case_study.measures.set(team.measures.all())
    return case_study


# --------------------------------------------------------------------------
# The public library and case study page
# --------------------------------------------------------------------------


def test_the_library_lists_published_case_studies_with_their_tags(client: Client) -> None:
    intervention = InterventionFactory.create(name="Telemedicine", slug="telemedicine")
    published = PublishedCaseStudyFactory.create(
        title="Video clinics", corporate_services=["it_digital"], clinical_areas=["Diabetes"]
    )
    published.interventions.add(intervention)
    CaseStudyFactory.create(title="A draft nobody sees")

    html = client.get("/case-studies/").content.decode()

    assert "1 case study found" in html
    assert "Video clinics" in html and published.team.name in html
    assert "Telemedicine" in html and "IT and digital" in html and "Diabetes" in html
    assert "A draft nobody sees" not in html


def test_searching_and_filtering_the_library(client: Client) -> None:
    PublishedCaseStudyFactory.create(title="Telemedicine clinics", outcome_area="access")
    PublishedCaseStudyFactory.create(title="Telemedicine wards", outcome_area="safety")
    PublishedCaseStudyFactory.create(title="Recruiting", outcome_area="workforce")

    searched = client.get("/case-studies/", {"q": "telemedicine"}).content.decode()
    filtered = client.get(
        "/case-studies/", {"q": "telemedicine", "outcome_area": "safety"}
    ).content.decode()

    assert "2 case studies found" in searched and "Recruiting" not in searched
    assert "1 case study found" in filtered and "Telemedicine wards" in filtered
    assert "Clear the search and filters" in filtered


def test_a_bad_filter_is_reported_and_left_out(client: Client) -> None:
    PublishedCaseStudyFactory.create(title="Telemedicine clinics")

    response = client.get("/case-studies/", {"outcome_area": "happiness", "innovation": "x" * 300})

    assert response.status_code == 200
    html = response.content.decode()
    assert "Choose an outcome from the list" in html
    assert "Choose an innovation from the list" in html
    assert "1 case study found" in html


def test_an_htmx_search_gets_only_the_results(client: Client) -> None:
    PublishedCaseStudyFactory.create(title="Telemedicine clinics")

    response = client.get("/case-studies/", {"q": "telemedicine"}, HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert html.lstrip().startswith('<section id="case-study-results"')
    assert "<html" not in html and "Telemedicine clinics" in html
    assert "HX-Request" in response["Vary"]


def test_an_empty_library_says_so(client: Client) -> None:
    assert (
        "No case studies have been published yet" in client.get("/case-studies/").content.decode()
    )


def test_the_case_study_page_shows_live_charts_tables_and_evidence(client: Client) -> None:
    case_study = _published_with_evidence()

    response = client.get(f"/case-studies/{case_study.slug}/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Lighting the way" in html
    assert f'href="/teams/{case_study.team.slug}/"' in html
    measure = case_study.measures.get()
    assert html.count(f'id="measure-{measure.pk}-chart') >= 1
    assert 'role="img"' in html
    assert f"{measure.name}: chart data as a table" in html
    assert f"<caption>{measure.name}: chart data</caption>" in html
    assert "Evidence from this team's data" in html
    assert "<td>Improvement</td>" in html and f"Site of {case_study.team.name}" in html
    assert "-9.75 (95% interval -10.7 to -8.8)" in html


def test_the_case_study_page_renders_markdown_safely(client: Client) -> None:
    case_study = PublishedCaseStudyFactory.create(
        what_we_did="We **tested** it. <script>alert(1)</script>"
    )

    html = client.get(f"/case-studies/{case_study.slug}/").content.decode()

    assert "<strong>tested</strong>" in html
    assert "<script>alert(1)" not in html


@pytest.mark.parametrize("status", [Status.DRAFT, Status.IN_REVIEW, Status.CHANGES_REQUESTED])
def test_unpublished_case_studies_are_not_found_even_by_their_team(
    client: Client, status: str
) -> None:
    membership = MembershipFactory.create()
    case_study = CaseStudyFactory.create(team=membership.team, status=status)

    assert client.get(f"/case-studies/{case_study.slug}/").status_code == 404
    client.force_login(membership.user)
    assert client.get(f"/case-studies/{case_study.slug}/").status_code == 404
    assert client.get(_team_url(case_study)).status_code == 200


def test_a_published_case_study_of_an_unpublished_team_is_not_found(client: Client) -> None:
    case_study = PublishedCaseStudyFactory.create(team=TeamFactory.create(is_published=False))

    assert client.get(f"/case-studies/{case_study.slug}/").status_code == 404
    assert case_study.title not in client.get("/case-studies/").content.decode()


def test_the_public_page_is_cached_under_what_it_shows(
    django_capture_on_commit_callbacks: Any,
) -> None:
    case_study = _published_with_evidence()
    measure = case_study.measures.get()
    before = CaseStudyPage(case_study).fingerprint()

    with django_capture_on_commit_callbacks(execute=True):
        DataPoint.objects.create(measure=measure, period=month(30), value=40.0)
        measure_charts_invalidate(measure_ids=[measure.pk])
    after_data = CaseStudyPage(CaseStudy.objects.get(pk=case_study.pk)).fingerprint()
    case_study.refresh_from_db()
    case_study.title = "Renamed"
    case_study.save()
    after_edit = CaseStudyPage(case_study).fingerprint()

    assert len({before, after_data, after_edit}) == 3


# --------------------------------------------------------------------------
# The team's case studies
# --------------------------------------------------------------------------


def test_a_member_writes_a_draft_and_submits_it(client: Client) -> None:
    membership = MembershipFactory.create()
    team = membership.team
    measure = MeasureFactory.create(team=team, name="Falls per 1,000 bed days")
    client.force_login(membership.user)
    assert client.get(f"/teams/{team.slug}/case-studies/new/").status_code == 200

    response = client.post(
        f"/teams/{team.slug}/case-studies/new/", {**FORM, "measures": [measure.pk]}, follow=True
    )

    case_study = CaseStudy.objects.get()
    assert response.redirect_chain[-1][0] == _team_url(case_study)
    assert case_study.slug == "sensor-lighting-on-the-wards"
    assert case_study.clinical_areas == ["Older people's wards", "Stroke unit"]
    html = response.content.decode()
    assert "Draft" in html and "<strong>sensor lighting</strong>" in html
    assert "Falls per 1,000 bed days" in html

    listing = client.get(f"/teams/{team.slug}/case-studies/").content.decode()
    assert "Sensor lighting on the wards" in listing and "Draft" in listing

    client.post(_team_url(case_study, "submit/"))

    case_study.refresh_from_db()
    assert case_study.status == Status.IN_REVIEW
    assert case_study.reviews.get().action == CaseStudyReview.Action.SUBMITTED


def test_the_preview_shows_the_markdown_and_saves_nothing(client: Client) -> None:
    membership = MembershipFactory.create()
    client.force_login(membership.user)

    response = client.post(
        f"/teams/{membership.team.slug}/case-studies/new/",
        {**FORM, "title": "", "preview": "1"},
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "Preview" in html and "<strong>sensor lighting</strong>" in html
    assert not CaseStudy.objects.exists()


def test_missing_fields_are_reported_and_what_was_typed_kept(client: Client) -> None:
    membership = MembershipFactory.create()
    client.force_login(membership.user)

    response = client.post(
        f"/teams/{membership.team.slug}/case-studies/new/",
        {**FORM, "problem": "", "outcome_area": "happiness"},
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "Enter the problem the team set out to solve" in html
    assert "Choose the outcome area the case study is about" in html
    assert "Sensor lighting on the wards" in html
    assert not CaseStudy.objects.exists()


def test_a_taken_address_is_reported_by_the_service(client: Client) -> None:
    membership = MembershipFactory.create()
    CaseStudyFactory.create(slug="taken")
    client.force_login(membership.user)

    response = client.post(
        f"/teams/{membership.team.slug}/case-studies/new/", {**FORM, "slug": "taken"}
    )

    assert response.status_code == 400
    assert "is taken; choose another" in response.content.decode()


def test_changes_requested_are_shown_and_the_case_study_can_be_edited(client: Client) -> None:
    membership = MembershipFactory.create()
    case_study = CaseStudyFactory.create(team=membership.team, status=Status.CHANGES_REQUESTED)
    CaseStudyReview.objects.create(
        case_study=case_study,
        action=CaseStudyReview.Action.CHANGES_REQUESTED,
        comment="Name the wards.",
        actor=staff_user(),
    )
    client.force_login(membership.user)

    page = client.get(_team_url(case_study)).content.decode()
    listing = client.get(f"/teams/{membership.team.slug}/case-studies/").content.decode()
    response = client.post(_team_url(case_study, "edit/"), {**FORM, "slug": case_study.slug})

    assert "Name the wards." in page and "Priya Staff" in page
    assert "Name the wards." in listing
    assert response.status_code == 302
    case_study.refresh_from_db()
    assert case_study.title == "Sensor lighting on the wards"
    assert AuditEvent.objects.filter(action="case_study.update").exists()


@pytest.mark.parametrize("status", [Status.IN_REVIEW, Status.PUBLISHED])
def test_case_studies_in_review_or_published_cannot_be_edited(client: Client, status: str) -> None:
    membership = MembershipFactory.create()
    case_study = CaseStudyFactory.create(team=membership.team, status=status, title="Before")
    client.force_login(membership.user)

    shown = client.get(_team_url(case_study, "edit/"), follow=True)
    posted = client.post(_team_url(case_study, "edit/"), FORM)

    assert shown.redirect_chain[-1][0] == _team_url(case_study)
    assert "cannot be edited now" in shown.content.decode()
    assert posted.status_code == 302
    case_study.refresh_from_db()
    assert case_study.title == "Before"


def test_submitting_twice_says_why_it_cannot(client: Client) -> None:
    membership = MembershipFactory.create()
    case_study = CaseStudyFactory.create(team=membership.team, status=Status.IN_REVIEW)
    client.force_login(membership.user)

    response = client.post(_team_url(case_study, "submit/"), follow=True)

    assert "so it cannot be moved" in response.content.decode()
    assert case_study.reviews.count() == 0


def test_a_data_contributor_reads_but_cannot_write_or_submit(client: Client) -> None:
    membership = MembershipFactory.create(role=TeamMembership.Role.DATA_CONTRIBUTOR)
    case_study = CaseStudyFactory.create(team=membership.team)
    slug = membership.team.slug
    client.force_login(membership.user)

    assert client.get(f"/teams/{slug}/case-studies/").status_code == 200
    assert client.get(_team_url(case_study)).status_code == 200
    assert "Write a case study" not in client.get(f"/teams/{slug}/case-studies/").content.decode()
    assert client.get(f"/teams/{slug}/case-studies/new/").status_code == 403
    assert client.post(f"/teams/{slug}/case-studies/new/", FORM).status_code == 403
    assert client.get(_team_url(case_study, "edit/")).status_code == 403
    assert client.post(_team_url(case_study, "submit/")).status_code == 403
    case_study.refresh_from_db()
    assert case_study.status == Status.DRAFT


def test_other_teams_members_get_404_and_anonymous_visitors_sign_in(client: Client) -> None:
    case_study = CaseStudyFactory.create()
    urls = [
        f"/teams/{case_study.team.slug}/case-studies/",
        f"/teams/{case_study.team.slug}/case-studies/new/",
        _team_url(case_study),
        _team_url(case_study, "edit/"),
    ]

    for url in urls:
        assert client.get(url).status_code == 302
    client.force_login(MembershipFactory.create().user)
    for url in urls:
        assert client.get(url).status_code == 404
    assert client.post(_team_url(case_study, "submit/")).status_code == 404


def test_a_case_study_of_another_team_is_not_found_through_my_team(client: Client) -> None:
    membership = MembershipFactory.create()
    other = CaseStudyFactory.create()
    client.force_login(membership.user)

    assert (
        client.get(f"/teams/{membership.team.slug}/case-studies/{other.slug}/").status_code == 404
    )


# --------------------------------------------------------------------------
# Staff review
# --------------------------------------------------------------------------


def test_the_queue_lists_case_studies_waiting_then_the_rest(client: Client) -> None:
    CaseStudyFactory.create(title="Waiting one", status=Status.IN_REVIEW)
    CaseStudyFactory.create(title="Still a draft")
    client.force_login(staff_user())

    html = client.get("/manage/case-studies/").content.decode()

    assert html.index("In review (1)") < html.index("Waiting one") < html.index("Draft (1)")
    assert "Still a draft" in html


def test_staff_request_changes_then_publish(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    case_study = _published_with_evidence()
    CaseStudy.objects.filter(pk=case_study.pk).update(status=Status.IN_REVIEW, published_at=None)
    member = MembershipFactory.create(team=case_study.team)
    client.force_login(staff_user())
    url = f"/manage/case-studies/{case_study.slug}/"

    page = client.get(url).content.decode()
    assert 'role="img"' in page and "Improvement" in page
    assert "Request changes" in page and "Publish" in page

    missing = client.post(url, {"action": "changes_requested", "changes_requested-comment": ""})
    assert missing.status_code == 400
    assert "Enter the changes the team should make" in missing.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            url, {"action": "changes_requested", "changes_requested-comment": "Name the wards."}
        )
    case_study.refresh_from_db()
    assert case_study.status == Status.CHANGES_REQUESTED
    assert mail.outbox[-1].to == [member.user.email]

    CaseStudy.objects.filter(pk=case_study.pk).update(status=Status.IN_REVIEW)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"action": "published"}, follow=True)
    case_study.refresh_from_db()
    assert case_study.status == Status.PUBLISHED
    assert "Published: “Lighting the way”" in response.content.decode()
    assert "is published" in mail.outbox[-1].subject
    client.logout()
    assert client.get(f"/case-studies/{case_study.slug}/").status_code == 200


def test_staff_unpublish_with_a_reason(client: Client) -> None:
    case_study = PublishedCaseStudyFactory.create()
    client.force_login(staff_user())
    url = f"/manage/case-studies/{case_study.slug}/"

    refused = client.post(url, {"action": "unpublished", "unpublished-comment": ""})
    client.post(url, {"action": "unpublished", "unpublished-comment": "Data were corrected."})

    assert refused.status_code == 400
    assert "Enter why the case study is being unpublished" in refused.content.decode()
    case_study.refresh_from_db()
    assert case_study.status == Status.DRAFT
    client.logout()
    assert client.get(f"/case-studies/{case_study.slug}/").status_code == 404


def test_publishing_a_case_study_of_an_unpublished_team_says_why_not(client: Client) -> None:
    case_study = CaseStudyFactory.create(
        status=Status.IN_REVIEW, team=TeamFactory.create(is_published=False, name="Quiet team")
    )
    client.force_login(staff_user())

    response = client.post(f"/manage/case-studies/{case_study.slug}/", {"action": "published"})

    assert response.status_code == 400
    assert "Quiet team is not published" in response.content.decode()
    case_study.refresh_from_db()
    assert case_study.status == Status.IN_REVIEW


@pytest.mark.parametrize("action", ["published", "delete", ""])
def test_a_move_not_open_now_is_refused_without_change(client: Client, action: str) -> None:
    case_study = CaseStudyFactory.create()
    client.force_login(staff_user())

    response = client.post(f"/manage/case-studies/{case_study.slug}/", {"action": action})

    assert response.status_code == 302
    case_study.refresh_from_db()
    assert case_study.status == Status.DRAFT


def test_review_pages_are_for_staff_only(client: Client) -> None:
    case_study = CaseStudyFactory.create(status=Status.IN_REVIEW)
    member = MembershipFactory.create(team=case_study.team, role=TeamMembership.Role.LEAD)
    urls = ["/manage/case-studies/", f"/manage/case-studies/{case_study.slug}/"]

    for url in urls:
        assert client.get(url).status_code == 302
    client.force_login(member.user)
    for url in urls:
        assert client.get(url).status_code == 403
    assert client.post(urls[1], {"action": "published"}).status_code == 403
    client.force_login(UserFactory.create())
    assert client.get(urls[0]).status_code == 403
    case_study.refresh_from_db()
    assert case_study.status == Status.IN_REVIEW


def test_staff_see_any_team_s_case_studies_in_the_workspace(client: Client) -> None:
    case_study = CaseStudyFactory.create()
    client.force_login(staff_user())

    assert client.get(_team_url(case_study)).status_code == 200
