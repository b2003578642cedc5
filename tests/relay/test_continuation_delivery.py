"""Continuations reach a slow or busy Kommo: retried for minutes, never sooner than Retry-After, a POST in flight
never sent twice, and a lead's continuations in order. Against a tiny Kommo-like server on loopback."""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections import defaultdict

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from demo.serving import ServerThread
from relay.http_client import HttpClient
from relay.kommo_client import AccountRateLimit, KommoClient, retry_after_s
from relay.settings import RelaySettings
from relay.store import ClinicDetails, SqliteStore


class SlowKommo:
    """``/continue/{id}``: answers as scripted per id ("slow:S", "busy:N:R" = N 429s with Retry-After R, "down:N")."""

    def __init__(self) -> None:
        self.calls: dict[str, int] = defaultdict(int)
        self.accepted: list[str] = []
        self.app = Starlette(routes=[Route("/api/v4/salesbot/1/continue/{cid}", self.continue_, methods=["POST"])])

    async def continue_(self, request: Request) -> JSONResponse:
        cid = request.path_params["cid"]
        await request.body()
        self.calls[cid] += 1
        kind, *args = cid.split("-")
        if kind == "slow":
            await asyncio.sleep(float(args[0]))
        elif kind == "busy" and self.calls[cid] <= int(args[0]):
            return JSONResponse({"title": "Too Many Requests"}, 429, headers={"Retry-After": args[1]})
        elif kind == "down" and self.calls[cid] <= int(args[0]):
            return JSONResponse({"title": "Service Unavailable"}, 503)
        self.accepted.append(cid)
        return JSONResponse({"accepted": True})


@pytest.fixture(scope="module")
def slow_kommo():
    kommo = SlowKommo()
    with ServerThread(kommo.app) as server:
        kommo.url = server.url
        yield kommo


_names = itertools.count(1)


@pytest.fixture
async def make_client(tmp_path, slow_kommo):
    store = SqliteStore(tmp_path / "relay.sqlite3")
    http = HttpClient()
    name = f"c{next(_names)}"
    store.add_clinic(
        ClinicDetails(
            name,
            kommo_subdomain=name,
            kommo_client_id="id",
            kommo_client_secret="s" * 32,
            long_lived_token="llt-token",
            kommo_base_url=slow_kommo.url,
        )
    )
    clinic = await store.get_clinic(name)

    def factory(**options):
        client = KommoClient(store, http, AccountRateLimit(7.0), **options)
        return client, clinic

    yield factory
    await http.aclose()
    await store.close()


def url(kommo, cid):
    return f"{kommo.url}/api/v4/salesbot/1/continue/{cid}"


async def test_a_slow_answer_is_waited_for_and_never_posted_twice(make_client, slow_kommo):
    client, clinic = make_client(timeout_s=0.3, answer_wait_s=30.0, backoff_s=0.01)
    outcome = await client.continue_bot(clinic, url(slow_kommo, "slow-1.5-a"), {"data": {}})
    assert outcome.delivered and outcome.attempts == 1
    assert slow_kommo.calls["slow-1.5-a"] == 1


async def test_no_answer_at_all_ends_without_a_second_post(make_client, slow_kommo, caplog):
    client, clinic = make_client(timeout_s=0.3, answer_wait_s=0.5, backoff_s=0.01)
    outcome = await client.continue_bot(clinic, url(slow_kommo, "slow-3-b"), {"data": {}})
    assert not outcome.delivered
    assert slow_kommo.calls["slow-3-b"] == 1
    assert any(r.getMessage() == "continuation_unanswered" for r in caplog.records)


async def test_retry_after_is_honoured(make_client, slow_kommo, caplog):
    caplog.set_level(logging.WARNING, "relay.kommo")
    client, clinic = make_client(backoff_s=0.01)
    outcome = await client.continue_bot(clinic, url(slow_kommo, "busy-1-1-c"), {"data": {}})
    assert outcome.delivered and outcome.attempts == 2
    retries = [r for r in caplog.records if r.getMessage() == "continuation_retry"]
    assert len(retries) == 1
    assert retries[0].relay_fields["retry_after_s"] == 1.0 and retries[0].relay_fields["retry_in_s"] >= 1.0


async def test_retries_go_on_well_past_a_handful_and_then_give_up(make_client, slow_kommo):
    client, clinic = make_client(backoff_s=0.005, max_backoff_s=0.02)
    outcome = await client.continue_bot(clinic, url(slow_kommo, "down-9-d"), {"data": {}})
    assert outcome.delivered and outcome.attempts == 10
    short, clinic = make_client(backoff_s=0.005, max_backoff_s=0.02, retry_for_s=0.3)
    outcome = await short.continue_bot(clinic, url(slow_kommo, "down-100000-e"), {"data": {}})
    assert not outcome.delivered and 2 <= outcome.attempts < 100


async def test_a_leads_continuations_are_delivered_in_order(make_client, slow_kommo):
    client, clinic = make_client(backoff_s=0.05, max_backoff_s=0.05)
    first = asyncio.ensure_future(client.continue_bot(clinic, url(slow_kommo, "down-3-f1"), {"n": 1}, lead="L"))
    second = asyncio.ensure_future(client.continue_bot(clinic, url(slow_kommo, "slow-0-f2"), {"n": 2}, lead="L"))
    other = asyncio.ensure_future(client.continue_bot(clinic, url(slow_kommo, "slow-0-f3"), {"n": 3}, lead="M"))
    outcomes = await asyncio.gather(first, second, other)
    assert all(o.delivered for o in outcomes)
    order = [cid for cid in slow_kommo.accepted if cid.endswith(("f1", "f2", "f3"))]
    assert order.index("slow-0-f3") < order.index("down-3-f1") < order.index("slow-0-f2")


def test_retry_after_values_and_the_default_retry_span():
    assert retry_after_s("3", 0.0) == 3.0
    assert retry_after_s("Wed, 21 Oct 2015 07:28:10 GMT", 1445412480.0) == 10.0
    assert retry_after_s("soon", 0.0) is None and retry_after_s(None, 0.0) is None
    settings = RelaySettings(data_dir=".")
    assert settings.continuation_retry_for_s >= 120
    assert settings.continuation_answer_wait_s > settings.continuation_timeout_s
