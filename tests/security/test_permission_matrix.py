"""Every route of the site and of the API × every role, against ONE table of what each may do.

The routes come from the URL configuration and the API's OpenAPI schema: a new route fails
``test_the_table_has_one_entry_per_route`` until its line is written in ``MATRIX``, and a line
for a route that is gone fails it too. ``world.py`` says who the roles are and which object
each URL names.

What the table says, per role:

- ``ALLOW``: the page is shown (2xx, or a redirect anywhere but to sign in). A route that
  only takes POST is asked with an empty form, which may also be refused on its content (400).
- ``DENY``: sent to sign in, or refused (401, 403, 404). The same address is then POSTed to
  with an empty form: it must be refused too (or 405), and write nothing to the database.
- a status code: exactly that (400 for a link that is not theirs, or an invitation to someone
  else), and a POST must not be taken either.

Whatever the answer, no response (pages, exports, feeds, PDFs, error pages) may show a canary
to someone who may not read it (``world.CANARY_READERS``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from typing import Final

import pytest
from django.urls import reverse

from sharedpurpose.engagement.services.subscriptions import unsubscribe_token

from .conftest import Asker, Outcome, Seen
from .world import (
    API_CALLERS,
    SIGNED_OUT,
    WEB_ROLES,
    Canary,
    Role,
    World,
    api_body,
    api_operations,
    api_path,
    web_kwargs,
    web_post_data,
    web_routes,
)

pytestmark = pytest.mark.django_db

ALLOW: Final = "allow"
DENY: Final = "deny"
Expect = str | int
Spec = Mapping[Role, Expect]

R = Role
EVERYONE = frozenset(WEB_ROLES)
NOBODY: frozenset[Role] = frozenset()
SIGNED_IN = EVERYONE - SIGNED_OUT
ASSESSORS = frozenset({R.ASSESSOR, R.ASSESSOR_CONFLICTED})
#: Staff of every programme: the funder's programme staff and administrators.
STAFF_ALL = frozenset({R.STAFF, R.ADMIN})
#: Everyone who runs programme A.
STAFF_A = STAFF_ALL | {R.STAFF_THIS_PROGRAMME}
#: Everyone who runs some programme: they reach /manage/, which shows them only their own.
STAFF_ANY = STAFF_A | {R.STAFF_OTHER_PROGRAMME}
TEAM_A = STAFF_A | {R.MEMBER_A}
#: Who may read application X; only its lead applicant may change it.
READS_X = STAFF_A | {R.APPLICANT}
LEADS_X = frozenset({R.APPLICANT})
#: Accounts flagged ``is_staff`` reach the Django admin; only a superuser reaches its models.
DJANGO_STAFF = frozenset({R.STAFF, R.ADMIN})
SUPERUSER = frozenset({R.ADMIN})


def only(
    allowed: Iterable[Role],
    *,
    others: Expect = DENY,
    signed_out: Expect | None = None,
    callers: Iterable[Role] = WEB_ROLES,
) -> dict[Role, Expect]:
    """``allowed`` get the page; the signed out and then everyone else get what is named."""
    chosen = frozenset(allowed)
    spec: dict[Role, Expect] = {}
    for role in callers:
        if role in chosen:
            spec[role] = ALLOW
        elif role in SIGNED_OUT and signed_out is not None:
            spec[role] = signed_out
        else:
            spec[role] = others
    return spec


PUBLIC = only(EVERYONE)
#: A link signed for the subscriber: everyone else can only forge one.
SUBSCRIBERS_LINK = only({R.SUBSCRIBER}, others=400)
#: Preference links open nothing until the sign-up is confirmed.
PREFERENCES_LINK = only(NOBODY, others=400)


def invited(role: Role) -> dict[Role, Expect]:
    """An invitation link: anyone signed in may open it, only the invited address may use it."""
    return only({role}, others=400, signed_out=DENY)


BAD_TOKENS = {R.EXPIRED_TOKEN: 401, R.REVOKED_TOKEN: 401}
API_PUBLIC = only(API_CALLERS, callers=API_CALLERS) | BAD_TOKENS
API_SIGNED_IN = (
    only(frozenset(API_CALLERS) - SIGNED_OUT, signed_out=401, callers=API_CALLERS) | BAD_TOKENS
)
#: Team A's data: people with no access cannot tell it exists (404).
API_TEAM_A_READ = (
    only(TEAM_A | {R.READ_ONLY_TOKEN}, others=404, signed_out=401, callers=API_CALLERS) | BAD_TOKENS
)
#: A change to team A's data: a read-only token is refused (403).
API_TEAM_A_WRITE = API_TEAM_A_READ | {R.READ_ONLY_TOKEN: 403}

ADMIN_MODELS = (
    "account_emailaddress",
    "accounts_user",
    "applications_application",
    "applications_award",
    "applications_decision",
    "auth_group",
    "core_auditevent",
    "django_tasks_database_dbtaskresult",
    "improvement_datapoint",
    "improvement_measure",
    "improvement_organisation",
    "improvement_team",
    "programmes_announcement",
    "programmes_programme",
    "programmes_round",
)
ADMIN_MODEL_PAGES = ("add", "change", "changelist", "delete", "history")

#: THE table: each route, and what each role gets from it.
MATRIX: dict[str, Spec] = {
    # The public site.
    "core:home": PUBLIC,
    "core:healthz": PUBLIC,
    "programmes:feed": PUBLIC,
    "programmes:programme_list": PUBLIC,
    "programmes:programme": PUBLIC,
    "programmes:programme_feed": PUBLIC,
    "programmes:round": PUBLIC,
    "improvement:team": PUBLIC,
    "evidence:interventions": PUBLIC,
    "evidence:intervention": PUBLIC,
    "evidence:rules": PUBLIC,
    "evidence:programme": PUBLIC,
    "evidence:programme_export": PUBLIC,
    "evidence:case_studies": PUBLIC,
    "evidence:case_study": PUBLIC,
    "engagement:comment_post": PUBLIC,
    "engagement:comment_report": PUBLIC,
    "engagement:my_comments_request": PUBLIC,
    "engagement:subscribe": PUBLIC,
    "engagement:subscribe_done": PUBLIC,
    "api:openapi-json": PUBLIC,
    "api:openapi-view": PUBLIC,
    # ``/api/`` itself is no page.
    "api:api-root": only(NOBODY),
    # What the subscriber's links open, and to nobody else.
    "engagement:subscribe_confirm": SUBSCRIBERS_LINK,
    "engagement:unsubscribe": SUBSCRIBERS_LINK,
    "engagement:preferences": PREFERENCES_LINK,
    "engagement:preferences_export": PREFERENCES_LINK,
    "engagement:preferences_erase": PREFERENCES_LINK,
    "engagement:my_comments": SUBSCRIBERS_LINK,
    "engagement:my_comments_export": SUBSCRIBERS_LINK,
    "engagement:my_comments_erase": SUBSCRIBERS_LINK,
    # Anyone's own account.
    "personal_data:overview": only(SIGNED_IN),
    "personal_data:download": only(SIGNED_IN),
    "personal_data:erase": only(SIGNED_IN),
    "api_tokens:list": only(SIGNED_IN),
    "api_tokens:created": only(SIGNED_IN),
    "api_tokens:revoke": only({R.MEMBER_A}),
    "improvement:my_teams": only(SIGNED_IN),
    "applications:mine": only(SIGNED_IN),
    "applications:apply": only(SIGNED_IN),
    # Invitations: X's went to the collaborator, team A's to member B.
    "applications:invitation_accept": invited(R.COLLABORATOR),
    "improvement:invitation_accept": invited(R.MEMBER_B),
    # Application X, a draft.
    "applications:application": only(READS_X),
    "applications:history": only(READS_X),
    "applications:pdf": only(READS_X),
    "applications:partnership": only(READS_X),
    "applications:section": only(READS_X),
    "applications:answer_file": only(READS_X),
    "applications:submitted": only(READS_X),
    "applications:submit": only(LEADS_X),
    "applications:withdraw": only(LEADS_X),
    "applications:section_autosave": only(LEADS_X),
    "applications:answer_file_delete": only(LEADS_X),
    "applications:partnership_lead_organisation": only(LEADS_X),
    "applications:partnership_partner_add": only(LEADS_X),
    "applications:partnership_partner_edit": only(LEADS_X),
    "applications:partnership_partner_remove": only(LEADS_X),
    "applications:partnership_leads": only(LEADS_X),
    "applications:partnership_member_edit": only(LEADS_X),
    "applications:partnership_member_remove": only(LEADS_X),
    "applications:partnership_invite": only(LEADS_X),
    "applications:partnership_invitation_withdraw": only(LEADS_X),
    # Application Y, in assessment: only the assessor without a conflict reads it.
    "applications:assessor_home": only(ASSESSORS),
    "applications:assess": only({R.ASSESSOR}),
    "applications:conflict_declare": only({R.ASSESSOR}),
    "applications:staff_application": only(STAFF_A),
    "applications:assessors": only(STAFF_A),
    "applications:assessor_unassign": only(STAFF_A),
    "applications:decision": only(STAFF_A),
    "applications:award": only(STAFF_A),
    # The open round's applications, form and criteria.
    "applications:round_applications": only(STAFF_A),
    "applications:panel": only(STAFF_A),
    "applications:letters": only(STAFF_A),
    "applications:awards": only(STAFF_A),
    "applications:form_manage": only(STAFF_A),
    "applications:form_create": only(STAFF_A),
    "applications:form_copy": only(STAFF_A),
    "applications:form_settings": only(STAFF_A),
    "applications:form_preview": only(STAFF_A),
    "applications:section_create": only(STAFF_A),
    "applications:section_edit": only(STAFF_A),
    "applications:section_delete": only(STAFF_A),
    "applications:section_move": only(STAFF_A),
    "applications:question_create": only(STAFF_A),
    "applications:question_edit": only(STAFF_A),
    "applications:question_kind": only(STAFF_A),
    "applications:question_delete": only(STAFF_A),
    "applications:question_move": only(STAFF_A),
    "applications:criteria": only(STAFF_A),
    "applications:criterion_create": only(STAFF_A),
    "applications:criteria_copy": only(STAFF_A),
    "applications:criterion_edit": only(STAFF_A),
    "applications:criterion_delete": only(STAFF_A),
    "applications:criterion_move": only(STAFF_A),
    # Running programme A.
    "programmes:manage_home": only(STAFF_ANY),
    "programmes:programme_create": only(STAFF_ALL),
    "programmes:programme_edit": only(STAFF_A),
    "programmes:programme_staff": only(STAFF_ALL),
    "programmes:programme_staff_remove": only(STAFF_ALL),
    "programmes:round_create": only(STAFF_A),
    "programmes:round_manage": only(STAFF_A),
    "programmes:round_edit": only(STAFF_A),
    "programmes:round_transition": only(STAFF_A),
    "programmes:announcement_create": only(STAFF_A),
    "programmes:announcement_edit": only(STAFF_A),
    "programmes:announcement_delete": only(STAFF_A),
    "engagement:moderation_queue": only(STAFF_ANY),
    "engagement:comments_lock": only(STAFF_A),
    "engagement:comment_approve": only(STAFF_A),
    "engagement:comment_hide": only(STAFF_A),
    "engagement:comment_unhide": only(STAFF_A),
    "engagement:comment_delete": only(STAFF_A),
    "engagement:comment_answer": only(STAFF_A),
    "engagement:comment_settings": only(STAFF_ALL),
    "engagement:outbox_retry": only(STAFF_A),
    "evidence:manage_interventions": only(STAFF_ALL),
    "evidence:manage_intervention_create": only(STAFF_ALL),
    "evidence:manage_intervention_edit": only(STAFF_ALL),
    "evidence:review_queue": only(STAFF_ANY),
    "evidence:case_study_review": only(STAFF_A),
    "evidence:reports": only(STAFF_A),
    "evidence:report": only(STAFF_A),
    "evidence:report_pdf": only(STAFF_A),
    # Team A's workspace: its members and the staff of its programme.
    "improvement:workspace": only(TEAM_A),
    "improvement:members": only(TEAM_A),
    "improvement:measure_create": only(TEAM_A),
    "improvement:measure_library": only(TEAM_A),
    "improvement:measure_adopt": only(TEAM_A),
    "improvement:measure_edit": only(TEAM_A),
    "improvement:measure_delete": only(TEAM_A),
    "improvement:goal_list": only(TEAM_A),
    "improvement:goal_create": only(TEAM_A),
    "improvement:goal": only(TEAM_A),
    "improvement:goal_edit": only(TEAM_A),
    "improvement:goal_delete": only(TEAM_A),
    "improvement:goal_diagram_edit": only(TEAM_A),
    "improvement:goal_diagram_svg": only(TEAM_A),
    "improvement:node_add": only(TEAM_A),
    "improvement:node_rename": only(TEAM_A),
    "improvement:node_move": only(TEAM_A),
    "improvement:node_delete": only(TEAM_A),
    "improvement:node_start": only(TEAM_A),
    "improvement:measure_data": only(TEAM_A),
    "improvement:measure_export": only(TEAM_A),
    "improvement:measure_history": only(TEAM_A),
    "improvement:import_list": only(TEAM_A),
    "improvement:import_create": only(TEAM_A),
    "improvement:import_preview": only(TEAM_A),
    "improvement:import_commit": only(TEAM_A),
    "improvement:measure": only(TEAM_A),
    "improvement:measure_chart_svg": only(TEAM_A),
    "improvement:rebase_add": only(TEAM_A),
    "improvement:rebase_remove": only(TEAM_A),
    "improvement:pdsa_list": only(TEAM_A),
    "improvement:pdsa_create": only(TEAM_A),
    "improvement:pdsa": only(TEAM_A),
    "improvement:pdsa_edit": only(TEAM_A),
    "improvement:pdsa_delete": only(TEAM_A),
    "evidence:team_interventions": only(TEAM_A),
    "evidence:team_intervention_add": only(TEAM_A),
    "evidence:team_intervention_use": only(TEAM_A),
    "evidence:team_evidence": only(TEAM_A),
    "evidence:goal_links": only(TEAM_A),
    "evidence:team_case_studies": only(TEAM_A),
    "evidence:case_study_create": only(TEAM_A),
    "evidence:team_case_study": only(TEAM_A),
    "evidence:case_study_edit": only(TEAM_A),
    "evidence:case_study_submit": only(TEAM_A),
    # Members and sharing are for the team's leads (member A is not one) and its staff.
    "improvement:member_invite": only(STAFF_A),
    "improvement:member_edit": only(STAFF_A),
    "improvement:member_remove": only(STAFF_A),
    "improvement:invitation_cancel": only(STAFF_A),
    "improvement:sharing": only(STAFF_A),
    # Signing in and the account's e-mail and password (django-allauth).
    "account_login": PUBLIC,
    "account_logout": PUBLIC,
    "account_signup": PUBLIC,
    "account_inactive": PUBLIC,
    "account_email_verification_sent": PUBLIC,
    "account_confirm_email": PUBLIC,
    "account_reset_password": PUBLIC,
    "account_reset_password_done": PUBLIC,
    "account_reset_password_from_key": PUBLIC,
    "account_reset_password_from_key_done": PUBLIC,
    "account_confirm_login_code": only(SIGNED_IN),
    "account_reauthenticate": only(SIGNED_IN),
    "account_request_reauthentication_code": only(SIGNED_IN),
    "account_confirm_reauthentication_code": only(SIGNED_IN),
    "account_email": only(SIGNED_IN),
    "account_change_password": only(SIGNED_IN),
    "account_set_password": only(SIGNED_IN),
    # The Django admin.
    "admin:login": PUBLIC,
    "admin:logout": PUBLIC,
    "admin:index": only(DJANGO_STAFF),
    "admin:password_change": only(DJANGO_STAFF),
    "admin:password_change_done": only(DJANGO_STAFF),
    "admin:jsi18n": only(DJANGO_STAFF),
    "admin:view_on_site": only(DJANGO_STAFF),
    "admin:app_list": only(SUPERUSER),
    "admin:auth_user_password_change": only(SUPERUSER),
    # No admin form looks anything up as you type.
    "admin:autocomplete": only(NOBODY),
    **{
        f"admin:{model}_{page}": only(SUPERUSER)
        for model in ADMIN_MODELS
        for page in ADMIN_MODEL_PAGES
    },
    # Read-only in the admin: these change only through the site's own pages.
    "admin:applications_application_add": only(NOBODY),
    "admin:core_auditevent_add": only(NOBODY),
    "admin:core_auditevent_delete": only(NOBODY),
    "admin:django_tasks_database_dbtaskresult_add": only(NOBODY),
    "admin:django_tasks_database_dbtaskresult_delete": only(NOBODY),
    # The API: public reads, then team A's data.
    "GET /api/v1/programmes": API_PUBLIC,
    "GET /api/v1/programmes/{slug}": API_PUBLIC,
    "GET /api/v1/rounds": API_PUBLIC,
    "GET /api/v1/rounds/{round_id}": API_PUBLIC,
    "GET /api/v1/evidence": API_PUBLIC,
    "POST /api/v1/subscriptions": API_PUBLIC,
    "GET /api/v1/teams": API_SIGNED_IN,
    "GET /api/v1/measures": API_SIGNED_IN,
    "GET /api/v1/teams/{slug}": API_TEAM_A_READ,
    "GET /api/v1/teams/{slug}/goals": API_TEAM_A_READ,
    "GET /api/v1/goals/{goal_id}": API_TEAM_A_READ,
    "GET /api/v1/measures/{measure_id}": API_TEAM_A_READ,
    "GET /api/v1/measures/{measure_id}/points": API_TEAM_A_READ,
    "GET /api/v1/measures/{measure_id}/spc": API_TEAM_A_READ,
    "POST /api/v1/points/bulk": API_TEAM_A_WRITE,
}

WEB = web_routes()
API = api_operations()
ROUTES = sorted(WEB) + API
PROBLEM_CONTENT_TYPE = "application/problem+json"
REFUSALS = {Outcome.SIGN_IN, Outcome.REFUSED}


def test_the_table_has_one_entry_per_route() -> None:
    missing = [route for route in ROUTES if route not in MATRIX]
    assert not missing, f"Write what each role gets from {missing} in MATRIX"
    gone = [route for route in MATRIX if route not in ROUTES]
    assert not gone, f"{gone} are no longer routes: remove them from MATRIX"
    for route, spec in MATRIX.items():
        callers = API_CALLERS if route in API else WEB_ROLES
        assert set(spec) == set(callers), f"{route} names {sorted(set(spec) ^ set(callers))}"


def _answered_as_expected(expect: Expect, seen: list[Seen]) -> bool:
    first = seen[0]
    outcomes = {one.outcome for one in seen}
    if expect == ALLOW:
        if first.outcome is Outcome.NO_METHOD:
            return seen[-1].outcome in {Outcome.SHOWN, Outcome.INVALID}
        return first.outcome is Outcome.SHOWN
    if expect == DENY:
        return outcomes <= REFUSALS | {Outcome.NO_METHOD} and bool(outcomes & REFUSALS)
    answered = first if first.outcome is not Outcome.NO_METHOD else seen[-1]
    return answered.status == expect and Outcome.SHOWN not in outcomes


def _seen_problems(seen: list[Seen]) -> list[str]:
    return [f"{one.role}: {one} is a server error" for one in seen if one.status >= 500] + [
        f"{one.role}: {one} shows {', '.join(c.name for c in one.leaks())}"
        for one in seen
        if one.leaks()
    ]


def _web_problems(asker: Asker, name: str, role: Role, expect: Expect) -> list[str]:
    url = reverse(name, kwargs=web_kwargs(asker.world, WEB[name], role))
    seen = [asker.ask(role, "GET", url)]
    if expect != ALLOW or seen[0].outcome is Outcome.NO_METHOD:
        # An empty form: whatever the page would do with it, a refused person must not get it.
        seen.append(asker.ask(role, "POST", url, data=web_post_data(asker.world, name)))
    problems = _seen_problems(seen)
    if not _answered_as_expected(expect, seen):
        problems.append(f"{role}: expected {expect}, got {' then '.join(map(str, seen))}")
    if expect != ALLOW and seen[-1].changes:
        problems.append(f"{role}: a refused POST wrote {seen[-1].changes}")
    return problems


def _api_problems(asker: Asker, operation: str, role: Role, expect: Expect) -> list[str]:
    method = operation.split(" ", 1)[0]
    body = None if method == "GET" else json.dumps(api_body(asker.world, operation, role))
    seen = asker.ask(role, method, api_path(asker.world, operation), json_body=body, api=True)
    problems = _seen_problems([seen])
    if expect == ALLOW:
        answered = 200 <= seen.status < 300
    elif expect == DENY:
        answered = seen.status in {401, 403, 404}
    else:
        answered = seen.status == expect
    if not answered:
        problems.append(f"{role}: expected {expect}, got {seen}")
    if seen.status >= 400 and seen.content_type != PROBLEM_CONTENT_TYPE:
        problems.append(f"{role}: {seen} is not a problem document but {seen.content_type}")
    if expect != ALLOW and seen.changes:
        problems.append(f"{role}: a refused {method} wrote {seen.changes}")
    return problems


@pytest.mark.parametrize("route", ROUTES)
def test_each_role_gets_what_the_table_says(asker: Asker, route: str) -> None:
    spec = MATRIX.get(route)
    if spec is None:
        pytest.fail(f"{route} has no entry in MATRIX")
    problems: list[str] = []
    for role, expect in spec.items():
        if route in API:
            problems += _api_problems(asker, route, role, expect)
        else:
            problems += _web_problems(asker, route, role, expect)
    assert not problems, f"{route}:\n  " + "\n  ".join(problems)


CANARY_SIGHTINGS: list[tuple[Role, Callable[[World], str], Canary]] = [
    (
        R.MEMBER_A,
        lambda w: reverse("improvement:goal_list", kwargs={"team_slug": w.team_a.slug}),
        Canary.TEAM_A_GOAL,
    ),
    (
        R.MEMBER_B,
        lambda w: reverse(
            "improvement:measure", kwargs={"team_slug": w.team_b.slug, "measure_id": w.measure_b.pk}
        ),
        Canary.TEAM_B_MEASURE,
    ),
    # B's own evidence of the intervention it shares with A: the public evidence must not
    # show it while B's award is unpublished.
    (
        R.MEMBER_B,
        lambda w: reverse("evidence:team_evidence", kwargs={"team_slug": w.team_b.slug}),
        Canary.TEAM_B_MEASURE,
    ),
    (R.STAFF, lambda w: reverse("evidence:report", args=[w.report.pk]), Canary.TEAM_B_MEASURE),
    (
        R.MEMBER_B,
        lambda w: reverse(
            "improvement:measure_data",
            kwargs={"team_slug": w.team_b.slug, "measure_id": w.measure_b.pk},
        ),
        Canary.TEAM_B_UNIT,
    ),
    (
        R.APPLICANT,
        lambda w: reverse("applications:application", args=[w.application_x.reference]),
        Canary.X_TITLE,
    ),
    (
        R.APPLICANT,
        lambda w: reverse("applications:section", args=[w.application_x.reference, w.section.pk]),
        Canary.X_DRAFT_ANSWER,
    ),
    (R.STAFF, lambda w: reverse("engagement:moderation_queue"), Canary.HIDDEN_COMMENT),
    (R.STAFF, lambda w: reverse("engagement:moderation_queue"), Canary.COMMENTER_EMAIL),
    (
        R.SUBSCRIBER,
        lambda w: reverse("engagement:unsubscribe", args=[unsubscribe_token(w.subscriber.pk)]),
        Canary.SUBSCRIBER_EMAIL,
    ),
    (R.STAFF, lambda w: reverse("programmes:manage_home"), Canary.DRAFT_ROUND),
]


@pytest.mark.parametrize(("role", "url", "canary"), CANARY_SIGHTINGS)
def test_the_canaries_show_to_their_readers(
    asker: Asker, role: Role, url: Callable[[World], str], canary: Canary
) -> None:
    """Each canary is there for its readers, read as the matrix reads every response: a leak
    of it could not go unseen."""
    seen = asker.ask(role, "GET", url(asker.world))

    assert seen.status == 200, seen
    assert canary.value.casefold() in seen.text.casefold()
