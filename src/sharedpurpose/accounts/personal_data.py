"""A signed-in person's own data across every app: what we hold, the export and the erasure.

What each app holds about people is declared in its ``personal_data`` module (gathered by
``core.personal_data.personal_data_registry``; this module declares sign-in's).
``personal_data_holdings`` reads everything held about a person once; the "Your data" page
lays it out and ``personal_data_export`` turns it into JSON, one section per kind of
holding. ``personal_data_erasure_plan`` works out, before anything changes, what erasing the
account would delete and keep (the confirmation page shows it), and ``personal_data_erase``
carries that plan out in one transaction.

Erasure deletes what only serves the person (sign-in, sessions, tokens, team and staff
places, drafts nobody else works on, invitations, comments, subscriptions, e-mails still to
send) and keeps what the funder must keep (submitted applications, assessments, decisions,
awards, the audit trail, data histories) pointing at the same user row, made anonymous:
inactive, no usable password, ``erased-<id>@erased.invalid``, "Erased person <id>". Texts
that are kept and name the person (audit summaries, e-mails to others, reasons, answers,
notes in their teams and applications) name that pseudonym instead.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, F, Field, Max, Min, OuterRef, Q, QuerySet
from django.utils import timezone

from sharedpurpose.api.models import ApiToken
from sharedpurpose.applications.models import (
    Answer,
    Application,
    ApplicationInvitation,
    ApplicationMember,
    ApplicationState,
    AssessorAssignment,
    Score,
)
from sharedpurpose.applications.services.workflow import application_scope
from sharedpurpose.core.audit import audit_record
from sharedpurpose.core.models import AuditEvent
from sharedpurpose.core.personal_data import (
    YOUR_PART,
    Erasure,
    Holder,
    Pseudonym,
    addresses_q,
    email_tasks_erase,
    email_tasks_export,
    personal_data_registry,
    personal_text_rewrite,
)
from sharedpurpose.engagement.comments_selectors import comments_of_email
from sharedpurpose.engagement.models import Comment, Subscriber
from sharedpurpose.engagement.personal_data import commenter_erase, outbox_erase, outbox_export
from sharedpurpose.engagement.services.comments import my_comments_export
from sharedpurpose.engagement.services.subscriptions import subscriber_erase, subscriber_export
from sharedpurpose.evidence.models import CaseStudy
from sharedpurpose.improvement.access import team_scope
from sharedpurpose.improvement.models import (
    DataPoint,
    DataPointChange,
    Side,
    TeamInvitation,
    TeamMembership,
)
from sharedpurpose.programmes.models import Programme

from .models import User

ERASED_DOMAIN = "erased.invalid"  # RFC 2606: .invalid can never be a real address


def erased_email(user_id: int) -> str:
    return f"erased-{user_id}@{ERASED_DOMAIN}"


def erased_name(user_id: int) -> str:
    return f"Erased person {user_id}"


def _when(value: datetime | date | None) -> str | None:
    return value.isoformat() if value else None


HOLDERS = (
    Holder(
        model="accounts.User",
        fields=("email", "full_name", "first_name", "last_name", "password", "groups"),
        erasure=Erasure.KEPT,
        export="account",
        reason=(
            "The row stays so the records the funder keeps point at one person, now "
            "anonymous: the pseudonym replaces the address and the name, the password "
            "cannot be used, the roles go. The password hash is a secret, never exported."
        ),
    ),
    Holder(
        model="account.EmailAddress",
        fields=("user", "email"),
        erasure=Erasure.DELETED,
        export="email_addresses",
        reason="The addresses a person signs in with serve only them.",
    ),
    Holder(
        model="account.EmailConfirmation",
        fields=("email_address", "key"),
        erasure=Erasure.DELETED,
        reason=(
            "A one-time secret e-mailed to confirm an address: never exported, deleted with "
            "the address."
        ),
    ),
    Holder(
        model="sessions.Session",
        fields=("session_data",),
        erasure=Erasure.DELETED,
        reason=(
            "Opaque sign-in state with nothing in it for the person to read: not exported; "
            "every session of theirs is ended."
        ),
    ),
    Holder(
        model="admin.LogEntry",
        fields=("user",),
        erasure=Erasure.KEPT,
        export=YOUR_PART,
        about=("content_type__model", "object_id"),
        when="action_time",
        rewrite=("object_repr", "change_message"),
        reason=(
            "The admin site's history of changes is an audit trail; an entry about the "
            "person's own account names the pseudonym instead."
        ),
    ),
)

NOT_PERSONAL = {
    "auth.Group.name": "a role's name",
    "auth.Permission.name": "a permission's name",
    "auth.Permission.codename": "a permission's code",
}


def _names(user: User) -> tuple[str, ...]:
    """The names a person goes by on their account, as texts may have written them."""
    spelled = (user.full_name, f"{user.first_name} {user.last_name}")
    return tuple(sorted({" ".join(name.split()) for name in spelled} - {""}))


def user_addresses(user: User) -> tuple[str, ...]:
    """The addresses that are the person's: the one they sign in with and any other they
    verified. Unverified addresses are not proven theirs, so nothing is read under them."""
    verified = EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True)
    return tuple(sorted({user.email.lower(), *(a.lower() for a in verified)}))


def _member_area(member: ApplicationMember) -> str:
    if member.side == Side.CORPORATE:
        return member.get_corporate_service_display() or "Corporate services"
    if member.side == Side.CLINICAL:
        return member.clinical_area or "Clinical services"
    return ""


# --- what we hold ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Holdings:
    """Everything held about one person, read in a fixed number of queries."""

    user: User
    addresses: tuple[str, ...]
    roles: list[str]
    email_addresses: list[EmailAddress]
    team_memberships: list[TeamMembership]
    application_memberships: list[ApplicationMember]
    answers_by_application: dict[int, list[Answer]]
    team_invitations: list[TeamInvitation]
    application_invitations: list[ApplicationInvitation]
    assignments: list[AssessorAssignment]
    scores_by_assignment: dict[int, list[Score]]
    case_studies: list[CaseStudy]
    api_tokens: list[ApiToken]
    comments: list[Comment]
    subscribers: list[Subscriber]
    programmes_staffed: list[Programme]
    #: E-mails to the person's addresses, sent or waiting, from the outbox and the task queue.
    emails: int
    #: Lazy: the page counts them, the export lists them.
    audit_events: QuerySet[AuditEvent]

    @property
    def invitation_count(self) -> int:
        return len(self.team_invitations) + len(self.application_invitations)


def personal_data_holdings(user: User) -> Holdings:
    addresses = user_addresses(user)
    memberships = list(
        ApplicationMember.objects.filter(user=user)
        .select_related("application", "application__round")
        .order_by("application__reference")
    )
    answers: dict[int, list[Answer]] = defaultdict(list)
    for answer in Answer.objects.filter(
        updated_by=user, application__members__user=user
    ).select_related("question"):
        answers[answer.application_id].append(answer)
    assignments = list(
        AssessorAssignment.objects.filter(assessor=user)
        .select_related("application")
        .order_by("application__reference")
    )
    scores: dict[int, list[Score]] = defaultdict(list)
    for score in Score.objects.filter(assignment__assessor=user).select_related("criterion"):
        scores[score.assignment_id].append(score)
    comments = [c for address in addresses for c in comments_of_email(email=address)]
    return Holdings(
        user=user,
        addresses=addresses,
        roles=list(user.groups.order_by("name").values_list("name", flat=True)),
        email_addresses=list(EmailAddress.objects.filter(user=user).order_by("-primary", "email")),
        team_memberships=list(
            TeamMembership.objects.filter(user=user).select_related("team").order_by("team__name")
        ),
        application_memberships=memberships,
        answers_by_application=dict(answers),
        team_invitations=list(
            TeamInvitation.objects.filter(addresses_q("email", addresses)).select_related("team")
        ),
        application_invitations=list(
            ApplicationInvitation.objects.filter(addresses_q("email", addresses)).select_related(
                "application"
            )
        ),
        assignments=assignments,
        scores_by_assignment=dict(scores),
        case_studies=list(
            CaseStudy.objects.filter(created_by=user).select_related("team").order_by("title")
        ),
        api_tokens=list(
            ApiToken.objects.filter(user=user).prefetch_related("teams").order_by("created_at")
        ),
        comments=comments,
        subscribers=list(Subscriber.objects.filter(addresses_q("email", addresses))),
        programmes_staffed=list(user.staffed_programmes.order_by("name")),
        emails=len(outbox_export(addresses=addresses)) + len(email_tasks_export(addresses)),
        audit_events=AuditEvent.objects.filter(actor=user).order_by("occurred_at", "pk"),
    )


# --- the export -----------------------------------------------------------------------------


def _account_part(holdings: Holdings) -> dict[str, Any]:
    user = holdings.user
    return {
        "email": user.email,
        "name": user.full_name,
        "joined_at": _when(user.date_joined),
        "last_signed_in_at": _when(user.last_login),
        "roles": holdings.roles,
        "admin_site_access": user.is_staff,
    }


def _applications_part(holdings: Holdings) -> list[dict[str, Any]]:
    return [
        {
            "reference": m.application.reference,
            "title": m.application.title,
            "round": str(m.application.round),
            "state": m.application.get_state_display(),
            "your_role": {
                "lead_applicant": m.is_lead_applicant,
                "side": m.get_side_display(),
                "area": _member_area(m),
                "leads_side": m.leads_side,
                "joined_at": _when(m.joined_at),
            },
            "answers_you_last_updated": [
                {
                    "question": a.question.label,
                    "value": a.value,
                    "file_name": a.file_name,
                    "file_type": a.file_content_type,
                    "updated_at": _when(a.updated_at),
                }
                for a in holdings.answers_by_application.get(m.application_id, [])
            ],
        }
        for m in holdings.application_memberships
    ]


def _invitations_part(holdings: Holdings) -> list[dict[str, Any]]:
    def dates(invitation: TeamInvitation | ApplicationInvitation) -> dict[str, Any]:
        return {
            "email": invitation.email,
            "sent_at": _when(invitation.created_at),
            "expires_at": _when(invitation.expires_at),
            "accepted_at": _when(invitation.accepted_at),
        }

    return [
        {"to_join": "team", "team": i.team.name, "role": i.get_role_display(), **dates(i)}
        for i in holdings.team_invitations
    ] + [
        {"to_join": "application", "application": i.application.reference, **dates(i)}
        for i in holdings.application_invitations
    ]


def _assessments_part(holdings: Holdings) -> list[dict[str, Any]]:
    return [
        {
            "application": a.application.reference,
            "assigned_at": _when(a.assigned_at),
            "conflict_of_interest": a.get_conflict_display(),
            "conflict_reason": a.conflict_reason,
            "declared_at": _when(a.declared_at),
            "submitted_at": _when(a.submitted_at),
            "scores": [
                {"criterion": s.criterion.name, "score": s.score, "comment": s.comment}
                for s in holdings.scores_by_assignment.get(a.pk, [])
            ],
        }
        for a in holdings.assignments
    ]


def _data_entered_part(user: User) -> list[dict[str, Any]]:
    """Per measure, how many values the person entered last and how many changes they made
    (the changes themselves are the team's history, and can run to millions)."""
    per_measure: dict[tuple[str, str], dict[str, Any]] = defaultdict(
        lambda: {"values_you_entered_last": 0, "changes_you_made": 0}
    )
    points = (
        DataPoint.objects.filter(updated_by=user)
        .values_list("measure__team__name", "measure__name")
        .annotate(count=Count("pk"))
        .order_by()
    )
    for team, measure, count in points:
        per_measure[(team, measure)]["values_you_entered_last"] = count
    changes = (
        DataPointChange.objects.filter(changed_by=user)
        .values_list("measure__team__name", "measure__name")
        .annotate(count=Count("pk"), first=Min("changed_at"), last=Max("changed_at"))
        .order_by()
    )
    for team, measure, count, first, last in changes:
        per_measure[(team, measure)].update(
            changes_you_made=count, first_change_at=_when(first), last_change_at=_when(last)
        )
    return [
        {"team": team, "measure": measure, **counts}
        for (team, measure), counts in sorted(per_measure.items())
    ]


def _your_records_part(user: User) -> list[dict[str, Any]]:
    """Records that name the person as the one who did something, from every registered
    holder whose section is ``YOUR_PART``: what the record is, their part, about what, when."""
    found: list[dict[str, Any]] = []
    for holder in personal_data_registry().holders:
        if holder.export != YOUR_PART:
            continue
        model = holder.model_class
        columns = (*holder.about, holder.when) if holder.when else holder.about
        for field_name in holder.user_fields:
            field = model._meta.get_field(field_name)
            part = str(field.verbose_name) if isinstance(field, Field) else field_name
            for values in model._default_manager.filter(**{field_name: user}).values_list(*columns):
                about = values[: len(holder.about)]
                found.append(
                    {
                        "record": str(model._meta.verbose_name),
                        "your_part": part,
                        "about": ": ".join(str(v) for v in about if v not in (None, "")),
                        "at": _when(values[-1]) if holder.when else None,
                    }
                )
    return found


def personal_data_export(user: User) -> dict[str, Any]:
    """Everything held about ``user``, as plain JSON-ready values; never another person's
    data, never a secret."""
    holdings = personal_data_holdings(user)
    return {
        "exported_at": timezone.now().isoformat(),
        "account": _account_part(holdings),
        "email_addresses": [
            {"email": e.email, "verified": e.verified, "primary": e.primary}
            for e in holdings.email_addresses
        ],
        "team_memberships": [
            {
                "team": m.team.name,
                "role": m.get_role_display(),
                "side": m.get_side_display(),
                "area": m.area_label,
                "joined_at": _when(m.joined_at),
            }
            for m in holdings.team_memberships
        ],
        "applications": _applications_part(holdings),
        "invitations_to_your_address": _invitations_part(holdings),
        "assessments": _assessments_part(holdings),
        "case_studies_you_created": [
            {
                "title": c.title,
                "team": c.team.name,
                "status": c.get_status_display(),
                "created_at": _when(c.created_at),
                "published_at": _when(c.published_at),
            }
            for c in holdings.case_studies
        ],
        "api_tokens": [
            {
                "name": t.name,
                "prefix": t.prefix,
                "scope": t.get_scope_display(),
                "teams": "all" if t.all_teams else [team.name for team in t.teams.all()],
                "created_at": _when(t.created_at),
                "expires_at": _when(t.expires_at),
                "last_used_at": _when(t.last_used_at),
                "revoked_at": _when(t.revoked_at),
            }
            for t in holdings.api_tokens
        ],
        "comments": [my_comments_export(email=address) for address in holdings.addresses],
        "subscriptions": [subscriber_export(subscriber=s) for s in holdings.subscribers],
        "programmes_you_staff": [{"programme": p.name} for p in holdings.programmes_staffed],
        "data_you_entered": _data_entered_part(user),
        "emails_to_you": outbox_export(addresses=holdings.addresses),
        "account_emails_to_you": email_tasks_export(holdings.addresses),
        "changes_you_made": [
            {"action": e.action, "summary": e.summary, "at": _when(e.occurred_at)}
            for e in holdings.audit_events
        ],
        YOUR_PART: _your_records_part(user),
    }


# --- the erasure ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ErasurePlan:
    """What erasing an account deletes and keeps, worked out before anything changes."""

    addresses: tuple[str, ...]
    #: Why the account cannot be erased yet; empty when it can.
    blockers: tuple[str, ...]
    email_addresses: int
    api_tokens: int
    teams_left: tuple[TeamMembership, ...]
    #: Programmes whose staff they are on: they leave them.
    programmes_left: tuple[Programme, ...]
    #: Drafts only this person works on: deleted with their answers and files.
    drafts_deleted: tuple[Application, ...]
    #: Their place in drafts others work on: removed, the drafts go on without them.
    drafts_left: tuple[ApplicationMember, ...]
    pending_invitations: int
    comments: int
    subscriptions: int
    #: Applications past draft: they stay with the funder.
    applications_kept: tuple[Application, ...]
    assessments_kept: int
    case_studies_kept: int

    @property
    def allowed(self) -> bool:
        return not self.blockers

    @property
    def applications_in_progress(self) -> tuple[Application, ...]:
        """Kept applications the funder is still working on."""
        moving = {ApplicationState.SUBMITTED.value, ApplicationState.IN_ASSESSMENT.value}
        return tuple(a for a in self.applications_kept if a.state in moving)


def _last_lead_blockers(user: User) -> list[str]:
    other_leads = TeamMembership.objects.filter(
        team=OuterRef("team"), role=TeamMembership.Role.LEAD
    ).exclude(user=user)
    alone = (
        TeamMembership.objects.filter(user=user, role=TeamMembership.Role.LEAD)
        .filter(~Exists(other_leads))
        .select_related("team")
        .order_by("team__name")
    )
    return [
        f"You are the only lead of {m.team.name}, and someone must lead it. Make another "
        "member a lead on the team's members page first, then come back."
        for m in alone
    ]


def _others_on(user: User) -> Exists:
    """Whether someone besides ``user`` works on the application."""
    return Exists(ApplicationMember.objects.filter(application=OuterRef("pk")).exclude(user=user))


def personal_data_erasure_plan(user: User) -> ErasurePlan:
    addresses = user_addresses(user)
    drafts = Application.objects.filter(members__user=user, state=ApplicationState.DRAFT)
    drafts_left = tuple(
        ApplicationMember.objects.filter(user=user, application__in=drafts.filter(_others_on(user)))
        .select_related("application")
        .order_by("application__reference")
    )
    blockers = _last_lead_blockers(user) + [
        f"You are the lead applicant of the draft application {m.application.reference}, "
        "which others are working on with you, and a draft needs its lead applicant to be "
        "submitted. Withdraw it, or remove the other members from it, first."
        for m in drafts_left
        if m.is_lead_applicant
    ]
    pending = Q(accepted_at__isnull=True) & addresses_q("email", addresses)
    return ErasurePlan(
        addresses=addresses,
        blockers=tuple(blockers),
        email_addresses=EmailAddress.objects.filter(user=user).count(),
        api_tokens=ApiToken.objects.filter(user=user).count(),
        teams_left=tuple(
            TeamMembership.objects.filter(user=user).select_related("team").order_by("team__name")
        ),
        programmes_left=tuple(user.staffed_programmes.order_by("name")),
        drafts_deleted=tuple(drafts.filter(~_others_on(user)).order_by("reference")),
        drafts_left=drafts_left,
        pending_invitations=TeamInvitation.objects.filter(pending).count()
        + ApplicationInvitation.objects.filter(pending).count(),
        comments=Comment.objects.filter(addresses_q("author_email", addresses)).count(),
        subscriptions=Subscriber.objects.filter(addresses_q("email", addresses)).count(),
        applications_kept=tuple(
            Application.objects.filter(members__user=user)
            .exclude(state=ApplicationState.DRAFT)
            .order_by("reference")
        ),
        assessments_kept=AssessorAssignment.objects.filter(assessor=user).count(),
        case_studies_kept=CaseStudy.objects.filter(created_by=user).count(),
    )


def _teams_leave(plan: ErasurePlan, user: User) -> None:
    for membership in plan.teams_left:
        team = membership.team
        # As when a lead removes a member: measures whose data they supplied lose the owner.
        team.measures.filter(data_owner=user).update(data_owner=None)
        audit_record(
            actor=None,
            action="member.remove",
            obj=membership,
            scope=team_scope(team),
            summary="A member left the team when they erased their account",
            changes={"role": [membership.role, None]},
        )
    TeamMembership.objects.filter(pk__in=[m.pk for m in plan.teams_left]).delete()


def _drafts_delete(plan: ErasurePlan) -> None:
    """Delete the drafts only this person works on and, once committed, their files."""
    answers = Answer.objects.filter(application__in=plan.drafts_deleted).exclude(file="")
    files = list(answers.values_list("file", flat=True))
    storage = Answer._meta.get_field("file").storage
    Application.objects.filter(pk__in=[a.pk for a in plan.drafts_deleted]).delete()

    def files_delete() -> None:
        for name in files:
            storage.delete(name)

    if files:
        transaction.on_commit(files_delete)


def _drafts_leave(plan: ErasurePlan) -> None:
    for member in plan.drafts_left:
        application = member.application
        # The partnership changed: people editing it at the moment are told on their next save.
        Application.objects.filter(pk=application.pk).update(
            version=F("version") + 1, updated_at=timezone.now()
        )
        audit_record(
            actor=None,
            action="partnership.member_remove",
            obj=member,
            scope=application_scope(application),
            summary=f"{application.reference}: a collaborator left when they erased their account",
            changes={"side": [member.side, None]},
        )
    ApplicationMember.objects.filter(pk__in=[m.pk for m in plan.drafts_left]).delete()


def _invitations_erase(addresses: tuple[str, ...], replacement: str) -> None:
    """Pending invitations go; accepted ones are records of who joined, kept anonymous."""
    for model in (TeamInvitation, ApplicationInvitation):
        invitations = model.objects.filter(addresses_q("email", addresses))
        invitations.filter(accepted_at__isnull=True).delete()
        invitations.update(email=replacement)


def _engagement_erase(addresses: tuple[str, ...]) -> None:
    """Comments, subscriptions and e-mails to the person's addresses, as the engagement app
    erases them for people without an account."""
    for address in addresses:
        commenter_erase(email=address)
    for subscriber in Subscriber.objects.filter(addresses_q("email", addresses)):
        subscriber_erase(subscriber=subscriber)
    outbox_erase(addresses=addresses)


def _spaces(user: User) -> tuple[set[int], set[int]]:
    """The teams and applications whose texts may name the person: those they are in, and
    those they assess. Read before erasure removes their places."""
    teams = set(TeamMembership.objects.filter(user=user).values_list("team", flat=True))
    applications = set(
        ApplicationMember.objects.filter(user=user).values_list("application", flat=True)
    ) | set(AssessorAssignment.objects.filter(assessor=user).values_list("application", flat=True))
    return teams, applications


def _sessions_delete(user: User) -> int:
    """Sign the person out everywhere. Sessions are opaque rows, so each is decoded."""
    ids = [
        session.pk
        for session in Session.objects.iterator()
        if session.get_decoded().get(SESSION_KEY) == str(user.pk)
    ]
    deleted, _ = Session.objects.filter(pk__in=ids).delete()
    return deleted


def _pseudonymise(user: User) -> None:
    user.email = erased_email(user.pk)
    user.full_name = erased_name(user.pk)
    user.first_name = ""
    user.last_name = ""
    user.set_unusable_password()
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.save()
    user.groups.clear()
    user.user_permissions.clear()


def personal_data_erase(user: User, *, password: str) -> ErasurePlan:
    """Erase ``user``'s account after they confirm with their password, and return what was
    done. Refused, changing nothing, when the plan has blockers or the password is wrong."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        # Hold the team leads' rows, so two last-but-one leads cannot both leave at once.
        list(
            TeamMembership.objects.select_for_update().filter(
                team__in=user.team_memberships.values("team"), role=TeamMembership.Role.LEAD
            )
        )
        plan = personal_data_erasure_plan(user)
        if plan.blockers:
            raise ValidationError(list(plan.blockers))
        if not password or not user.check_password(password):
            raise ValidationError(
                {"password": "Enter your password correctly: it is the one you sign in with"}
            )
        teams, applications = _spaces(user)
        pseudonym = Pseudonym(
            names=_names(user),
            addresses=plan.addresses,
            name=erased_name(user.pk),
            email=erased_email(user.pk),
        )
        ApiToken.objects.filter(user=user).delete()
        _teams_leave(plan, user)
        user.staffed_programmes.clear()
        _drafts_delete(plan)
        _drafts_leave(plan)
        _invitations_erase(plan.addresses, erased_email(user.pk))
        _engagement_erase(plan.addresses)
        email_tasks_erase(plan.addresses)
        EmailAddress.objects.filter(user=user).delete()
        sessions = _sessions_delete(user)
        texts = personal_text_rewrite(pseudonym, teams=teams, applications=applications)
        _pseudonymise(user)
        audit_record(
            actor=None,
            action="account.erase",
            obj=user,
            scope="site",
            summary=f"Erased the account of user {user.pk} at their request",
            changes={
                "team_memberships": [len(plan.teams_left), 0],
                "programme_staff_places": [len(plan.programmes_left), 0],
                "draft_applications_deleted": [len(plan.drafts_deleted), 0],
                "draft_applications_left": [len(plan.drafts_left), 0],
                "api_tokens": [plan.api_tokens, 0],
                "pending_invitations": [plan.pending_invitations, 0],
                "comments": [plan.comments, 0],
                "subscriptions": [plan.subscriptions, 0],
                "sessions": [sessions, 0],
                "texts_naming_them": [texts, 0],
            },
        )
    return plan
