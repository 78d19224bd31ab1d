from __future__ import annotations

import json
import logging

import pytest
from django.test import Client


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy(client: Client) -> None:
    policy = client.get("/")["Content-Security-Policy"]

    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy


@pytest.mark.django_db
def test_pages_have_no_inline_script(client: Client) -> None:
    html = client.get("/").content.decode()

    for tag in html.split("<script")[1:]:
        assert ' src="' in tag.split(">", 1)[0]


@pytest.mark.django_db
def test_unknown_page_is_a_friendly_404(client: Client) -> None:
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


@pytest.mark.django_db
def test_the_stylesheet_loads_nothing_remote_and_its_icons_are_served(client: Client) -> None:
    response = client.get("/static/sharedpurpose/sharedpurpose.css")
    css = b"".join(response.streaming_content)  # type: ignore[attr-defined]

    assert b'url("/assets/images/nhsuk-icon-cross.svg")' in css
    assert b"https://" not in css
    assert b"font-family:arial" in css
    assert client.get("/assets/images/nhsuk-icon-cross.svg").status_code == 200


@pytest.mark.django_db
def test_server_error_page_is_standalone(client: Client) -> None:
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert "Sorry, there is a problem with the service" in html


@pytest.mark.django_db
def test_each_request_is_logged_as_one_json_line(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    from sharedpurpose.core.logging import JsonFormatter

    with caplog.at_level(logging.INFO, logger="sharedpurpose.requests"):
        client.get("/programmes/")

    record = next(r for r in caplog.records if r.name == "sharedpurpose.requests")
    entry = json.loads(JsonFormatter().format(record))
    assert entry["path"] == "/programmes/"
    assert entry["status"] == 200
    assert entry["level"] == "info"


@pytest.mark.django_db
def test_staff_find_their_pages_in_the_header_and_others_do_not(client: Client) -> None:
    from sharedpurpose.accounts.roles import SiteRole, user_role_grant
    from tests.factories import UserFactory

    member = UserFactory.create()
    client.force_login(member)
    assert "Manage programmes" not in client.get("/programmes/").content.decode()

    staff = UserFactory.create()
    user_role_grant(user=staff, role=SiteRole.PROGRAMME_STAFF)
    client.force_login(staff)
    header = client.get("/programmes/").content.decode().split("</header>")[0]
    assert 'href="/manage/"' in header
    assert "Comments to moderate" in header
