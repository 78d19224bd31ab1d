"""The demo programme: Closing the Gap, its Shared Purpose round and nine fictional teams.

Round 3's summary and aims are those of the funder's published Shared Purpose page. Every
organisation and person below is fictional and is marked as such.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
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
        "A demonstration programme for organisations working in partnership to deliver "
        "ambitious projects that show effectiveness at scale. Now open for applications."
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
            "effectiveness at scale, open for applications from partnerships."
        ),
        "state": "open",
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
    kind: str = "outcome"
    chart_type: str = "xmr"
    # Either real A&E data for a provider code, or an illustrative series described by
    # (start level, monthly drift, noise, month the change began, size of the change).
    ae_provider: str | None = None
    ae_column: str = "performance"
    ae_denominator: str | None = None  # p charts of real data: the column giving n
    illustrative: tuple[float, float, float, int, float] | None = None
    # u charts of illustrative rates: (typical n, its noise, rate per this many units of n).
    exposure: tuple[float, float, float] | None = None
    change_idea: str = ""  # the change idea it tracks, by its text
    owner: str = "corporate"  # whose lead supplies the data: "corporate" or "clinical"


@dataclass(frozen=True)
class DemoNode:
    """A driver or change idea; ``owner`` is a corporate service value or a clinical area."""

    text: str
    side: str
    owner: str
    children: tuple[DemoNode, ...] = ()
    started: int | None = None  # change ideas: months after April 2016 when testing began


@dataclass(frozen=True)
class DemoCycle:
    title: str
    change_idea: str
    question: str
    prediction: str
    who: str
    what: str
    where: str
    start: int  # months after April 2016
    days: int
    do: str
    study: str
    decision: str
    act: str
    previous: str = ""
    measures: tuple[str, ...] = ()


@dataclass(frozen=True)
class DemoGoal:
    title: str
    aim_what: str
    aim_how_much: str
    aim_by_when: date
    drivers: tuple[DemoNode, ...]
    cycles: tuple[DemoCycle, ...] = ()


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
    goals: tuple[DemoGoal, ...] = field(default=())


def corporate(text: str, service: str, *children: DemoNode, started: int | None = None) -> DemoNode:
    return DemoNode(text, "corporate", service, tuple(children), started)


def clinical(text: str, area: str, *children: DemoNode, started: int | None = None) -> DemoNode:
    return DemoNode(text, "clinical", area, tuple(children), started)


FOUR_HOUR = "Share of type-1 A&E attendances admitted, transferred or discharged within four hours."
FOUR_HOUR_BREACHES = (
    "Type-1 A&E attendances not admitted, transferred or discharged within four hours (value), "
    "out of all type-1 attendances in the month (n)."
)
REAL_AE = "NHS England A&E statistics for provider {code} (Open Government Licence v3.0)"
ILLUSTRATIVE = "Illustrative figures made for the demo"
END_OF_ROUND = date(2019, 3, 31)

SHORTLIST = "Shortlist within two working days of the advert closing"
VIDEO_LINK = "One-click video link in the follow-up appointment letter"
WARD_DASHBOARD = "Weekly vacancy, sickness and agency dashboard for each ward"
HUDDLE = "Fifteen-minute improvement huddle at the start of the Monday shift"
SENSOR_LIGHTING = "Sensor lighting from bed to bathroom at night"
WARD_TRIAL = "Tissue viability nurses score mattresses in a ward trial before tender"
PHARMACY_SCREEN = "Pharmacy screens tomorrow's discharges at 4pm"
PRE_OP_CALL = "Pre-operative assessment call 72 hours before surgery"
DISCHARGE_TEXT = "Text message survey on the day of discharge"

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
                kind="balancing",
                ae_provider="R1H",
                owner="clinical",
            ),
            DemoMeasure(
                "Time to hire",
                "corporate",
                "Days from advert closing to unconditional offer, median per month.",
                "days",
                "decrease",
                target=30.0,
                kind="process",
                illustrative=(48, 0.0, 4.0, 18, -12),
                change_idea=SHORTLIST,
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
        goals=(
            DemoGoal(
                "Recruit and keep staff who share our values",
                "Raise 12-month retention of new nurses and healthcare assistants in the "
                "emergency department and acute medical unit",
                "from 78% to 90%",
                END_OF_ROUND,
                drivers=(
                    corporate(
                        "Recruit for values, quickly",
                        "hr_workforce",
                        corporate(
                            "Interview panels assess values as well as skills",
                            "hr_workforce",
                            corporate(
                                "Value-based interview questions written with patients",
                                "hr_workforce",
                                started=6,
                            ),
                        ),
                        corporate(
                            "Offers made before good candidates go elsewhere",
                            "hr_workforce",
                            corporate(SHORTLIST, "hr_workforce", started=17),
                        ),
                    ),
                    clinical(
                        "New starters feel they belong",
                        "Emergency department",
                        clinical(
                            "A buddy and a protected first fortnight",
                            "Acute medical unit",
                            clinical(
                                "A buddy on the same shift pattern for every new starter",
                                "Acute medical unit",
                                started=19,
                            ),
                        ),
                    ),
                ),
                cycles=(
                    DemoCycle(
                        "Two-day shortlisting for one ED nursing advert",
                        SHORTLIST,
                        "Can the ED matron and HR shortlist within two working days of closing?",
                        "Shortlisting will take two days instead of nine, and no candidate "
                        "will withdraw before interview.",
                        "ED matron and one HR adviser",
                        "Book a shortlisting slot for the day after the advert closes.",
                        "Emergency department",
                        17,
                        21,
                        "Shortlisting took one and a half days; interviews were held nine days "
                        "after closing.",
                        "All 14 shortlisted candidates came to interview; offers went out in 16 "
                        "days against a median of 47.",
                        "adapt",
                        "Try it on every ED and AMU advert, with a standing weekly slot.",
                        measures=("Time to hire",),
                    ),
                    DemoCycle(
                        "Standing shortlisting slot for ED and AMU adverts",
                        SHORTLIST,
                        "Does a standing weekly slot keep shortlisting within two days?",
                        "Nine in ten adverts will be shortlisted within two working days.",
                        "ED and AMU matrons, HR recruitment team",
                        "A standing Tuesday shortlisting hour for all adverts closing that week.",
                        "Emergency department and acute medical unit",
                        18,
                        42,
                        "Eleven of twelve adverts were shortlisted on time; one slipped over a "
                        "bank holiday.",
                        "Median time to hire fell to 35 days, a shift on the chart.",
                        "adopt",
                        "Make the standing slot routine and offer it to other divisions.",
                        previous="Two-day shortlisting for one ED nursing advert",
                        measures=("Time to hire", "12-month retention of new starters"),
                    ),
                    DemoCycle(
                        "Trust-wide two-day shortlisting for nursing posts",
                        SHORTLIST,
                        "Can the standing slot work for every nursing advert in the trust?",
                        "Time to hire will fall below 40 days in every division.",
                        "HR recruitment team and divisional heads of nursing",
                        "Standing shortlisting slots in each division.",
                        "All divisions",
                        20,
                        60,
                        "Surgery and women's services joined; community services kept their "
                        "own process.",
                        "Time to hire held at the new level; retention of new starters began "
                        "to rise.",
                        "adopt",
                        "Written into the recruitment policy.",
                        previous="Standing shortlisting slot for ED and AMU adverts",
                        measures=("Time to hire",),
                    ),
                ),
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
                kind="balancing",
                ae_provider="RA7",
                ae_column="attendances",
                owner="clinical",
            ),
            DemoMeasure(
                "Four-hour A&E breaches",
                "clinical",
                FOUR_HOUR_BREACHES,
                "%",
                "decrease",
                target=0.05,
                kind="balancing",
                chart_type="p",
                ae_provider="RA7",
                ae_column="breaches",
                ae_denominator="attendances",
                owner="clinical",
            ),
            DemoMeasure(
                "Share of consultations held remotely",
                "clinical",
                "Outpatient follow-ups held by video or telephone, of all follow-ups.",
                "%",
                "increase",
                target=0.35,
                kind="process",
                illustrative=(0.08, 0.002, 0.015, 12, 0.18),
                change_idea=VIDEO_LINK,
                owner="clinical",
            ),
            DemoMeasure(
                "Did-not-attend rate",
                "clinical",
                "Outpatient appointments not attended without notice, of all booked.",
                "%",
                "decrease",
                target=0.05,
                illustrative=(0.09, 0.0, 0.006, 12, -0.025),
                owner="clinical",
            ),
            DemoMeasure(
                "Remote consultations failed for technical reasons",
                "corporate",
                "Video or telephone consultations that could not go ahead because of a "
                "connection, audio or software problem, of all remote consultations booked.",
                "%",
                "decrease",
                target=0.02,
                kind="balancing",
                illustrative=(0.07, 0.0, 0.008, 13, -0.035),
                change_idea=VIDEO_LINK,
            ),
        ),
        goals=(
            DemoGoal(
                "Outpatient follow-ups that suit patients",
                "Hold diabetes and respiratory follow-ups by video or telephone where patients "
                "prefer it",
                "from 8% to 35% of follow-ups",
                END_OF_ROUND,
                drivers=(
                    corporate(
                        "Reliable video and telephone clinics",
                        "it_digital",
                        corporate(
                            "Clinicians start a video call from the clinic list",
                            "it_digital",
                            corporate(VIDEO_LINK, "it_digital", started=11),
                        ),
                        corporate("Clinic rooms freed for in-person care", "estates"),
                    ),
                    clinical(
                        "Patients choose how they are seen",
                        "Outpatients",
                        clinical(
                            "Patients asked their preference when booking",
                            "Outpatients",
                            clinical(
                                "Booking team offers remote follow-up first to stable diabetes "
                                "patients",
                                "Diabetes",
                                started=12,
                            ),
                        ),
                    ),
                ),
                cycles=(
                    DemoCycle(
                        "Video link in one consultant's diabetes letters",
                        VIDEO_LINK,
                        "Will patients join a video follow-up from a link in their letter?",
                        "Eight in ten patients will join without a phone call from the clinic.",
                        "One diabetes consultant, the IT digital clinics lead",
                        "Add a one-click video link to the follow-up letter template.",
                        "Diabetes outpatients",
                        11,
                        28,
                        "31 patients were sent the link; 26 joined, 3 needed help by phone.",
                        "Better than predicted; two failed on older tablets.",
                        "adapt",
                        "Add a 'test your device' page and extend to all diabetes clinics.",
                        measures=("Share of consultations held remotely",),
                    ),
                    DemoCycle(
                        "Video links for all diabetes and respiratory follow-ups",
                        VIDEO_LINK,
                        "Does the link with a device test work across two specialties?",
                        "Technical failures will stay below 4% of remote consultations.",
                        "Diabetes and respiratory teams, IT service desk",
                        "Link and device test in every follow-up letter.",
                        "Diabetes and respiratory outpatients",
                        12,
                        56,
                        "Used for 640 consultations; service desk calls fell after week two.",
                        "Remote share rose to over a quarter; failures halved.",
                        "adopt",
                        "Roll out to all outpatient specialties that offer video.",
                        previous="Video link in one consultant's diabetes letters",
                        measures=(
                            "Share of consultations held remotely",
                            "Remote consultations failed for technical reasons",
                        ),
                    ),
                ),
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
                kind="balancing",
                ae_provider="RBN",
                owner="clinical",
            ),
            DemoMeasure(
                "Four-hour A&E breaches",
                "clinical",
                FOUR_HOUR_BREACHES,
                "%",
                "decrease",
                target=0.05,
                kind="balancing",
                chart_type="p",
                ae_provider="RBN",
                ae_column="breaches",
                ae_denominator="attendances",
                owner="clinical",
            ),
            DemoMeasure(
                "Registered nurse vacancy rate",
                "corporate",
                "Vacant funded registered nurse posts, of all funded posts.",
                "%",
                "decrease",
                target=0.08,
                illustrative=(0.13, 0.0, 0.006, 15, -0.03),
                change_idea=WARD_DASHBOARD,
            ),
            DemoMeasure(
                "Agency spend",
                "corporate",
                "Nursing agency spend in the month, thousands of pounds.",
                "£k",
                "decrease",
                kind="process",
                illustrative=(410, 0.0, 35, 15, -90),
            ),
        ),
        goals=(
            DemoGoal(
                "Safe staffing on adult wards",
                "Cut registered nurse vacancies on the adult inpatient wards",
                "from 13% to 8%",
                END_OF_ROUND,
                drivers=(
                    corporate(
                        "Ward managers see workforce data beside quality data",
                        "hr_workforce",
                        corporate(
                            "A weekly workforce report for each ward",
                            "hr_workforce",
                            corporate(WARD_DASHBOARD, "hr_workforce", started=14),
                        ),
                        corporate(
                            "Finance and HR agree one establishment",
                            "finance",
                            corporate(
                                "Monthly establishment reconciliation between finance and HR",
                                "finance",
                                started=9,
                            ),
                        ),
                    ),
                    clinical(
                        "Ward managers act on the intelligence",
                        "Adult inpatient wards",
                        clinical(
                            "A recruitment and retention plan owned by each ward",
                            "Adult inpatient wards",
                        ),
                    ),
                ),
                cycles=(
                    DemoCycle(
                        "Ward dashboard on two medical wards",
                        WARD_DASHBOARD,
                        "Will ward managers use a weekly dashboard to plan recruitment?",
                        "Both managers will act on at least one vacancy each week.",
                        "Two ward managers, one workforce analyst",
                        "A one-page weekly dashboard: vacancies, sickness, agency shifts, falls.",
                        "Wards 4 and 6",
                        14,
                        30,
                        "Both managers used it at their Monday huddle; one asked for bank fill.",
                        "Seven vacancies were advertised earlier than usual.",
                        "adapt",
                        "Add bank fill rates and send it to every adult ward.",
                        measures=("Registered nurse vacancy rate",),
                    ),
                    DemoCycle(
                        "Ward dashboard for all adult inpatient wards",
                        WARD_DASHBOARD,
                        "Does the dashboard help across all 14 adult wards?",
                        "Vacancy rate will fall by two points within six months.",
                        "All adult ward managers, workforce and finance analysts",
                        "Weekly dashboard with bank fill rates, discussed at the staffing meeting.",
                        "Adult inpatient wards",
                        15,
                        90,
                        "Used every week; finance joined the staffing meeting.",
                        "The vacancy rate shifted down and agency spend followed.",
                        "adopt",
                        "Part of the ward accountability framework.",
                        previous="Ward dashboard on two medical wards",
                        measures=("Registered nurse vacancy rate", "Agency spend"),
                    ),
                ),
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
                "Microsystem teams that finished a coaching cycle in the month.",
                "teams",
                "increase",
                kind="process",
                chart_type="run",
                illustrative=(1.0, 0.0, 0.8, 6, 2.5),
            ),
            DemoMeasure(
                "Staff engagement score",
                "clinical",
                "Monthly pulse survey engagement score (1 to 5) in coached microsystems.",
                "score",
                "increase",
                illustrative=(3.4, 0.0, 0.08, 12, 0.3),
                change_idea=HUDDLE,
                owner="clinical",
            ),
        ),
        goals=(
            DemoGoal(
                "Frontline teams improving their own work",
                "Raise staff engagement in community nursing and older people's ward teams by "
                "coaching them to lead their own improvements",
                "from 3.4 to 3.8 (of 5)",
                END_OF_ROUND,
                drivers=(
                    corporate(
                        "Coaches trained from corporate and clinical staff",
                        "hr_workforce",
                        corporate(
                            "An academy course for coaches",
                            "hr_workforce",
                            corporate(
                                "Eight-week coach training cohort", "hr_workforce", started=5
                            ),
                        ),
                        corporate(
                            "Staff hear what coached teams achieved",
                            "communications",
                            corporate(
                                "Monthly story of a coached team in the staff bulletin",
                                "communications",
                                started=12,
                            ),
                        ),
                    ),
                    clinical(
                        "Microsystems meet to improve",
                        "Community nursing",
                        clinical(
                            "Weekly improvement huddles",
                            "Older people's wards",
                            clinical(HUDDLE, "Older people's wards", started=11),
                        ),
                    ),
                ),
                cycles=(
                    DemoCycle(
                        "Monday huddle on one older people's ward",
                        HUDDLE,
                        "Can a ward team hold a 15-minute improvement huddle every Monday?",
                        "The huddle will happen on at least three Mondays in four.",
                        "Ward 12 sister and an academy coach",
                        "A huddle board and a 15-minute stand-up at 07:45.",
                        "Ward 12",
                        11,
                        28,
                        "Held on all four Mondays; night staff stayed on twice.",
                        "Staff raised nine ideas and tested two.",
                        "adapt",
                        "Move to 07:30 so night staff can join, and spread to two more teams.",
                        measures=("Staff engagement score",),
                    ),
                    DemoCycle(
                        "Monday huddles in three microsystems",
                        HUDDLE,
                        "Does the huddle work in a community nursing team as well as a ward?",
                        "Each team will test at least one idea a month.",
                        "Three team leaders and their coaches",
                        "Huddle at 07:30 (wards) or after the morning handover (community).",
                        "Ward 12, Ward 14, North community nursing team",
                        12,
                        84,
                        "The community team moved its huddle online after three weeks.",
                        "Engagement scores rose in all three teams.",
                        "adopt",
                        "Huddles become part of the academy's coaching cycle.",
                        previous="Monday huddle on one older people's ward",
                        measures=("Staff engagement score", "Teams coached"),
                    ),
                ),
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
                "Falls reported on the wards (value) per 1,000 occupied bed days (n, the "
                "month's occupied bed days in thousands).",
                "per 1,000 bed days",
                "decrease",
                target=5.0,
                chart_type="u",
                illustrative=(7.4, 0.0, 0.35, 14, -1.9),
                exposure=(9200, 250, 1000),
                change_idea=SENSOR_LIGHTING,
                owner="clinical",
            ),
            DemoMeasure(
                "Night lighting faults fixed within 24 hours",
                "corporate",
                "Lighting faults on the wards reported at night and fixed within 24 hours, of "
                "all such faults.",
                "%",
                "increase",
                target=0.95,
                kind="process",
                illustrative=(0.62, 0.0, 0.05, 13, 0.25),
                change_idea=SENSOR_LIGHTING,
            ),
        ),
        goals=(
            DemoGoal(
                "Fewer falls on older people's wards",
                "Reduce inpatient falls on the older people's wards and the stroke unit",
                "from 7.4 to 5 per 1,000 bed days",
                END_OF_ROUND,
                drivers=(
                    corporate(
                        "A ward environment that prevents falls",
                        "estates",
                        corporate(
                            "Bedspaces and bathrooms designed with patients",
                            "estates",
                            corporate(SENSOR_LIGHTING, "estates", started=13),
                        ),
                        corporate("Flooring without glare or contrast edges", "estates"),
                    ),
                    clinical(
                        "Patients at risk are known and supported",
                        "Older people's wards",
                        clinical(
                            "Falls risk reviewed on every shift",
                            "Stroke unit",
                            clinical(
                                "Bay nursing for patients at high risk of falls",
                                "Stroke unit",
                                started=8,
                            ),
                        ),
                    ),
                ),
                cycles=(
                    DemoCycle(
                        "Sensor lighting in one bay",
                        SENSOR_LIGHTING,
                        "Will low-level sensor lighting reduce night-time falls in one bay?",
                        "No falls on the way to the bathroom at night in the trial bay.",
                        "Estates electrical team, Ward 9 manager",
                        "Fit low-level sensor lights from each bed to the bay bathroom.",
                        "Ward 9, bay B",
                        13,
                        35,
                        "Fitted in two days; one sensor re-angled after it woke a patient.",
                        "No night-time falls in the bay for five weeks (two in the month before).",
                        "adapt",
                        "Fit to all bays on the older people's wards, with softer light.",
                        measures=(
                            "Inpatient falls per 1,000 bed days",
                            "Night lighting faults fixed within 24 hours",
                        ),
                    ),
                    DemoCycle(
                        "Sensor lighting across the older people's wards",
                        SENSOR_LIGHTING,
                        "Does sensor lighting reduce falls across four wards?",
                        "Falls will fall by a fifth within four months.",
                        "Estates, ward managers of wards 7 to 10",
                        "Sensor lighting in every bay and side room.",
                        "Wards 7 to 10",
                        14,
                        120,
                        "Installed ward by ward over six weeks.",
                        "Falls per 1,000 bed days shifted down below the old lower limit.",
                        "adopt",
                        "Included in the estates standard for ward refurbishment.",
                        previous="Sensor lighting in one bay",
                        measures=("Inpatient falls per 1,000 bed days",),
                    ),
                ),
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
                chart_type="c",
                illustrative=(14, 0.0, 3.0, 16, -5),
                change_idea=WARD_TRIAL,
                owner="clinical",
            ),
            DemoMeasure(
                "Pressure-relieving equipment spend",
                "corporate",
                "Spend on mattresses, cushions and dressings for pressure care in the month, "
                "thousands of pounds, whole-life cost.",
                "£k",
                "decrease",
                kind="balancing",
                illustrative=(96, 0.0, 8, 16, 6),
            ),
        ),
        goals=(
            DemoGoal(
                "Pressure care chosen by outcome",
                "Reduce hospital-acquired category 2 and above pressure ulcers",
                "by a third",
                END_OF_ROUND,
                drivers=(
                    corporate(
                        "Products chosen on outcome and whole-life cost",
                        "procurement",
                        corporate(
                            "Clinical evaluation before contract award",
                            "procurement",
                            corporate(WARD_TRIAL, "procurement", started=15),
                        ),
                    ),
                    clinical(
                        "The right equipment for each patient, first time",
                        "Tissue viability",
                        clinical(
                            "Risk assessment decides the mattress ordered",
                            "Intensive care",
                            clinical(
                                "Mattress chosen from the Waterlow score at admission",
                                "Intensive care",
                                started=16,
                            ),
                        ),
                    ),
                ),
                cycles=(
                    DemoCycle(
                        "Ward trial of two hybrid mattresses",
                        WARD_TRIAL,
                        "Can nurses score mattresses on a ward before procurement tenders?",
                        "Nurses will prefer one mattress clearly, and skin checks will agree.",
                        "Two tissue viability nurses, a category manager",
                        "Four weeks each of two hybrid mattresses on one ward, scored daily.",
                        "Ward 21",
                        15,
                        56,
                        "Both mattresses used for 60 patients; daily scoring took 5 minutes.",
                        "One mattress scored better on comfort and skin; whole-life cost lower.",
                        "adopt",
                        "The preferred mattress is specified in the tender.",
                        measures=("Hospital-acquired pressure ulcers",),
                    ),
                    DemoCycle(
                        "Trial-first evaluation for dressings",
                        WARD_TRIAL,
                        "Does the same ward trial work for choosing dressings?",
                        "The trial will pick a dressing that lasts longer between changes.",
                        "Tissue viability, procurement, intensive care nurses",
                        "Two dressings trialled for six weeks, wear time recorded.",
                        "Intensive care",
                        18,
                        42,
                        "Wear time recorded for 48 patients.",
                        "Wear time was 1.5 days longer for one dressing; ulcers kept falling.",
                        "adopt",
                        "Trial-first becomes the rule for pressure care products.",
                        previous="Ward trial of two hybrid mattresses",
                        measures=(
                            "Hospital-acquired pressure ulcers",
                            "Pressure-relieving equipment spend",
                        ),
                    ),
                ),
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
                change_idea=PHARMACY_SCREEN,
                owner="clinical",
            ),
            DemoMeasure(
                "Electronic whiteboard availability",
                "corporate",
                "Share of ward hours in the month with the electronic whiteboard working.",
                "%",
                "increase",
                target=0.98,
                kind="process",
                illustrative=(0.9, 0.0, 0.02, 9, 0.07),
            ),
        ),
        goals=(
            DemoGoal(
                "Home before noon",
                "Raise the share of general medicine discharges completed before noon",
                "from 17% to 33%",
                END_OF_ROUND,
                drivers=(
                    corporate(
                        "A live view of discharge readiness",
                        "it_digital",
                        corporate(
                            "An electronic whiteboard on every ward",
                            "it_digital",
                            corporate(
                                "Expected discharge date shown on the ward whiteboard",
                                "it_digital",
                                started=9,
                            ),
                        ),
                    ),
                    clinical(
                        "Discharges planned the day before",
                        "General medicine",
                        clinical(
                            "Take-home medicines ready the evening before",
                            "Pharmacy",
                            clinical(PHARMACY_SCREEN, "Pharmacy", started=10),
                        ),
                    ),
                ),
                cycles=(
                    DemoCycle(
                        "4pm screening on one medical ward",
                        PHARMACY_SCREEN,
                        "If pharmacy screens tomorrow's discharges at 4pm, are medicines ready?",
                        "Take-home medicines will be ready by 10:00 for eight in ten.",
                        "Ward pharmacist and Ward 3 nurse in charge",
                        "A 4pm list of next-day discharges from the whiteboard.",
                        "Ward 3",
                        10,
                        21,
                        "Screened 58 patients; 9 had their discharge date moved.",
                        "47 of 49 had medicines ready by 10:00.",
                        "adapt",
                        "Extend to all general medicine wards with a pharmacy technician.",
                        measures=("Discharges before noon",),
                    ),
                    DemoCycle(
                        "4pm screening across general medicine",
                        PHARMACY_SCREEN,
                        "Does 4pm screening hold across six wards?",
                        "Discharges before noon will reach a quarter.",
                        "Pharmacy team, general medicine ward managers",
                        "4pm screening with a technician on every general medicine ward.",
                        "General medicine wards",
                        11,
                        90,
                        "Held on 61 of 64 weekdays.",
                        "Discharges before noon shifted up to about a quarter.",
                        "adopt",
                        "Funded in the pharmacy establishment.",
                        previous="4pm screening on one medical ward",
                        measures=("Discharges before noon",),
                    ),
                ),
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
                chart_type="c",
                illustrative=(42, 0.0, 6.0, 20, -14),
                change_idea=PRE_OP_CALL,
                owner="clinical",
            ),
            DemoMeasure(
                "Cost of on-the-day cancellations",
                "corporate",
                "Theatre time and staff cost of operations cancelled on the day, thousands of "
                "pounds, from service-line reporting.",
                "£k",
                "decrease",
                illustrative=(165, 0.0, 20, 20, -50),
            ),
        ),
        goals=(
            DemoGoal(
                "Operations go ahead as planned",
                "Cut elective operations cancelled on the day for non-clinical reasons",
                "by a third",
                END_OF_ROUND,
                drivers=(
                    corporate(
                        "Money follows the changes that work",
                        "finance",
                        corporate(
                            "Service-line reports shared with surgeons monthly",
                            "finance",
                            corporate(
                                "Monthly service-line review with each surgical specialty",
                                "finance",
                                started=17,
                            ),
                        ),
                    ),
                    clinical(
                        "Theatre lists that hold",
                        "Theatres",
                        clinical(
                            "Lists confirmed with patients a week ahead",
                            "Elective surgery",
                            clinical(PRE_OP_CALL, "Elective surgery", started=19),
                        ),
                    ),
                ),
                cycles=(
                    DemoCycle(
                        "72-hour call for one orthopaedic list",
                        PRE_OP_CALL,
                        "Does a call 72 hours before surgery prevent on-the-day cancellations?",
                        "No patient on the list will be cancelled for a reason the call could "
                        "have found.",
                        "Orthopaedic pre-assessment nurse",
                        "A scripted call: fasting, medicines, transport, still wants surgery.",
                        "Elective orthopaedics",
                        19,
                        28,
                        "Called 41 patients; 4 lists were backfilled after patients declined.",
                        "No avoidable cancellations on the called lists.",
                        "adapt",
                        "Add a transport check and extend to general surgery.",
                        measures=("Operations cancelled on the day",),
                    ),
                    DemoCycle(
                        "72-hour calls for orthopaedics and general surgery",
                        PRE_OP_CALL,
                        "Does the call work across two specialties with a transport check?",
                        "Cancellations on the day will fall by a quarter.",
                        "Pre-assessment nurses, patient transport bookers",
                        "The 72-hour call with a transport check for every elective patient.",
                        "Elective orthopaedics and general surgery",
                        20,
                        84,
                        "Calls reached 92% of patients.",
                        "Cancellations and their cost shifted down.",
                        "adopt",
                        "Finance funds a second pre-assessment nurse from the savings.",
                        previous="72-hour call for one orthopaedic list",
                        measures=(
                            "Operations cancelled on the day",
                            "Cost of on-the-day cancellations",
                        ),
                    ),
                ),
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
                owner="clinical",
            ),
            DemoMeasure(
                "Feedback response rate",
                "corporate",
                "Women giving Friends and Family Test feedback, of all discharged from "
                "maternity in the month.",
                "%",
                "increase",
                target=0.3,
                kind="process",
                illustrative=(0.12, 0.0, 0.02, 11, 0.15),
                change_idea=DISCHARGE_TEXT,
            ),
        ),
        goals=(
            DemoGoal(
                "Maternity care women would recommend",
                "Raise the share of maternity Friends and Family Test responses that would "
                "recommend the service",
                "from 88% to 95%",
                END_OF_ROUND,
                drivers=(
                    corporate(
                        "Feedback gathered in the moment",
                        "communications",
                        corporate(
                            "Every woman can give feedback before she leaves",
                            "communications",
                            corporate(DISCHARGE_TEXT, "communications", started=11),
                        ),
                    ),
                    clinical(
                        "Teams act on what women say",
                        "Maternity",
                        clinical(
                            "A 'you said, we did' board on each ward",
                            "Maternity",
                            clinical(
                                "Weekly feedback huddle on the postnatal ward",
                                "Maternity",
                                started=12,
                            ),
                        ),
                    ),
                ),
                cycles=(
                    DemoCycle(
                        "Discharge-day text for one week",
                        DISCHARGE_TEXT,
                        "Will women answer a Friends and Family Test question by text?",
                        "A quarter of women texted will answer.",
                        "Communications officer and postnatal ward clerk",
                        "A text with the question and a free-text reply, sent at 18:00.",
                        "Postnatal ward",
                        11,
                        7,
                        "Sent to 64 women; 2 texts failed on landlines.",
                        "29 answered (45%), many with detailed comments.",
                        "adapt",
                        "Send at 20:00 and add the birth centre.",
                        measures=("Feedback response rate",),
                    ),
                    DemoCycle(
                        "Discharge-day text across maternity",
                        DISCHARGE_TEXT,
                        "Does the 20:00 text work across the postnatal ward and birth centre?",
                        "Response rate will double from the old paper cards.",
                        "Communications team, maternity ward clerks",
                        "Texts at 20:00 to every woman discharged, comments sent to ward leads.",
                        "Postnatal ward and birth centre",
                        12,
                        60,
                        "Comments reached ward leads the next morning.",
                        "Response rate more than doubled; recommendation began to rise.",
                        "adopt",
                        "Paper cards withdrawn; the text is the standard route.",
                        previous="Discharge-day text for one week",
                        measures=(
                            "Feedback response rate",
                            "Patient experience: would recommend",
                        ),
                    ),
                ),
            ),
        ),
    ),
)
