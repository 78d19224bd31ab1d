"""A person with a part in every record the platform keeps, and a scan for them in every table.

``person_with_everything`` (tests/accounts) gives a person every kind of data of their own:
subscriber, commenter, applicant, team member, assessor. ``a_part_in_everything`` adds the
records that name them as the one who did something (moved a round, decided, reviewed...), and
the texts services and people write about them: audit summaries, account e-mails waiting in
the task queue, e-mails to others, reasons, answers, notes and contacts. ``texts_naming`` reads
every text column of every table.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.db import models
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from sharedpurpose.accounts.models import User
from sharedpurpose.accounts.roles import SiteRole, user_role_grant
from sharedpurpose.applications.models import (
    Answer,
    Application,
    ApplicationInvitation,
    ApplicationState,
    ApplicationTransition,
    Award,
    Decision,
)
from sharedpurpose.applications.services.assessment import assessor_assign
from sharedpurpose.core.audit import audit_record
from sharedpurpose.core.models import AuditEvent
from sharedpurpose.core.tasks import email_send
from sharedpurpose.engagement.models import OutboxMessage
from sharedpurpose.engagement.services.comments import comment_answer
from sharedpurpose.evidence.models import CaseStudyReview, InterventionUse, ProgrammeReport
from sharedpurpose.improvement.models import (
    DataImport,
    DataPoint,
    Rebase,
    Team,
    TeamInvitation,
    TeamMembership,
)
from sharedpurpose.improvement.services.members import member_invite, member_update
from sharedpurpose.programmes.models import Announcement, RoundTransition
from tests.accounts.test_personal_data import Person
from tests.applications.factories import ApplicationFactory, AssignmentFactory
from tests.engagement.factories_comments import CommentFactory
from tests.evidence.factories import InterventionFactory
from tests.factories import TeamFactory, UserFactory
from tests.improvement.factories_charts import ChangeIdeaFactory, PdsaCycleFactory
from tests.improvement.factories_goals import GoalFactory

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@dataclass
class Kept:
    """Records the funder keeps after the person is erased."""

    award_audit: AuditEvent
    decision: Decision
    transition: ApplicationTransition
    #: The team they were invited to, and the application they were asked to assess.
    invited_to: Team
    assessing: Application


def a_part_in_everything(person: Person) -> Kept:
    """Records naming ``person`` as the one who acted, and texts naming them, as services and
    people write them. Account e-mails wait in the task table: run with ``DATABASE_TASKS`` and
    on-commit callbacks executed."""
    user, name, address = person.user, person.user.full_name, person.user.email
    staff = UserFactory.create(full_name="Priya Staff")
    user_role_grant(user=staff, role=SiteRole.PROGRAMME_STAFF)
    user_role_grant(user=user, role=SiteRole.PROGRAMME_STAFF)
    round_ = person.in_assessment.round
    round_.programme.staff.add(user)

    # What services write about them: audit summaries and account e-mails, to them and others.
    invited_to = TeamFactory.create()
    member_invite(
        actor=staff,
        team=invited_to,
        email=address,
        role=TeamMembership.Role.MEMBER,
        side="clinical",
        clinical_area="Theatres",
    )
    member_invite(
        actor=user,
        team=person.led_team,
        email="colleague@example.org",
        role=TeamMembership.Role.MEMBER,
        side="clinical",
        clinical_area="Theatres",
    )
    co_lead = TeamMembership.objects.filter(team=person.led_team).exclude(user=user).get().user
    member_update(
        actor=co_lead,
        membership=TeamMembership.objects.get(team=person.led_team, user=user),
        role=TeamMembership.Role.LEAD,
        side="clinical",
        clinical_area="Theatres",
    )
    assessing = ApplicationFactory.create(state=ApplicationState.SUBMITTED)
    assessor_assign(actor=staff, application=assessing, assessor=user)
    sent = email_send.enqueue(
        subject="Confirm your e-mail address", body=f"Hello {name}", to=[address]
    )
    DBTaskResult.objects.filter(pk=sent.id).update(status=TaskResultStatus.SUCCESSFUL)
    comment = CommentFactory.create(
        programme=round_.programme, author_name=name, author_email=address, body="When?"
    )
    comment_answer(actor=staff, comment=comment, body=f"Thank you, {name}.")
    OutboxMessage.objects.create(
        dedupe_key=f"letter-to-a-colleague-of-{user.pk}",
        kind="decision_letter",
        to_email="colleague@example.org",
        subject=f"Your application with {name}",
        body_text=f"Dear colleague of {name} ({address})",
        status=OutboxMessage.Status.SENT,
    )
    LogEntry.objects.log_actions(
        user_id=staff.pk, queryset=[user], action_flag=CHANGE, change_message="Changed full name."
    )

    # What people write about them in the records that are kept.
    Answer.objects.create(
        application=person.in_assessment,
        question=person.shared_answer.question,
        value=[f"{name} leads the clinical side", "Wards A and B"],
        updated_by=person.in_assessment.lead_applicant,
    )
    transition = ApplicationTransition.objects.create(
        application=person.in_assessment,
        from_state=ApplicationState.DRAFT,
        to_state=ApplicationState.SUBMITTED,
        actor=user,
        reason=f"Submitted by {name}",
    )
    decision = Decision.objects.create(
        application=person.in_assessment,
        outcome=Decision.Outcome.WAITLIST,
        feedback=f"Thank you, {name}: a strong partnership.",
        decided_by=user,
        decided_at=timezone.now(),
    )
    goal = GoalFactory.create(team=person.team, corporate_owner=user, clinical_owner=user)
    cycle = PdsaCycleFactory.create(
        change_idea=ChangeIdeaFactory.create(goal=goal),
        plan_who=f"{name} ({address})",
        created_by=user,
    )
    person.case_study.contacts = f"{name}, {address}"
    person.case_study.save(update_fields=["contacts"])
    Rebase.objects.create(
        measure=person.measure,
        period=date(2025, 2, 1),
        reason=f"{name} moved the clinic",
        created_by=user,
    )
    DataImport.objects.create(
        team=person.team,
        uploaded_by=user,
        filename=f"{name} March.csv",
        file="imports/march.csv",
    )
    DataPoint.objects.create(
        measure=person.measure, period=date(2025, 1, 1), value=12.0, updated_by=user
    )

    # Records that name them as the one who did something.
    now = timezone.now()
    RoundTransition.objects.create(
        round=round_, from_state="announced", to_state="open", actor=user
    )
    Announcement.objects.create(
        programme=round_.programme,
        title="Applications open",
        body="Apply.",
        published_at=now,
        created_by=user,
    )
    TeamInvitation.objects.create(
        team=person.led_team,
        email="joined@example.org",
        role=TeamMembership.Role.MEMBER,
        side="clinical",
        clinical_area="Theatres",
        token=f"accepted-by-{user.pk}",
        expires_at=now + timedelta(days=1),
        accepted_at=now,
        accepted_by=user,
    )
    ApplicationInvitation.objects.filter(pk=person.application_invitation.pk).update(
        invited_by=user
    )
    moderated = CommentFactory.create(
        programme=round_.programme, moderated_by=user, moderated_at=now
    )
    comment_answer(actor=user, comment=moderated, body="The funder's answer.")
    intervention = InterventionFactory.create(created_by=user)
    InterventionUse.objects.create(
        intervention=intervention, change_idea=cycle.change_idea, site="Ward A", created_by=user
    )
    CaseStudyReview.objects.create(
        case_study=person.case_study,
        action=CaseStudyReview.Action.CHANGES_REQUESTED,
        comment=f"Please ask {name} to add the chart",
        actor=user,
    )
    ProgrammeReport.objects.create(round=round_, requested_by=user)
    AssignmentFactory.create(assigned_by=user)
    LogEntry.objects.log_actions(
        user_id=user.pk, queryset=[staff], action_flag=CHANGE, change_message="Changed roles."
    )
    awarded = ApplicationFactory.create(lead_applicant=user, state=ApplicationState.AWARDED)
    team = TeamFactory.create(round=awarded.round)
    award = Award.objects.create(
        application=awarded,
        team=team,
        amount=Decimal("50000"),
        starts_on=date(2025, 4, 1),
        ends_on=date(2026, 3, 31),
        conditions=f"Quarterly reports from {name}",
        created_by=user,
    )
    award_audit = audit_record(
        actor=user,
        action="award.make",
        obj=award,
        scope=f"application:{awarded.pk}",
        summary=f"{awarded.reference}: awarded £50,000 as {team.name}, led by {name}",
    )
    return Kept(
        award_audit=award_audit,
        decision=decision,
        transition=transition,
        invited_to=invited_to,
        assessing=assessing,
    )


def _text_fields(model: type[models.Model]) -> list[str]:
    return [
        f.name
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField | models.JSONField)
    ]


def texts_naming(*needles: str) -> list[str]:
    """``app.Model.field#pk`` of every text value, in every table, containing any needle
    (whatever the case; JSON values as their text)."""
    lowered = [n.lower() for n in needles]
    found = []
    for model in apps.get_models(include_auto_created=True):
        fields = _text_fields(model)
        if not fields:
            continue
        for row in model._default_manager.values("pk", *fields):
            for field_name in fields:
                value = row[field_name]
                text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
                if any(n in text.lower() for n in lowered):
                    found.append(f"{model._meta.label}.{field_name}#{row['pk']}")
    return found


def erased(user: User) -> tuple[str, str]:
    """The pseudonym that stands for an erased account."""
    return f"Erased person {user.pk}", f"erased-{user.pk}@erased.invalid"
