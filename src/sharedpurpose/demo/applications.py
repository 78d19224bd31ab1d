"""The demonstration programme open for applications: its form and criteria, an applicant's
draft, and partnerships' applications submitted and in assessment.

Fictional throughout. Idempotent: the form and applications are created once; the round's
dates move forward only when a demo loaded long ago has passed its deadline.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone

from sharedpurpose.accounts.models import User
from sharedpurpose.accounts.roles import SiteRole, user_role_grant
from sharedpurpose.applications.models import (
    Answer,
    Application,
    ApplicationForm,
    ApplicationMember,
    ApplicationOrganisation,
    ApplicationState,
    AssessorAssignment,
    Criterion,
    FormSection,
    Question,
    QuestionKind,
    Score,
)
from sharedpurpose.applications.services.workflow import application_transition
from sharedpurpose.programmes.models import Announcement, Round, RoundState

from .content import DEMO_PASSWORD

K = QuestionKind
SERVICES = [
    "HR and workforce",
    "Finance",
    "Estates and facilities",
    "IT and digital",
    "Procurement",
]

#: (section title, description, questions as dicts of Question fields)
FORM: tuple[tuple[str, str, tuple[dict[str, Any], ...]], ...] = (
    (
        "Eligibility",
        "",
        (
            {
                "kind": K.SINGLE_CHOICE,
                "label": "Is the lead organisation an NHS body in the UK?",
                "help_text": "A trust, integrated care board or health board.",
                "choices": ["Yes", "No"],
                "is_eligibility": True,
                "eligible_choices": ["Yes"],
                "ineligible_reason": "The lead organisation must be an NHS body in the UK. "
                "Other organisations can join as partners.",
            },
            {
                "kind": K.SINGLE_CHOICE,
                "label": "Has your approach been tested and shown to work at small scale?",
                "choices": ["Yes", "No"],
                "is_eligibility": True,
                "eligible_choices": ["Yes"],
                "ineligible_reason": "This programme supports approaches already shown to work "
                "at small scale. Sign up to hear about programmes for new ideas.",
            },
        ),
    ),
    (
        "Your project",
        "What you will do, where, and with whom.",
        (
            {"kind": K.LONG_TEXT, "label": "Summary of your project", "word_limit": 250},
            {
                "kind": K.LONG_TEXT,
                "label": "What did the small-scale test show?",
                "help_text": "Say what you measured, for how long, and what changed.",
                "word_limit": 500,
            },
            {
                "kind": K.MULTIPLE_CHOICE,
                "label": "Which corporate support services take part?",
                "choices": SERVICES,
            },
            {
                "kind": K.NUMBER,
                "label": "How many sites will take part?",
                "min_value": 2,
                "max_value": 200,
            },
            {"kind": K.DATE, "label": "When would the project start?"},
        ),
    ),
    (
        "Measurement and evidence",
        "How you will know whether the change is an improvement, at every site.",
        (
            {
                "kind": K.LONG_TEXT,
                "label": "Your outcome, process and balancing measures",
                "word_limit": 400,
            },
            {
                "kind": K.FILE,
                "label": "Evidence from the small-scale test",
                "help_text": "A report or the data themselves.",
                "required": False,
                "allowed_file_types": ["pdf", "docx", "xlsx", "csv"],
                "max_file_mb": 10,
            },
        ),
    ),
    (
        "Budget",
        "",
        (
            {
                "kind": K.NUMBER,
                "label": "Amount requested (£)",
                "min_value": 10000,
                "max_value": 750000,
            },
            {"kind": K.LONG_TEXT, "label": "What the money pays for", "word_limit": 300},
        ),
    ),
)

CRITERIA = (
    ("Evidence from the small-scale test", 3, "5: measured improvement sustained over time."),
    ("Corporate and clinical partnership", 3, "5: both sides lead, with named people."),
    ("Measurement plan", 2, "5: outcome, process and balancing measures at every site."),
    ("Scale and value for money", 2, "5: a credible route to many more sites."),
)


@dataclass(frozen=True)
class DemoApplication:
    reference: str
    title: str
    lead_email: str
    lead_name: str
    partner_email: str
    partner_name: str
    organisations: tuple[str, ...]  # the first leads
    state: ApplicationState
    answers: dict[str, Any]


ANSWERS = {
    "Summary of your project": "Spread value-based interviewing from two wards to every ward "
    "of three trusts, with HR and ward managers recruiting together.",
    "What did the small-scale test show?": "Over 24 months on two wards, first-year leaving "
    "fell from 31% to 17% with a special-cause signal after month 9, sustained since.",
    "Which corporate support services take part?": ["HR and workforce", "Finance"],
    "How many sites will take part?": "3",
    "Your outcome, process and balancing measures": "Outcome: first-year leaving rate. "
    "Process: share of interviews that are value-based. Balancing: time to hire.",
    "Amount requested (£)": "420000",
    "What the money pays for": "Recruitment leads at each site, training and analysis.",
}

APPLICATIONS = (
    DemoApplication(
        reference="DEAS1-0001",
        title="Value-based interviewing across three trusts",
        lead_email="asha.patel@example.org",
        lead_name="Asha Patel",
        partner_email="owen.price@example.org",
        partner_name="Dr Owen Price",
        organisations=(
            "Northmoor Hospitals NHS Trust (fictional)",
            "Eastvale University Hospitals (fictional)",
            "Kestrel Community Health (fictional)",
        ),
        state=ApplicationState.IN_ASSESSMENT,
        answers=ANSWERS,
    ),
    DemoApplication(
        reference="DEAS1-0002",
        title="Estates-led falls prevention at scale",
        lead_email="lena.morris@example.org",
        lead_name="Lena Morris",
        partner_email="yusuf.ali@example.org",
        partner_name="Yusuf Ali",
        organisations=(
            "Riverside Health NHS Foundation Trust (fictional)",
            "Harbourside Integrated Care Board (fictional)",
        ),
        state=ApplicationState.SUBMITTED,
        answers=ANSWERS
        | {
            "Summary of your project": "Sensor lighting and glare-free floors from four wards to "
            "all inpatient wards, led by estates with ward teams.",
            "Which corporate support services take part?": ["Estates and facilities"],
        },
    ),
)


def _round_dates_keep_open(round_: Round) -> None:
    """Open two weeks ago, closing at noon in eight weeks (UK time), refreshed once past."""
    now = timezone.now()
    if round_.applications_close_at and round_.applications_close_at > now:
        return
    london = ZoneInfo(round_.timezone)
    closes_on = (now + timedelta(weeks=8)).astimezone(london).date()
    round_.applications_open_at = now - timedelta(days=14)
    round_.applications_close_at = datetime.combine(closes_on, time(12), tzinfo=london)
    round_.state = RoundState.OPEN
    round_.save()


def _form(round_: Round) -> ApplicationForm:
    form, created = ApplicationForm.objects.get_or_create(
        round=round_,
        defaults={
            "introduction": "Apply as a partnership: an NHS lead organisation with partners, "
            "and named leads for corporate support services and for clinical services.",
            "min_partner_organisations": 1,
        },
    )
    if created:
        for position, (title, description, questions) in enumerate(FORM):
            section = FormSection.objects.create(
                form=form, position=position, title=title, description=description
            )
            for number, fields in enumerate(questions):
                Question.objects.create(section=section, position=number, **fields)
        for position, (name, weight, guidance) in enumerate(CRITERIA):
            Criterion.objects.create(
                round=round_, position=position, name=name, weight=weight, guidance=guidance
            )
    return form


def _person(email: str, full_name: str) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email, DEMO_PASSWORD, full_name=full_name)
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def _application(round_: Round, spec: DemoApplication, staff: User) -> Application:
    existing = Application.objects.filter(reference=spec.reference).first()
    if existing is not None:
        return existing
    lead = _person(spec.lead_email, spec.lead_name)
    partner = _person(spec.partner_email, spec.partner_name)
    application = Application.objects.create(
        round=round_, reference=spec.reference, title=spec.title, lead_applicant=lead
    )
    ApplicationMember.objects.create(
        application=application,
        user=lead,
        is_lead_applicant=True,
        side="corporate",
        corporate_service="hr_workforce",
        leads_side=True,
    )
    ApplicationMember.objects.create(
        application=application,
        user=partner,
        side="clinical",
        clinical_area="Acute medicine",
        leads_side=True,
    )
    for number, name in enumerate(spec.organisations):
        ApplicationOrganisation.objects.create(
            application=application,
            name=name,
            kind="NHS trust" if "Trust" in name or "Hospitals" in name else "NHS body",
            role="lead" if number == 0 else "partner",
        )
    _answers(application, spec.answers, lead)
    application.submitted_at = timezone.now() - timedelta(days=3)
    application.save(update_fields=["submitted_at"])
    application_transition(application=application, to_state=ApplicationState.SUBMITTED, actor=lead)
    if spec.state == ApplicationState.IN_ASSESSMENT:
        application_transition(
            application=application,
            to_state=ApplicationState.IN_ASSESSMENT,
            actor=staff,
            reason="Assessment started",
        )
    return application


def _answers(application: Application, by_label: dict[str, Any], actor: User) -> None:
    questions = Question.objects.filter(section__form__round=application.round)
    for question in questions:
        if question.is_eligibility:
            value: Any = question.eligible_choices[0]
        elif question.kind == K.DATE:
            start = (application.round.applications_close_at or timezone.now()).date()
            value = (start + timedelta(days=120)).isoformat()
        else:
            value = by_label.get(question.label)
        if value is not None:
            Answer.objects.create(
                application=application, question=question, value=value, updated_by=actor
            )


def _assessment(application: Application, assessor: User, staff: User) -> None:
    """The demo assessor has declared no conflict and scored some criteria; a second,
    fictional assessor has submitted all scores."""
    if application.assignments.exists():
        return
    colleague = _person("imran.hussain@example.org", "Imran Hussain")
    if not colleague.groups.filter(name=SiteRole.ASSESSOR).exists():
        user_role_grant(user=colleague, role=SiteRole.ASSESSOR)
    now = timezone.now()
    criteria = list(application.round.criteria.order_by("position"))
    for who, scores, submitted in (
        (assessor, (4, 3), None),
        (colleague, (4, 4, 3, 2), now - timedelta(days=1)),
    ):
        assignment = AssessorAssignment.objects.create(
            application=application,
            assessor=who,
            assigned_by=staff,
            conflict=AssessorAssignment.Conflict.NONE,
            declared_at=now - timedelta(days=2),
            submitted_at=submitted,
        )
        for criterion, score in zip(criteria, scores, strict=False):
            Score.objects.create(
                assignment=assignment,
                criterion=criterion,
                score=score,
                comment=f"Scored {score}: see the small-scale results and the measures.",
            )


def _applicant_draft(round_: Round, applicant: User) -> None:
    """The demo applicant's own draft, started with the project section half done."""
    if Application.objects.filter(round=round_, lead_applicant=applicant).exists():
        return
    application = Application.objects.create(
        round=round_,
        reference="DEAS1-0003",
        title="Telemedicine clinics for rural patients",
        lead_applicant=applicant,
    )
    ApplicationMember.objects.create(
        application=application,
        user=applicant,
        is_lead_applicant=True,
        side="clinical",
        clinical_area="Outpatients",
        leads_side=True,
    )
    ApplicationOrganisation.objects.create(
        application=application,
        name="Fellside Hospitals NHS Trust (fictional)",
        kind="NHS trust",
        role="lead",
    )
    _answers(
        application,
        {"Summary of your project": "Video clinics run by IT and outpatient teams together."},
        applicant,
    )


@transaction.atomic
def applications_demo_load(round_: Round, users: dict[str, User]) -> None:
    _round_dates_keep_open(round_)
    Announcement.objects.get_or_create(
        programme=round_.programme,
        round=round_,
        kind=Announcement.Kind.APPLICATIONS_OPEN,
        defaults={
            "title": f"{round_.programme.name}: applications open",
            "body": "Partnerships can now apply. See the round page for the deadline.",
            "published_at": round_.applications_open_at or timezone.now(),
            "created_by": users["staff"],
        },
    )
    _form(round_)
    for spec in APPLICATIONS:
        application = _application(round_, spec, users["staff"])
        if spec.state == ApplicationState.IN_ASSESSMENT:
            _assessment(application, users["assessor"], users["staff"])
    _applicant_draft(round_, users["applicant"])
