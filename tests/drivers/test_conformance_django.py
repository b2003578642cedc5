"""The conformance suite against django-appointment (PyPI, unmodified) and its driver."""

from __future__ import annotations

import sqlite3
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conformance import *  # noqa: F403
from django_site import RECEPTION_USER, STAFF_PASSWORD, TIME_ZONE

from agent.drivers.django_appointment import DjangoAppointmentDriver
from agent.portal.base import BrowserChoice, Credentials, Patient, Slot
from agent.portal.retry import RetryPolicy


class DjangoTarget:
    password = STAFF_PASSWORD
    save_url_glob = "**/update_appt_min_info/"

    def __init__(self, site, browser_path: str) -> None:
        self.site = site
        self.browser_path = browser_path

    def make(self, work_dir: Path, *, password: str | None = None, timeout_s: float = 20):
        return DjangoAppointmentDriver(
            self.site.url, Credentials(RECEPTION_USER, STAFF_PASSWORD if password is None else password),
            BrowserChoice(executable_path=self.browser_path), work_dir, settings={"time_zone": TIME_ZONE},
            retry=RetryPolicy(attempts=3, base_delay_s=0.05), timeout_s=timeout_s,
        )

    def truth(self, days: int) -> list[dict[str, str]]:
        return self.site.truth("Consulta general", days, 30, datetime.now(UTC))

    def logins(self) -> int:
        log = (self.site.folder / "runserver.log").read_text(encoding="utf-8", errors="replace")
        return log.count('"POST /admin/login/')

    def expire_sessions(self) -> None:
        with sqlite3.connect(self.site.folder / "clinic.sqlite3") as db:
            db.execute("DELETE FROM django_session")

    def appointments_with(self, reference: str) -> list[dict]:
        return [a for a in self.site.appointments() if reference in (a["additional_info"] or "")]

    async def take_as_staff(self, slot: Slot, work_dir: Path) -> None:
        async with self.make(work_dir) as staff:  # the staff calendar's own "New Appointment" dialog
            await staff.book(slot.id, Patient("Paciente del mesón", "+56 9 7777 0000"), f"staff-{uuid.uuid4().hex}")


@pytest.fixture(scope="module")
def target(django_app, browser_path):
    return DjangoTarget(django_app, browser_path)
