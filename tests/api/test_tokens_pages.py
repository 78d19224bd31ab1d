"""The account pages for personal API tokens: list, create (shown once), revoke."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from sharedpurpose.accounts.models import User
from sharedpurpose.api.models import ApiToken
from sharedpurpose.api.tokens import token_find
from sharedpurpose.api.views import SESSION_KEY
from sharedpurpose.core.models import AuditEvent
from sharedpurpose.improvement.models import Team
from tests.factories import UserFactory

from .conftest import TokenFor

pytestmark = pytest.mark.django_db

LIST = "/account/api-tokens/"
CREATED = "/account/api-tokens/created/"


def _form(team: Team | None = None, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "Warehouse pipeline",
        "scope": "read_write",
        "teams": [str(team.pk)] if team is not None else ["all"],
        "expires_at": (timezone.localdate() + timedelta(days=30)).isoformat(),
    }
    data.update(changes)
    return data


def _signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_pages_need_sign_in(client: Client) -> None:
    for url in (LIST, CREATED, "/account/api-tokens/1/revoke/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_the_list_shows_only_your_tokens_with_their_status(
    member_a: User, member_b: User, team_a: Team, token_for: TokenFor
) -> None:
    # Given three tokens of member A (active for team A, expired, revoked) and one of B's
    token_for(member_a, name="Warehouse", scope="read", teams=[team_a])
    token_for(member_a, name="Old pipeline", expires_at=timezone.now() - timedelta(days=1))
    token_for(member_a, name="Leaked laptop", revoked=True)
    token_for(member_b, name="Someone else's")
    prefix = ApiToken.objects.get(name="Warehouse").prefix

    response = _signed_in(member_a).get(LIST)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Someone else" not in html
    assert f"sp_{prefix}_…" in html
    rows = re.findall(r"<tr class=\"nhsuk-table__row\">(.*?)</tr>", html, re.S)[1:]
    text = {re.sub(r"<[^>]+>|\s+", " ", row).split()[0]: " ".join(row.split()) for row in rows}
    assert "Read only" in text["Warehouse"] and "Team A" in text["Warehouse"]
    assert ">Active<" in text["Warehouse"] and "Never" in text["Warehouse"]
    assert ">Expired<" in text["Old"] and "All your teams" in text["Old"]
    assert ">Revoked<" in text["Leaked"] and "Revoke" not in text["Leaked"].split("Revoked")[1]
    assert 'href="/api/docs"' in html


def test_the_form_offers_the_teams_you_can_open_and_a_90_day_expiry(
    member_a: User, team_a: Team, team_b: Team
) -> None:
    response = _signed_in(member_a).get(LIST)

    form = response.context["form"]
    assert [label for _, label in form.fields["teams"].choices] == ["Team A", "All my teams"]
    assert form.initial["expires_at"] == timezone.localdate() + timedelta(days=90)
    assert form.initial["scope"] == "read"
    html = response.content.decode()
    assert re.search(r"value=\"all\"[^>]*data-behaviour=\"exclusive\"", html)
    # each box has its own id, which its label names
    boxes = re.findall(
        r'<input[^>]*type="checkbox"[^>]*id="([^"]+)"|id="([^"]+)"[^>]*type="checkbox"', html
    )
    ids = [a or b for a, b in boxes]
    assert ids == ["id_teams_0", "id_teams_1"], ids
    for box_id in ids:
        assert f'for="{box_id}"' in html
    assert "Team B" not in html


def test_a_new_token_is_shown_once_and_then_never_again(
    member_a: User, team_a: Team, caplog: pytest.LogCaptureFixture
) -> None:
    client = _signed_in(member_a)
    caplog.set_level(logging.DEBUG)

    # When member A creates a read-write token for team A
    response = client.post(LIST, _form(team_a))

    # Then the next page shows its full text once, with a warning
    assert response.status_code == 302 and response["Location"] == CREATED
    page = client.get(CREATED)
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    text = page.context["text"]
    assert text in page.content.decode()
    assert "This is the only time the token is shown" in page.content.decode()
    token = token_find(text)
    assert token is not None and token.user == member_a and token.name == "Warehouse pipeline"
    assert token.scope == "read_write" and not token.all_teams
    assert list(token.teams.all()) == [team_a]
    # it works until the end of the chosen day
    expires = timezone.localtime(token.expires_at)
    assert expires.date() == timezone.localdate() + timedelta(days=30)
    assert (expires.hour, expires.minute) == (23, 59)
    assert AuditEvent.objects.filter(action="api_token.create", object_id=str(token.pk)).exists()

    # And it is out of the session: a reload only explains that it was shown once
    assert SESSION_KEY not in client.session
    again = client.get(CREATED, follow=True)
    assert text not in again.content.decode()
    assert "shown only once" in again.content.decode()
    assert text not in client.get(LIST).content.decode()

    # And no log line carried it
    assert all(text not in record.getMessage() for record in caplog.records)
    assert all(text not in str(record.__dict__) for record in caplog.records)


def test_a_token_whose_page_was_never_opened_is_not_kept(member_a: User, team_a: Team) -> None:
    client = _signed_in(member_a)
    client.post(LIST, _form(team_a))
    assert SESSION_KEY in client.session
    client.get(LIST)
    assert SESSION_KEY not in client.session
    assert client.get(CREATED).status_code == 302


def test_all_my_teams(member_a: User, team_a: Team) -> None:
    client = _signed_in(member_a)
    client.post(LIST, _form(scope="read"))
    token = ApiToken.objects.get(user=member_a)
    assert token.all_teams and token.scope == "read"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": "  "}, "name", "Enter what the token is for"),
        ({"scope": ""}, "scope", "Choose read only, or read and write."),
        ({"scope": "admin"}, "scope", "Select a valid choice"),
        ({"teams": []}, "teams", "Choose the teams this token may reach, or all your teams."),
        ({"teams": ["all", "TEAM_A"]}, "teams", "Choose teams, or all your teams, but not both."),
        ({"teams": ["TEAM_B"]}, "teams", "Choose only teams you can open."),
        ({"expires_at": ""}, "expires_at", "Enter the date the token expires."),
        ({"expires_at": "31/02/2026"}, "expires_at", "Enter a real date"),
        ({"expires_at": "YESTERDAY"}, "expires_at", "Choose an expiry date in the future."),
        ({"expires_at": "IN_400_DAYS"}, "expires_at", "A token can last a year at most."),
    ],
)
def test_bad_input_is_shown_beside_its_field_and_creates_nothing(
    member_a: User,
    team_a: Team,
    team_b: Team,
    changes: dict[str, object],
    field: str,
    message: str,
) -> None:
    stand_ins = {
        "TEAM_A": str(team_a.pk),
        "TEAM_B": str(team_b.pk),
        "YESTERDAY": (timezone.localdate() - timedelta(days=1)).isoformat(),
        "IN_400_DAYS": (timezone.localdate() + timedelta(days=400)).isoformat(),
    }
    for key, value in changes.items():
        if isinstance(value, list):
            changes[key] = [stand_ins.get(v, v) for v in value]
        elif isinstance(value, str):
            changes[key] = stand_ins.get(value, value)

    response = _signed_in(member_a).post(LIST, _form(team_a, **changes))

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == [field]
    assert message in " ".join(errors[field])
    html = response.content.decode()
    assert "There is a problem" in html and f'href="#id_{field}"' in html
    assert f'id="id_{field}"' in html
    assert not ApiToken.objects.exists()


def test_a_year_from_today_is_allowed(member_a: User, team_a: Team) -> None:
    last_day = (timezone.localdate() + timedelta(days=365)).isoformat()
    response = _signed_in(member_a).post(LIST, _form(team_a, expires_at=last_day))
    assert response.status_code == 302


def test_revoking_asks_first_then_the_token_is_refused(
    client: Client, member_a: User, team_a: Team, token_for: TokenFor
) -> None:
    text = token_for(member_a, name="Warehouse", teams=[team_a])
    token = ApiToken.objects.get(user=member_a)
    signed_in = _signed_in(member_a)
    url = f"/account/api-tokens/{token.pk}/revoke/"

    # The GET only asks
    confirm = signed_in.get(url)
    assert confirm.status_code == 200
    assert "Revoke the token “Warehouse”?" in confirm.content.decode()
    assert "Team A" in confirm.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None

    # The POST revokes, audited, and the list says so
    done = signed_in.post(url, follow=True)
    assert "was revoked: it no longer works" in done.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEvent.objects.filter(action="api_token.revoke", object_id=str(token.pk)).exists()
    found = token_find(text)
    assert found is not None and not found.is_active

    # A second visit explains it is already revoked
    again = signed_in.get(url, follow=True)
    assert "was already revoked" in again.content.decode()


def test_nobody_else_can_revoke_your_token(
    member_a: User, member_b: User, staff: User, token_for: TokenFor
) -> None:
    token_for(member_a)
    token = ApiToken.objects.get(user=member_a)
    url = f"/account/api-tokens/{token.pk}/revoke/"
    for other in (member_b, staff):
        assert _signed_in(other).get(url).status_code == 404
        assert _signed_in(other).post(url).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_pages_keep_the_strict_csp(member_a: User, team_a: Team) -> None:
    client = _signed_in(member_a)
    client.post(LIST, _form(team_a))
    token = ApiToken.objects.get(user=member_a)
    for url in (CREATED, LIST, f"/account/api-tokens/{token.pk}/revoke/"):
        response = client.get(url)
        assert response.status_code == 200
        policy = response["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy
        html = response.content.decode()
        # every script is a file: nothing inline, no event-handler attributes
        assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
        assert re.findall(r"\son[a-z]+=", html) == []


def test_a_user_without_teams_can_still_make_an_all_teams_token() -> None:
    user = UserFactory.create()
    client = _signed_in(user)
    page = client.get(LIST)
    assert [label for _, label in page.context["form"].fields["teams"].choices] == ["All my teams"]
    assert client.post(LIST, _form()).status_code == 302
