"""A throwaway third-party driver package, written into a folder as pip would install it (code + .dist-info).

It declares its driver through the ``cita_bridge.drivers`` entry point only: nothing in the product names it.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

PACKAGE = "acme-agenda-driver"
VERSION = "1.2.0"
DRIVER_NAME = "acme-agenda"
TITLE = "Acme Agenda (sucursales)"

_DRIVER_CODE = '''
"""A driver of the (imaginary) Acme Agenda, shipped by a third party."""
from datetime import datetime, timedelta, timezone

from agent.portal.base import Slot
from agent.portal.capabilities import DriverCapabilities
from agent.portal.driver_settings import DriverSetting


class AcmeAgendaDriver:
    title = "Acme Agenda (sucursales)"
    title_en = "Acme Agenda (branches)"
    capabilities = DriverCapabilities(free_time="derived", can_find_by_phone=True, needs_service=True)
    settings = (
        DriverSetting("branch", help="Sucursal donde se agenda", help_en="Branch to book in"),
        DriverSetting("minutes", kind="int", default=30, help="Duración de la cita", help_en="Appointment length"),
    )

    def __init__(self, url, credentials, browser, work_dir, *, settings):
        self.branch = settings["branch"]
        self.minutes = settings["minutes"]

    async def start(self):
        pass

    async def login(self):
        pass

    async def free_slots(self, days, professional=None):
        tz = timezone(timedelta(hours=-3))
        start = datetime(2030, 1, 7, 9, 0, tzinfo=tz)
        end = start + timedelta(minutes=self.minutes)
        return [Slot("acme-1", start, end, "Dra. Acme (" + self.branch + ")")]

    async def book(self, slot_id, patient, reference):
        raise NotImplementedError

    async def find_booking(self, slot_id, reference):
        return None

    async def close(self):
        pass
'''


def write_package(folder: Path) -> Path:
    """``folder`` now holds the package as site-packages would; put it on sys.path / PYTHONPATH."""
    code = folder / "acme_agenda_driver"
    code.mkdir(parents=True)
    (code / "__init__.py").write_text(textwrap.dedent(_DRIVER_CODE), encoding="utf-8")
    info = folder / f"acme_agenda_driver-{VERSION}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {PACKAGE}\nVersion: {VERSION}\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(
        f"[cita_bridge.drivers]\n{DRIVER_NAME} = acme_agenda_driver:AcmeAgendaDriver\n", encoding="utf-8"
    )
    (info / "RECORD").write_text("", encoding="utf-8")
    return folder
