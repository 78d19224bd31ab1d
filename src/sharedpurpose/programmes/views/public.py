from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from sharedpurpose.applications.models import ApplicationForm
from sharedpurpose.core.public_cache import public_page, render_public_page
from sharedpurpose.engagement.comments_selectors import comments_page_fingerprint
from sharedpurpose.improvement.selectors import teams_published_for_round

from .. import selectors
from ..presenters import RoundPresenter


@require_safe
def programme_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "programmes/programme_list.html", {"programmes": selectors.programmes_public()}
    )


@require_safe
@public_page
def programme_detail(request: HttpRequest, programme_slug: str) -> HttpResponse:
    programme = selectors.programme_public_get(slug=programme_slug)
    announcements = selectors.announcements_public(programme=programme)
    rounds = list(programme.rounds.all())
    return render_public_page(
        request,
        "programmes/programme_detail.html",
        {
            "programme": programme,
            "rounds": [RoundPresenter(round_) for round_ in rounds],
            "announcements": announcements,
        },
        fingerprint=(
            programme.updated_at,
            tuple((r.pk, r.state, r.updated_at) for r in rounds),
            tuple(announcements.values_list("pk", "published_at")),
            comments_page_fingerprint(programme=programme, round_=None),
        ),
    )


@require_safe
@public_page
def round_detail(request: HttpRequest, programme_slug: str, round_slug: str) -> HttpResponse:
    round_ = selectors.round_public_get(programme_slug=programme_slug, round_slug=round_slug)
    teams = teams_published_for_round(round_)
    # The "Start an application" button appears once staff create the round's form.
    takes_applications = ApplicationForm.objects.filter(round=round_).exists()
    return render_public_page(
        request,
        "programmes/round_detail.html",
        {
            "round": round_,
            "programme": round_.programme,
            "presenter": RoundPresenter(round_),
            "teams": teams,
            "takes_applications": takes_applications,
        },
        fingerprint=(
            round_.updated_at,
            round_.state,
            takes_applications,
            round_.programme.updated_at,
            tuple(teams.values_list("pk", "name", "innovation")),
            comments_page_fingerprint(programme=round_.programme, round_=round_),
        ),
    )
