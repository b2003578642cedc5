"""The stand-in Kommo over real HTTP: it signs like Kommo, accepts what Kommo accepts and rejects the rest, loudly."""

from __future__ import annotations

import logging
import time

import httpx
import jwt
import pytest
from kommo_scripted_relay import Account, goto, show_buttons, show_text

from demo.kommo import RelayRefused, RelayUnreachable, StandInKommo, new_secret
from demo.serving import free_port

GOOD = {"data": {"status": "choose_day"}, "execute_handlers": [show_text("Hola"), goto()]}


def post(url: str, body: object, token: str | None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.post(url, json=body, headers=headers, timeout=10)


def test_widget_request_is_a_kommo_jwt_verifiable_with_the_client_secret(kommo: StandInKommo, account: Account) -> None:
    data = {"lead_id": "123", "message": "Hola", "name": "Ana", "phone": "+56 9 1234 5678"}
    body, continue_id = kommo.widget_request(account.subdomain, data, bot_id="42", jti="jti-1")

    claims = jwt.decode(body["token"], account.secret, algorithms=["HS256"], audience=account.client_id)
    base = kommo.account_base_url(account.subdomain)
    assert claims["iss"] == base
    assert claims["jti"] == "jti-1"
    assert claims["subdomain"] == account.subdomain
    assert isinstance(claims["account_id"], int)
    assert claims["iat"] == claims["nbf"] and claims["exp"] == claims["iat"] + 300
    assert jwt.get_unverified_header(body["token"])["alg"] == "HS256"
    assert body["data"] == data
    assert body["return_url"] == f"{base}/api/v4/salesbot/42/continue/{continue_id}"


def test_forged_and_expired_widget_tokens_fail_verification(kommo: StandInKommo, account: Account) -> None:
    forged, _ = kommo.widget_request(account.subdomain, {}, secret=new_secret())
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(forged["token"], account.secret, algorithms=["HS256"], audience=account.client_id)
    expired, _ = kommo.widget_request(account.subdomain, {}, now=time.time() - 3600)
    with pytest.raises(jwt.ExpiredSignatureError):
        jwt.decode(expired["token"], account.secret, algorithms=["HS256"], audience=account.client_id)


def test_a_valid_continuation_is_accepted_and_recorded(kommo: StandInKommo, account: Account) -> None:
    body, continue_id = kommo.widget_request(account.subdomain, {"lead_id": "1"})
    response = post(body["return_url"], GOOD, account.token)

    assert response.status_code == 200
    record = kommo.wait_for_continuation_sync(continue_id, timeout=10)
    assert record.accepted and record.authorization_ok and record.reason == ""
    assert record.body == GOOD and record.subdomain == account.subdomain and record.bot_id == "77"
    assert record in kommo.continuations(account.subdomain)


def test_marketingbot_return_urls_work_too(kommo: StandInKommo, account: Account) -> None:
    body, continue_id = kommo.widget_request(account.subdomain, {}, bot_kind="marketingbot")
    assert "/api/v4/marketingbot/" in body["return_url"]
    assert post(body["return_url"], GOOD, account.token).status_code == 200


BROKEN = [
    pytest.param({"execute_handlers": []}, 'no "data"', id="no-data"),
    pytest.param({"data": ["x"]}, '"data" must be a JSON object', id="data-not-object"),
    pytest.param({"data": {}, "execute_handlers": {}}, "must be a list", id="handlers-not-list"),
    pytest.param({"data": {}, "execute_handlers": [show_text("x")] * 11}, "11 handlers", id="11-handlers"),
    pytest.param({"data": {}, "execute_handlers": [show_text("x" * 81)]}, "81 characters", id="value-81-chars"),
    pytest.param(
        {"data": {}, "execute_handlers": [show_buttons("Elige", ["a", "b", "c", "d"])]}, "at most 3", id="4-buttons"
    ),
    pytest.param(
        {"data": {}, "execute_handlers": [show_buttons("Elige", ["x" * 21])]}, "at most 20", id="button-21-chars"
    ),
    pytest.param(
        {"data": {}, "execute_handlers": [{"handler": "goto", "params": {"type": "jump", "step": 1}}]},
        "goto type 'jump'",
        id="goto-type",
    ),
    pytest.param({"data": {}, "execute_handlers": [goto("question", -1)]}, 'needs an integer "step"', id="goto-step"),
    pytest.param({"data": {}, "execute_handlers": [{"handler": "shw", "params": {}}]}, "unknown handler", id="typo"),
]


@pytest.mark.parametrize(("body", "reason"), BROKEN)
def test_each_broken_rule_is_rejected_loudly_with_its_reason(
    kommo: StandInKommo, account: Account, body: dict, reason: str, caplog: pytest.LogCaptureFixture
) -> None:
    request, continue_id = kommo.widget_request(account.subdomain, {})
    with caplog.at_level(logging.WARNING, logger="demo.kommo"):
        response = post(request["return_url"], body, account.token)
        record = kommo.wait_for_continuation_sync(continue_id, timeout=10)

    assert response.status_code == 400
    assert reason in response.json()["detail"]
    assert not record.accepted and reason in record.reason
    assert record in kommo.rejections()
    assert any("REJECTED" in r.getMessage() and reason in r.getMessage() for r in caplog.records)


def test_kommo_alone_allows_25_buttons_of_any_length(account: Account) -> None:
    lenient = StandInKommo(strict_whatsapp=False)
    lenient.add_account(account.subdomain, account.client_id, account.secret, long_lived_token=account.token)
    server = lenient.serve()
    try:
        fits, _ = lenient.widget_request(account.subdomain, {})
        many = {
            "data": {},
            "execute_handlers": [show_buttons("Elige", [f"Botón largo número {i:02}" for i in range(25)])],
        }
        assert post(fits["return_url"], many, account.token).status_code == 200
        too_many, continue_id = lenient.widget_request(account.subdomain, {})
        many["execute_handlers"][0]["params"]["buttons"].append("otro")
        assert post(too_many["return_url"], many, account.token).status_code == 400
        assert "26 buttons" in lenient.wait_for_continuation_sync(continue_id, 10).reason
    finally:
        server.stop()


def test_not_json_is_rejected(kommo: StandInKommo, account: Account) -> None:
    request, continue_id = kommo.widget_request(account.subdomain, {})
    response = httpx.post(
        request["return_url"], content=b"status=ok", headers={"Authorization": f"Bearer {account.token}"}
    )
    assert response.status_code == 400
    assert "not JSON" in kommo.wait_for_continuation_sync(continue_id, 10).reason


@pytest.mark.parametrize("token", [None, "not-the-token"])
def test_a_continuation_without_a_valid_bearer_is_refused(
    kommo: StandInKommo, account: Account, token: str | None
) -> None:
    request, continue_id = kommo.widget_request(account.subdomain, {})
    response = post(request["return_url"], GOOD, token)

    assert response.status_code == 401
    [record] = [r for r in kommo.rejections() if r.continue_id == continue_id]
    assert not record.accepted and not record.authorization_ok
    # A 401 does not settle the wait: a correct relay refreshes its token and tries again.
    assert post(request["return_url"], GOOD, account.token).status_code == 200
    assert kommo.wait_for_continuation_sync(continue_id, 10).accepted


def test_unknown_and_reused_continue_ids_are_refused(kommo: StandInKommo, account: Account) -> None:
    base = kommo.account_base_url(account.subdomain)
    never = post(f"{base}/api/v4/salesbot/77/continue/0123456789abcdef", GOOD, account.token)
    assert never.status_code == 404 and "never issued" in never.json()["detail"]

    request, continue_id = kommo.widget_request(account.subdomain, {})
    assert post(request["return_url"], GOOD, account.token).status_code == 200
    again = post(request["return_url"], GOOD, account.token)
    assert again.status_code == 409 and "already continued" in again.json()["detail"]
    assert kommo.wait_for_continuation_sync(continue_id, 10).accepted  # the waiter saw the first, accepted call

    other_bot = request["return_url"].replace("/salesbot/77/", "/salesbot/78/")
    assert post(other_bot, GOOD, account.token).status_code == 404


class FrozenClock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def test_more_than_7_requests_in_a_second_get_429(account: Account) -> None:
    clock = FrozenClock()
    kommo = StandInKommo(clock=clock)
    kommo.add_account(account.subdomain, account.client_id, account.secret, long_lived_token=account.token)
    server = kommo.serve()
    try:
        requests = [kommo.widget_request(account.subdomain, {}) for _ in range(9)]
        answers = [post(body["return_url"], GOOD, account.token).status_code for body, _ in requests[:8]]
        assert answers == [200] * 7 + [429]
        limited = kommo.wait_for_continuation_sync(requests[7][1], 10)
        assert not limited.accepted and "more than 7 requests in one second" in limited.reason

        clock.now += 1.0  # the window slides: the relay may go on
        assert post(requests[8][0]["return_url"], GOOD, account.token).status_code == 200
    finally:
        server.stop()


def refresh(kommo: StandInKommo, account: Account, refresh_token: str, secret: str | None = None) -> httpx.Response:
    return httpx.post(
        f"{kommo.account_base_url(account.subdomain)}/oauth2/access_token",
        json={
            "client_id": account.client_id,
            "client_secret": secret or account.secret,
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
            "redirect_uri": "https://relay.example/kommo/oauth",
        },
    )


def test_tokens_rotate_on_every_refresh_and_access_tokens_expire(account: Account) -> None:
    clock = FrozenClock()
    kommo = StandInKommo(clock=clock, access_token_ttl_s=86400)
    kommo.add_account(account.subdomain, account.client_id, account.secret)  # OAuth only: no long-lived token
    server = kommo.serve()
    try:
        first = kommo.issue_refresh_token(account.subdomain)
        assert refresh(kommo, account, first, secret=new_secret()).status_code == 401

        granted = refresh(kommo, account, first)
        assert granted.status_code == 200
        tokens = granted.json()
        assert tokens["token_type"] == "Bearer" and tokens["expires_in"] == 86400
        assert tokens["refresh_token"] != first

        reused = refresh(kommo, account, first)
        assert reused.status_code == 400 and "revoked" in reused.json()["hint"]

        request, _ = kommo.widget_request(account.subdomain, {})
        assert post(request["return_url"], GOOD, tokens["access_token"]).status_code == 200

        clock.now += 86400  # a day later the access token is dead; the rotated refresh token still works
        late, late_id = kommo.widget_request(account.subdomain, {})
        assert post(late["return_url"], GOOD, tokens["access_token"]).status_code == 401
        second = refresh(kommo, account, tokens["refresh_token"]).json()
        assert post(late["return_url"], GOOD, second["access_token"]).status_code == 200
        assert kommo.wait_for_continuation_sync(late_id, 10).accepted
        assert kommo.token_refreshes(account.subdomain) == 2
    finally:
        server.stop()


def test_injected_failures_let_a_retrying_relay_through(kommo: StandInKommo, account: Account) -> None:
    kommo.fail_next(account.subdomain, count=2, status=503)
    request, continue_id = kommo.widget_request(account.subdomain, {})
    statuses = [post(request["return_url"], GOOD, account.token).status_code for _ in range(3)]

    assert statuses == [503, 503, 200]
    assert kommo.wait_for_continuation_sync(continue_id, 10).accepted
    assert not [r for r in kommo.rejections() if r.continue_id == continue_id]


async def test_say_plays_one_patient_turn_through_a_relay(kommo: StandInKommo, account: Account, relay) -> None:
    scripted, relay_url = relay
    record = await kommo.say(f"{relay_url}/kommo/sur", account.subdomain, "lead-say", "Hola", timeout=20)

    assert record.accepted
    assert record.body["data"]["status"] == "choose_day"
    sent = scripted.received[-1]["data"]
    assert sent == {"lead_id": "lead-say", "message": "Hola", "name": "Ana Pérez", "phone": "+56 9 1234 5678"}
    assert kommo.lead_continuations("lead-say") == [record]
    assert record.widget_data == sent


async def test_say_reports_a_refusing_or_missing_relay(kommo: StandInKommo, account: Account, relay) -> None:
    _, relay_url = relay
    with pytest.raises(RelayRefused) as refused:
        await kommo.say(f"{relay_url}/kommo/nowhere", account.subdomain, "lead-x", "Hola")
    assert refused.value.status_code == 404
    with pytest.raises(RelayUnreachable):
        await kommo.say(f"http://127.0.0.1:{free_port()}/kommo/sur", account.subdomain, "lead-x", "Hola")


async def test_say_sends_a_shed_widget_request_again_as_kommo_does(
    kommo: StandInKommo, account: Account, relay
) -> None:
    scripted, relay_url = relay
    scripted.shed_next = 2
    record = await kommo.say(f"{relay_url}/kommo/sur", account.subdomain, "lead-shed", "Hola", timeout=20)

    assert record.accepted and record.body["data"]["status"] == "choose_day"
    assert scripted.shed == 2 and kommo.shed_retries >= 2
    assert [b["data"]["lead_id"] for b in scripted.received].count("lead-shed") == 1  # the third delivery got in

    scripted.shed_next = 1
    with pytest.raises(RelayRefused) as refused:
        await kommo.say(f"{relay_url}/kommo/sur", account.subdomain, "lead-shed", "Hola", retry_shed=False)
    assert refused.value.status_code == 503


async def test_async_wait_times_out_with_what_was_received(kommo: StandInKommo, account: Account) -> None:
    request, continue_id = kommo.widget_request(account.subdomain, {})
    post(request["return_url"], GOOD, "wrong-token")
    with pytest.raises(TimeoutError, match="HTTP 401"):
        await kommo.wait_for_continuation(continue_id, timeout=0.2)
