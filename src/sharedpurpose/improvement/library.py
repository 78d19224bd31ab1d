"""The measure library: templates of well-defined measures that teams adopt into a goal.

Templates are plain frozen data, grouped into measure sets: one for each of the Shared
Purpose round's four innovations and one of common clinical outcomes. Percentages are
stored as proportions (0.95 is 95%); p and u charts take a count as the value and the
denominator named in ``denominator`` as n.
"""

from __future__ import annotations

from dataclasses import dataclass

from .models import ChartType, Measure, MeasureKind, Side

Frequency = Measure.Frequency
Direction = Measure.Direction


@dataclass(frozen=True, slots=True)
class MeasureTemplate:
    key: str
    name: str
    definition: str
    unit: str
    frequency: Frequency
    direction: Direction
    chart_type: ChartType
    side: Side
    kind: MeasureKind
    suggested_target: float | None
    measure_set: str
    denominator: str = ""  # p and u charts: what n counts

    @property
    def target_display(self) -> str:
        if self.suggested_target is None:
            return "None suggested"
        if self.unit == "%":
            return f"{self.suggested_target * 100:g}%"
        return f"{self.suggested_target:g} {self.unit}".strip()


@dataclass(frozen=True, slots=True)
class MeasureSet:
    key: str
    name: str
    summary: str
    templates: tuple[MeasureTemplate, ...]


VALUE_BASED_INTERVIEWING = "Value-based interviewing"
TELEMEDICINE = "Telemedicine"
WORKFORCE_INTELLIGENCE = "Workforce intelligence"
MICROSYSTEM_COACHING = "Microsystem coaching"
CLINICAL_OUTCOMES = "Common clinical outcomes"

_VBI = (
    MeasureTemplate(
        key="vbi-time-to-hire",
        name="Time to hire",
        definition=(
            "Median number of calendar days from the advert's closing date to the unconditional "
            "offer, for all nursing and healthcare assistant posts offered in the month. Source: "
            "the recruitment system's offer log. Exclude posts re-advertised after a failed "
            "campaign; count them from the second closing date."
        ),
        unit="days",
        frequency=Frequency.MONTHLY,
        direction=Direction.DECREASE,
        chart_type=ChartType.XMR,
        side=Side.CORPORATE,
        kind=MeasureKind.PROCESS,
        suggested_target=30.0,
        measure_set=VALUE_BASED_INTERVIEWING,
    ),
    MeasureTemplate(
        key="vbi-retention-12-months",
        name="12-month retention of new starters",
        definition=(
            "Of the substantive staff who started in the month twelve months earlier, the number "
            "still employed by the trust today (value), out of all who started that month (n). "
            "Internal transfers count as retained; fixed-term contracts that ended as planned are "
            "excluded from both. Source: the electronic staff record."
        ),
        unit="%",
        frequency=Frequency.MONTHLY,
        direction=Direction.INCREASE,
        chart_type=ChartType.P,
        side=Side.CORPORATE,
        kind=MeasureKind.OUTCOME,
        suggested_target=0.9,
        measure_set=VALUE_BASED_INTERVIEWING,
        denominator="Substantive staff who started in the month twelve months earlier",
    ),
    MeasureTemplate(
        key="vbi-values-panels",
        name="Interview panels using value-based questions",
        definition=(
            "Interview panels in the month that used the trust's value-based question bank and "
            "scored candidates against it (value), out of all interview panels held (n). Source: "
            "panel scoring sheets returned to HR."
        ),
        unit="%",
        frequency=Frequency.MONTHLY,
        direction=Direction.INCREASE,
        chart_type=ChartType.P,
        side=Side.CORPORATE,
        kind=MeasureKind.PROCESS,
        suggested_target=0.9,
        measure_set=VALUE_BASED_INTERVIEWING,
        denominator="Interview panels held in the month",
    ),
)

_TELEMEDICINE = (
    MeasureTemplate(
        key="tele-remote-share",
        name="Share of consultations held remotely",
        definition=(
            "Outpatient consultations held by video or telephone in the month (value), out of "
            "all outpatient consultations attended, in person or remote (n). Source: the patient "
            "administration system's attendance outcome and consultation medium codes."
        ),
        unit="%",
        frequency=Frequency.MONTHLY,
        direction=Direction.INCREASE,
        chart_type=ChartType.P,
        side=Side.CLINICAL,
        kind=MeasureKind.PROCESS,
        suggested_target=0.35,
        measure_set=TELEMEDICINE,
        denominator="Outpatient consultations attended in the month",
    ),
    MeasureTemplate(
        key="tele-did-not-attend",
        name="Did-not-attend rate",
        definition=(
            "Outpatient appointments the patient did not attend and did not cancel in advance "
            "(value), out of all appointments booked for the month, in person or remote (n). "
            "Appointments cancelled by the hospital are excluded from both. Source: the patient "
            "administration system."
        ),
        unit="%",
        frequency=Frequency.MONTHLY,
        direction=Direction.DECREASE,
        chart_type=ChartType.P,
        side=Side.CLINICAL,
        kind=MeasureKind.OUTCOME,
        suggested_target=0.05,
        measure_set=TELEMEDICINE,
        denominator="Outpatient appointments booked for the month",
    ),
    MeasureTemplate(
        key="tele-connection-failures",
        name="Remote consultations failed for technical reasons",
        definition=(
            "Video or telephone consultations that could not go ahead or were moved to in person "
            "because of a connection, audio or software problem (value), out of all remote "
            "consultations booked (n). Source: the clinician's outcome code and the IT service "
            "desk log."
        ),
        unit="%",
        frequency=Frequency.MONTHLY,
        direction=Direction.DECREASE,
        chart_type=ChartType.P,
        side=Side.CORPORATE,
        kind=MeasureKind.BALANCING,
        suggested_target=0.02,
        measure_set=TELEMEDICINE,
        denominator="Remote consultations booked in the month",
    ),
)

_WORKFORCE = (
    MeasureTemplate(
        key="wi-vacancy-rate",
        name="Vacancy rate",
        definition=(
            "Vacant funded whole-time-equivalent (WTE) posts on the last day of the month, "
            "divided by all funded WTE posts (budgeted establishment), for the wards in scope. "
            "Source: the finance ledger's establishment and the electronic staff record."
        ),
        unit="%",
        frequency=Frequency.MONTHLY,
        direction=Direction.DECREASE,
        chart_type=ChartType.XMR,
        side=Side.CORPORATE,
        kind=MeasureKind.OUTCOME,
        suggested_target=0.08,
        measure_set=WORKFORCE_INTELLIGENCE,
    ),
    MeasureTemplate(
        key="wi-turnover",
        name="Staff turnover",
        definition=(
            "Substantive leavers in the twelve months to the end of the month (headcount), "
            "divided by the average substantive headcount over those twelve months. Excludes "
            "doctors in training on rotation and fixed-term contracts that ended as planned. "
            "Source: the electronic staff record."
        ),
        unit="%",
        frequency=Frequency.MONTHLY,
        direction=Direction.DECREASE,
        chart_type=ChartType.XMR,
        side=Side.CORPORATE,
        kind=MeasureKind.OUTCOME,
        suggested_target=0.1,
        measure_set=WORKFORCE_INTELLIGENCE,
    ),
    MeasureTemplate(
        key="wi-sickness-absence",
        name="Sickness absence rate",
        definition=(
            "Full-time-equivalent days lost to sickness absence in the month, divided by the "
            "full-time-equivalent days available, for the wards in scope. Source: the e-rostering "
            "system, as reported in the NHS sickness absence statistics."
        ),
        unit="%",
        frequency=Frequency.MONTHLY,
        direction=Direction.DECREASE,
        chart_type=ChartType.XMR,
        side=Side.CORPORATE,
        kind=MeasureKind.OUTCOME,
        suggested_target=0.04,
        measure_set=WORKFORCE_INTELLIGENCE,
    ),
    MeasureTemplate(
        key="wi-agency-spend",
        name="Agency spend",
        definition=(
            "Spend on agency nursing and healthcare assistant shifts booked for the wards in "
            "scope in the month, in thousands of pounds, on an accruals basis. Source: the "
            "finance ledger's agency cost codes."
        ),
        unit="£k",
        frequency=Frequency.MONTHLY,
        direction=Direction.DECREASE,
        chart_type=ChartType.XMR,
        side=Side.CORPORATE,
        kind=MeasureKind.BALANCING,
        suggested_target=None,
        measure_set=WORKFORCE_INTELLIGENCE,
    ),
)

_COACHING = (
    MeasureTemplate(
        key="mca-teams-coached",
        name="Teams coached",
        definition=(
            "Frontline microsystem teams that completed a full coaching cycle with an academy "
            "coach in the month (a cycle ends with the team's own improvement presented at its "
            "huddle). Source: the academy's coaching register."
        ),
        unit="teams",
        frequency=Frequency.MONTHLY,
        direction=Direction.INCREASE,
        chart_type=ChartType.RUN,
        side=Side.CORPORATE,
        kind=MeasureKind.PROCESS,
        suggested_target=None,
        measure_set=MICROSYSTEM_COACHING,
    ),
    MeasureTemplate(
        key="mca-staff-engagement",
        name="Staff engagement score",
        definition=(
            "Mean engagement score (0 to 10, the NHS Staff Survey engagement theme's nine "
            "questions) from the monthly pulse survey of staff in coached microsystems. Report "
            "the number of responses beside it; months with fewer than 20 responses are left "
            "empty. Source: the pulse survey."
        ),
        unit="score",
        frequency=Frequency.MONTHLY,
        direction=Direction.INCREASE,
        chart_type=ChartType.XMR,
        side=Side.CLINICAL,
        kind=MeasureKind.OUTCOME,
        suggested_target=7.0,
        measure_set=MICROSYSTEM_COACHING,
    ),
)

_CLINICAL = (
    MeasureTemplate(
        key="falls-per-1000-bed-days",
        name="Inpatient falls per 1,000 bed days",
        definition=(
            "Inpatient falls reported on the wards in scope in the month (value), per occupied "
            "bed day (n: occupied bed days at midnight). Shown per 1,000 bed days. Includes "
            "falls with and without harm, assisted and unassisted. Source: the incident "
            "reporting system and the bed state."
        ),
        unit="per 1,000 bed days",
        frequency=Frequency.MONTHLY,
        direction=Direction.DECREASE,
        chart_type=ChartType.U,
        side=Side.CLINICAL,
        kind=MeasureKind.OUTCOME,
        suggested_target=5.0,
        measure_set=CLINICAL_OUTCOMES,
        denominator="Occupied bed days in the month",
    ),
    MeasureTemplate(
        key="days-between-falls-with-harm",
        name="Days between falls with harm",
        definition=(
            "Days since the previous inpatient fall that caused moderate or greater harm, "
            "recorded at each such fall. Suits wards where harmful falls are too rare for a "
            "monthly rate. Source: the incident reporting system."
        ),
        unit="days",
        frequency=Frequency.DAILY,
        direction=Direction.INCREASE,
        chart_type=ChartType.G,
        side=Side.CLINICAL,
        kind=MeasureKind.OUTCOME,
        suggested_target=None,
        measure_set=CLINICAL_OUTCOMES,
    ),
    MeasureTemplate(
        key="pressure-ulcers",
        name="Hospital-acquired pressure ulcers",
        definition=(
            "New category 2, 3, 4, unstageable and deep-tissue pressure ulcers first found more "
            "than 72 hours after admission on the wards in scope in the month, confirmed by "
            "tissue viability. Source: the incident reporting system."
        ),
        unit="ulcers",
        frequency=Frequency.MONTHLY,
        direction=Direction.DECREASE,
        chart_type=ChartType.C,
        side=Side.CLINICAL,
        kind=MeasureKind.OUTCOME,
        suggested_target=None,
        measure_set=CLINICAL_OUTCOMES,
    ),
    MeasureTemplate(
        key="ae-four-hour",
        name="Four-hour A&E performance",
        definition=(
            "Type-1 emergency department attendances admitted, transferred or discharged within "
            "four hours of arrival (value), out of all type-1 attendances in the month (n), as "
            "submitted to NHS England's A&E attendances and emergency admissions collection. "
            "With very large n, read the p′ (Laney) chart."
        ),
        unit="%",
        frequency=Frequency.MONTHLY,
        direction=Direction.INCREASE,
        chart_type=ChartType.P,
        side=Side.CLINICAL,
        kind=MeasureKind.OUTCOME,
        suggested_target=0.95,
        measure_set=CLINICAL_OUTCOMES,
        denominator="Type-1 A&E attendances in the month",
    ),
    MeasureTemplate(
        key="patient-experience-fft",
        name="Patient experience: would recommend",
        definition=(
            "Friends and Family Test responses of 'very good' or 'good' in the month (value), "
            "out of all responses for the services in scope (n). Source: the trust's Friends and "
            "Family Test return."
        ),
        unit="%",
        frequency=Frequency.MONTHLY,
        direction=Direction.INCREASE,
        chart_type=ChartType.P,
        side=Side.CLINICAL,
        kind=MeasureKind.OUTCOME,
        suggested_target=0.95,
        measure_set=CLINICAL_OUTCOMES,
        denominator="Friends and Family Test responses in the month",
    ),
)

MEASURE_SETS: tuple[MeasureSet, ...] = (
    MeasureSet(
        "value-based-interviewing",
        VALUE_BASED_INTERVIEWING,
        "Recruiting for the values patients feel: speed of hiring, and whether new starters stay.",
        _VBI,
    ),
    MeasureSet(
        "telemedicine",
        TELEMEDICINE,
        "Moving outpatient follow-ups to video and telephone where patients prefer it.",
        _TELEMEDICINE,
    ),
    MeasureSet(
        "workforce-intelligence",
        WORKFORCE_INTELLIGENCE,
        "Vacancies, turnover, sickness and agency use, beside ward quality and safety data.",
        _WORKFORCE,
    ),
    MeasureSet(
        "microsystem-coaching",
        MICROSYSTEM_COACHING,
        "Coaching frontline microsystems to improve their own work.",
        _COACHING,
    ),
    MeasureSet(
        "clinical-outcomes",
        CLINICAL_OUTCOMES,
        "Outcomes most award-holder teams' clinical partners already report.",
        _CLINICAL,
    ),
)

TEMPLATES: dict[str, MeasureTemplate] = {
    template.key: template for measure_set in MEASURE_SETS for template in measure_set.templates
}


def library_template_get(key: str) -> MeasureTemplate:
    """The template with ``key``; ``LookupError`` when there is none."""
    try:
        return TEMPLATES[key]
    except KeyError:
        raise LookupError(f"No measure template {key!r}") from None
