"""Every form a person can post, fuzzed: the site is walked page by page as each person of
a world (a visitor, staff, a team lead, an applicant with a draft, an assessor, someone
invited), every ``<form method="post">`` on those pages is read from its HTML and posted
with generated values (empty, blank, very long, right-to-left, emoji, NUL, HTML, numbers
out of range, malformed dates, choices the form does not offer, fields left out or sent
twice), always with the page's CSRF token.

Whatever is sent: no server error; a refused submission (an error summary, or a 4xx)
changes no row of the database; and a form shown again with its errors still holds what
was typed in its text fields. Each submission runs in a savepoint rolled back after it,
so every example starts from the same world.

The Form classes themselves are fuzzed too: every subclass of Django's ``BaseForm`` in
``sharedpurpose`` is found by importing the package, built with the arguments a page built
it with, and bound to generated data: ``is_valid()`` never raises.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import traceback
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import Any
from unittest import mock

import pytest
from django import forms
from django.apps import apps
from django.db import connection
from django.http import QueryDict
from django.test import override_settings
from django.utils.datastructures import MultiValueDict
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

import sharedpurpose
from sharedpurpose.engagement.models import Comment, Subscriber
from sharedpurpose.evidence.models import Intervention
from tests.security.fuzz_support import (
    TEXT_TYPES,
    FoundForm,
    PostForm,
    World,
    awkward_text,
    awkward_upload,
    caches_clear,
    database_fingerprint,
    fingerprint_changes,
    forms_found,
    is_html,
    post_forms,
    rolled_back,
    submissions,
    url_parameters_missing,
    world_build,
    writes_recorded,
)

pytestmark = pytest.mark.django_db

#: Examples per form: the walk finds about a hundred forms, and two cores run them.
EXAMPLES_PER_FORM = 10
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES_PER_FORM,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
        HealthCheck.large_base_example,
    ],
)
#: Forms that must be among those found, so a walk that stops reaching pages cannot pass
#: by fuzzing nothing: one per area of the site.
EXPECTED_ACTIONS = (
    "/comments/post/",
    "/stay-informed/",
    "/accounts/login/",
    "/manage/programmes/new/",
    "/teams/{team}/goals/new/",
    "/teams/{team}/imports/new/",
    "/applications/{draft}/partnership/invite/",
    "/assess/",
    "/teams/{team}/case-studies/new/",
    "/account/api-tokens/",
)


@dataclass
class Walk:
    """The world, every distinct post form found on its pages, and the arguments each of the
    site's Form classes was built with while the pages were shown."""

    world: World
    found: list[FoundForm]
    built: dict[type[forms.BaseForm], dict[str, Any]]


@pytest.fixture(scope="module")
def walk(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Walk]:
    """Built and walked once for the module, inside a transaction rolled back at its end."""
    quick = {
        "MEDIA_ROOT": tmp_path_factory.mktemp("media"),
        "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
    }
    with django_db_blocker.unblock(), override_settings(**quick), rolled_back():
        world = world_build()
        with forms_built(site_form_classes()) as built:
            found = forms_found(world)
        yield Walk(world=world, found=found, built=built)


@contextmanager
def forms_built(
    classes: set[type[forms.BaseForm]],
) -> Iterator[dict[type[forms.BaseForm], dict[str, Any]]]:
    """Record the keyword arguments each of ``classes`` is first built with."""
    built: dict[type[forms.BaseForm], dict[str, Any]] = {}

    def recorder(init: Callable[..., None]) -> Callable[..., None]:
        def recording(self: forms.BaseForm, *args: Any, **kwargs: Any) -> None:
            # The outermost __init__ runs first and sees every argument the page passed.
            built.setdefault(type(self), {k: v for k, v in kwargs.items() if k != "files"})
            init(self, *args, **kwargs)

        return recording

    with ExitStack() as stack:
        for cls in classes:
            if "__init__" in vars(cls):
                stack.enter_context(mock.patch.object(cls, "__init__", recorder(cls.__init__)))
        yield built


# Posting forms ------------------------------------------------------------------------------


def is_refused(response: Any) -> bool:
    if 400 <= response.status_code < 500:
        return True
    if response.status_code != 200 or not is_html(response):
        return False
    html = response.content.decode()
    return "nhsuk-error-summary" in html or "nhsuk-error-message" in html


def _shown_as_typed(value: Any, kind: str) -> bool:
    """Whether a typed value can come back in a field as it was: text without control
    characters (a browser drops a text input's line breaks itself)."""
    if not isinstance(value, str):
        return False
    allowed = "\t\r\n" if kind == "textarea" else "\t"
    return all(ch in allowed or (ch >= " " and not 0x7F <= ord(ch) < 0xA0) for ch in value)


def typed_text_lost(form: PostForm, sent: dict[str, list[Any]], html: str, at: str) -> list[str]:
    """Text fields of ``form`` whose typed value the re-rendered form does not hold."""
    again = [f for f in post_forms(html, at) if f.action == form.action]
    lost = []
    for name in form.names():
        controls = form.controls_named(name)
        if any(c.untabbable for c in controls):
            continue
        kinds = {c.kind for c in controls}
        if len(kinds) != 1 or not (kinds <= TEXT_TYPES or kinds == {"textarea"}):
            continue
        (kind,) = kinds
        values = sent.get(name) or []
        if len(values) != 1 or not _shown_as_typed(values[0], kind):
            continue
        shown = [c.value for f in again for c in f.controls_named(name)]
        typed = values[0].replace("\r\n", "\n")
        if shown and typed not in [v.replace("\r\n", "\n") for v in shown]:
            lost.append(f"{name}: typed {values[0][:80]!r}, shown {[v[:80] for v in shown]!r}")
    return lost


def post_example(
    found: FoundForm, target: str, htmx: bool, baseline: dict[str, str]
) -> Callable[[], None]:
    """A hypothesis test posting ``found.form`` to ``target`` (its action or its hx-post).

    Every example is rolled back, so the database before each one is ``baseline``.
    """
    client = found.client
    headers = {"HX-Request": "true"} if htmx else {}

    @FUZZ_SETTINGS
    @given(sent=submissions(found.form))
    def example(sent: dict[str, list[Any]]) -> None:
        cookies = SimpleCookie(client.cookies.output(header="", sep="\n"))
        try:
            with rolled_back():
                caches_clear()
                with writes_recorded() as writes:
                    response = client.post(target, sent, headers=headers)
                refused = is_refused(response)
                # Only the tables the request wrote to can differ from the baseline.
                changed = (
                    fingerprint_changes(baseline, database_fingerprint(writes.to_compare))
                    if refused and (writes.unknown or writes.tables)
                    else []
                )
        finally:
            client.cookies = cookies
        note(f"{found.role} posted to {target}: {response.status_code}")
        assert response.status_code < 500
        if not refused:
            return
        assert not changed, f"refused with {response.status_code} but changed {changed}"
        if response.status_code in (200, 400) and is_html(response):
            lost = typed_text_lost(found.form, sent, response.content.decode(), target)
            assert not lost, f"the form shown again lost what was typed: {lost}"

    return example


def test_the_writes_of_a_request_are_named_by_table_or_mark_the_whole_database(
    walk: Walk,
) -> None:
    # The fuzzer compares only the tables a refused request wrote to: this is what it trusts.
    with rolled_back(), writes_recorded() as writes:
        Comment.objects.filter(pk=-1).update(body="changed")
        Subscriber.objects.filter(pk=-1).delete()
        Intervention.objects.create(slug="recorded", name="Recorded", summary="A recorded write")
    assert not writes.unknown
    assert {Comment._meta.db_table, Intervention._meta.db_table} <= writes.tables
    with rolled_back(), writes_recorded() as writes, connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE fuzz_stage (id integer)")
    assert writes.to_compare is None


def test_the_world_has_a_value_for_every_url_parameter(walk: Walk) -> None:
    assert url_parameters_missing(walk.world) == {}


def test_no_posted_form_breaks_the_site_or_keeps_a_refused_change(walk: Walk) -> None:
    found = walk.found
    actions = {f.form.action for f in found}
    team = walk.world.url_values["team_slug"][0]
    draft = walk.world.url_values["reference"][0]
    for expected in EXPECTED_ACTIONS:
        wanted = expected.format(team=team, draft=draft)
        assert any(a.startswith(wanted) for a in actions), f"no form posts to {wanted}"

    baseline = database_fingerprint()
    failures = []
    for each in found:
        targets = [(each.form.action, False)]
        if each.form.hx_post:
            targets.append((each.form.hx_post, True))
        for target, htmx in targets:
            try:
                post_example(each, target, htmx, baseline)()
            except Exception:  # every form is tried, and all failures reported
                failures.append(
                    f"{each.role} on {each.page}, posting to {target}:\n{traceback.format_exc()}"
                )
    assert not failures, f"{len(failures)} of {len(found)} forms failed:\n\n" + "\n\n".join(
        failures
    )
    assert database_fingerprint() == baseline


# The Form classes -------------------------------------------------------------------------


def site_form_classes() -> set[type[forms.BaseForm]]:
    """Every Form class defined in ``sharedpurpose``, found by importing all of it."""
    for module in pkgutil.walk_packages(sharedpurpose.__path__, "sharedpurpose."):
        if module.name.endswith("__main__") or ".migrations" in module.name:
            continue
        importlib.import_module(module.name)
    found: set[type[forms.BaseForm]] = set()
    pending: list[type[forms.BaseForm]] = [forms.BaseForm]
    while pending:
        for sub in pending.pop().__subclasses__():
            pending.append(sub)
            if sub.__module__.startswith("sharedpurpose."):
                found.add(sub)
    return found


def field_data(
    form: forms.BaseForm,
) -> st.SearchStrategy[tuple[QueryDict, MultiValueDict[str, Any]]]:
    """Data and files for ``form``: per field its choices, awkward text, or nothing."""
    parts: list[tuple[str, st.SearchStrategy[Any], bool]] = []
    for name, field in form.fields.items():
        html_name = form.add_prefix(name)
        widget = field.widget
        names = (
            [html_name + suffix for suffix in vars(widget)["widgets_names"]]
            if isinstance(widget, forms.MultiWidget)
            else [html_name]
        )
        choices = [str(value) for value, _ in getattr(field, "choices", []) or []]
        single = st.one_of(st.sampled_from(choices), awkward_text) if choices else awkward_text
        is_file = isinstance(field, forms.FileField)
        for each in names:
            values = st.lists(awkward_upload() if is_file else single, max_size=2)
            parts.append((each, values, is_file))

    def assemble(drawn: list[list[Any]]) -> tuple[QueryDict, MultiValueDict[str, Any]]:
        data = QueryDict(mutable=True)
        files: MultiValueDict[str, Any] = MultiValueDict()
        for (name, _, is_file), values in zip(parts, drawn, strict=True):
            (files if is_file else data).setlist(name, values)
        return data, files

    return st.tuples(*(values for _, values, _ in parts)).map(list).map(assemble)


def arguments_by_name(cls: type[forms.BaseForm]) -> dict[str, Any]:
    """For a form only built when posted: each required keyword argument named after a
    model (``programme``, ``team``) gets that model's first row."""
    models = {model._meta.model_name: model for model in apps.get_models()}
    arguments: dict[str, Any] = {}
    for name, parameter in inspect.signature(cls.__init__).parameters.items():
        model = models.get(name.replace("_", ""))
        required = parameter.kind is parameter.KEYWORD_ONLY and parameter.default is parameter.empty
        if required and model is not None:
            arguments[name] = model._default_manager.order_by("pk").first()
    return arguments


def validates_example(
    cls: type[forms.BaseForm], arguments: dict[str, Any], blank: forms.BaseForm
) -> Callable[[], None]:
    @FUZZ_SETTINGS
    @given(bound=field_data(blank))
    def example(bound: tuple[QueryDict, MultiValueDict[str, Any]]) -> None:
        data, files = bound
        cls(data, files, **arguments).is_valid()

    return example


def test_every_form_class_validates_any_input_without_raising(walk: Walk) -> None:
    classes = site_form_classes()
    built = walk.built
    failures = []
    for cls in sorted(classes, key=lambda c: f"{c.__module__}.{c.__qualname__}"):
        if cls in built:
            arguments = {k: v for k, v in built[cls].items() if k != "data"}
        else:
            arguments = arguments_by_name(cls)
        try:
            blank = cls(**arguments)
        except TypeError:
            failures.append(f"{cls.__qualname__}: no page builds it, and it needs arguments")
            continue

        try:
            validates_example(cls, arguments, blank)()
        except Exception:  # every class is tried, and all failures reported
            failures.append(f"{cls.__module__}.{cls.__qualname__}:\n{traceback.format_exc()}")
    assert len(classes) > 40
    assert not failures, "\n\n".join(failures)
