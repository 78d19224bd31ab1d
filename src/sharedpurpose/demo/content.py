"""The demo programme: Closing the Gap, its Shared Purpose round and nine fictional teams.

Round 3's summary and aims are those of the funder's published Shared Purpose page. Every
organisation and person below is fictional and is marked as such.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

DEMO_PASSWORD = "shared-purpose-demo"  # noqa: S105 - printed for demo sign-in on purpose


@dataclass(frozen=True)
class DemoUser:
    role: str
    email: str
    full_name: str


DEMO_USERS = (
    DemoUser("staff", "staff@demo.example.org", "Priya Shah"),
    DemoUser("assessor", "assessor@demo.example.org", "Tom Okafor"),
    DemoUser("team member", "team@demo.example.org", "Grace Lindqvist"),
    DemoUser("applicant", "applicant@demo.example.org", "Sam Whitfield"),
)

PROGRAMME: dict[str, str] = {
    "slug": "closing-the-gap",
    "name": "Closing the Gap",
    "summary": (
        "An improvement programme that aims to identify improvements, build knowledge and skills, "
        "and create new approaches to help transform the quality of healthcare in the UK."
    ),
    "description": (
        "Closing the Gap runs in rounds. Each round funds award-holder teams to test and spread "
        "improvements, and shares what they learn."
    ),
}

ROUNDS: tuple[dict[str, Any], ...] = (
    {
        "number": 1,
        "slug": "clinical-reliability",
        "name": "Clinical Reliability",
        "summary": (
            "The first round funded clinical teams to make the care they give more reliable."
        ),
        "aims": [],
        "state": "complete",
        "delivery": ((2010, 10), (2012, 9)),
    },
    {
        "number": 2,
        "slug": "patient-pathways",
        "name": "Patient Pathways",
        "summary": "The second round funded teams redesigning pathways across organisations.",
        "aims": [],
        "state": "complete",
        "delivery": ((2011, 10), (2013, 9)),
    },
    {
        "number": 3,
        "slug": "shared-purpose",
        "name": "Shared Purpose",
        "summary": (
            "Shared Purpose is the third round of our Closing the Gap improvement programme, which "
            "aims to identify improvements, build knowledge and skills, and create new approaches "
            "to help transform the quality of healthcare in the UK."
        ),
        "aims": [
            "raise awareness of the role corporate support services can play in improving "
            "quality of care",
            "create examples of best practice in corporate support services and clinical services "
            "working together to improve quality of care",
            "develop the evidence base of what works in improving care through aligning corporate "
            "support and clinical services around common quality goals.",
        ],
        "body": (
            "To date, the quality agenda has focused largely on improving the reliability of "
            "clinical services. But clinical teams do not work in isolation. Corporate support "
            "services also have a significant role to play in improving the quality of care "
            "experienced by patients.\n\n"
            "This round supports nine award-holder teams to develop and implement ways for "
            "corporate support services and clinical teams to work together to improve quality of "
            "care. Their innovations include value-based interviewing, telemedicine, a workforce "
            "intelligence scheme and the UK's first Microsystem Coaching Academy."
        ),
        "state": "in_delivery",
        "delivery": ((2016, 4), (2019, 3)),
    },
)

NEXT_PROGRAMME: dict[str, Any] = {
    "slug": "demonstrating-effectiveness-at-scale",
    "name": "Demonstrating Effectiveness at Scale",
    "summary": (
        "Next year's demonstration programme, for organisations working in partnership to deliver "
        "ambitious projects that show effectiveness at scale. Sign up to be told as soon as it "
        "opens for applications."
    ),
    "description": (
        "It will support those with ideas, interventions and approaches that have been tested and "
        "shown to be successful at small scale. It is not limited to corporate services."
    ),
    "round": {
        "number": 1,
        "slug": "round-1",
        "name": "Demonstration programme",
        "summary": (
            "A demonstration programme for organisations working in partnership to demonstrate "
            "effectiveness at scale. Opening soon."
        ),
        "state": "announced",
    },
}


@dataclass(frozen=True)
class DemoMeasure:
    name: str
    side: str
    definition: str
    unit: str
    direction: str
    target: float | None = None
    # Either real A&E data for a provider code, or an illustrative series described by
    # (start level, monthly drift, noise, month the change began, size of the change).
    ae_provider: str | None = None
    ae_column: str = "performance"
    illustrative: tuple[float, float, float, int, float] | None = None


@dataclass(frozen=True)
class DemoTeam:
    slug: str
    name: str
    innovation: str
    summary: str
    lead: str
    partners: tuple[str, ...]
    corporate_services: tuple[str, ...]
    clinical_areas: tuple[str, ...]
    measures: tuple[DemoMeasure, ...] = field(default=())


FOUR_HOUR = "Share of type-1 A&E attendances admitted, transferred or discharged within four hours."
REAL_AE = "NHS England A&E statistics for provider {code} (Open Government Licence v3.0)"
ILLUSTRATIVE = "Illustrative figures made for the demo"

TEAMS = (
    DemoTeam(
        slug="northmoor-value-based-interviewing",
        name="Northmoor value-based recruitment partnership",
        innovation="Value-based interviewing",
        summary=(
            "HR and emergency department leaders recruit nurses and healthcare assistants for the "
            "values patients feel, and track whether new starters stay and care improves."
        ),
        lead="Northmoor Teaching Hospitals NHS Foundation Trust (fictional)",
        partners=("Northmoor Community Health Services (fictional)",),
        corporate_services=("hr_workforce",),
        clinical_areas=("Emergency department", "Acute medical unit"),
        measures=(
            DemoMeasure(
                "Four-hour A&E performance",
                "clinical",
                FOUR_HOUR,
                "%",
                "increase",
                target=0.95,
                ae_provider="R1H",
            ),
            DemoMeasure(
                "Time to hire",
                "corporate",
                "Days from advert closing to unconditional offer, median per month.",
                "days",
                "decrease",
                target=30.0,
                illustrative=(48, 0.0, 4.0, 18, -12),
            ),
            DemoMeasure(
                "12-month retention of new starters",
                "corporate",
                "Share of staff starting 12 months earlier who are still employed.",
                "%",
                "increase",
                target=0.9,
                illustrative=(0.78, 0.0, 0.03, 20, 0.08),
            ),
        ),
    ),
    DemoTeam(
        slug="eastfield-telemedicine",
        name="Eastfield telemedicine collaborative",
        innovation="Telemedicine",
        summary=(
            "IT and digital services and outpatient clinicians move follow-up appointments to "
            "video and telephone where patients prefer it."
        ),
        lead="Eastfield University Hospitals NHS Trust (fictional)",
        partners=("Eastfield and District Integrated Care Board (fictional)",),
        corporate_services=("it_digital", "estates"),
        clinical_areas=("Outpatients", "Diabetes", "Respiratory medicine"),
        measures=(
            DemoMeasure(
                "Type-1 A&E attendances",
                "clinical",
                "Attendances at the type-1 emergency department each month.",
                "attendances",
                "neutral",
                ae_provider="RA7",
                ae_column="attendances",
            ),
            DemoMeasure(
                "Share of consultations held remotely",
                "clinical",
                "Outpatient follow-ups held by video or telephone, of all follow-ups.",
                "%",
                "increase",
                target=0.35,
                illustrative=(0.08, 0.002, 0.015, 12, 0.18),
            ),
            DemoMeasure(
                "Did-not-attend rate",
                "clinical",
                "Outpatient appointments not attended without notice, of all booked.",
                "%",
                "decrease",
                target=0.05,
                illustrative=(0.09, 0.0, 0.006, 12, -0.025),
            ),
        ),
    ),
    DemoTeam(
        slug="westbrook-workforce-intelligence",
        name="Westbrook workforce intelligence scheme",
        innovation="Workforce intelligence",
        summary=(
            "Workforce analysts give ward managers weekly intelligence on vacancies, sickness and "
            "agency use beside their quality and safety data."
        ),
        lead="Westbrook and Vale NHS Foundation Trust (fictional)",
        partners=("Westbrook Business Services (fictional)",),
        corporate_services=("hr_workforce", "finance"),
        clinical_areas=("Adult inpatient wards",),
        measures=(
            DemoMeasure(
                "Four-hour A&E performance",
                "clinical",
                FOUR_HOUR,
                "%",
                "increase",
                target=0.95,
                ae_provider="RBN",
            ),
            DemoMeasure(
                "Registered nurse vacancy rate",
                "corporate",
                "Vacant funded registered nurse posts, of all funded posts.",
                "%",
                "decrease",
                target=0.08,
                illustrative=(0.13, 0.0, 0.006, 15, -0.03),
            ),
            DemoMeasure(
                "Agency spend",
                "corporate",
                "Nursing agency spend in the month, thousands of pounds.",
                "£k",
                "decrease",
                illustrative=(410, 0.0, 35, 15, -90),
            ),
        ),
    ),
    DemoTeam(
        slug="southgate-microsystem-coaching-academy",
        name="Southgate Microsystem Coaching Academy",
        innovation="Microsystem Coaching Academy",
        summary=(
            "The UK's first Microsystem Coaching Academy trains coaches from corporate and "
            "clinical teams to help frontline microsystems improve their own work."
        ),
        lead="Southgate Health Partnership NHS Trust (fictional)",
        partners=("Southgate School of Health Sciences (fictional)",),
        corporate_services=("hr_workforce", "communications"),
        clinical_areas=("Community nursing", "Older people's wards"),
        measures=(
            DemoMeasure(
                "Teams coached",
                "corporate",
                "Microsystem teams that finished a coaching cycle, cumulative.",
                "teams",
                "increase",
                illustrative=(0, 1.2, 0.8, 6, 0),
            ),
            DemoMeasure(
                "Staff engagement score",
                "corporate",
                "Quarterly pulse survey engagement score (1 to 5).",
                "score",
                "increase",
                illustrative=(3.4, 0.0, 0.08, 12, 0.3),
            ),
        ),
    ),
    DemoTeam(
        slug="riverside-estates-falls",
        name="Riverside safer wards partnership",
        innovation="Estates-led falls prevention",
        summary=(
            "Estates and facilities redesign lighting, flooring and bathrooms with ward teams to "
            "prevent falls among older inpatients."
        ),
        lead="Riverside Hospitals NHS Trust (fictional)",
        partners=(),
        corporate_services=("estates",),
        clinical_areas=("Older people's wards", "Stroke unit"),
        measures=(
            DemoMeasure(
                "Inpatient falls per 1,000 bed days",
                "clinical",
                "Falls reported on the wards per 1,000 occupied bed days.",
                "per 1,000 bed days",
                "decrease",
                target=5.0,
                illustrative=(7.4, 0.0, 0.7, 14, -1.9),
            ),
        ),
    ),
    DemoTeam(
        slug="hollins-procurement-pressure-ulcers",
        name="Hollins procurement for pressure care",
        innovation="Clinically led procurement",
        summary=(
            "Procurement and tissue viability nurses choose mattresses and dressings by outcome "
            "and whole-life cost, not unit price."
        ),
        lead="Hollins Valley NHS Foundation Trust (fictional)",
        partners=("Hollins Valley Supply Chain Consortium (fictional)",),
        corporate_services=("procurement", "finance"),
        clinical_areas=("Tissue viability", "Intensive care"),
        measures=(
            DemoMeasure(
                "Hospital-acquired pressure ulcers",
                "clinical",
                "Category 2 and above pressure ulcers acquired in hospital each month.",
                "ulcers",
                "decrease",
                illustrative=(14, 0.0, 3.0, 16, -5),
            ),
        ),
    ),
    DemoTeam(
        slug="marshfield-digital-discharge",
        name="Marshfield digital discharge",
        innovation="Electronic discharge planning",
        summary=(
            "IT and bed management teams give wards a live view of discharge readiness, with "
            "transport and pharmacy in the loop."
        ),
        lead="Marshfield General Hospital NHS Trust (fictional)",
        partners=("Marshfield Patient Transport Services (fictional)",),
        corporate_services=("it_digital",),
        clinical_areas=("General medicine", "Pharmacy"),
        measures=(
            DemoMeasure(
                "Discharges before noon",
                "clinical",
                "Share of inpatient discharges completed before 12:00.",
                "%",
                "increase",
                target=0.33,
                illustrative=(0.17, 0.0, 0.02, 10, 0.08),
            ),
        ),
    ),
    DemoTeam(
        slug="kingsreach-finance-for-quality",
        name="Kingsreach finance for quality",
        innovation="Service-line reporting for clinicians",
        summary=(
            "Finance business partners and surgical teams use service-line reporting to fund the "
            "changes that cut cancelled operations."
        ),
        lead="Kingsreach Hospitals NHS Trust (fictional)",
        partners=(),
        corporate_services=("finance",),
        clinical_areas=("Elective surgery", "Theatres"),
        measures=(
            DemoMeasure(
                "Operations cancelled on the day",
                "clinical",
                "Elective operations cancelled on the day for non-clinical reasons.",
                "operations",
                "decrease",
                illustrative=(42, 0.0, 6.0, 20, -14),
            ),
        ),
    ),
    DemoTeam(
        slug="ashby-patient-voice",
        name="Ashby patient voice partnership",
        innovation="Communications-led patient feedback",
        summary=(
            "Communications and maternity teams gather patient feedback in real time and close "
            "the loop publicly."
        ),
        lead="Ashby and Wold NHS Foundation Trust (fictional)",
        partners=("Ashby Maternity Voices Partnership (fictional)",),
        corporate_services=("communications",),
        clinical_areas=("Maternity",),
        measures=(
            DemoMeasure(
                "Patient experience: would recommend",
                "clinical",
                "Share of maternity Friends and Family Test responses that would "
                "recommend the service.",
                "%",
                "increase",
                target=0.95,
                illustrative=(0.88, 0.0, 0.015, 12, 0.04),
            ),
        ),
    ),
)
