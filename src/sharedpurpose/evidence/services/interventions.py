"""Changes to the intervention catalogue and to which intervention a team's change idea uses.

Staff keep the programme's catalogue; teams add the interventions they bring (``added_by_team``)
and link each change idea to the intervention it uses at a site. Linking a change idea queues
its evidence for computing in the background once the change is committed, so the request
never waits for the charts. Every change is audited: team records in the team's scope,
the programme's own catalogue entries, which serve every programme, in the site scope.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.text import slugify

from sharedpurpose.core.audit import audit_changes, audit_record
from sharedpurpose.improvement.access import team_scope
from sharedpurpose.improvement.models import CorporateService, DriverNode, Team

from ..models import Intervention, InterventionUse
from ..tasks import evidence_recompute
from .compute import measures_for_use

if TYPE_CHECKING:
    from sharedpurpose.accounts.models import User

#: The audit scope of catalogue entries that belong to no team: the catalogue is site-wide.
CATALOGUE_SCOPE = "site"
_FIELDS = ("name", "slug", "summary", "description", "corporate_services", "clinical_areas")
_CLINICAL_AREA_LENGTH = 200


def _scope(intervention: Intervention) -> str:
    team = intervention.added_by_team
    return team_scope(team) if team is not None else CATALOGUE_SCOPE


def _snapshot(intervention: Intervention) -> dict[str, Any]:
    return {field: getattr(intervention, field) for field in _FIELDS}


def _others(exclude: int | None) -> QuerySet[Intervention]:
    found = Intervention.objects.all()
    return found.exclude(pk=exclude) if exclude is not None else found


def _slug_free(slug: str, *, exclude: int | None) -> bool:
    return not _others(exclude).filter(slug=slug).exists()


def _slug_from(name: str) -> str:
    limit = Intervention._meta.get_field("slug").max_length or 50
    stem = slugify(name)[: limit - 4].strip("-") or "intervention"
    slug, number = stem, 2
    while not _slug_free(slug, exclude=None):
        slug, number = f"{stem}-{number}", number + 1
    return slug


def intervention_values_clean(
    *,
    intervention: Intervention | None,
    name: str,
    slug: str,
    summary: str,
    description: str,
    corporate_services: Iterable[str],
    clinical_areas: Iterable[str],
) -> dict[str, Any]:
    """The values to store, or a ``ValidationError`` naming each field that is wrong.
    An empty slug is made from the name."""
    errors: dict[str, str] = {}
    exclude = intervention.pk if intervention is not None else None
    values: dict[str, Any] = {
        "name": " ".join((name or "").split()),
        "slug": (slug or "").strip().lower(),
        "summary": (summary or "").strip(),
        "description": (description or "").strip(),
        "corporate_services": list(dict.fromkeys(corporate_services)),
        "clinical_areas": list(
            dict.fromkeys(area.strip() for area in clinical_areas if area.strip())
        ),
    }
    limits = {
        "name": Intervention._meta.get_field("name").max_length,
        "summary": Intervention._meta.get_field("summary").max_length,
    }
    if not values["name"]:
        errors["name"] = "Enter the intervention's name"
    elif len(values["name"]) > (limits["name"] or 0):
        errors["name"] = f"The name must be {limits['name']} characters or fewer"
    elif _others(exclude).filter(name__iexact=values["name"]).exists():
        errors["name"] = (
            f"“{values['name']}” is already in the catalogue: choose it from the list, "
            "or give this intervention another name"
        )
    if not values["summary"]:
        errors["summary"] = "Enter a one-sentence summary"
    elif len(values["summary"]) > (limits["summary"] or 0):
        errors["summary"] = f"The summary must be {limits['summary']} characters or fewer"
    if values["slug"]:
        if slugify(values["slug"]) != values["slug"]:
            errors["slug"] = "Use only lower-case letters, numbers and hyphens in the web address"
        elif not _slug_free(values["slug"], exclude=exclude):
            errors["slug"] = "Another intervention already uses this web address"
    unknown = [s for s in values["corporate_services"] if s not in CorporateService.values]
    if unknown:
        errors["corporate_services"] = "Choose corporate services from the list"
    if any(len(area) > _CLINICAL_AREA_LENGTH for area in values["clinical_areas"]):
        errors["clinical_areas"] = (
            f"Each clinical area must be {_CLINICAL_AREA_LENGTH} characters or fewer"
        )
    if errors:
        raise ValidationError(errors)
    if not values["slug"]:
        values["slug"] = (
            intervention.slug if intervention is not None else _slug_from(values["name"])
        )
    return values


@transaction.atomic
def intervention_create(
    *,
    actor: User,
    name: str,
    summary: str,
    description: str = "",
    corporate_services: Iterable[str] = (),
    clinical_areas: Iterable[str] = (),
    slug: str = "",
    added_by_team: Team | None = None,
) -> Intervention:
    """Add an intervention to the catalogue: by staff, or by ``added_by_team``."""
    values = intervention_values_clean(
        intervention=None,
        name=name,
        slug=slug,
        summary=summary,
        description=description,
        corporate_services=corporate_services,
        clinical_areas=clinical_areas,
    )
    intervention = Intervention.objects.create(
        **values, added_by_team=added_by_team, created_by=actor
    )
    who = f" for {added_by_team.name}" if added_by_team is not None else ""
    audit_record(
        actor=actor,
        action="intervention.create",
        obj=intervention,
        scope=_scope(intervention),
        summary=f"Added intervention “{intervention.name}” to the catalogue{who}",
        changes=audit_changes({}, _snapshot(intervention)),
    )
    return intervention


@transaction.atomic
def intervention_update(
    *,
    actor: User,
    intervention: Intervention,
    name: str,
    slug: str,
    summary: str,
    description: str,
    corporate_services: Iterable[str],
    clinical_areas: Iterable[str],
) -> Intervention:
    values = intervention_values_clean(
        intervention=intervention,
        name=name,
        slug=slug,
        summary=summary,
        description=description,
        corporate_services=corporate_services,
        clinical_areas=clinical_areas,
    )
    before = _snapshot(intervention)
    for field, value in values.items():
        setattr(intervention, field, value)
    changes = audit_changes(before, _snapshot(intervention))
    if not changes:
        return intervention
    intervention.save()
    audit_record(
        actor=actor,
        action="intervention.update",
        obj=intervention,
        scope=_scope(intervention),
        summary=f"Updated intervention “{intervention.name}”",
        changes=changes,
    )
    return intervention


def _recompute_on_commit(use: InterventionUse) -> None:
    measure_ids = sorted(measure.pk for measure in measures_for_use(use))
    if measure_ids:
        transaction.on_commit(lambda: evidence_recompute.enqueue(measure_ids=measure_ids))


@transaction.atomic
def intervention_use_set(
    *,
    actor: User,
    change_idea: DriverNode,
    intervention: Intervention | None,
    site: str,
) -> InterventionUse | None:
    """Say which intervention ``change_idea`` uses and where (None: it uses none).

    The evidence of a new or changed use is computed in the background after commit;
    removing a use removes its evidence rows with it.
    """
    if change_idea.kind != DriverNode.Kind.CHANGE_IDEA:
        raise ValidationError({"intervention": "Only a change idea can use an intervention"})
    team = change_idea.goal.team
    existing = (
        InterventionUse.objects.select_for_update()
        .select_related("intervention")
        .filter(change_idea=change_idea)
        .first()
    )
    if intervention is None:
        if existing is not None:
            audit_record(
                actor=actor,
                action="intervention_use.remove",
                obj=existing,
                scope=team_scope(team),
                summary=f"“{change_idea.text}” no longer uses “{existing.intervention.name}”",
                changes=audit_changes(_use_snapshot(existing), {}),
            )
            existing.delete()
        return None
    site = " ".join((site or "").split())
    limit = InterventionUse._meta.get_field("site").max_length or 0
    if not site:
        raise ValidationError(
            {"site": "Enter where the team uses it, for example Wards 7 to 10, Riverside"}
        )
    if len(site) > limit:
        raise ValidationError({"site": f"The site must be {limit} characters or fewer"})
    if existing is None:
        use = InterventionUse.objects.create(
            intervention=intervention, change_idea=change_idea, site=site, created_by=actor
        )
        audit_record(
            actor=actor,
            action="intervention_use.create",
            obj=use,
            scope=team_scope(team),
            summary=f"“{change_idea.text}” uses “{intervention.name}” at {site}",
            changes=audit_changes({}, _use_snapshot(use)),
        )
        _recompute_on_commit(use)
        return use
    before = _use_snapshot(existing)
    existing.intervention, existing.site = intervention, site
    changes = audit_changes(before, _use_snapshot(existing))
    if changes:
        existing.save(update_fields=["intervention", "site"])
        audit_record(
            actor=actor,
            action="intervention_use.update",
            obj=existing,
            scope=team_scope(team),
            summary=f"“{change_idea.text}” uses “{intervention.name}” at {site}",
            changes=changes,
        )
        _recompute_on_commit(existing)
    return existing


def _use_snapshot(use: InterventionUse) -> dict[str, Any]:
    return {
        "intervention": use.intervention.name,
        "change_idea": use.change_idea_id,
        "site": use.site,
    }
