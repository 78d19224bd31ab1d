"""The partnership page of an application and its changes, and accepting an invitation."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from sharedpurpose.core.web import form_add_service_error, request_actor
from sharedpurpose.improvement.models import Side

from ..access import AppCapability, application_get_for
from ..forms.apply import InviteForm, LeadsForm, OrganisationForm, PlacementForm, VersionForm
from ..models import (
    Application,
    ApplicationForm,
    ApplicationInvitation,
    ApplicationMember,
    ApplicationOrganisation,
)
from ..services import partnership as services
from .apply import ApplicationPage


class PartnershipPage(ApplicationPage):
    """Organisations, members by side, the two leads and pending invitations."""

    @cached_property
    def application_form(self) -> ApplicationForm | None:
        return ApplicationForm.objects.filter(round=self.application.round_id).first()

    @cached_property
    def organisations(self) -> list[ApplicationOrganisation]:
        return list(self.application.organisations.all())

    @cached_property
    def lead_organisation(self) -> ApplicationOrganisation | None:
        lead = ApplicationOrganisation.Role.LEAD
        return next((o for o in self.organisations if o.role == lead), None)

    @cached_property
    def partners(self) -> list[ApplicationOrganisation]:
        partner = ApplicationOrganisation.Role.PARTNER
        return [o for o in self.organisations if o.role == partner]

    @cached_property
    def partners_needed(self) -> int:
        form = self.application_form
        return form.min_partner_organisations if form else 0

    @cached_property
    def members(self) -> list[ApplicationMember]:
        return list(self.application.members.select_related("user"))

    @cached_property
    def corporate_lead(self) -> ApplicationMember | None:
        return next((m for m in self.members if m.leads_side and m.side == Side.CORPORATE), None)

    @cached_property
    def clinical_lead(self) -> ApplicationMember | None:
        return next((m for m in self.members if m.leads_side and m.side == Side.CLINICAL), None)

    @cached_property
    def can_lead(self) -> bool:
        return self.is_draft and AppCapability.LEAD in self.capabilities

    @cached_property
    def invitations(self) -> list[ApplicationInvitation]:
        return services.invitations_pending(self.application)

    @cached_property
    def problems(self) -> list[services.PartnershipProblem]:
        return services.partnership_problems(self.application)


def _version_initial(application: Application) -> dict[str, Any]:
    return {"version": application.version}


def _partnership_page(
    request: HttpRequest,
    application: Application,
    capabilities: frozenset[AppCapability],
    **bound: Form,
) -> HttpResponse:
    """The page, with any form that failed shown as it was filled in."""
    page = PartnershipPage(application, capabilities)
    version = _version_initial(application)
    lead = page.lead_organisation
    forms: dict[str, Form] = {
        "lead_form": OrganisationForm(
            initial={
                **version,
                "name": lead.name if lead else "",
                "kind": lead.kind if lead else "",
            },
            prefix="lead",
        ),
        "partner_form": OrganisationForm(initial=version, prefix="partner"),
        "invite_form": InviteForm(initial=version, prefix="invite"),
        "leads_form": LeadsForm(
            initial={
                **version,
                "corporate_lead": page.corporate_lead.pk if page.corporate_lead else "",
                "clinical_lead": page.clinical_lead.pk if page.clinical_lead else "",
            },
            members=page.members,
            prefix="leads",
        ),
        "version_form": VersionForm(initial=version),
    }
    forms.update(bound)
    error_form = next((form for form in bound.values() if form.errors), None)
    return render(
        request,
        "applications/partnership.html",
        {"application": application, "page": page, "error_form": error_form, **forms},
        status=400 if error_form else 200,
    )


@login_required
@require_safe
def partnership(request: HttpRequest, reference: str) -> HttpResponse:
    application, capabilities = application_get_for(request.user, reference, AppCapability.VIEW)
    return _partnership_page(request, application, capabilities)


def _done(request: HttpRequest, application: Application, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("applications:partnership", reference=application.reference)


# --------------------------------------------------------------------------
# Organisations (every member)
# --------------------------------------------------------------------------


@login_required
@require_POST
def lead_organisation(request: HttpRequest, reference: str) -> HttpResponse:
    application, capabilities = application_get_for(request.user, reference, AppCapability.EDIT)
    form = OrganisationForm(request.POST, prefix="lead")
    if form.is_valid():
        try:
            lead = services.lead_organisation_set(
                actor=request_actor(request), application=application, **form.cleaned_data
            )
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            return _done(request, application, f"{lead.name} is the lead organisation.")
    return _partnership_page(request, application, capabilities, lead_form=form)


@login_required
@require_POST
def partner_add(request: HttpRequest, reference: str) -> HttpResponse:
    application, capabilities = application_get_for(request.user, reference, AppCapability.EDIT)
    form = OrganisationForm(request.POST, prefix="partner")
    if form.is_valid():
        try:
            partner = services.partner_save(
                actor=request_actor(request), application=application, **form.cleaned_data
            )
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            return _done(request, application, f"{partner.name} was added as a partner.")
    return _partnership_page(request, application, capabilities, partner_form=form)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def partner_edit(request: HttpRequest, reference: str, organisation_id: int) -> HttpResponse:
    application, capabilities = application_get_for(request.user, reference, AppCapability.EDIT)
    organisation = get_object_or_404(
        application.organisations, pk=organisation_id, role=ApplicationOrganisation.Role.PARTNER
    )
    if request.method == "POST":
        form = OrganisationForm(request.POST)
        if form.is_valid():
            try:
                services.partner_save(
                    actor=request_actor(request),
                    application=application,
                    organisation=organisation,
                    **form.cleaned_data,
                )
            except ValidationError as error:
                form_add_service_error(form, error)
            else:
                return _done(request, application, f"{organisation.name} was saved.")
    else:
        form = OrganisationForm(
            initial={
                "version": application.version,
                "name": organisation.name,
                "kind": organisation.kind,
            }
        )
    return render(
        request,
        "applications/partnership_organisation.html",
        {
            "application": application,
            "page": PartnershipPage(application, capabilities),
            "organisation": organisation,
            "form": form,
        },
        status=400 if form.errors else 200,
    )


def _versioned_change(
    request: HttpRequest,
    application: Application,
    change: Callable[[int], object],
    *,
    done: str,
) -> HttpResponse:
    """Make a one-button change with the partnership version the page was loaded with; a
    refusal (someone changed it meanwhile, or the form was tampered with) goes back to the
    partnership page as a message."""
    form = VersionForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("Reload the page and try again.")
        change(form.cleaned_data["version"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("applications:partnership", reference=application.reference)
    return _done(request, application, done)


@login_required
@require_POST
def partner_remove(request: HttpRequest, reference: str, organisation_id: int) -> HttpResponse:
    application, _ = application_get_for(request.user, reference, AppCapability.EDIT)
    organisation = get_object_or_404(application.organisations, pk=organisation_id)
    return _versioned_change(
        request,
        application,
        lambda version: services.partner_remove(
            actor=request_actor(request),
            application=application,
            organisation=organisation,
            version=version,
        ),
        done=f"{organisation.name} was removed from the partnership.",
    )


# --------------------------------------------------------------------------
# Members and leads
# --------------------------------------------------------------------------


@login_required
@require_POST
def leads(request: HttpRequest, reference: str) -> HttpResponse:
    application, capabilities = application_get_for(request.user, reference, AppCapability.LEAD)
    members = list(application.members.select_related("user"))
    form = LeadsForm(request.POST, members=members, prefix="leads")
    if form.is_valid():
        try:
            services.leads_set(
                actor=request_actor(request),
                application=application,
                version=form.cleaned_data["version"],
                corporate_lead=form.chosen("corporate_lead"),
                clinical_lead=form.chosen("clinical_lead"),
            )
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            return _done(request, application, "The partnership's leads were saved.")
    return _partnership_page(request, application, capabilities, leads_form=form)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def member_edit(request: HttpRequest, reference: str, member_id: int) -> HttpResponse:
    """The lead applicant places anyone; each member may place themselves."""
    application, capabilities = application_get_for(request.user, reference, AppCapability.EDIT)
    member = get_object_or_404(application.members.select_related("user"), pk=member_id)
    if AppCapability.LEAD not in capabilities and member.user_id != request.user.pk:
        raise PermissionDenied("Only the lead applicant can change other people's details.")
    if request.method == "POST":
        form = PlacementForm(request.POST)
        if form.is_valid():
            try:
                services.member_placement_set(
                    actor=request_actor(request),
                    application=application,
                    member=member,
                    **form.cleaned_data,
                )
            except ValidationError as error:
                form_add_service_error(form, error)
            else:
                name = member.user.get_full_name()
                return _done(request, application, f"{name}'s details were saved.")
    else:
        form = PlacementForm(
            initial={
                "version": application.version,
                "side": member.side,
                "corporate_service": member.corporate_service,
                "clinical_area": member.clinical_area,
            }
        )
    return render(
        request,
        "applications/partnership_member.html",
        {
            "application": application,
            "page": PartnershipPage(application, capabilities),
            "member": member,
            "form": form,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def member_remove(request: HttpRequest, reference: str, member_id: int) -> HttpResponse:
    application, capabilities = application_get_for(request.user, reference, AppCapability.LEAD)
    member = get_object_or_404(application.members.select_related("user"), pk=member_id)
    if request.method == "POST":
        form = VersionForm(request.POST)
        if form.is_valid():
            try:
                services.member_remove(
                    actor=request_actor(request),
                    application=application,
                    member=member,
                    **form.cleaned_data,
                )
            except ValidationError as error:
                form_add_service_error(form, error)
            else:
                name = member.user.get_full_name()
                return _done(request, application, f"{name} was removed from the application.")
    else:
        form = VersionForm(initial=_version_initial(application))
    return render(
        request,
        "applications/partnership_member_remove.html",
        {
            "application": application,
            "page": PartnershipPage(application, capabilities),
            "member": member,
            "form": form,
        },
        status=400 if form.errors else 200,
    )


# --------------------------------------------------------------------------
# Invitations
# --------------------------------------------------------------------------


@login_required
@require_POST
def invite(request: HttpRequest, reference: str) -> HttpResponse:
    application, capabilities = application_get_for(request.user, reference, AppCapability.LEAD)
    form = InviteForm(request.POST, prefix="invite")
    if form.is_valid():
        try:
            invitation = services.member_invite(
                actor=request_actor(request), application=application, **form.cleaned_data
            )
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            return _done(request, application, f"Invitation sent to {invitation.email}.")
    return _partnership_page(request, application, capabilities, invite_form=form)


@login_required
@require_POST
def invitation_withdraw(request: HttpRequest, reference: str, invitation_id: int) -> HttpResponse:
    application, _ = application_get_for(request.user, reference, AppCapability.LEAD)
    invitation = get_object_or_404(application.invitations, pk=invitation_id)
    return _versioned_change(
        request,
        application,
        lambda version: services.invitation_withdraw(
            actor=request_actor(request),
            application=application,
            invitation=invitation,
            version=version,
        ),
        done=f"The invitation for {invitation.email} was withdrawn.",
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """Anyone signed in may open the link; only the invited, verified address may accept."""
    actor = request_actor(request)
    context: dict[str, Any] = {"problem": None, "invitation": None}
    try:
        if request.method == "POST":
            member = services.invitation_accept(actor=actor, token=token)
            application = member.application
            messages.success(request, f"You have joined the application {application.reference}.")
            return redirect(application)
        context["invitation"] = services.invitation_get_usable(actor=actor, token=token)
    except ValidationError as error:
        context["problem"] = " ".join(error.messages)
        return render(request, "applications/invitation_accept.html", context, status=400)
    return render(request, "applications/invitation_accept.html", context)
