"""What the fuzz tests share: a world with someone entitled to every page, the site's own
URL configuration walked page by page, the post forms read out of each page's HTML, and a
fingerprint of every row in the database.

Nothing here lists forms by hand: a new page with a form is found by the walk, and a new
URL parameter without a value in the world makes ``url_parameters_missing`` say so.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from django.apps import apps
from django.contrib.auth.tokens import default_token_generator
from django.core.cache import caches
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client
from django.urls import (
    NoReverseMatch,
    Resolver404,
    URLPattern,
    URLResolver,
    get_resolver,
    resolve,
    reverse,
)
from django.utils import timezone
from hypothesis import strategies as st

from sharedpurpose.accounts.models import User
from sharedpurpose.api.models import ApiToken
from sharedpurpose.applications.models import (
    Application,
    ApplicationInvitation,
    ApplicationMember,
    ApplicationOrganisation,
    ApplicationState,
    AssessorAssignment,
    Criterion,
    FormSection,
    Question,
)
from sharedpurpose.demo.loader import demo_load
from sharedpurpose.engagement.models import Comment, OutboxMessage, Subscriber
from sharedpurpose.engagement.services.comments import my_comments_token_make
from sharedpurpose.engagement.services.subscriptions import (
    confirm_token,
    preferences_token,
    unsubscribe_token,
)
from sharedpurpose.evidence.models import CaseStudy, Intervention, ProgrammeReport
from sharedpurpose.improvement.models import (
    DataImport,
    DriverNode,
    Goal,
    PdsaCycle,
    Rebase,
    Team,
    TeamInvitation,
    TeamMembership,
)
from sharedpurpose.improvement.services.imports import data_import_upload
from sharedpurpose.improvement.services.rebases import rebase_add
from sharedpurpose.programmes.models import Announcement, Round, RoundState
from tests.api.conftest import make_token
from tests.engagement.factories_comments import CommentFactory
from tests.improvement.factories_data import csv_upload

#: Who the world holds; ``None`` is a visitor who has not signed in.
ROLES = ("visitor", "staff", "lead", "applicant", "assessor", "invitee")
INVITEE_EMAIL = "invitee@example.org"

#: Django's own admin: nobody in the world (or on the site's pages) signs in to it.
#: The API is JSON, fuzzed against its schema in tests/api/test_schema_fuzz.py.
SKIPPED_NAMESPACES = ("admin", "api")
#: At most this many combinations of parameter values are tried per page and person.
MAX_COMBINATIONS = 24


# The world ----------------------------------------------------------------------------------


@dataclass
class World:
    people: dict[str, User | None]
    #: Values to try, in order, for each URL parameter name.
    url_values: dict[str, list[str]]


def world_build() -> World:
    """The demo programme, plus what it lacks for some pages to exist: pending invitations
    to a team and to an application (and the person invited), a partner and a collaborator
    on the applicant's draft, an uploaded import, a rebase, a board report, an API token, a
    failed e-mail, comments waiting for moderation and a question without an answer."""
    demo_load()
    staff = User.objects.get(email="staff@demo.example.org")
    lead = User.objects.get(email="team@demo.example.org")
    applicant = User.objects.get(email="applicant@demo.example.org")
    assessor = User.objects.get(email="assessor@demo.example.org")
    invitee = User.objects.create_user(
        email=INVITEE_EMAIL, password="shared-purpose-demo", full_name="Ira Invitee"
    )
    EmailAddress.objects.create(user=invitee, email=INVITEE_EMAIL, verified=True, primary=True)

    team = Team.objects.get(memberships__user=lead, memberships__role=TeamMembership.Role.LEAD)
    measure = team.measures.order_by("pk").first()
    assert measure is not None
    TeamInvitation.objects.create(
        team=team,
        email=INVITEE_EMAIL,
        role=TeamMembership.Role.MEMBER,
        side="clinical",
        clinical_area="Ward 7",
        token="team-invitation-token",
        invited_by=lead,
        expires_at=timezone.now() + timedelta(days=14),
    )
    draft = Application.objects.get(lead_applicant=applicant, state=ApplicationState.DRAFT)
    ApplicationInvitation.objects.create(
        application=draft,
        email=INVITEE_EMAIL,
        side="corporate",
        corporate_service="finance",
        token="application-invitation-token",
        invited_by=applicant,
        expires_at=timezone.now() + timedelta(days=14),
    )
    ApplicationOrganisation.objects.create(
        application=draft, name="Partner Trust (fictional)", kind="NHS trust", role="partner"
    )
    collaborator = User.objects.create_user(
        email="collaborator@example.org", password="shared-purpose-demo", full_name="Col Lab"
    )
    ApplicationMember.objects.create(
        application=draft, user=collaborator, side="corporate", corporate_service="estates"
    )
    data_import_upload(
        actor=lead,
        team=team,
        upload=csv_upload("period,value\n2024-01-01,4\n2024-02-01,x\n"),
        measure=measure,
    )
    periods = list(measure.points.order_by("period").values_list("period", flat=True))
    rebase_add(actor=lead, measure=measure, period=periods[len(periods) // 2], reason="New rota")
    delivery_round = team.round
    ProgrammeReport.objects.create(
        round=delivery_round,
        status=ProgrammeReport.Status.READY,
        requested_by=staff,
        html="<p>The board report.</p>",
        finished_at=timezone.now(),
    )
    make_token(lead, name="Pipeline")
    OutboxMessage.objects.create(
        dedupe_key="fuzz-failed",
        kind="round_open",
        to_email="reader@example.org",
        subject="Applications open",
        body_text="Applications are open.",
        round=delivery_round,
        status=OutboxMessage.Status.FAILED,
        attempts=5,
        last_error="Connection refused",
    )
    open_round = Round.objects.filter(state=RoundState.OPEN).order_by("pk").first()
    assert open_round is not None
    CommentFactory.create(
        round=delivery_round, status=Comment.Status.PENDING, author_email="pending@example.org"
    )
    CommentFactory.create(round=delivery_round, is_question=True, body="When is the next round?")

    people: dict[str, User | None] = {
        "visitor": None,
        "staff": staff,
        "lead": lead,
        "applicant": applicant,
        "assessor": assessor,
        "invitee": invitee,
    }
    return World(people=people, url_values=_url_values(team, open_round, draft, invitee))


def _pks(rows: Iterable[Any]) -> list[str]:
    return [str(row.pk) for row in rows]


def _url_values(
    team: Team, open_round: Round, draft: Application, invitee: User
) -> dict[str, list[str]]:
    goal = Goal.objects.filter(team=team).order_by("pk").first()
    assert goal is not None
    # Change ideas first: the pages of a change idea (cycles, interventions) need one.
    nodes = sorted(goal.nodes.all(), key=lambda n: (n.kind != DriverNode.Kind.CHANGE_IDEA, n.pk))
    subscriber = Subscriber.objects.order_by("pk").first()
    assert subscriber is not None
    commenter = Comment.objects.order_by("pk").values_list("author_email", flat=True).first()
    applications = [draft, *Application.objects.exclude(pk=draft.pk).order_by("pk")]
    invitee_address = EmailAddress.objects.get(user=invitee)
    return {
        "programme_slug": [open_round.programme.slug, team.round.programme.slug],
        "round_slug": [open_round.slug, team.round.slug],
        "team_slug": [team.slug],
        "goal_id": [str(goal.pk)],
        "node_id": _pks(nodes),
        "measure_id": _pks(team.measures.order_by("pk")[:2]),
        # A member who is not a lead first: a lead's own page differs only in its refusals.
        "membership_id": _pks(
            sorted(team.memberships.all(), key=lambda m: (m.role == "lead", m.pk))
        ),
        "invitation_id": _pks(TeamInvitation.objects.filter(team=team))
        + _pks(ApplicationInvitation.objects.filter(application=draft)),
        "import_id": _pks(DataImport.objects.filter(team=team)),
        "rebase_id": _pks(Rebase.objects.filter(measure__team=team)),
        "cycle_id": _pks(PdsaCycle.objects.filter(change_idea__goal__team=team).order_by("pk")[:1]),
        "reference": [a.reference for a in applications],
        "section_id": _pks(FormSection.objects.filter(form__round=open_round).order_by("position")),
        "question_id": _pks(
            Question.objects.filter(section__form__round=open_round).order_by("kind", "pk")
        ),
        "criterion_id": _pks(Criterion.objects.filter(round=open_round).order_by("position")[:1]),
        "assignment_id": _pks(AssessorAssignment.objects.order_by("pk")[:1]),
        "organisation_id": _pks(draft.organisations.order_by("-role", "pk")),
        "member_id": _pks(draft.members.order_by("is_lead_applicant", "pk")),
        "announcement_id": _pks(Announcement.objects.order_by("pk")[:1]),
        "pk": _pks(Comment.objects.order_by("status", "-is_question", "pk")),
        "token": [
            "team-invitation-token",
            "application-invitation-token",
            confirm_token(subscriber.pk),
            preferences_token(subscriber.pk),
            unsubscribe_token(subscriber.pk),
            my_comments_token_make(email=str(commenter)),
        ],
        "slug": [
            *CaseStudy.objects.filter(team=team).order_by("pk").values_list("slug", flat=True),
            *CaseStudy.objects.order_by("status", "pk").values_list("slug", flat=True),
            *Intervention.objects.order_by("pk").values_list("slug", flat=True)[:1],
        ],
        "report_id": _pks(ProgrammeReport.objects.order_by("pk")),
        "token_id": _pks(ApiToken.objects.order_by("pk")),
        "message_id": _pks(OutboxMessage.objects.filter(status=OutboxMessage.Status.FAILED)),
        "fmt": ["csv", "xlsx", "json"],
        "key": [
            EmailConfirmationHMAC(invitee_address).key,
            default_token_generator.make_token(invitee),
        ],
        "uidb36": [user_pk_to_url_str(invitee)],
    }


# The URL configuration ----------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str  # namespaced, e.g. "improvement:goal_edit"
    route: str  # the pattern as written, for messages
    parameters: tuple[str, ...]

    @property
    def is_document(self) -> bool:
        """A file by name (``report.pdf``, ``chart.svg``, ``export.<fmt>``), not a page."""
        last = self.route.rstrip("$").rstrip("/").rsplit("/", 1)[-1]
        return "." in last


def routes() -> list[Route]:
    """Every named URL pattern of the site outside ``SKIPPED_NAMESPACES``."""
    found: list[Route] = []

    def walk(
        patterns: Iterable[URLPattern | URLResolver], prefix: str, ns: tuple[str, ...]
    ) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = (*ns, pattern.namespace) if pattern.namespace else ns
                if inner and inner[0] in SKIPPED_NAMESPACES:
                    continue
                walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            elif pattern.name:
                regex = pattern.pattern.regex
                found.append(
                    Route(
                        name=":".join((*ns, pattern.name)),
                        route=prefix + str(pattern.pattern),
                        parameters=tuple(regex.groupindex),
                    )
                )

    walk(get_resolver().url_patterns, "", ())
    return found


def url_parameters_missing(world: World) -> dict[str, list[str]]:
    """URL parameter names the world has no value for, with the routes that use them."""
    missing: dict[str, list[str]] = {}
    for route in routes():
        for name in route.parameters:
            if not world.url_values.get(name):
                missing.setdefault(name, []).append(route.name)
    return missing


def route_urls(route: Route, world: World) -> Iterator[str]:
    """Addresses of ``route`` built from the world's values, most likely ones first."""
    choices = [world.url_values[name] for name in route.parameters]
    for values in itertools.islice(itertools.product(*choices), MAX_COMBINATIONS):
        try:
            yield reverse(route.name, kwargs=dict(zip(route.parameters, values, strict=True)))
        except NoReverseMatch:  # noqa: S112 - a value the pattern does not accept
            continue


# Reading forms out of HTML ------------------------------------------------------------------

TEXT_TYPES = frozenset(
    {
        "text",
        "email",
        "search",
        "url",
        "tel",
        "number",
        "date",
        "datetime-local",
        "month",
        "week",
        "time",
        "",
    }
)


@dataclass
class Control:
    """One named control of a form as the page offers it."""

    name: str
    kind: str  # input type, "select", "textarea" or "button"
    value: str = ""
    checked: bool = False
    options: list[str] = field(default_factory=list)
    selected: list[str] = field(default_factory=list)
    #: Out of the tab order: a trap for bots (a honeypot), never typed in by people.
    untabbable: bool = False


@dataclass
class PostForm:
    action: str  # path, query string kept
    hx_post: str  # where htmx posts the same fields, if it does
    controls: list[Control] = field(default_factory=list)

    def names(self) -> list[str]:
        return list(dict.fromkeys(c.name for c in self.controls if c.kind != "button"))

    def controls_named(self, name: str) -> list[Control]:
        return [c for c in self.controls if c.name == name]

    def buttons(self) -> list[Control]:
        return [c for c in self.controls if c.kind == "button"]

    def defaults(self) -> dict[str, list[str]]:
        """What a browser sends when nothing is changed, without the button."""
        sent: dict[str, list[str]] = {}
        for control in self.controls:
            if control.kind in ("button", "file"):
                continue
            if control.kind in ("checkbox", "radio"):
                if control.checked:
                    sent.setdefault(control.name, []).append(control.value)
            elif control.kind == "select":
                chosen = control.selected or control.options[:1]
                if chosen:
                    sent.setdefault(control.name, []).extend(chosen)
            else:
                sent.setdefault(control.name, []).append(control.value)
        return sent

    @property
    def signature(self) -> tuple[str, ...]:
        """What makes two forms the same form: the view they post to, what they hold and
        the buttons they offer (a form on another programme's page is the same form)."""
        path = urlsplit(self.action).path
        try:
            where = resolve(path).view_name
        except Resolver404:
            where = path
        buttons = (f"{b.name}={b.value}" for b in self.buttons())
        return (where, *sorted(self.names()), *sorted(buttons))


class _FormParser(HTMLParser):
    def __init__(self, page_url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms: list[PostForm] = []
        self._form: PostForm | None = None
        self._select: Control | None = None
        self._option: dict[str, str | None] | None = None
        self._option_text = ""
        self._textarea: Control | None = None
        self._ids: dict[str, PostForm] = {}

    def _url(self, value: str | None) -> str:
        absolute = urljoin("http://testserver" + self.page_url, value or "")
        parts = urlsplit(absolute)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def handle_starttag(self, tag: str, attrs_list: list[tuple[str, str | None]]) -> None:
        attrs = dict(attrs_list)
        if tag == "form":
            if (attrs.get("method") or "get").lower() != "post":
                self._form = None
                return
            self._form = PostForm(
                action=self._url(attrs.get("action")),
                hx_post=self._url(attrs["hx-post"]) if attrs.get("hx-post") else "",
            )
            self.forms.append(self._form)
            if attrs.get("id"):
                self._ids[str(attrs["id"])] = self._form
            return
        owner = self._ids.get(str(attrs.get("form"))) if attrs.get("form") else self._form
        name = attrs.get("name")
        if tag == "option" and self._select is not None:
            self._option = attrs
            self._option_text = ""
            return
        if owner is None or not name or "disabled" in attrs:
            return
        if tag == "input":
            kind = (attrs.get("type") or "text").lower()
            if kind in ("submit", "image"):
                owner.controls.append(Control(name, "button", attrs.get("value") or ""))
            elif kind not in ("reset",):
                # A checkbox or radio button without a value sends "on" (HTML's default).
                unset = "on" if kind in ("checkbox", "radio") else ""
                value = attrs.get("value")
                owner.controls.append(
                    Control(
                        name,
                        kind,
                        unset if value is None else value,
                        checked="checked" in attrs,
                        untabbable=attrs.get("tabindex") == "-1",
                    )
                )
        elif tag == "button":
            if (attrs.get("type") or "submit").lower() == "submit":
                owner.controls.append(Control(name, "button", attrs.get("value") or ""))
        elif tag == "select":
            self._select = Control(name, "select")
            owner.controls.append(self._select)
        elif tag == "textarea":
            self._textarea = Control(name, "textarea")
            owner.controls.append(self._textarea)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "option":
            self._option_end()
        elif tag == "textarea" and self._textarea is not None:
            # The newline straight after <textarea> is not part of its value (HTML's rule).
            if self._textarea.value.startswith("\n"):
                self._textarea.value = self._textarea.value[1:]
            self._textarea = None

    def _option_end(self) -> None:
        if self._select is None or self._option is None:
            return
        value = self._option.get("value")
        value = self._option_text.strip() if value is None else value
        self._select.options.append(value)
        if "selected" in self._option:
            self._select.selected.append(value)
        self._option = None

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea.value += data
        elif self._option is not None:
            self._option_text += data


def post_forms(html: str, page_url: str) -> list[PostForm]:
    """The ``<form method="post">`` elements of a page, with their named controls."""
    parser = _FormParser(page_url)
    parser.feed(html)
    parser.close()
    return parser.forms


def is_html(response: Any) -> bool:
    return str(response.get("Content-Type", "")).startswith("text/html")


# Walking the site ---------------------------------------------------------------------------


@dataclass
class FoundForm:
    role: str
    page: str
    form: PostForm
    #: The role's signed-in client, whose CSRF cookie matches the form's token.
    client: Client


def client_for(user: User | None) -> Client:
    """A browser of ``user`` (a visitor when None), held to CSRF checks as browsers are."""
    client = Client(enforce_csrf_checks=True)
    if user is not None:
        client.force_login(user)
    return client


@contextmanager
def rolled_back() -> Iterator[None]:
    """Whatever happens inside is undone, on SQLite and PostgreSQL alike."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def caches_clear() -> None:
    for alias in ("default", "pages"):
        caches[alias].clear()


def pages_of(client: Client, world: World) -> Iterator[tuple[str, Any]]:
    """Each page the client's person may open: (path, response), for every combination of
    the world's values the route accepts (up to ``MAX_COMBINATIONS``).

    A refusal that no value can change (403, 405, a redirect to sign in) ends the route's
    tries. Every GET is rolled back, so pages that act on a link (confirming a subscription)
    leave the world as it was for the next.
    """
    login = reverse("account_login")
    for route in routes():
        if route.is_document:
            continue
        for url in route_urls(route, world):
            with rolled_back():
                caches_clear()
                response = client.get(url)
            if response.status_code == 200:
                yield url, response
            elif response.status_code in (403, 405) or str(response.get("Location", "")).startswith(
                login
            ):
                break


def forms_found(world: World, roles: Iterable[str] = ROLES) -> list[FoundForm]:
    """Every post form on every page each of ``roles`` may open, each distinct form once
    (found by the first role that sees it)."""
    seen: set[tuple[str, ...]] = set()
    found: list[FoundForm] = []
    for role in roles:
        client = client_for(world.people[role])
        for url, response in pages_of(client, world):
            if not is_html(response):
                continue
            for form in post_forms(response.content.decode(), url):
                if form.signature in seen:
                    continue
                seen.add(form.signature)
                found.append(FoundForm(role=role, page=url, form=form, client=client))
    return found


# The database's fingerprint -----------------------------------------------------------------

#: Rows a read may write: charts cached for the next reader, recomputed when data change.
DERIVED_MODELS = ("improvement.MeasureChart",)


def database_fingerprint(tables: Collection[str] | None = None) -> dict[str, str]:
    """A digest of every row of every table, or of ``tables`` only, by model label."""
    digests: dict[str, str] = {}
    for model in apps.get_models(include_auto_created=True):
        label = model._meta.label
        if label in DERIVED_MODELS or (tables is not None and model._meta.db_table not in tables):
            continue
        rows = model._default_manager.order_by("pk").values_list()
        digest = hashlib.sha256()
        for row in rows.iterator():
            digest.update(repr(row).encode("utf-8", "surrogatepass"))
        digests[label] = digest.hexdigest()
    return digests


def fingerprint_changes(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """The models whose rows differ, of those ``after`` covers."""
    return sorted(label for label in after if before.get(label) != after[label])


#: Statements that never change a table's rows.
_READS = frozenset({"SELECT", "SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT", "SET", "SHOW"})
_WRITE_TARGET = re.compile(r'\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)', re.IGNORECASE)


@dataclass
class Writes:
    """The tables statements wrote to, told from their text."""

    tables: set[str] = field(default_factory=set)
    #: A statement whose effect cannot be told from its text ran (a CTE, a COPY, DDL).
    unknown: bool = False

    def record(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        target = _WRITE_TARGET.match(sql)
        if target:
            self.tables.add(target.group(1))
        elif (sql.split(None, 1) or [""])[0].upper() not in _READS:
            self.unknown = True
        return execute(sql, params, many, context)

    @property
    def to_compare(self) -> set[str] | None:
        """The tables that may have changed; None for all of them."""
        return None if self.unknown else self.tables


@contextmanager
def writes_recorded() -> Iterator[Writes]:
    """The writes of the statements the block runs."""
    writes = Writes()
    with connection.execute_wrapper(writes.record):
        yield writes


# Awkward input ------------------------------------------------------------------------------

#: Text people paste, attackers send and software mangles.
AWKWARD_TEXT = (
    "",
    " ",
    " \t \n ",
    "\u00a0",
    "\x00",
    "before\x00after",
    "\ufeffbom",
    "zero\u200bwidth",
    "\u202eevil.exe",
    "مرحبا بالعالم",
    "שלום עולם",
    "👩🏽‍⚕️🏥 emoji",
    "Zalgo z̸̢͎̈́a̵̛͔l̶͙̓g̴̰͝ơ̷̘",
    "<script>window.__xss=1</script>",
    '"><img src=x onerror="window.__xss=1">',
    "</textarea><svg onload=window.__xss=1>",
    "{{7*7}}",
    "{% debug %}",
    "' OR '1'='1' --",
    "../../../../etc/passwd",
    "=cmd|' /C calc'!A0",
    "javascript:alert(1)",
    "-1",
    "0",
    "1e309",
    "NaN",
    "-inf",
    "99999999999999999999999999",
    "-99999999999999999999999999",
    "0.000000000000000000001",
    "1,5",
    "٣٤",
    "2024-02-30",
    "0000-00-00",
    "9999-12-31",
    "31/12/2024",
    "2024-13-45",
    "1800-01-01",
    "2024-01-01T25:61",
    "tomorrow",
    "a@b",
    "@",
    "line one\r\nline two",
)

#: Names of uploaded files: paths, scripts, right-to-left tricks, nothing at all.
AWKWARD_FILE_NAMES = (
    "evidence.pdf",
    "data.csv",
    "report.docx",
    "<img src=x onerror=window.__xss=1>.pdf",
    "../../../etc/passwd.csv",
    "run.exe",
    "résumé 📄.xlsx",
    "\u202efdp.exe",
    "no-extension",
    ".pdf",
    "x" * 300 + ".pdf",
)

awkward_text = st.one_of(
    st.sampled_from(AWKWARD_TEXT),
    st.text(st.characters(codec="utf-8"), max_size=40),
    st.builds(
        lambda part, times: part * times,
        st.sampled_from(("x", "é", "👍", "a b ", "<b>")),
        st.integers(min_value=1_000, max_value=30_000),
    ),
)


def awkward_upload() -> st.SearchStrategy[Any]:
    return st.builds(
        SimpleUploadedFile,
        st.sampled_from(AWKWARD_FILE_NAMES),
        st.one_of(
            st.binary(max_size=2_000),
            st.just(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"),
            st.just(b"period,value\n2024-01-01,4\n"),
        ),
    )


def control_values(form: PostForm, name: str) -> st.SearchStrategy[list[Any] | None]:
    """What may be sent for one field: what the page offers, any other offered choice,
    awkward text, the field left out (None) or sent twice."""
    controls = form.controls_named(name)
    kinds = {c.kind for c in controls}
    if kinds == {"file"}:
        return st.one_of(st.none(), st.lists(awkward_upload(), min_size=1, max_size=2))
    offered = [
        option
        for c in controls
        for option in (c.options or ([c.value] if c.kind in ("checkbox", "radio") else []))
    ]
    default = form.defaults().get(name)
    single = st.one_of(st.sampled_from(offered), awkward_text) if offered else awkward_text
    return st.one_of(
        st.just(default),
        st.none(),
        st.lists(single, min_size=1, max_size=1),
        st.lists(single, min_size=2, max_size=3),
    )


def submissions(form: PostForm) -> st.SearchStrategy[dict[str, list[Any]]]:
    """Whole submissions of ``form``: every field drawn from ``control_values``, one of its
    buttons (or none), and always the page's own CSRF token."""
    names = [n for n in form.names() if n != "csrfmiddlewaretoken"]
    token = form.defaults().get("csrfmiddlewaretoken")
    buttons = form.buttons()

    def assemble(values: list[list[Any] | None], button: Control | None) -> dict[str, list[Any]]:
        sent = {
            name: list(value)
            for name, value in zip(names, values, strict=True)
            if value is not None
        }
        if token:
            sent["csrfmiddlewaretoken"] = token
        if button is not None:
            sent.setdefault(button.name, []).append(button.value)
        return sent

    return st.builds(
        assemble,
        st.tuples(*(control_values(form, name) for name in names)).map(list),
        st.sampled_from([None, *buttons]) if buttons else st.none(),
    )
