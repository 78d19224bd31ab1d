from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from sharedpurpose.improvement.selectors import teams_published_for_round

from . import selectors


@require_safe
def programme_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "programmes/programme_list.html", {"programmes": selectors.programmes_public()}
    )


@require_safe
def programme_detail(request: HttpRequest, programme_slug: str) -> HttpResponse:
    programme = selectors.programme_public_get(slug=programme_slug)
    return render(request, "programmes/programme_detail.html", {"programme": programme})


@require_safe
def round_detail(request: HttpRequest, programme_slug: str, round_slug: str) -> HttpResponse:
    round_ = selectors.round_public_get(programme_slug=programme_slug, round_slug=round_slug)
    return render(
        request,
        "programmes/round_detail.html",
        {
            "round": round_,
            "programme": round_.programme,
            "teams": teams_published_for_round(round_),
        },
    )
