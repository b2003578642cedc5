"""POST /kommo/{clinic}: who may call it, with what, and what a refusal says."""

from __future__ import annotations

import asyncio
import json
import time
import urllib.parse

import jwt
import pytest
from relay_harness import buttons_of

from demo.kommo import new_secret


def data(lead="900", message="Hola"):
    return {"lead_id": lead, "message": message, "name": "Ana Pérez", "phone": "+56 9 8765 4321"}


@pytest.fixture
async def clinic_with_agent(relay):
    clinic = relay.add_clinic()
    agent = await relay.agent(clinic)
    return clinic, agent


async def refused(relay, clinic, body, **kw):
    response = await relay.post_widget(clinic, body, **kw)
    return response.status_code, response.json()


def logged_reason(caplog) -> dict:
    """Why the last request was refused, as the operator's log says (a 401's answer says only "unauthorized")."""
    records = [r for r in caplog.records if r.getMessage() == "kommo_request_refused"]
    return records[-1].relay_fields


UNAUTHORIZED = {
    "error": "unauthorized",
    "detail": "the widget_request token was not accepted for this URL; the relay's log says why",
}


async def test_missing_token_is_401(relay, kommo, clinic_with_agent, caplog):
    clinic, agent = clinic_with_agent
    body, _ = kommo.widget_request(clinic.subdomain, data())
    del body["token"]
    status, answer = await refused(relay, clinic, body)
    assert (status, answer) == (401, UNAUTHORIZED)
    assert logged_reason(caplog)["error"] == "missing_token"


async def test_forged_token_is_401(relay, kommo, clinic_with_agent, caplog):
    clinic, agent = clinic_with_agent
    body, _ = kommo.widget_request(clinic.subdomain, data(), secret=new_secret())
    status, answer = await refused(relay, clinic, body)
    assert (status, answer) == (401, UNAUTHORIZED) and "signature" in logged_reason(caplog)["detail"]


async def test_expired_token_is_401(relay, kommo, clinic_with_agent, caplog):
    clinic, agent = clinic_with_agent
    body, _ = kommo.widget_request(clinic.subdomain, data(), now=time.time() - 3600, lifetime_s=300)
    status, answer = await refused(relay, clinic, body)
    assert (status, answer) == (401, UNAUTHORIZED) and logged_reason(caplog)["detail"] == "token expired"


async def test_token_from_the_future_is_401_but_small_skew_is_fine(relay, kommo, clinic_with_agent, caplog):
    clinic, agent = clinic_with_agent
    body, _ = kommo.widget_request(clinic.subdomain, data(), now=time.time() + 600)
    status, answer = await refused(relay, clinic, body)
    assert status == 401
    assert logged_reason(caplog)["detail"] in ("token not yet valid", "token issued in the future")
    skewed, continue_id = kommo.widget_request(clinic.subdomain, data(lead="901"), now=time.time() + 20)
    assert (await relay.post_widget(clinic, skewed)).status_code == 200
    assert (await kommo.wait_for_continuation(continue_id)).accepted


async def test_other_clinics_token_is_401(relay, kommo, clinic_with_agent):
    clinic, agent = clinic_with_agent
    other = relay.add_clinic()
    body, _ = kommo.widget_request(other.subdomain, data())
    body["return_url"] = body["return_url"].replace(f"/{other.subdomain}/", f"/{clinic.subdomain}/")
    status, answer = await refused(relay, clinic, body)
    assert status == 401
    assert agent.requests == []


async def test_algorithm_is_pinned_to_hs256(relay, kommo, clinic_with_agent):
    clinic, agent = clinic_with_agent
    body, _ = kommo.widget_request(clinic.subdomain, data())
    claims = jwt.decode(body["token"], options={"verify_signature": False})
    body["token"] = jwt.encode(claims, clinic.client_secret, algorithm="HS512")
    assert (await refused(relay, clinic, body))[0] == 401
    header = jwt.utils.base64url_encode(json.dumps({"alg": "none", "typ": "JWT"}).encode()).decode()
    payload = jwt.utils.base64url_encode(json.dumps(claims).encode()).decode()
    body["token"] = f"{header}.{payload}."
    assert (await refused(relay, clinic, body))[0] == 401
    assert agent.requests == []


@pytest.mark.parametrize(
    "mangle",
    [
        lambda url: url.replace("http://127.0.0.1", "http://127.0.0.2"),
        lambda url: url.replace("http://", "https://"),
        lambda url: url.replace("/api/v4/salesbot/", "/api/v4/leads/"),
        lambda url: url.rsplit(":", 1)[0] + ":1" + "/" + url.split("/", 3)[3],
        lambda url: url.replace("http://", "http://evil.example@"),
        lambda url: url.replace("/api/v4/salesbot/", "/api/v4/salesbot/../../oauth2/"),
        lambda url: "https://evil.example/api/v4/salesbot/1/continue/2",
    ],
    ids=["other-host", "other-scheme", "other-path", "other-port", "userinfo", "dot-dot", "foreign"],
)
async def test_foreign_return_url_is_refused_and_never_called(relay, kommo, clinic_with_agent, mangle):
    clinic, agent = clinic_with_agent
    body, _ = kommo.widget_request(clinic.subdomain, data())
    body["return_url"] = mangle(body["return_url"])
    status, answer = await refused(relay, clinic, body)
    assert (status, answer["error"]) == (400, "foreign_return_url")
    assert agent.requests == []


async def test_marketingbot_return_url_is_accepted(relay, kommo, clinic_with_agent):
    clinic, agent = clinic_with_agent
    body, continue_id = kommo.widget_request(clinic.subdomain, data(lead="902"), bot_kind="marketingbot")
    assert (await relay.post_widget(clinic, body)).status_code == 200
    record = await kommo.wait_for_continuation(continue_id)
    assert record.accepted and record.body["data"]["status"] == "choose_day"


async def test_form_encoded_widget_request_works(relay, kommo, clinic_with_agent):
    clinic, agent = clinic_with_agent
    body, continue_id = kommo.widget_request(clinic.subdomain, data(lead="903"))
    form = {"token": body["token"], "return_url": body["return_url"]}
    form.update({f"data[{k}]": v for k, v in body["data"].items()})
    raw = urllib.parse.urlencode(form).encode()
    response = await relay.post_widget(clinic, None, raw=raw, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    record = await kommo.wait_for_continuation(continue_id)
    assert record.accepted and buttons_of(record.body)


async def test_account_webhook_gets_a_clear_4xx(relay, kommo, clinic_with_agent):
    clinic, agent = clinic_with_agent
    form = {
        "leads[status][0][id]": "123",
        "leads[status][0][status_id]": "456",
        "account[id]": "31000001",
        "account[subdomain]": clinic.subdomain,
    }
    raw = urllib.parse.urlencode(form).encode()
    status, answer = await refused(relay, clinic, None, raw=raw, content_type="application/x-www-form-urlencoded")
    assert status == 422 and answer["error"] == "account_webhook"
    assert "widget_request" in answer["detail"]
    message_event = urllib.parse.urlencode({"message[add][0][text]": "hola", "message[add][0][chat_id]": "c1"})
    status, answer = await refused(
        relay, clinic, None, raw=message_event.encode(), content_type="application/x-www-form-urlencoded"
    )
    assert status == 422 and answer["error"] == "account_webhook"
    assert agent.requests == []


@pytest.mark.parametrize(
    ("raw", "content_type", "error"),
    [
        (b"{not json", "application/json", "malformed_body"),
        (b"[1, 2, 3]", "application/json", "malformed_body"),
        (b"\xff\xfe\x00", "application/json", "malformed_body"),
        (b'{"token": "x", "data": {"lead_id": "1"}}', "application/json", "missing_return_url"),
        (b"<xml/>", "application/xml", "unsupported_media_type"),
    ],
)
async def test_malformed_bodies_are_4xx_not_crashes(relay, clinic_with_agent, raw, content_type, error):
    clinic, agent = clinic_with_agent
    response = await relay.post_widget(clinic, None, raw=raw, content_type=content_type)
    assert 400 <= response.status_code < 500
    assert response.json()["error"] == error


async def test_missing_lead_is_400(relay, kommo, clinic_with_agent):
    clinic, agent = clinic_with_agent
    body, _ = kommo.widget_request(clinic.subdomain, {"message": "hola"})
    status, answer = await refused(relay, clinic, body)
    assert (status, answer["error"]) == (400, "missing_lead_id")


async def test_an_unfilled_lead_placeholder_is_400_never_one_conversation_for_everyone(relay, kommo, clinic_with_agent):
    clinic, agent = clinic_with_agent
    for phone in ("+56 9 1111 2025", "+56 9 1111 2026"):
        body, _ = kommo.widget_request(clinic.subdomain, {**data(lead="{{lead_id}}"), "phone": phone})
        status, answer = await refused(relay, clinic, body)
        assert (status, answer["error"]) == (400, "missing_lead_id")


async def test_oversized_body_is_413(relay, kommo, clinic_with_agent):
    clinic, agent = clinic_with_agent
    body, _ = kommo.widget_request(clinic.subdomain, data(message="x" * 70_000))
    status, answer = await refused(relay, clinic, body)
    assert (status, answer["error"]) == (413, "body_too_large")
    assert agent.requests == []


async def test_unknown_clinic_is_answered_as_a_bad_token(relay, kommo, clinic_with_agent, caplog):
    clinic, agent = clinic_with_agent
    body, _ = kommo.widget_request(clinic.subdomain, data())
    unknown = await relay.post_widget("no-such-clinic", body)
    assert logged_reason(caplog)["error"] == "unknown_clinic"
    forged, _ = kommo.widget_request(clinic.subdomain, data(), secret=new_secret())
    bad_token = await relay.post_widget(clinic, forged)
    assert unknown.status_code == bad_token.status_code == 401
    assert unknown.content == bad_token.content and unknown.json() == UNAUTHORIZED
    # A malformed body is refused the same way whether or not the clinic exists.
    for name in ("no-such-clinic", clinic.name):
        answer = await relay.post_widget(name, None, raw=b"{not json")
        assert (answer.status_code, answer.json()["error"]) == (400, "malformed_body")


async def test_the_200_comes_before_the_agent_answers(relay, kommo):
    clinic = relay.add_clinic()
    agent = await relay.agent(clinic, slots_delay_s=2.0)
    body, continue_id = kommo.widget_request(clinic.subdomain, data(lead="904"))
    response = await relay.post_widget(clinic, body)
    assert response.status_code == 200
    # Kommo has its 200 while the agent is still working on the slots.
    assert [c for c in kommo.continuations(clinic.subdomain) if c.continue_id == continue_id] == []
    record = await kommo.wait_for_continuation(continue_id)
    assert record.accepted and record.body["data"]["status"] == "choose_day"
    await asyncio.sleep(0)
    assert len(agent.requests) == 1
