"""Comments and questions: posting and reporting (public), moderation (staff), personal data."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from sharedpurpose.accounts.roles import user_is_programme_staff
from sharedpurpose.core.text import markdown_to_html
from sharedpurpose.core.web import (
    every_programme_staff_required,
    form_add_service_error,
    form_data,
    request_actor,
    staff_required,
)
from sharedpurpose.programmes.models import Programme, Round

from .. import comments_selectors as selectors
from ..forms.comments import (
    AnswerForm,
    CommentForm,
    ModerationSettingsForm,
    MyCommentsRequestForm,
    ReportForm,
)
from ..models import Comment
from ..personal_data import commenter_erase, commenter_export
from ..services import comments as services

if TYPE_CHECKING:
    pass

View = Callable[..., HttpResponse]
THANKS_PENDING = "Thank you: your comment will appear once checked."
THANKS_PUBLISHED = "Thank you: your comment has been published."
COMMENT_SETTINGS_REFUSED = (
    "How comments are moderated is one setting for every programme: only staff of every "
    "programme change it."
)


def _ip(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))


def _status(error: ValidationError) -> int:
    return 429 if isinstance(error, services.RateLimitedError) else 400


def _page_url(programme: Programme, round_: Round | None) -> str:
    page = round_ if round_ is not None else programme
    return f"{page.get_absolute_url()}#comments"


def _comment_get(request: HttpRequest, pk: int, *, public: bool) -> Comment:
    try:
        if public:
            return selectors.comment_public_get(pk=pk)
        return selectors.comment_for_staff_get(user=request.user, pk=pk)
    except Comment.DoesNotExist:
        raise Http404("No such comment") from None


# --- the public ----------------------------------------------------------------------------------


@require_POST
def comment_post(request: HttpRequest) -> HttpResponse:
    form = CommentForm(request.POST)
    programme_id = form.data.get("programme", "")
    round_id = form.data.get("round", "")
    try:
        programme, round_ = selectors.comment_page_get(
            programme_id=int(programme_id), round_id=int(round_id) if round_id else None
        )
    except (ValueError, TypeError, Programme.DoesNotExist, Round.DoesNotExist):
        raise Http404("No such page") from None
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            comment = services.comment_post(
                programme=programme,
                round_=round_,
                author_name=data["author_name"],
                author_email=data["author_email"],
                body=data["body"],
                is_question=data["is_question"],
                ip_address=_ip(request),
                honeypot=data["website"],
            )
        except ValidationError as error:
            form_add_service_error(form, error)
            status = _status(error)
        else:
            published = comment is not None and comment.status == Comment.Status.PUBLISHED
            messages.success(request, THANKS_PUBLISHED if published else THANKS_PENDING)
            return redirect(_page_url(programme, round_))
    return render(
        request,
        "engagement/comments/post.html",
        {"form": form, "programme": programme, "round": round_},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def comment_report(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _comment_get(request, pk, public=True)
    form = ReportForm(form_data(request))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.comment_report(
                    comment=comment, reason=form.cleaned_data["reason"], ip_address=_ip(request)
                )
            except ValidationError as error:
                form_add_service_error(form, error)
                status = _status(error)
            else:
                messages.success(request, "Thank you: staff will check the comment you reported.")
                return redirect(_page_url(comment.programme, comment.round))
    return render(
        request,
        "engagement/comments/report.html",
        {"form": form, "comment": comment},
        status=status,
    )


# --- staff ---------------------------------------------------------------------------------------


@staff_required
def moderation_queue(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "engagement/comments/queue.html",
        {
            "queue": selectors.moderation_queue(user=request.user),
            "recent": selectors.comments_recent_for_staff(user=request.user),
            "settings_row": selectors.engagement_settings_get(),
            "runs_every_programme": user_is_programme_staff(request.user),
        },
    )


def _moderate(action: Callable[..., Any], done: str) -> View:
    @staff_required
    @require_POST
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        comment = _comment_get(request, pk, public=False)
        try:
            action(actor=request_actor(request), comment=comment)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"{done} the comment by {comment.author_name}.")
        return redirect(_next_url(request))

    return view


def _next_url(request: HttpRequest) -> str:
    # Only our own paths, so a crafted form cannot send staff elsewhere.
    wanted = str(request.POST.get("next", ""))
    if wanted.startswith("/") and not wanted.startswith("//"):
        return wanted
    return reverse("engagement:moderation_queue")


comment_approve = _moderate(services.comment_approve, "Approved")
comment_hide = _moderate(services.comment_hide, "Hid")
comment_unhide = _moderate(services.comment_unhide, "Unhid")


@staff_required
@require_http_methods(["GET", "POST"])
def comment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _comment_get(request, pk, public=False)
    if request.method == "POST":
        services.comment_delete(actor=request_actor(request), comment=comment)
        messages.success(request, f"Deleted the comment by {comment.author_name}.")
        return redirect("engagement:moderation_queue")
    return render(request, "engagement/comments/delete.html", {"comment": comment})


@staff_required
@require_http_methods(["GET", "POST"])
def comment_answer(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _comment_get(request, pk, public=False)
    form = AnswerForm(form_data(request))
    preview = ""
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            if request.POST.get("action") == "preview":
                preview = markdown_to_html(form.cleaned_data["body"])
                status = 200
            else:
                try:
                    services.comment_answer(
                        actor=request_actor(request),
                        comment=comment,
                        body=form.cleaned_data["body"],
                    )
                except ValidationError as error:
                    form_add_service_error(form, error)
                else:
                    messages.success(
                        request,
                        f"Published your answer; {comment.author_name} will be e-mailed.",
                    )
                    return redirect("engagement:moderation_queue")
    return render(
        request,
        "engagement/comments/answer.html",
        {"form": form, "comment": comment, "preview": preview},
        status=status,
    )


@staff_required
@require_POST
def comments_lock(request: HttpRequest) -> HttpResponse:
    round_id = request.POST.get("round", "")
    try:
        programme, round_ = selectors.comment_page_for_staff_get(
            user=request.user,
            programme_id=int(request.POST.get("programme", "")),
            round_id=int(round_id) if round_id else None,
        )
    except (ValueError, Programme.DoesNotExist, Round.DoesNotExist):
        raise Http404("No such page") from None
    locked = request.POST.get("locked") == "1"
    page = services.comments_lock(
        actor=request_actor(request), programme=programme, round_=round_, locked=locked
    )
    state = "closed" if locked else "open"
    messages.success(request, f"Comments are now {state} on {page}.")
    return redirect(_page_url(programme, round_))


@every_programme_staff_required(COMMENT_SETTINGS_REFUSED)
@require_http_methods(["GET", "POST"])
def comment_settings(request: HttpRequest) -> HttpResponse:
    row = selectors.engagement_settings_get()
    form = ModerationSettingsForm(
        form_data(request), initial={"comment_moderation": row.comment_moderation}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.comment_settings_update(
                actor=request_actor(request), moderation=form.cleaned_data["comment_moderation"]
            )
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, "Saved how comments are moderated.")
            return redirect("engagement:comment_settings")
    return render(
        request,
        "engagement/comments/settings.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


# --- personal data -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def my_comments_request(request: HttpRequest) -> HttpResponse:
    form = MyCommentsRequestForm(form_data(request))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.my_comments_link_request(
                    email=form.cleaned_data["email"], ip_address=_ip(request)
                )
            except ValidationError as error:
                form_add_service_error(form, error)
                status = _status(error)
            else:
                # The same words whether or not the address has comments.
                messages.success(
                    request,
                    "If we hold comments from that address, we have e-mailed it a link. "
                    "The link works for 24 hours.",
                )
                return redirect("engagement:my_comments_request")
    return render(request, "engagement/comments/my_request.html", {"form": form}, status=status)


def _token_email(token: str) -> str:
    try:
        return services.my_comments_token_read(token=token)
    except ValidationError as error:
        raise _LinkError(" ".join(error.messages)) from None


class _LinkError(Exception):
    pass


def _link_problem(request: HttpRequest, error: _LinkError) -> HttpResponse:
    return render(
        request, "engagement/comments/my_link_problem.html", {"problem": str(error)}, status=400
    )


@require_http_methods(["GET"])
def my_comments(request: HttpRequest, token: str) -> HttpResponse:
    try:
        email = _token_email(token)
    except _LinkError as error:
        return _link_problem(request, error)
    return render(
        request,
        "engagement/comments/my_comments.html",
        {"comments": selectors.comments_of_email(email=email), "token": token},
    )


@require_http_methods(["GET"])
def my_comments_export(request: HttpRequest, token: str) -> HttpResponse:
    try:
        email = _token_email(token)
    except _LinkError as error:
        return _link_problem(request, error)
    response = HttpResponse(
        json.dumps(commenter_export(email=email), indent=2),
        content_type="application/json",
    )
    response["Content-Disposition"] = 'attachment; filename="my-comments.json"'
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def my_comments_erase(request: HttpRequest, token: str) -> HttpResponse:
    try:
        email = _token_email(token)
    except _LinkError as error:
        return _link_problem(request, error)
    erased = commenter_erase(email=email)
    messages.success(
        request, f"Erased {erased} comment{'s' if erased != 1 else ''} and any answers to them."
    )
    return redirect("engagement:my_comments", token=token)
