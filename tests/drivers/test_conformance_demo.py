"""The conformance suite against the stand-in clinic web app (demo/portal) and its driver."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from conformance import *  # noqa: F403
from portal.support import FROZEN_NOW, STAFF_PASSWORD, frozen_clock, make_driver, running_portal

from agent.portal.base import Patient, Slot


class DemoTarget:
    password = STAFF_PASSWORD
    save_url_glob = "**/api/citas"

    def __init__(self, portal, browser_path: str) -> None:
        self.portal = portal
        self.browser_path = browser_path

    def make(self, work_dir: Path, *, password: str | None = None, timeout_s: float = 20):
        return make_driver(self.portal, self.browser_path, work_dir, password=password, timeout_s=timeout_s)

    def truth(self, days: int) -> list[dict[str, str]]:
        return self.portal.admin.free_slots(days)

    def logins(self) -> int:
        return self.portal.requests.count("POST /login")

    def expire_sessions(self) -> None:
        self.portal.admin.expire_sessions()

    def appointments_with(self, reference: str) -> list[dict]:
        return [a for a in self.portal.admin.appointments() if reference in a.get("note", "")]

    async def take_as_staff(self, slot: Slot, work_dir: Path) -> None:
        async with make_driver(self.portal, self.browser_path, work_dir) as staff:  # the agenda's own screens
            await staff.book(slot.id, Patient("Paciente del mesón", "+56 9 7777 0000"), f"staff-{uuid.uuid4().hex}")


@pytest.fixture(scope="module")
def target(browser_path):
    with running_portal(clock=frozen_clock(FROZEN_NOW)) as portal:
        yield DemoTarget(portal, browser_path)
