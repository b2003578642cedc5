"""The relay's pure parts, without sockets: request parsing, URL and transport checks, settings, the store."""

from __future__ import annotations

import time

import jwt
import pytest

from relay.agent_endpoint import effective_peer, transport_refusal
from relay.settings import RelaySettings, settings_from_env
from relay.store import ClinicDetails, SqliteStore, StoreError
from relay.widget_request import Refusal, parse_body, return_url_allowed, verify_token, widget_request

BASE = "https://clinica.kommo.com"


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        (f"{BASE}/api/v4/salesbot/77/continue/abc", True),
        (f"{BASE}/api/v4/marketingbot/77/continue/abc", True),
        (f"{BASE}:443/api/v4/salesbot/77/continue/abc", True),
        ("https://CLINICA.kommo.com/api/v4/salesbot/1/continue/2", True),
        (f"{BASE}/api/v4/salesbot/", False),
        (f"{BASE}/api/v4/leads/1", False),
        ("http://clinica.kommo.com/api/v4/salesbot/1/continue/2", False),
        ("https://clinica.kommo.com.evil.example/api/v4/salesbot/1/continue/2", False),
        ("https://other.kommo.com/api/v4/salesbot/1/continue/2", False),
        ("https://clinica.kommo.com:8443/api/v4/salesbot/1/continue/2", False),
        ("https://x@clinica.kommo.com/api/v4/salesbot/1/continue/2", False),
        (f"{BASE}/api/v4/salesbot/../../oauth2/access_token", False),
        (f"{BASE}/api/v4/salesbot/%2e%2e/oauth2", False),
        ("not a url", False),
        ("https://clinica.kommo.com:99999/api/v4/salesbot/1/continue/2", False),
    ],
)
def test_return_url_must_be_on_the_clinics_own_kommo(url, allowed):
    assert return_url_allowed(url, BASE) is allowed


def test_return_url_with_a_path_prefix_base():
    base = "http://127.0.0.1:8701/clinica"
    assert return_url_allowed(f"{base}/api/v4/salesbot/1/continue/2", base)
    assert not return_url_allowed("http://127.0.0.1:8701/otra/api/v4/salesbot/1/continue/2", base)
    assert not return_url_allowed("http://127.0.0.1:8701/clinica2/api/v4/salesbot/1/continue/2", base)


def test_bodies_json_and_form():
    assert parse_body(b'{"token": "t"}', "application/json; charset=utf-8") == {"token": "t"}
    form = parse_body(
        b"token=t&return_url=u&data%5Blead_id%5D=5&data%5Bmessage%5D=hola", "application/x-www-form-urlencoded"
    )
    assert form == {"token": "t", "return_url": "u", "data": {"lead_id": "5", "message": "hola"}}
    form = parse_body(b"token=t&data=%7B%22lead_id%22%3A%207%7D", "application/x-www-form-urlencoded")
    assert form["data"] == {"lead_id": 7}
    assert widget_request({"token": "t", "return_url": "u", "data": {"lead_id": 7}}).lead_id == "7"


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        ({"leads[add][0][id]": "1"}, 422, "account_webhook"),
        ({"account[subdomain]": "x", "unsorted[add][0][uid]": "1"}, 422, "account_webhook"),
        ({"data": {"lead_id": "1"}, "return_url": "u"}, 401, "missing_token"),
        ({"token": "t", "data": {"lead_id": "1"}}, 400, "missing_return_url"),
        ({"token": "t", "return_url": "u"}, 400, "missing_data"),
        ({"token": "t", "return_url": "u", "data": {"lead_id": ""}}, 400, "missing_lead_id"),
        ({"token": "t", "return_url": "u", "data": {"lead_id": {"x": 1}}}, 400, "malformed_body"),
        ({"token": "t", "return_url": "u", "data": {"lead_id": "1" * 65}}, 400, "missing_lead_id"),
        # a placeholder Kommo did not fill: one "lead" for every patient
        ({"token": "t", "return_url": "u", "data": {"lead_id": "{{lead.id}}"}}, 400, "missing_lead_id"),
        ({"token": "t", "return_url": "u", "data": {"lead_id": "{{lead_id}}"}}, 400, "missing_lead_id"),
        ({"token": "t", "return_url": "u", "data": {"lead_id": "lead id"}}, 400, "missing_lead_id"),
    ],
)
def test_widget_request_refusals(body, status, error):
    with pytest.raises(Refusal) as refusal:
        widget_request(body)
    assert (refusal.value.status, refusal.value.error) == (status, error)


def test_token_checks():
    secret = "s" * 48
    now = int(time.time())
    claims = {"iss": BASE, "jti": "j", "iat": now, "nbf": now, "exp": now + 300}
    assert verify_token(jwt.encode(claims, secret, algorithm="HS256"), secret, base_url=BASE, leeway_s=30)["jti"] == "j"
    skewed = {**claims, "iat": now + 20, "nbf": now + 20}
    assert verify_token(jwt.encode(skewed, secret, algorithm="HS256"), secret, base_url=BASE, leeway_s=30)
    other_account = {**claims, "iss": "https://otra.kommo.com"}
    with pytest.raises(Refusal, match="another Kommo account"):
        verify_token(jwt.encode(other_account, secret, algorithm="HS256"), secret, base_url=BASE, leeway_s=30)
    no_exp = {k: v for k, v in claims.items() if k != "exp"}
    with pytest.raises(Refusal, match="misses a required claim"):
        verify_token(jwt.encode(no_exp, secret, algorithm="HS256"), secret, base_url=BASE, leeway_s=30)
    with pytest.raises(Refusal, match="malformed"):
        verify_token("a.b.c", secret, base_url=BASE, leeway_s=30)


def test_transport_rules():
    settings = RelaySettings(data_dir="/nonexistent")  # type: ignore[arg-type]
    assert transport_refusal("127.0.0.1", "ws", {}, settings) == ""
    assert transport_refusal("::1", "ws", {}, settings) == ""
    assert transport_refusal("203.0.113.9", "ws", {}, settings) != ""
    assert transport_refusal("203.0.113.9", "wss", {}, settings) == ""
    # A remote peer cannot claim TLS with a header: only trusted proxies are believed.
    assert transport_refusal("203.0.113.9", "ws", {"x-forwarded-proto": "https"}, settings) != ""
    via_proxy = {"x-forwarded-for": "198.51.100.1, 203.0.113.9", "x-forwarded-proto": "http"}
    assert effective_peer("127.0.0.1", "ws", via_proxy, ("127.0.0.1",)) == ("203.0.113.9", False)
    assert transport_refusal("127.0.0.1", "ws", via_proxy, settings) != ""
    proxy_net = RelaySettings(data_dir="/x", trusted_proxies=("10.0.0.0/8",))  # type: ignore[arg-type]
    assert (
        transport_refusal("10.1.2.3", "ws", {"x-forwarded-proto": "https", "x-forwarded-for": "1.2.3.4"}, proxy_net)
        == ""
    )
    insecure_ok = RelaySettings(data_dir="/x", allow_insecure_agents=True)  # type: ignore[arg-type]
    assert transport_refusal("203.0.113.9", "ws", {}, insecure_ok) == ""


def test_settings_from_environment_and_overrides(tmp_path):
    env = {
        "CITA_RELAY_DATA": str(tmp_path),
        "CITA_RELAY_PORT": "9000",
        "CITA_RELAY_SLOTS_TIMEOUT_S": "3.5",
        "CITA_RELAY_ALLOW_INSECURE_AGENTS": "yes",
        "CITA_RELAY_TRUSTED_PROXIES": "10.0.0.0/8, 127.0.0.1",
    }
    settings = settings_from_env(env, port=9100)
    assert settings.data_dir == tmp_path and settings.port == 9100 and settings.slots_timeout_s == 3.5
    assert settings.allow_insecure_agents is True
    assert settings.trusted_proxies == ("10.0.0.0/8", "127.0.0.1")
    assert settings.book_timeout_s == 20.0
    with pytest.raises(ValueError):
        settings_from_env({"CITA_RELAY_ALLOW_INSECURE_AGENTS": "maybe"})


async def test_store_tokens_deliveries_and_rotation(tmp_path):
    store = SqliteStore(tmp_path / "relay.sqlite3")
    token = store.add_clinic(ClinicDetails("c1", kommo_subdomain="c1", kommo_client_id="i", kommo_client_secret="s"))
    assert (await store.clinic_for_agent_token(token)).name == "c1"
    assert await store.clinic_for_agent_token(token[:-1]) is None
    with pytest.raises(StoreError):
        store.add_clinic(ClinicDetails("c1", kommo_subdomain="c1", kommo_client_id="i", kommo_client_secret="s"))

    now = time.time()
    assert await store.claim_delivery("c1", [("jti:a", now + 60), ("msg:x", now + 5)], "u1", now) is None
    prior = await store.claim_delivery("c1", [("jti:b", now + 60), ("msg:x", now + 5)], "u2", now + 1)
    assert prior is not None and prior.return_url == "u1" and prior.reply is None
    await store.record_reply("c1", ["jti:a", "msg:x"], {"data": {"status": "choose_day"}})
    assert (await store.find_delivery("c1", ["jti:a"], now + 2)).reply == {"data": {"status": "choose_day"}}
    assert await store.claim_delivery("c1", [("msg:x", now + 20)], "u3", now + 10) is None  # the window passed

    store.set_oauth_tokens("c1", refresh_token="r1", redirect_uri="https://x")
    assert await store.store_rotated_tokens("c1", "r1", "a2", "r2", now + 86400)
    assert not await store.store_rotated_tokens("c1", "r1", "a3", "r3", now + 86400)  # r1 was already used
    tokens = await store.kommo_tokens("c1")
    assert (tokens.access_token, tokens.refresh_token, tokens.uses_oauth) == ("a2", "r2", True)

    await store.save_conversation("c1", "lead", {"stage": "x"}, now)
    first = await store.conversation_revision("c1", "lead")
    await store.keep_turn_state("c1", "lead", {"stage": "booking"}, now + 0.5)  # the agent acts: same question
    assert await store.load_conversation("c1", "lead") == {"stage": "booking"}
    assert await store.conversation_revision("c1", "lead") == first
    await store.forget_conversation("c1", "lead", now + 1)
    assert await store.load_conversation("c1", "lead") is None
    assert await store.conversation_revision("c1", "lead") not in ("", first)
    # A reply and the conversation's next state land together.
    before = await store.conversation_revision("c1", "lead")
    assert await store.claim_delivery("c1", [("msg:y", now + 5)], "u4", now) is None
    await store.settle_reply("c1", ["msg:y"], {"data": {"status": "choose_time"}}, "lead", {"stage": "y"}, now + 2)
    assert (await store.find_delivery("c1", ["msg:y"], now + 3)).reply == {"data": {"status": "choose_time"}}
    assert await store.load_conversation("c1", "lead") == {"stage": "y"}
    assert await store.conversation_revision("c1", "lead") not in ("", before)
    await store.settle_reply("c1", ["msg:y"], {"data": {"status": "booked"}}, "lead", None, now + 3)
    assert await store.load_conversation("c1", "lead") is None
    await store.purge_expired(now + 7200, 3600)
    assert await store.conversation_revision("c1", "lead") == ""
    assert store.remove_clinic("c1") and await store.kommo_tokens("c1") is None
    await store.close()


def test_widget_request_reads_the_optional_patient_field_keys_and_ignores_unfilled_ones():
    data = {"lead_id": "7", "email": " ana@correo.cl ", "national_id": "{{contact.cf_rut}}", "birth_date": "15/03/1985"}
    ask = widget_request({"token": "t", "return_url": "u", "data": data})
    assert (ask.email, ask.national_id, ask.birth_date) == ("ana@correo.cl", "", "15/03/1985")
    assert widget_request({"token": "t", "return_url": "u", "data": {"lead_id": "7"}}).email == ""


def test_data_keys_the_relay_does_not_read_are_kept_to_be_logged_not_refused():
    from relay.widget_request import widget_request

    body = {"token": "t.t.t", "return_url": "https://clinic.kommo.com/api/v4/salesbot/1/continue/2",
            "data": {"lead_id": "7", "message": "hola", "name": "Ana", "phone": "+56 9 1", "phnoe": "x", "mail": "y"}}
    ask = widget_request(body)
    assert ask.lead_id == "7" and ask.unknown_keys == ("mail", "phnoe")


def test_return_url_shortcut_never_allows_what_the_full_check_refuses():
    """The clinic's prefixes let the usual continue URL through without parsing it; on any URL the verdict is the
    full check's (scheme, host, port, path prefix, no user info, fragment, escape or dot segment)."""
    import random

    from relay.widget_request import _return_url_allowed

    bases = [BASE, "http://127.0.0.1:8701/clinica", "https://Clinica.Kommo.com/", "https://x.kommo.com:443",
             "http://h:80/a/b/", "http://[::1]:9/x", "https://u:p@x.kommo.com"]
    pieces = ["", "/", "api", "/api/v4/salesbot/", "/api/v4/marketingbot/", "1", "/continue/", "abc", ".", "..",
              "/./", "/../", "%2e", "?q=1", "#f", "@", ":443", ":80", "x.kommo.com", "https://", "http://",
              "127.0.0.1:8701", "/clinica", "clinica.kommo.com", "\\", "-", "_", "//"]
    picks = random.Random(13)
    allowed = 0
    for _ in range(20_000):
        base = picks.choice(bases)
        tail = "".join(picks.choice(pieces) for _ in range(picks.randrange(0, 5)))
        if picks.random() < 0.5:
            url = base.rstrip("/") + "/api/v4/" + picks.choice(["salesbot/", "marketingbot/"]) + tail
        else:
            url = "".join(picks.choice(pieces) for _ in range(picks.randrange(1, 9)))
        verdict = return_url_allowed(url, base)
        assert verdict is _return_url_allowed(url, base), (url, base)
        allowed += verdict
    assert allowed > 1000  # the shortcut was taken, not only refusals compared
