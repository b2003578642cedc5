"""The stand-in Kommo's OAuth as Kommo plays it, over real HTTP: an authorization code works once and for 20
minutes, its refresh token then rotates as before, and ``GET /api/v4/account`` answers a valid bearer."""

from __future__ import annotations

import httpx
import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from demo.kommo import StandInKommo, new_secret
from demo.serving import ServerThread

SUB = "clinica-oauth"
CLIENT = "cid-oauth"
REDIRECT = "https://relay.example.com/kommo/oauth/clinica-oauth"


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def stand_in(clock: Clock):
    kommo = StandInKommo(rate_limit_per_s=10_000, clock=clock)
    secret = new_secret()
    kommo.add_account(SUB, CLIENT, secret, redirect_uri=REDIRECT)
    with ServerThread(kommo.app) as server:
        kommo.bind(server.url)
        yield kommo, secret


def exchange(kommo: StandInKommo, secret: str, code: str, redirect: str = REDIRECT) -> httpx.Response:
    body = {"client_id": CLIENT, "client_secret": secret, "grant_type": "authorization_code", "code": code,
            "redirect_uri": redirect}
    return httpx.post(f"{kommo.account_base_url(SUB)}/oauth2/access_token", json=body, timeout=10)


def account(kommo: StandInKommo, bearer: str) -> httpx.Response:
    return httpx.get(f"{kommo.account_base_url(SUB)}/api/v4/account", headers={"Authorization": f"Bearer {bearer}"},
                     timeout=10)


def test_a_code_minted_over_http_gives_tokens_once(stand_in):
    kommo, secret = stand_in
    base = kommo.account_base_url(SUB).rsplit("/", 1)[0]
    minted = httpx.post(f"{base}/_stand_in/accounts/{SUB}/authorization_code", timeout=10)
    assert minted.status_code == 200 and minted.json()["expires_in"] == 1200
    code = minted.json()["code"]

    first = exchange(kommo, secret, code)
    assert first.status_code == 200, first.text
    grant = first.json()
    assert grant["token_type"] == "Bearer" and grant["expires_in"] == 86400
    assert kommo.code_exchanges(SUB) == 1

    again = exchange(kommo, secret, code)
    assert again.status_code == 400 and "revoked" in again.json()["hint"]
    assert kommo.code_exchanges(SUB) == 1

    # The account endpoint answers the access token with the account's id and subdomain ...
    answer = account(kommo, grant["access_token"])
    assert answer.status_code == 200
    assert answer.json()["subdomain"] == SUB and isinstance(answer.json()["id"], int)
    assert account(kommo, "not-a-token").status_code == 401
    # ... and the refresh token rotates as before.
    refreshed = httpx.post(
        f"{kommo.account_base_url(SUB)}/oauth2/access_token",
        json={"client_id": CLIENT, "client_secret": secret, "grant_type": "refresh_token",
              "refresh_token": grant["refresh_token"], "redirect_uri": REDIRECT},
        timeout=10,
    )
    assert refreshed.status_code == 200 and refreshed.json()["refresh_token"] != grant["refresh_token"]


def test_a_code_lasts_twenty_minutes(stand_in, clock):
    kommo, secret = stand_in
    fresh, stale = kommo.issue_authorization_code(SUB), kommo.issue_authorization_code(SUB)
    clock.now += 19 * 60
    assert exchange(kommo, secret, fresh).status_code == 200
    clock.now += 2 * 60
    late = exchange(kommo, secret, stale)
    assert late.status_code == 400 and "expired" in late.json()["hint"]


def test_the_exchange_checks_the_client_and_the_redirect_uri(stand_in):
    kommo, secret = stand_in
    assert exchange(kommo, new_secret(), kommo.issue_authorization_code(SUB)).status_code == 401
    wrong = exchange(kommo, secret, kommo.issue_authorization_code(SUB), redirect="https://elsewhere.example/cb")
    assert wrong.status_code == 400 and "redirect_uri" in wrong.json()["hint"]
    assert exchange(kommo, secret, "def5-made-up").status_code == 400
    assert kommo.code_exchanges(SUB) == 0


def test_install_sends_a_code_to_the_redirect_uri(stand_in):
    kommo, secret = stand_in
    seen: dict = {}

    async def redirect_page(request):
        seen.update(request.query_params)
        return PlainTextResponse("ok")

    with ServerThread(Starlette(routes=[Route("/cb", redirect_page)])) as site:
        page = kommo.install(SUB, f"{site.url}/cb", state="s-1")
    assert page.status_code == 200
    assert seen["referer"] == f"{SUB}.kommo.com" and seen["state"] == "s-1" and seen["client_id"] == CLIENT
    assert exchange(kommo, secret, seen["code"]).status_code == 200
