"""The world the permission matrix asks every route about, and the people who ask.

Programme A is published, with a round open for applications and a draft round nobody outside
its staff may know of. The open round has a form and criteria, application X (a draft of the
applicant's), application Y (in assessment: the collaborator is one of its partners, one
assessor declared a conflict, the other none), and two award-holder teams: A, published, and
B, whose award is not published yet. Programme B is run by its own staff only. Every URL kwarg
of every route resolves to a real object here, so a refusal in the matrix is a refusal and
never a typo.

Canaries are unique words planted where only some people may read them; ``CANARY_READERS``
says who. A canary in any other response is a leak.
"""

from __future__ import annotations

import io
import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from django.conf import settings
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models.fields.files import FieldFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from pypdf import PdfWriter

from sharedpurpose.accounts.models import User
from sharedpurpose.accounts.roles import SiteRole, user_role_grant
from sharedpurpose.api.main import api
from sharedpurpose.api.models import ApiToken
from sharedpurpose.applications.models import (
    Answer,
    Application,
    ApplicationInvitation,
    ApplicationMember,
    ApplicationOrganisation,
    ApplicationState,
    AssessorAssignment,
    Award,
    Criterion,
    Decision,
    FormSection,
    Question,
    QuestionKind,
)
from sharedpurpose.core.tasks import email_send
from sharedpurpose.engagement.models import Comment, OutboxMessage, Subscriber
from sharedpurpose.engagement.outbox import outbox_enqueue
from sharedpurpose.engagement.services.comments import my_comments_token_make
from sharedpurpose.engagement.services.subscriptions import (
    confirm_token,
    preferences_token,
    unsubscribe_token,
)
from sharedpurpose.evidence.models import CaseStudy, Intervention, InterventionUse, ProgrammeReport
from sharedpurpose.evidence.services.reports import report_generate
from sharedpurpose.improvement.models import (
    DataImport,
    DriverNode,
    Goal,
    Measure,
    Organisation,
    PdsaCycle,
    Rebase,
    Side,
    Team,
    TeamInvitation,
    TeamMembership,
)
from sharedpurpose.improvement.services.data import PointEntry, points_save
from sharedpurpose.improvement.services.imports import data_import_upload
from sharedpurpose.improvement.services.rebases import rebase_add
from sharedpurpose.programmes.models import Announcement, Programme, Round, RoundState
from tests.api.conftest import make_token
from tests.applications.factories import (
    ApplicationFactory,
    ApplicationFormFactory,
    AssignmentFactory,
    CollaboratorFactory,
    CriterionFactory,
    OpenRoundFactory,
    QuestionFactory,
    SectionFactory,
)
from tests.engagement.factories_comments import CommentFactory
from tests.engagement.factories_subscriptions import SubscriberFactory
from tests.evidence.case_study_factories import CaseStudyFactory, PublishedCaseStudyFactory
from tests.evidence.factories import InterventionFactory
from tests.factories import (
    MeasureFactory,
    MembershipFactory,
    ProgrammeFactory,
    RoundFactory,
    TeamFactory,
    UserFactory,
)
from tests.improvement.factories_charts import PdsaCycleFactory
from tests.improvement.factories_members import InvitationFactory


class Role(StrEnum):
    """Who asks. The first twelve use the web and the API; the last three are member A's
    tokens that are not what they should be, asked of the API only."""

    ANONYMOUS = "anonymous"
    # Signed up to stay informed and never confirmed: no account, only the signed links sent
    # to them (confirm, unsubscribe, preferences) and the link to the comment they wrote.
    SUBSCRIBER = "unconfirmed subscriber"
    APPLICANT = "applicant of X"
    COLLABORATOR = "collaborator on Y"
    ASSESSOR_CONFLICTED = "assessor of Y, conflicted"
    ASSESSOR = "assessor of Y"
    MEMBER_A = "member of team A"
    MEMBER_B = "member of team B"
    STAFF_OTHER_PROGRAMME = "staff of programme B only"
    STAFF_THIS_PROGRAMME = "staff of programme A only"
    STAFF = "programme staff"
    ADMIN = "administrator"
    READ_ONLY_TOKEN = "member A's read-only token"
    EXPIRED_TOKEN = "member A's expired token"
    REVOKED_TOKEN = "member A's revoked token"


TOKEN_ONLY = (Role.READ_ONLY_TOKEN, Role.EXPIRED_TOKEN, Role.REVOKED_TOKEN)
WEB_ROLES = tuple(role for role in Role if role not in TOKEN_ONLY)
API_CALLERS = tuple(Role)
SIGNED_OUT = frozenset({Role.ANONYMOUS, Role.SUBSCRIBER})


class Canary(StrEnum):
    """Words that appear nowhere but in the object they were planted in."""

    TEAM_A_GOAL = "Plovergoalcanary"
    TEAM_B_MEASURE = "Kestrelmeasurecanary"
    TEAM_B_UNIT = "kestrelunitcanary"
    X_TITLE = "Heronapplicationcanary"
    X_DRAFT_ANSWER = "Heronanswercanary"
    HIDDEN_COMMENT = "Magpiehiddencanary"
    SUBSCRIBER_EMAIL = "wren.subscriber.canary@example.org"
    COMMENTER_EMAIL = "wren.commenter.canary@example.org"
    DRAFT_ROUND = "Ospreydraftroundcanary"


_STAFF_OF_A = frozenset({Role.STAFF, Role.ADMIN, Role.STAFF_THIS_PROGRAMME})

#: Who may read each canary; everyone else must never be shown it.
CANARY_READERS: dict[Canary, frozenset[Role]] = {
    Canary.TEAM_A_GOAL: _STAFF_OF_A | {Role.MEMBER_A},
    Canary.TEAM_B_MEASURE: _STAFF_OF_A | {Role.MEMBER_B},
    Canary.TEAM_B_UNIT: _STAFF_OF_A | {Role.MEMBER_B},
    # The collaborator was invited to X: the invitation names the application, nothing more.
    Canary.X_TITLE: _STAFF_OF_A | {Role.APPLICANT, Role.COLLABORATOR},
    Canary.X_DRAFT_ANSWER: _STAFF_OF_A | {Role.APPLICANT},
    Canary.HIDDEN_COMMENT: _STAFF_OF_A,
    # Their own address, on the pages their links open; no staff page lists subscribers.
    Canary.SUBSCRIBER_EMAIL: frozenset({Role.SUBSCRIBER}),
    # Moderators see who wrote each comment on their programme's pages.
    Canary.COMMENTER_EMAIL: _STAFF_OF_A | {Role.SUBSCRIBER},
    Canary.DRAFT_ROUND: _STAFF_OF_A,
}


def may_read(role: Role, canary: Canary) -> bool:
    """Member A's tokens read what member A may."""
    person = Role.MEMBER_A if role in TOKEN_ONLY else role
    return person in CANARY_READERS[canary]


@dataclass
class World:
    people: dict[Role, User]
    programme_a: Programme
    programme_b: Programme
    round_open: Round
    round_draft: Round
    announcement: Announcement
    team_a: Team
    team_b: Team
    membership_a: TeamMembership
    team_invitation: TeamInvitation
    goal_a: Goal
    change_idea_a: DriverNode
    measure_a: Measure
    measure_b: Measure
    rebase_a: Rebase
    import_a: DataImport
    cycle_a: PdsaCycle
    section: FormSection
    file_question: Question
    criterion: Criterion
    application_x: Application
    application_y: Application
    x_partner: ApplicationOrganisation
    x_member: ApplicationMember
    x_invitation: ApplicationInvitation
    y_assignment: AssessorAssignment
    comment_visible: Comment
    comment_hidden: Comment
    subscriber: Subscriber
    failed_message: OutboxMessage
    intervention: Intervention
    case_study_published: CaseStudy
    case_study_in_review: CaseStudy
    report: ProgrammeReport
    api_token_a: ApiToken
    #: The session cookie of each signed-in role.
    sessions: dict[Role, str] = field(default_factory=dict)
    #: The ``Authorization`` header each API caller sends.
    bearers: dict[Role, str] = field(default_factory=dict)
    #: Files the world stored, removed when it goes.
    files: list[FieldFile] = field(default_factory=list)


def _person(name: str, **fields: object) -> User:
    user: User = UserFactory.create(full_name=name, **fields)
    return user


def _people() -> dict[Role, User]:
    people = {
        Role.APPLICANT: _person("Ada Applicant"),
        Role.COLLABORATOR: _person("Cal Collaborator"),
        Role.ASSESSOR_CONFLICTED: _person("Con Flicted"),
        Role.ASSESSOR: _person("Asa Assessor"),
        Role.MEMBER_A: _person("Amy Member"),
        Role.MEMBER_B: _person("Ben Member"),
        Role.STAFF_OTHER_PROGRAMME: _person("Olu Otherstaff"),
        Role.STAFF_THIS_PROGRAMME: _person("Tia Thisstaff"),
        Role.STAFF: _person("Sam Staff"),
        Role.ADMIN: _person("Ann Admin", is_superuser=True, is_staff=True),
    }
    for role in (Role.ASSESSOR, Role.ASSESSOR_CONFLICTED):
        user_role_grant(user=people[role], role=SiteRole.ASSESSOR)
    user_role_grant(user=people[Role.STAFF], role=SiteRole.PROGRAMME_STAFF)
    return people


MEASURE_A_VALUES = [12, 14, 11, 13, 12, 15, 13, 12, 14, 13, 12, 14, 20, 21, 22, 20, 23, 21, 22]
MEASURE_B_VALUES = [31, 30, 33, 29, 32, 31, 30, 32, 31, 30, 33, 31, 24, 23, 25, 22, 24, 23, 22]


def _monthly(values: list[int], first: date = date(2023, 1, 1)) -> list[PointEntry]:
    return [
        PointEntry(period=date(first.year + i // 12, i % 12 + 1, 1), value=str(value))
        for i, value in enumerate(values)
    ]


def _blank_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def world_build() -> World:
    """Everything, made once per module; the caller rolls it back."""
    people = _people()
    staff = people[Role.STAFF]

    programme_a = ProgrammeFactory.create(slug="programme-a", name="Programme A")
    programme_a.staff.add(people[Role.STAFF_THIS_PROGRAMME])
    programme_b = ProgrammeFactory.create(slug="programme-b", name="Programme B")
    programme_b.staff.add(people[Role.STAFF_OTHER_PROGRAMME])
    RoundFactory.create(programme=programme_b, slug="b-round", name="B's round")
    round_open = OpenRoundFactory.create(programme=programme_a, slug="open", name="Open round")
    round_draft = RoundFactory.create(
        programme=programme_a,
        slug="next",
        name=Canary.DRAFT_ROUND.value,
        state=RoundState.DRAFT,
    )
    announcement = Announcement.objects.create(
        programme=programme_a,
        round=round_open,
        title="Applications are open",
        body="Apply now.",
        published_at=timezone.now(),
        created_by=staff,
    )

    # Two award-holder teams of the open round; B's award is not yet published, so nothing
    # of it (its use of an intervention included) may reach the public evidence.
    team_a = TeamFactory.create(round=round_open, slug="team-a", name="Team A")
    team_b = TeamFactory.create(round=round_open, slug="team-b", name="Team B", is_published=False)
    lead_a = MembershipFactory.create(
        team=team_a, role=TeamMembership.Role.LEAD, user__full_name="Lee Lead"
    ).user
    membership_a = MembershipFactory.create(
        team=team_a, user=people[Role.MEMBER_A], role=TeamMembership.Role.MEMBER
    )
    MembershipFactory.create(
        team=team_b, user=people[Role.MEMBER_B], role=TeamMembership.Role.MEMBER
    )
    organisation = Organisation.objects.create(name="Riverside Trust", kind="Acute trust")
    team_a.organisations.add(organisation)
    team_invitation = InvitationFactory.create(
        team=team_a, email=people[Role.MEMBER_B].email, invited_by=lead_a
    )
    goal_a = Goal.objects.create(
        team=team_a,
        title=Canary.TEAM_A_GOAL.value,
        aim_what="Reduce falls on wards A to C",
        aim_how_much="by 30%",
        aim_by_when=date(2026, 3, 31),
    )
    primary = DriverNode.objects.create(
        goal=goal_a, kind=DriverNode.Kind.PRIMARY, text="Safer nights", side=Side.CLINICAL
    )
    change_idea_a = DriverNode.objects.create(
        goal=goal_a,
        parent=primary,
        kind=DriverNode.Kind.CHANGE_IDEA,
        text="Night-time safety huddle",
        side=Side.CLINICAL,
        clinical_area="Ward A",
        started_on=date(2024, 1, 1),
    )
    measure_a = MeasureFactory.create(team=team_a, goal=goal_a, name="Falls per 1,000 bed days")
    points_save(actor=people[Role.MEMBER_A], measure=measure_a, rows=_monthly(MEASURE_A_VALUES))
    goal_b = Goal.objects.create(
        team=team_b,
        title="Fewer days lost to sickness",
        aim_what="Reduce sickness absence",
        aim_how_much="by 10%",
        aim_by_when=date(2026, 3, 31),
    )
    change_idea_b = DriverNode.objects.create(
        goal=goal_b,
        kind=DriverNode.Kind.CHANGE_IDEA,
        text="Daily huddle on every ward",
        side=Side.CORPORATE,
        corporate_service="hr_workforce",
        started_on=date(2024, 1, 1),
    )
    measure_b = MeasureFactory.create(
        team=team_b,
        goal=goal_b,
        name=Canary.TEAM_B_MEASURE.value,
        unit=Canary.TEAM_B_UNIT.value,
    )
    points_save(actor=people[Role.MEMBER_B], measure=measure_b, rows=_monthly(MEASURE_B_VALUES))
    rebase_a = rebase_add(
        actor=people[Role.MEMBER_A],
        measure=measure_a,
        period=date(2024, 1, 1),
        reason="The huddle started",
    )
    import_a = data_import_upload(
        actor=people[Role.MEMBER_A],
        team=team_a,
        upload=SimpleUploadedFile(
            "falls.csv", b"period,value\n2024-08-01,19\n", content_type="text/csv"
        ),
        measure=measure_a,
    )
    cycle_a = PdsaCycleFactory.create(change_idea=change_idea_a)
    intervention = InterventionFactory.create(slug="safety-huddle", name="Safety huddle")
    InterventionUse.objects.create(
        intervention=intervention, change_idea=change_idea_a, site="Wards A to C"
    )
    InterventionUse.objects.create(
        intervention=intervention, change_idea=change_idea_b, site="Every ward"
    )
    case_study_published = PublishedCaseStudyFactory.create(team=team_a, slug="published-story")
    case_study_in_review = CaseStudyFactory.create(
        team=team_a, slug="story-in-review", status=CaseStudy.Status.IN_REVIEW
    )

    # The open round's form, criteria and two applications.
    section = SectionFactory.create(form=ApplicationFormFactory.create(round=round_open))
    long_question = QuestionFactory.create(section=section, label="What will you change?")
    file_question = QuestionFactory.create(
        section=section,
        kind=QuestionKind.FILE,
        label="Your plan",
        required=False,
        word_limit=None,
        allowed_file_types=["pdf"],
        max_file_mb=5,
    )
    criterion = CriterionFactory.create(round=round_open)
    application_x = ApplicationFactory.create(
        round=round_open, lead_applicant=people[Role.APPLICANT], title=Canary.X_TITLE.value
    )
    x_partner = ApplicationOrganisation.objects.create(
        application=application_x, name="Hillside Council", kind="Local authority", role="partner"
    )
    x_member = CollaboratorFactory.create(application=application_x, user=_person("Xavi Partner"))
    x_invitation = ApplicationInvitation.objects.create(
        application=application_x,
        email=people[Role.COLLABORATOR].email,
        side=Side.CLINICAL,
        clinical_area="Ward 7",
        token=secrets.token_urlsafe(32),
        invited_by=people[Role.APPLICANT],
        expires_at=timezone.now() + timedelta(days=14),
    )
    Answer.objects.create(
        application=application_x, question=long_question, value=Canary.X_DRAFT_ANSWER.value
    )
    file_answer = Answer(
        application=application_x,
        question=file_question,
        file_name="plan.pdf",
        file_content_type="application/pdf",
        file_size=1000,
    )
    file_answer.file.save("plan.pdf", ContentFile(_blank_pdf()), save=True)
    application_y = ApplicationFactory.create(
        round=round_open,
        title="Partnership for faster discharge",
        state=ApplicationState.IN_ASSESSMENT,
        submitted_at=timezone.now() - timedelta(days=1),
    )
    CollaboratorFactory.create(application=application_y, user=people[Role.COLLABORATOR])
    y_assignment = AssignmentFactory.create(
        application=application_y, assessor=people[Role.ASSESSOR], assigned_by=staff
    )
    AssignmentFactory.create(
        application=application_y,
        assessor=people[Role.ASSESSOR_CONFLICTED],
        assigned_by=staff,
        conflict=AssessorAssignment.Conflict.CONFLICTED,
        conflict_reason="I work for the lead organisation.",
    )

    # Team A began as an awarded application.
    application_z = ApplicationFactory.create(
        round=round_open,
        lead_applicant=lead_a,
        title="Safer nights partnership",
        state=ApplicationState.AWARDED,
        submitted_at=timezone.now() - timedelta(days=30),
    )
    Decision.objects.create(
        application=application_z,
        outcome=Decision.Outcome.AWARD,
        feedback="A strong partnership.",
        decided_by=staff,
        decided_at=timezone.now() - timedelta(days=10),
        letter_queued_at=timezone.now() - timedelta(days=9),
    )
    Award.objects.create(
        application=application_z,
        team=team_a,
        amount=Decimal("50000.00"),
        starts_on=date(2025, 4, 1),
        ends_on=date(2027, 3, 31),
        created_by=staff,
        published_at=timezone.now() - timedelta(days=8),
    )

    # The public's side: a comment by the subscriber (from another address of theirs), a
    # hidden one, a failed mailing.
    subscriber = SubscriberFactory.create(
        email=Canary.SUBSCRIBER_EMAIL.value, all_programmes=False, confirmed_at=None
    )
    subscriber.programmes.set([programme_a])
    comment_visible = CommentFactory.create(
        round=round_open,
        author_name="Wren",
        author_email=Canary.COMMENTER_EMAIL.value,
        body="When will the round close?",
        is_question=True,
    )
    comment_hidden = CommentFactory.create(
        round=round_open,
        author_name="Mags",
        body=f"Spam about {Canary.HIDDEN_COMMENT.value}",
        status=Comment.Status.HIDDEN,
    )
    reader = SubscriberFactory.create(email="reader@example.org")
    failed_message = outbox_enqueue(
        dedupe_key=f"round_open:{round_open.pk}:{reader.pk}",
        kind="round_open",
        to_email=reader.email,
        subject="Applications are open",
        body_text="Apply now.",
        subscriber=reader,
        round_=round_open,
    )
    assert failed_message is not None
    OutboxMessage.objects.filter(pk=failed_message.pk).update(status=OutboxMessage.Status.FAILED)

    report = ProgrammeReport.objects.create(round=round_open, requested_by=staff)
    report = report_generate(report_id=report.pk)
    assert report.status == ProgrammeReport.Status.READY, report.error

    # A background task waiting in the database queue, for the admin's task pages.
    email_send.enqueue(subject="Welcome", body="Hello.", to=[people[Role.APPLICANT].email])

    make_token(people[Role.MEMBER_A], name="Warehouse pipeline")
    api_token_a = ApiToken.objects.get(user=people[Role.MEMBER_A], name="Warehouse pipeline")
    bearers = {
        role: make_token(user, name=f"Matrix {role.name}")
        for role, user in people.items()
        if role not in SIGNED_OUT
    }
    member_a = people[Role.MEMBER_A]
    bearers[Role.READ_ONLY_TOKEN] = make_token(member_a, scope=ApiToken.Scope.READ)
    bearers[Role.EXPIRED_TOKEN] = make_token(
        member_a, expires_at=timezone.now() - timedelta(seconds=1)
    )
    bearers[Role.REVOKED_TOKEN] = make_token(member_a, revoked=True)

    sessions = {}
    for role, user in people.items():
        client = Client()
        client.force_login(user)
        sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value

    return World(
        people=people,
        programme_a=programme_a,
        programme_b=programme_b,
        round_open=round_open,
        round_draft=round_draft,
        announcement=announcement,
        team_a=team_a,
        team_b=team_b,
        membership_a=membership_a,
        team_invitation=team_invitation,
        goal_a=goal_a,
        change_idea_a=change_idea_a,
        measure_a=measure_a,
        measure_b=measure_b,
        rebase_a=rebase_a,
        import_a=import_a,
        cycle_a=cycle_a,
        section=section,
        file_question=file_question,
        criterion=criterion,
        application_x=application_x,
        application_y=application_y,
        x_partner=x_partner,
        x_member=x_member,
        x_invitation=x_invitation,
        y_assignment=y_assignment,
        comment_visible=comment_visible,
        comment_hidden=comment_hidden,
        subscriber=subscriber,
        failed_message=failed_message,
        intervention=intervention,
        case_study_published=case_study_published,
        case_study_in_review=case_study_in_review,
        report=report,
        api_token_a=api_token_a,
        sessions=sessions,
        bearers={role: f"Bearer {text}" for role, text in bearers.items()},
        files=[file_answer.file, import_a.file, report.pdf],
    )


def world_files_remove(world: World) -> None:
    for stored in world.files:
        if stored.name and stored.storage.exists(stored.name):
            stored.storage.delete(stored.name)


# --------------------------------------------------------------------------
# The routes
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class WebRoute:
    name: str
    pattern: str
    kwargs: tuple[str, ...]


def _walk(resolver: URLResolver, prefix: str, namespace: str) -> list[WebRoute]:
    found: list[WebRoute] = []
    for entry in resolver.url_patterns:
        pattern = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            found.extend(_walk(entry, pattern, entry.namespace or namespace))
        elif isinstance(entry, URLPattern) and entry.name:
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            found.append(WebRoute(name, pattern, tuple(entry.pattern.regex.groupindex)))
    return found


def web_routes() -> dict[str, WebRoute]:
    """Every named page of the site; the API's operations are listed from its schema."""
    return {
        route.name: route
        for route in _walk(get_resolver(), "", "")
        if not route.pattern.startswith("api/v1/")
    }


def api_operations() -> list[str]:
    paths = api.get_openapi_schema()["paths"]
    return sorted(f"{method.upper()} {path}" for path, item in paths.items() for method in item)


def _admin_object(route: WebRoute) -> dict[str, str]:
    """The first object of the model an admin page is about."""
    for model in admin.site._registry:
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}_"
        if route.name.startswith(prefix) or (
            route.name == "admin:auth_user_password_change" and model is User
        ):
            first = model._default_manager.order_by("pk").first()
            return {
                key: str(first.pk if first is not None else 0)
                for key in ("id", "object_id")
                if key in route.kwargs
            }
    return {}


def web_kwargs(world: World, route: WebRoute, role: Role) -> dict[str, str]:
    """Each kwarg from the world by its name, unless the route names its own object.

    Links that are the subscriber's only proof of who they are go, unchanged, only to the
    subscriber; everyone else tries a forged one. Invitation links go to everyone: holding
    one is not enough, the invited address must be signed in.
    """
    w = world
    by_name: dict[str, object] = {
        "programme_slug": w.programme_a.slug,
        "round_slug": w.round_open.slug,
        "announcement_id": w.announcement.pk,
        "team_slug": w.team_a.slug,
        "goal_id": w.goal_a.pk,
        "node_id": w.change_idea_a.pk,
        "measure_id": w.measure_a.pk,
        "rebase_id": w.rebase_a.pk,
        "import_id": w.import_a.pk,
        "cycle_id": w.cycle_a.pk,
        "membership_id": w.membership_a.pk,
        "invitation_id": w.team_invitation.pk,
        "fmt": "csv",
        "section_id": w.section.pk,
        "question_id": w.file_question.pk,
        "criterion_id": w.criterion.pk,
        "reference": w.application_x.reference,
        "organisation_id": w.x_partner.pk,
        "member_id": w.x_member.pk,
        "assignment_id": w.y_assignment.pk,
        "pk": w.comment_hidden.pk,
        "message_id": w.failed_message.pk,
        "slug": w.case_study_in_review.slug,
        "report_id": w.report.pk,
        "token_id": w.api_token_a.pk,
        "content_type_id": ContentType.objects.get_for_model(Programme).pk,
        "object_id": w.programme_a.pk,
        "app_label": "programmes",
        "key": "not-a-real-key",
        "uidb36": "1",
    }
    subscriber_links = {
        "engagement:subscribe_confirm": confirm_token(w.subscriber.pk),
        "engagement:unsubscribe": unsubscribe_token(w.subscriber.pk),
        "engagement:preferences": preferences_token(w.subscriber.pk),
        "engagement:preferences_export": preferences_token(w.subscriber.pk),
        "engagement:preferences_erase": preferences_token(w.subscriber.pk),
        "engagement:my_comments": my_comments_token_make(email=w.comment_visible.author_email),
        "engagement:my_comments_export": my_comments_token_make(
            email=w.comment_visible.author_email
        ),
        "engagement:my_comments_erase": my_comments_token_make(
            email=w.comment_visible.author_email
        ),
    }
    y = w.application_y.reference
    by_route: dict[str, dict[str, object]] = {
        "applications:invitation_accept": {"token": w.x_invitation.token},
        "improvement:invitation_accept": {"token": w.team_invitation.token},
        "applications:partnership_invitation_withdraw": {"invitation_id": w.x_invitation.pk},
        "applications:assess": {"reference": y},
        "applications:conflict_declare": {"reference": y},
        "applications:staff_application": {"reference": y},
        "applications:assessors": {"reference": y},
        "applications:assessor_unassign": {"reference": y},
        "applications:decision": {"reference": y},
        "applications:award": {"reference": y},
        "engagement:comment_report": {"pk": w.comment_visible.pk},
        "evidence:intervention": {"slug": w.intervention.slug},
        "evidence:manage_intervention_edit": {"slug": w.intervention.slug},
        "evidence:case_study": {"slug": w.case_study_published.slug},
        **{
            name: {"token": token if role is Role.SUBSCRIBER else f"{token}forged"}
            for name, token in subscriber_links.items()
        },
    }
    kwargs = {name: by_name[name] for name in route.kwargs if name in by_name}
    kwargs |= by_route.get(route.name, {})
    kwargs |= _admin_object(route)
    missing = set(route.kwargs) - set(kwargs)
    assert not missing, f"Name an object of the world for {route.name}'s {sorted(missing)}"
    return {name: str(value) for name, value in kwargs.items()}


def web_post_data(world: World, name: str) -> dict[str, str]:
    """What a POST must carry to name its object, for the routes that take it from the form."""
    if name in {"engagement:comment_post", "engagement:comments_lock"}:
        return {"programme": str(world.programme_a.pk), "round": str(world.round_open.pk)}
    if name == "programmes:programme_staff_remove":
        return {"person": str(world.people[Role.STAFF_THIS_PROGRAMME].pk)}
    return {}


def api_path(world: World, operation: str) -> str:
    _, path = operation.split(" ", 1)
    slug = world.programme_a.slug if path.startswith("/api/v1/programmes/") else world.team_a.slug
    return path.format(
        slug=slug,
        round_id=world.round_open.pk,
        goal_id=world.goal_a.pk,
        measure_id=world.measure_a.pk,
    )


def api_body(world: World, operation: str, role: Role) -> dict[str, object]:
    if operation.endswith("/points/bulk"):
        point = {"measure": world.measure_a.pk, "period": "2025-01-01", "value": 9}
        return {"points": [point]}
    if operation.endswith("/subscriptions"):
        return {
            "email": f"{role.name.lower()}@example.org",
            "all_programmes": True,
            "consent": True,
        }
    raise AssertionError(f"Write a request body for {operation} in api_body()")
