"""A stand-in Kommo and a scripted relay per test module, both served on loopback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from kommo_scripted_relay import Account, ScriptedRelay

from demo.kommo import StandInKommo, new_secret
from demo.serving import ServerThread

SUBDOMAIN = "clinica-sur"
CLIENT_ID = "3f1c2a9e-client"


@pytest.fixture(scope="module")
def account() -> Account:
    return Account(SUBDOMAIN, CLIENT_ID, new_secret(), "ll-" + new_secret())


@pytest.fixture(scope="module")
def kommo(account: Account) -> Iterator[StandInKommo]:
    # These tests fire calls back to back; the 7/s budget has its own test with a frozen clock.
    stand_in = StandInKommo(rate_limit_per_s=10_000)
    stand_in.add_account(account.subdomain, account.client_id, account.secret, long_lived_token=account.token)
    server = stand_in.serve()
    try:
        yield stand_in
    finally:
        server.stop()


@pytest.fixture(scope="module")
def relay(account: Account) -> Iterator[tuple[ScriptedRelay, str]]:
    scripted = ScriptedRelay(clinics={"sur": account})
    with ServerThread(scripted.app) as server:
        yield scripted, server.url
