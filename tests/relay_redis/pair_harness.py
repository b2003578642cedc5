"""Two relay instances sharing one Redis, as the one-instance tests see a relay (``RelayHarness``'s interface).

``RelayPair`` is instance A with a peer B: Kommo's calls go to A (``widget_url``, ``say``), while scripted agents
connect to B (``ws_url``), so every agent request crosses Redis; ``post_widget`` alternates A, B, A... so a
repeated delivery lands on both. The instances run in-process (uvicorn threads); the tests that kill an instance
start real `cita-relay serve` processes instead.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import httpx
from relay_harness import ClinicInfo, RelayHarness

from demo.kommo import StandInKommo
from relay.cluster.store import RedisClinicAdmin


class RedisRelayHarness(RelayHarness):
    """One relay instance on Redis (``cita-relay serve --redis URL`` in a thread)."""

    def __init__(self, data_dir: Path, kommo: StandInKommo, redis_url: str, **overrides: Any) -> None:
        super().__init__(data_dir, kommo, redis_url=redis_url, **overrides)

    def store(self) -> RedisClinicAdmin:  # type: ignore[override]
        return RedisClinicAdmin(self.settings.redis_url)

    async def health_response(self) -> httpx.Response:
        async with httpx.AsyncClient(timeout=10) as http:
            return await http.get(f"{self.url}/healthz", headers=self.operator_headers)


class RelayPair(RedisRelayHarness):
    """Instance A (this object) and instance B (``peer``) on the same Redis."""

    def __init__(self, data_dir: Path, kommo: StandInKommo, redis_url: str, **overrides: Any) -> None:
        super().__init__(data_dir / "a", kommo, redis_url, instance_name="relay-a", **overrides)
        self.peer = RedisRelayHarness(data_dir / "b", kommo, redis_url, instance_name="relay-b", **overrides)
        self._next = itertools.cycle((self, self.peer))

    def start(self) -> RelayPair:
        super().start()
        self.peer.start()
        return self

    def stop(self) -> None:
        # B first: it holds the agents, and A's turns waiting on them end as soon as B lets them go.
        self.peer.stop()
        super().stop()

    @property
    def ws_url(self) -> str:
        return self.peer.url.replace("http://", "ws://") + "/agent"

    async def post_widget(
        self, clinic: ClinicInfo | str, body: Any, *, content_type: str = "application/json", raw: bytes | None = None
    ) -> httpx.Response:
        instance = next(self._next)
        return await RelayHarness.post_widget(instance, clinic, body, content_type=content_type, raw=raw)

    async def healthz(self) -> dict[str, Any]:
        """A's report (the deployment's view of every clinic), with the turns in flight on both instances."""
        mine = await super().healthz()
        if self.peer.server is None:  # B was stopped by the test
            return mine
        theirs = await self.peer.healthz()
        return {**mine, "turns_in_flight": mine["turns_in_flight"] + theirs["turns_in_flight"]}
