"""The pure parts of installing a clinic's Kommo: the install state, the referer check, reading Kommo's answer."""

from __future__ import annotations

import pytest

from relay.kommo_oauth import (
    CodeRefused,
    exchange_request,
    install_link,
    install_state,
    read_grant,
    redirect_uri,
    referer_matches,
    refusal_text,
    state_matches,
)
from relay.store import Clinic

SOL = Clinic("clinica-sol", "clinicasol", "https://clinicasol.kommo.com", "cid-sol", "secret-sol")


def test_the_state_is_the_clinics_and_needs_its_secret():
    state = install_state(SOL)
    assert state_matches(SOL, state) and state_matches(SOL, f" {state}\n")
    assert not state_matches(SOL, "")
    assert not state_matches(SOL, install_state(Clinic("otra", "clinicasol", SOL.kommo_base_url, "cid-sol", "secret-sol")))
    assert not state_matches(SOL, install_state(Clinic("clinica-sol", "clinicasol", SOL.kommo_base_url, "cid", "otro")))
    assert not state_matches(SOL, "ñ" * 40)
    assert "secret-sol" not in install_link(SOL) and f"state={state}" in install_link(SOL)
    assert redirect_uri("https://relay.example.com/", "clinica-sol") == "https://relay.example.com/kommo/oauth/clinica-sol"


@pytest.mark.parametrize(
    ("referer", "ok"),
    [
        ("clinicasol.kommo.com", True),
        ("https://clinicasol.kommo.com/", True),
        ("ClinicaSol.Kommo.com", True),
        ("clinicasol.amocrm.ru", True),
        ("otra.kommo.com", False),
        ("clinicasol.kommo.com.evil.example", False),
        ("clinicasol", False),
        ("", False),
    ],
)
def test_the_referer_must_be_the_clinics_own_account(referer, ok):
    assert referer_matches(SOL, referer) is ok


def test_the_exchange_goes_to_the_clinics_kommo():
    url, body = exchange_request(SOL, " def5abc \n", "https://relay.example.com/kommo/oauth/clinica-sol")
    assert url == "https://clinicasol.kommo.com/oauth2/access_token"
    assert body == {"client_id": "cid-sol", "client_secret": "secret-sol", "grant_type": "authorization_code",
                    "code": "def5abc", "redirect_uri": "https://relay.example.com/kommo/oauth/clinica-sol"}


def test_reading_kommos_answer():
    grant = read_grant(200, {"access_token": "a", "refresh_token": "r", "expires_in": 86400}, now=100.0)
    assert (grant.access_token, grant.refresh_token, grant.expires_at) == ("a", "r", 86500.0)
    cases = [
        (400, {"hint": "Authorization code has expired"}, "code_expired"),
        (400, {"hint": "Authorization code has been revoked"}, "code_expired"),
        (401, {"hint": "Client authentication failed"}, "client_rejected"),
        (400, {"hint": "redirect_uri does not match"}, "redirect_mismatch"),
        (503, None, "kommo_error"),
        (200, {"access_token": "a"}, "kommo_error"),
    ]
    for status, payload, reason in cases:
        with pytest.raises(CodeRefused) as refused:
            read_grant(status, payload, now=0.0)
        assert refused.value.reason == reason


def test_the_expired_code_sentence_says_what_to_do_in_both_languages():
    assert "el código dura 20 minutos; copia uno nuevo en Kommo → Integraciones → Claves" in refusal_text(
        "code_expired", "es"
    )
    assert "a code lasts 20 minutes; copy a new one in Kommo → Integrations → Keys" in refusal_text(
        "code_expired", "en"
    )
    assert refusal_text("something_new", "pt") == refusal_text("kommo_error", "en")


def test_a_refusal_printed_by_the_cli_names_the_clinic_in_its_commands():
    from relay.cli_kommo import for_this_clinic
    from relay.kommo_oauth import refusal_text

    for language in ("es", "en"):
        secret = for_this_clinic(refusal_text("client_rejected", language), "clinica-sol")
        assert "`cita-relay set-kommo-secret clinica-sol --kommo-secret-stdin" in secret
        assert "CLINICA" not in secret and " CLINIC " not in secret
        link = for_this_clinic(refusal_text("redirect_mismatch", language), "clinica-sol")
        assert "`cita-relay kommo-install-link clinica-sol`" in link
