"""Small pieces every app's views share: who is acting, who may enter, how service errors show."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.forms import Form
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils.datastructures import MultiValueDict

from sharedpurpose.accounts.roles import user_is_programme_staff, user_reaches_staff_pages

if TYPE_CHECKING:
    from sharedpurpose.accounts.models import User

View = Callable[..., HttpResponse]


def request_actor(request: HttpRequest) -> User:
    """The signed-in person making a change; views that call it require sign-in."""
    user = request.user
    assert user.is_authenticated
    return user


def staff_required(view: View) -> View:
    """Anonymous visitors go to sign in; signed-in people who run no programme get 403.

    Staff of one programme pass this gate; the view then reaches its programme through a
    selector that checks they run that one (``programmes.selectors.programme_staff_get``).
    """

    @wraps(view)
    @login_required
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not user_reaches_staff_pages(request.user):
            raise PermissionDenied("Only programme staff can open this page.")
        return view(request, *args, **kwargs)

    return wrapped


def every_programme_staff_required(reason: str) -> Callable[[View], View]:
    """For what every programme shares (creating programmes, the intervention catalogue, site
    settings): anonymous visitors go to sign in, anyone else who is not staff of every
    programme gets 403 with ``reason``."""

    def decorator(view: View) -> View:
        @wraps(view)
        @login_required
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not user_is_programme_staff(request.user):
                raise PermissionDenied(reason)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def form_data(request: HttpRequest) -> QueryDict | None:
    """What binds a form: the POST data on a POST, even when every field is empty (``request.POST
    or None`` would leave such a form unbound, silently showing no errors), else None."""
    return request.POST if request.method == "POST" else None


def form_files(request: HttpRequest) -> MultiValueDict[str, UploadedFile] | None:
    return request.FILES if request.method == "POST" else None


def form_add_service_error(form: Form, error: ValidationError) -> None:
    """Show a service's error beside the field it names, or above the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
