"""The demo's evidence base: the round's shared interventions, the demo teams' change ideas
that use them, and the evidence computed from the teams' data.

The four innovations are those the funder names for round 3 ("value-based interviewing,
telemedicine, a workforce intelligence scheme and the UK's first Microsystem Coaching
Academy"); the fifth, estates-led falls prevention, is one a team added. Every use links a
change idea that has a start date in ``content.TEAMS``; nothing about the results is typed
here: ``evidence_compute_for_use`` reads them from the data, so some sites are judged (and
improved, or not) and others say why they cannot be, such as a baseline too short.

Idempotent: a second run finds everything in place and writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from sharedpurpose.evidence.models import EvidenceRow, Intervention, InterventionUse
from sharedpurpose.evidence.services.compute import evidence_compute_for_use, measures_for_use
from sharedpurpose.improvement.models import DriverNode, Team

from . import content


@dataclass(frozen=True)
class DemoIntervention:
    slug: str
    name: str
    summary: str
    description: str
    corporate_services: tuple[str, ...]
    clinical_areas: tuple[str, ...]
    added_by: str = ""  # the slug of the team that added it; empty for the programme's own


@dataclass(frozen=True)
class DemoUse:
    intervention: str  # slug
    team: str  # slug
    change_idea: str  # its text in content.TEAMS
    site: str


INTERVENTIONS = (
    DemoIntervention(
        "value-based-interviewing",
        "Value-based interviewing",
        "Recruit staff for the values patients feel as well as for their skills.",
        "HR and clinical leaders recruit nurses and healthcare assistants for the values "
        "patients feel, with interview questions written with patients, and track whether new "
        "starters stay and care improves.\n\n"
        "**Corporate side:** HR designs the questions and the panels with patients.\n\n"
        "**Clinical side:** ward and department leaders sit on the panels and welcome the "
        "people they hire.",
        ("hr_workforce",),
        ("Emergency department", "Acute medical unit"),
    ),
    DemoIntervention(
        "telemedicine",
        "Telemedicine",
        "Hold outpatient follow-ups by video or telephone where patients prefer it.",
        "IT and digital services and outpatient clinicians move follow-up appointments to "
        "video and telephone where patients prefer it: a one-click link in the letter, a "
        "device test, and booking teams that offer remote follow-up first to stable patients."
        "\n\nWatch the balancing measures: technical failures, and whether patients turn to "
        "the emergency department instead.",
        ("it_digital", "estates"),
        ("Outpatients", "Diabetes", "Respiratory medicine"),
    ),
    DemoIntervention(
        "workforce-intelligence",
        "Workforce intelligence",
        "Give ward managers weekly intelligence on vacancies, sickness and agency use.",
        "Workforce analysts give ward managers a weekly one-page view of vacancies, sickness, "
        "bank fill and agency shifts beside quality data, and finance and HR agree one "
        "establishment, so that wards recruit earlier and rely less on agency staff.",
        ("hr_workforce", "finance"),
        ("Adult inpatient wards",),
    ),
    DemoIntervention(
        "microsystem-coaching",
        "Microsystem coaching",
        "Coach frontline teams to improve their own work in short weekly huddles.",
        "A coaching academy, the UK's first, trains coaches from corporate and clinical staff "
        "who help frontline microsystems (a ward, a community team) hold short weekly "
        "improvement huddles and test their own ideas.",
        ("hr_workforce", "communications"),
        ("Community nursing", "Older people's wards", "Maternity"),
    ),
    DemoIntervention(
        "estates-led-falls-prevention",
        "Estates-led falls prevention",
        "Redesign lighting, flooring and bathrooms with ward teams to prevent falls.",
        "Estates and facilities redesign the ward environment with ward teams and patients to "
        "prevent falls among older inpatients: sensor lighting from bed to bathroom at night, "
        "flooring without glare or contrast edges, and lighting faults fixed within a day.",
        ("estates",),
        ("Older people's wards", "Stroke unit"),
        added_by="riverside-estates-falls",
    ),
)

USES = (
    DemoUse(
        "value-based-interviewing",
        "northmoor-value-based-interviewing",
        "Value-based interview questions written with patients",
        "Emergency department and acute medical unit, Northmoor",
    ),
    DemoUse(
        "telemedicine",
        "eastfield-telemedicine",
        "Booking team offers remote follow-up first to stable diabetes patients",
        "Diabetes and respiratory outpatients, Eastfield",
    ),
    DemoUse(
        "workforce-intelligence",
        "westbrook-workforce-intelligence",
        content.WARD_DASHBOARD,
        "Adult inpatient wards, Westbrook",
    ),
    DemoUse(
        "microsystem-coaching",
        "southgate-microsystem-coaching-academy",
        content.HUDDLE,
        "Older people's wards and community nursing, Southgate",
    ),
    DemoUse(
        "microsystem-coaching",
        "ashby-patient-voice",
        "Weekly feedback huddle on the postnatal ward",
        "Postnatal ward, Ashby",
    ),
    DemoUse(
        "estates-led-falls-prevention",
        "riverside-estates-falls",
        content.SENSOR_LIGHTING,
        "Older people's wards and stroke unit, Riverside",
    ),
)


def _intervention(spec: DemoIntervention) -> Intervention:
    values = {
        "name": spec.name,
        "summary": spec.summary,
        "description": spec.description,
        "corporate_services": list(spec.corporate_services),
        "clinical_areas": list(spec.clinical_areas),
        "added_by_team": Team.objects.get(slug=spec.added_by) if spec.added_by else None,
    }
    intervention = Intervention.objects.filter(slug=spec.slug).first()
    if intervention is None:
        return Intervention.objects.create(slug=spec.slug, **values)
    changed = [name for name, value in values.items() if getattr(intervention, name) != value]
    if changed:
        for name in changed:
            setattr(intervention, name, values[name])
        intervention.save(update_fields=[*changed, "updated_at"])
    return intervention


def _use(spec: DemoUse, interventions: dict[str, Intervention]) -> InterventionUse:
    idea = DriverNode.objects.get(
        goal__team__slug=spec.team, kind=DriverNode.Kind.CHANGE_IDEA, text=spec.change_idea
    )
    intervention = interventions[spec.intervention]
    use = InterventionUse.objects.filter(change_idea=idea).first()
    if use is None:
        return InterventionUse.objects.create(
            intervention=intervention, change_idea=idea, site=spec.site
        )
    if (use.intervention_id, use.site) != (intervention.pk, spec.site):
        use.intervention, use.site = intervention, spec.site
        use.save(update_fields=["intervention", "site"])
    return use


def _evidence_current(use: InterventionUse) -> bool:
    """Whether every measure of the use has a row computed from its present data."""
    measures = {m.pk: (m.data_version, use.change_idea.started_on) for m in measures_for_use(use)}
    rows = {
        measure_id: (version, started_on)
        for measure_id, version, started_on in EvidenceRow.objects.filter(use=use).values_list(
            "measure_id", "data_version", "started_on"
        )
    }
    return rows == measures


@transaction.atomic
def evidence_demo_load() -> list[InterventionUse]:
    """Load the demo interventions and uses, and compute their evidence where it is not
    already computed from the present data; returns the uses."""
    interventions = {spec.slug: _intervention(spec) for spec in INTERVENTIONS}
    uses = [_use(spec, interventions) for spec in USES]
    for use in uses:
        if not _evidence_current(use):
            evidence_compute_for_use(use)
    return uses


__all__ = ["evidence_demo_load"]
