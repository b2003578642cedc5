"""A patient on WhatsApp, as the end-to-end tests see one: turns through the stand-in Kommo, read back."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
from continuations import buttons, data, status, texts  # noqa: F401 - read through this module by the e2e tests

from demo.kommo import RecordedContinuation
from demo.system import DemoSystem


@dataclass
class Patient:
    system: DemoSystem
    lead_id: str
    name: str
    phone: str = ""  # "": one of the lead's own (a phone with an appointment is told so before booking another)

    def __post_init__(self) -> None:
        if not self.phone:
            digits = "".join(c for c in self.lead_id if c.isdigit()).rjust(8, "0")[-8:]
            self.phone = f"+56 9 {digits[:4]} {digits[4:]}"

    async def say(self, message: str, timeout: float = 60.0) -> RecordedContinuation:
        reply = await self.system.kommo.say(
            self.system.widget_url, self.system.config.subdomain, self.lead_id, message,
            name=self.name, phone=self.phone, timeout=timeout,
        )
        assert reply.accepted, f"the stand-in Kommo refused the relay's continuation: {reply.reason}"
        return reply

    async def open_days(self, message: str = "Hola") -> RecordedContinuation:
        """The first message, and the first specialty when the clinic has several and asks which (the demo does)."""
        days = await self.say(message)
        if data(days).get("code") == "specialty":
            days = await self.say(buttons(days)[0])
        return days

    async def reach_time_menu(self) -> RecordedContinuation:
        days = await self.open_days()
        assert status(days) == "choose_day", texts(days)
        times = await self.say(buttons(days)[0])
        assert status(times) == "choose_time", texts(times)
        return times

    def widget_request(self, message: str) -> tuple[dict[str, Any], str]:
        """``message`` as Kommo's signed widget_request from this patient (not sent), and its continue id."""
        return self.system.kommo.widget_request(
            self.system.config.subdomain,
            {"lead_id": self.lead_id, "message": message, "name": self.name, "phone": self.phone},
        )

    async def deliver(self, body: dict[str, Any]) -> None:
        """A widget_request delivered (again) to the relay, as Kommo does: answered 200, its continuation later."""
        async with httpx.AsyncClient(timeout=10) as http:
            assert (await http.post(self.system.widget_url, json=body)).status_code == 200

    async def send(self, message: str) -> str:
        """``message`` delivered without waiting for its continuation (a test that kills a part meanwhile): the
        continue id to wait on."""
        body, continue_id = self.widget_request(message)
        await self.deliver(body)
        return continue_id

    def appointments(self) -> list[dict[str, Any]]:
        """What the clinic web app shows for this patient."""
        return [a for a in self.system.admin.appointments() if a["patient_name"] == self.name]
