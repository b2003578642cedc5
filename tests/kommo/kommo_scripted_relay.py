"""A tiny scripted relay, enough of one to hold a chat with the stand-in Kommo over real HTTP."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import httpx
import jwt
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


@dataclass
class Account:
    subdomain: str
    client_id: str
    secret: str
    token: str


def show_text(value: str) -> dict:
    return {"handler": "show", "params": {"type": "text", "value": value}}


def show_buttons(value: str, buttons: list[str]) -> dict:
    return {"handler": "show", "params": {"type": "buttons", "value": value, "buttons": buttons}}


def goto(kind: str = "question", step: int = 1) -> dict:
    return {"handler": "goto", "params": {"type": kind, "step": step}}


@dataclass
class ScriptedRelay:
    """Verifies the widget_request JWT, answers 200 at once, then continues the bot from a fixed script.

    The script: any first message -> day menu; "Lun 2 dic" -> time menu; "10:30 Dra. Soto" -> booked;
    "silencio" -> never continues; "rompe" -> a continuation with 4 buttons (WhatsApp allows 3).
    ``shed_next``: that many widget_requests are refused first with 503 + ``Retry-After``, as an overloaded relay does.
    """

    clinics: dict[str, Account]
    received: list[dict] = field(default_factory=list)  # the widget_request bodies, in order
    shed_next: int = 0
    shed: int = 0  # widget_requests answered 503
    _leads: dict[str, str] = field(default_factory=dict)
    _tasks: set[asyncio.Task] = field(default_factory=set)

    @property
    def app(self) -> Starlette:
        return Starlette(routes=[Route("/kommo/{clinic}", self._widget, methods=["POST"])])

    async def _widget(self, request: Request) -> JSONResponse:
        account = self.clinics.get(request.path_params["clinic"])
        if account is None:
            return JSONResponse({"error": "unknown clinic"}, 404)
        body = await request.json()
        if self.shed_next > 0:
            self.shed_next -= 1
            self.shed += 1
            return JSONResponse({"error": "overloaded"}, 503, headers={"Retry-After": "0"})
        try:
            jwt.decode(body["token"], account.secret, algorithms=["HS256"], audience=account.client_id)
        except (KeyError, jwt.InvalidTokenError):
            return JSONResponse({"error": "bad token"}, 401)
        self.received.append(body)
        task = asyncio.create_task(self._continue(account, body))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return JSONResponse({"ok": True})

    async def _continue(self, account: Account, body: dict) -> None:
        reply = self._reply(str(body["data"]["lead_id"]), str(body["data"]["message"]))
        if reply is None:
            return
        async with httpx.AsyncClient() as http:
            await http.post(body["return_url"], json=reply, headers={"Authorization": f"Bearer {account.token}"})

    def _reply(self, lead: str, message: str) -> dict | None:
        if message == "silencio":
            return None
        if message == "rompe":
            return {"data": {"status": "choose_day"}, "execute_handlers": [show_buttons("Elige", ["a", "b", "c", "d"])]}
        state = self._leads.get(lead)
        if state is None:
            self._leads[lead] = "choose_day"
            return {
                "data": {"status": "choose_day"},
                "execute_handlers": [
                    show_text("¡Hola! Estos son los próximos días libres:"),
                    show_buttons("Elige un día", ["Lun 2 dic", "Mar 3 dic", "Más días"]),
                    goto(),
                ],
            }
        if state == "choose_day" and message == "Lun 2 dic":
            self._leads[lead] = "choose_time"
            return {
                "data": {"status": "choose_time", "day": "2026-12-02"},
                "execute_handlers": [
                    show_buttons("Horas del Lun 2 dic", ["10:30 Dra. Soto", "11:00 Dr. Ruiz"]),
                    goto(),
                ],
            }
        if state == "choose_time" and message == "10:30 Dra. Soto":
            del self._leads[lead]
            return {
                "data": {"status": "booked", "start": "2026-12-02T10:30:00-03:00", "booking_id": "B-1"},
                "execute_handlers": [show_text("Listo: Lun 2 dic 10:30 con Dra. Soto."), goto("finish", 0)],
            }
        return {
            "data": {"status": state},
            "execute_handlers": [show_text(f"No entendí «{message[:40]}». Toca un botón."), goto()],
        }
