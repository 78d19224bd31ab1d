"""The demo's case studies: three published ones and one waiting for review.

Every team, person and result below is fictional; the charts are the demo teams' own
(illustrative) data. Interventions are linked by slug when the demo's catalogue has them
and left out otherwise. Idempotent: a second run finds everything in place and writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sharedpurpose.accounts.models import User
from sharedpurpose.evidence.models import CaseStudy, CaseStudyReview, Intervention, OutcomeArea
from sharedpurpose.improvement.models import Measure, Team

from .content import DEMO_USERS

Status = CaseStudy.Status
Action = CaseStudyReview.Action


@dataclass(frozen=True)
class DemoCaseStudy:
    team: str
    slug: str
    title: str
    summary: str
    problem: str
    what_we_did: str
    results: str
    learning: str
    contacts: str
    outcome_area: str
    corporate_services: tuple[str, ...]
    clinical_areas: tuple[str, ...]
    interventions: tuple[str, ...]
    measures: tuple[str, ...]
    author: str  # e-mail address of the team member who wrote it
    status: str
    published_at: datetime | None = None


CASE_STUDIES = (
    DemoCaseStudy(
        team="northmoor-value-based-interviewing",
        slug="recruiting-for-values-at-northmoor",
        title="Recruiting for values at Northmoor: faster offers and new starters who stay",
        summary=(
            "HR and the emergency department rewrote interviews around the values patients "
            "feel and cut the time to hire, and more new nurses are still with us a year on."
        ),
        problem=(
            "One in five nurses and healthcare assistants who joined the emergency department "
            "and acute medical unit left within a year. Exit interviews said the job was not "
            "what the interview had described, and good candidates took other offers while "
            "we took seven weeks to make ours."
        ),
        what_we_did=(
            "- Patients and carers wrote **value-based interview questions** with the HR "
            "recruitment team.\n"
            "- The ED matron and an HR adviser tested **shortlisting within two working "
            "days** on one advert, then made a standing weekly slot for every ED and AMU "
            "advert (three PDSA cycles).\n"
            "- Every new starter now has a buddy on the same shift pattern."
        ),
        results=(
            "Time to hire shifted down after the standing shortlisting slot began and has "
            "stayed at the new level. Twelve-month retention of new starters began to rise "
            "about two months later. Four-hour A&E performance is the balancing measure: "
            "recruiting faster did not come at the cost of the department's flow."
        ),
        learning=(
            "Patients asked better questions than we did. A standing slot in the diary did "
            "more than any policy: shortlisting stopped waiting for someone to find time."
        ),
        contacts=(
            "Grace Lindqvist, clinical lead (fictional): team@demo.example.org\n\n"
            "Northmoor recruitment team (fictional)"
        ),
        outcome_area=OutcomeArea.WORKFORCE,
        corporate_services=("hr_workforce",),
        clinical_areas=("Emergency department", "Acute medical unit"),
        interventions=("value-based-interviewing",),
        measures=(
            "Time to hire",
            "12-month retention of new starters",
            "Four-hour A&E performance",
        ),
        author="team@demo.example.org",
        status=Status.PUBLISHED,
        published_at=datetime(2019, 4, 12, 10, 0, tzinfo=UTC),
    ),
    DemoCaseStudy(
        team="eastfield-telemedicine",
        slug="video-follow-ups-patients-choose",
        title="Video follow-ups patients choose: telemedicine in Eastfield's outpatients",
        summary=(
            "IT and digital services put a one-click video link and a device test in every "
            "diabetes and respiratory follow-up letter; remote follow-ups rose and fewer "
            "patients missed appointments."
        ),
        problem=(
            "Stable diabetes and respiratory patients travelled an hour for a ten-minute "
            "review, and nearly one in ten booked follow-ups was missed. Video clinics "
            "existed, but clinicians had to start calls from a separate system and one in "
            "fourteen failed for technical reasons."
        ),
        what_we_did=(
            "- IT and digital services put a **video link in the follow-up letter** and let "
            "clinicians start the call from the clinic list.\n"
            "- A 'test your device' page came after the first PDSA cycle, when two calls "
            "failed on older tablets.\n"
            "- The booking team offers stable diabetes patients a remote follow-up first."
        ),
        results=(
            "The share of follow-ups held remotely shifted up after the video link began, "
            "and technical failures fell. The did-not-attend rate fell at the same time."
        ),
        learning=(
            "Technical failures, a corporate-side measure, told us whether clinicians would "
            "trust the clinic: we watched it as closely as the clinical measures."
        ),
        contacts="Eastfield digital clinics team (fictional): clinics@demo.example.org",
        outcome_area=OutcomeArea.ACCESS,
        corporate_services=("it_digital", "estates"),
        clinical_areas=("Outpatients", "Diabetes", "Respiratory medicine"),
        interventions=("telemedicine",),
        measures=(
            "Share of consultations held remotely",
            "Did-not-attend rate",
            "Remote consultations failed for technical reasons",
        ),
        author="clinical.lead2@demo.example.org",
        status=Status.PUBLISHED,
        published_at=datetime(2019, 4, 26, 10, 0, tzinfo=UTC),
    ),
    DemoCaseStudy(
        team="riverside-estates-falls",
        slug="sensor-lighting-and-fewer-falls",
        title="Sensor lighting and fewer falls: estates and ward teams at Riverside",
        summary=(
            "Estates fitted low-level sensor lighting from bed to bathroom on the older "
            "people's wards, and inpatient falls per 1,000 bed days shifted down."
        ),
        problem=(
            "Most falls on the older people's wards happened at night, on the way to the "
            "bathroom. Lighting faults at night waited for the day shift, and ward teams "
            "had never been asked how the building could help."
        ),
        what_we_did=(
            "- Estates and the Ward 9 manager fitted **sensor lighting** in one bay as a "
            "first test, softening it after it woke a patient.\n"
            "- It went into every bay and side room on wards 7 to 10 over six weeks.\n"
            "- Night lighting faults are now fixed within 24 hours."
        ),
        results=(
            "Falls per 1,000 occupied bed days shifted below the old lower limit after the "
            "lighting went in across the wards, and the share of night lighting faults fixed "
            "within a day rose."
        ),
        learning=(
            "The estates team's fastest fix was also the one staff noticed most. Sensor "
            "lighting is now in the estates standard for ward refurbishment."
        ),
        contacts="Riverside estates and facilities (fictional): estates@demo.example.org",
        outcome_area=OutcomeArea.SAFETY,
        corporate_services=("estates",),
        clinical_areas=("Older people's wards", "Stroke unit"),
        interventions=("estates-led-falls-prevention",),
        measures=(
            "Inpatient falls per 1,000 bed days",
            "Night lighting faults fixed within 24 hours",
        ),
        author="corporate.lead5@demo.example.org",
        status=Status.PUBLISHED,
        published_at=datetime(2019, 5, 10, 10, 0, tzinfo=UTC),
    ),
    DemoCaseStudy(
        team="westbrook-workforce-intelligence",
        slug="ward-workforce-intelligence-at-westbrook",
        title="Workforce intelligence on every ward at Westbrook",
        summary=(
            "Workforce analysts give ward managers a weekly dashboard of vacancies, sickness "
            "and agency use beside their quality data."
        ),
        problem=(
            "Ward managers learnt about vacancies and agency spend from a monthly finance "
            "report, weeks after they could act on them."
        ),
        what_we_did=(
            "- A weekly **workforce dashboard** for each ward, built by HR and finance.\n"
            "- A monthly reconciliation of the establishment between finance and HR."
        ),
        results=(
            "The registered nurse vacancy rate fell after the dashboards began; agency spend "
            "followed."
        ),
        learning="One agreed establishment mattered more than any chart.",
        contacts="Westbrook workforce analytics (fictional): workforce@demo.example.org",
        outcome_area=OutcomeArea.WORKFORCE,
        corporate_services=("hr_workforce", "finance"),
        clinical_areas=("Adult inpatient wards",),
        interventions=("workforce-intelligence",),
        measures=("Registered nurse vacancy rate", "Agency spend"),
        author="corporate.lead3@demo.example.org",
        status=Status.IN_REVIEW,
    ),
)

#: The review steps behind each status, in order.
REVIEW_STEPS = {
    Status.PUBLISHED: (Action.SUBMITTED, Action.PUBLISHED),
    Status.IN_REVIEW: (Action.SUBMITTED,),
}


def _staff() -> User | None:
    email = next(u.email for u in DEMO_USERS if u.role == "staff")
    return User.objects.filter(email=email).first()


def _case_study(spec: DemoCaseStudy, team: Team, staff: User | None) -> CaseStudy:
    author = User.objects.filter(email=spec.author).first()
    values = {
        "team": team,
        "title": spec.title,
        "summary": spec.summary,
        "problem": spec.problem,
        "what_we_did": spec.what_we_did,
        "results": spec.results,
        "learning": spec.learning,
        "contacts": spec.contacts,
        "outcome_area": str(spec.outcome_area),
        "corporate_services": list(spec.corporate_services),
        "clinical_areas": list(spec.clinical_areas),
        "status": str(spec.status),
        "published_at": spec.published_at,
    }
    case_study = CaseStudy.objects.filter(slug=spec.slug).first()
    if case_study is None:
        case_study = CaseStudy.objects.create(slug=spec.slug, created_by=author, **values)
    else:
        changed = [name for name, value in values.items() if getattr(case_study, name) != value]
        if changed:
            for name in changed:
                setattr(case_study, name, values[name])
            case_study.save(update_fields=[*changed, "updated_at"])
    interventions = set(
        Intervention.objects.filter(slug__in=spec.interventions).values_list("pk", flat=True)
    )
    if set(case_study.interventions.values_list("pk", flat=True)) != interventions:
        case_study.interventions.set(interventions)
    measures = set(
        Measure.objects.filter(team=team, name__in=spec.measures).values_list("pk", flat=True)
    )
    if set(case_study.measures.values_list("pk", flat=True)) != measures:
        case_study.measures.set(measures)
    steps = REVIEW_STEPS.get(Status(spec.status), ())
    if tuple(case_study.reviews.values_list("action", flat=True)) != steps:
        case_study.reviews.all().delete()
        for action in steps:
            actor = author if action == Action.SUBMITTED else staff
            CaseStudyReview.objects.create(case_study=case_study, action=action, actor=actor)
    return case_study


def case_studies_demo_load() -> list[CaseStudy]:
    """Load or refresh the demo's case studies; teams missing from the database are skipped."""
    staff = _staff()
    teams = {t.slug: t for t in Team.objects.filter(slug__in={c.team for c in CASE_STUDIES})}
    return [
        _case_study(spec, teams[spec.team], staff) for spec in CASE_STUDIES if spec.team in teams
    ]


__all__ = ["CASE_STUDIES", "case_studies_demo_load"]
