"""`/_admin/...`: the stand-in's back door for tests and benchmarks (only with an admin token).

Every call needs the header ``X-Admin-Token``. Times are ISO 8601 with the clinic's offset.

- ``GET  /_admin/appointments?from=YYYY-MM-DD&to=YYYY-MM-DD`` every appointment on those days
  (default: the next 14 days), each with id, professional, start, end, patient_name, patient_phone,
  patient_document, note, created_by, slot_id.
- ``POST /_admin/appointments`` ``{"professional": key or name, "start": ISO (or local
  "YYYY-MM-DDTHH:MM"), "patient_name", "patient_phone", "patient_document"?, "note"?, "created_by"?}``
  books as another staff member would → 201 with the appointment; 409 when taken; 422 when not a
  bookable cell; 404 unknown professional.
- ``DELETE /_admin/appointments/{id}`` cancels → 204 (404 if unknown).
- ``GET  /_admin/free-slots?days=14[&professional=...]`` the ground truth, shaped like
  ``cita-agent check --json``: ``[{"id", "start", "end", "professional"}]`` sorted by start then professional.
- ``POST /_admin/sessions/expire`` ends every staff session, as if idle too long → ``{"expired": n}``.
- ``POST /_admin/faults`` ``{"latency_ms"?, "fail_rate"?, "fail_writes"?}`` changes them at run time → the current
  values.
- ``POST /_admin/unlock`` lifts every login lock.
- ``GET  /_admin/otp`` the verification code last "sent by SMS" (``--otp``) → ``{"code", "user"}`` ("" when none).
- ``GET  /_admin/logins`` what the login screens saw → ``{"password_ok", "password_wrong", "codes_sent", "codes_ok",
  "codes_wrong", "passwords_changed", "sessions_opened"}``.
"""

from __future__ import annotations

import hmac
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from demo.portal.agenda import BookingRefused, slot_id

if TYPE_CHECKING:
    from demo.portal.app import PortalState


def free_slots_json(state: PortalState, days: int, professional: str | None = None) -> list[dict[str, str]]:
    """Free slots of the "N days" window (today is day 1), as `cita-agent check --json` prints them."""
    now = state.now()
    end = datetime.combine(now.date() + timedelta(days=days), datetime.min.time(), tzinfo=state.tz)
    chosen = state.agenda.professional(professional) if professional else None
    if professional and chosen is None:
        return []
    return [
        {"id": slot_id(each, cell.start), "start": cell.start.isoformat(), "end": cell.end.isoformat(),
         "professional": each.name, "specialty": each.specialty}
        for each, cell in state.agenda.free_cells(now, end, chosen)
    ]


def admin_routes(state: PortalState) -> list[Route]:
    token = state.settings.admin_token or ""

    def authorized(request: Request) -> bool:
        return bool(token) and hmac.compare_digest(request.headers.get("x-admin-token", "").encode(), token.encode())

    def denied() -> JSONResponse:
        return JSONResponse({"error": "missing or wrong X-Admin-Token"}, status_code=401)

    async def list_appointments(request: Request) -> Response:
        if not authorized(request):
            return denied()
        today = state.now().date()
        try:
            first = date.fromisoformat(request.query_params.get("from") or today.isoformat())
            last = date.fromisoformat(request.query_params.get("to") or (first + timedelta(days=13)).isoformat())
        except ValueError:
            return JSONResponse({"error": "from/to must be YYYY-MM-DD"}, status_code=400)
        if (last - first).days > 366:
            return JSONResponse({"error": "at most one year at a time"}, status_code=400)
        return JSONResponse([a.to_admin_json() for a in state.agenda.appointments(first, last)])

    async def create_appointment(request: Request) -> Response:
        if not authorized(request):
            return denied()
        try:
            body: dict[str, Any] = await request.json()
            start = datetime.fromisoformat(str(body["start"]))
            name, phone = str(body["patient_name"]), str(body["patient_phone"])
            ref = str(body["professional"])
        except (ValueError, KeyError, TypeError):
            return JSONResponse({"error": "need professional, start, patient_name, patient_phone"}, status_code=400)
        professional = state.agenda.professional(ref)
        if professional is None:
            return JSONResponse({"error": f"unknown professional {ref!r}"}, status_code=404)
        try:
            appointment = state.agenda.book(
                professional, start, patient_name=name, patient_phone=phone,
                patient_document=str(body.get("patient_document", "")), note=str(body.get("note", "")),
                created_by=str(body.get("created_by") or "mgonzalez"), now=state.now(),
            )
        except BookingRefused as refused:
            return JSONResponse({"error": refused.reason, "message": str(refused)},
                                status_code=409 if refused.reason == "taken" else 422)
        return JSONResponse(appointment.to_admin_json(), status_code=201)

    async def cancel_appointment(request: Request) -> Response:
        if not authorized(request):
            return denied()
        if state.agenda.cancel(request.path_params["appointment_id"]):
            return Response(status_code=204)
        return JSONResponse({"error": "no such appointment"}, status_code=404)

    async def free_slots(request: Request) -> Response:
        if not authorized(request):
            return denied()
        try:
            days = int(request.query_params.get("days", "14"))
            if not 1 <= days <= 366:
                raise ValueError
        except ValueError:
            return JSONResponse({"error": "days must be a whole number from 1 to 366"}, status_code=400)
        return JSONResponse(free_slots_json(state, days, request.query_params.get("professional")))

    async def expire_sessions(request: Request) -> Response:
        if not authorized(request):
            return denied()
        return JSONResponse({"expired": state.sessions.expire_all()})

    async def set_faults(request: Request) -> Response:
        if not authorized(request):
            return denied()
        try:
            body = await request.json()
            if "latency_ms" in body:
                latency = int(body["latency_ms"])
                if latency < 0:
                    raise ValueError
                state.faults.latency_ms = latency
            if "fail_rate" in body:
                rate = float(body["fail_rate"])
                if not 0.0 <= rate <= 1.0:
                    raise ValueError
                state.faults.fail_rate = rate
            if "fail_writes" in body:
                if not isinstance(body["fail_writes"], bool):
                    raise ValueError
                state.faults.fail_writes = body["fail_writes"]
        except (ValueError, TypeError, AttributeError):
            return JSONResponse({"error": "latency_ms >= 0, 0 <= fail_rate <= 1, fail_writes true/false"},
                                status_code=400)
        return JSONResponse({"latency_ms": state.faults.latency_ms, "fail_rate": state.faults.fail_rate,
                             "fail_writes": state.faults.fail_writes})

    async def unlock(request: Request) -> Response:
        if not authorized(request):
            return denied()
        state.throttle.unlock_all()
        return JSONResponse({"unlocked": True})

    async def last_code(request: Request) -> Response:
        if not authorized(request):
            return denied()
        return JSONResponse({"code": state.pending.last_code, "user": state.pending.last_code_user})

    async def login_counts(request: Request) -> Response:
        if not authorized(request):
            return denied()
        return JSONResponse(state.counts.to_json())

    return [
        Route("/otp", last_code, methods=["GET"]),
        Route("/logins", login_counts, methods=["GET"]),
        Route("/appointments", list_appointments, methods=["GET"]),
        Route("/appointments", create_appointment, methods=["POST"]),
        Route("/appointments/{appointment_id}", cancel_appointment, methods=["DELETE"]),
        Route("/free-slots", free_slots, methods=["GET"]),
        Route("/sessions/expire", expire_sessions, methods=["POST"]),
        Route("/faults", set_faults, methods=["POST"]),
        Route("/unlock", unlock, methods=["POST"]),
    ]
