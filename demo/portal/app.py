"""The stand-in clinic web app ("Agendamed"): login, a JavaScript agenda over JSON, booking, admin API.

``create_portal_app(PortalSettings(...))`` builds one app object with its own state, so a test can
run several side by side (with ``demo.serving.ServerThread``); `cita-demo portal` serves the same app.
"""

from __future__ import annotations

import hmac
import random
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from demo.portal.admin import admin_routes
from demo.portal.agenda import Agenda, Appointment, BookingRefused, DayView
from demo.portal.faults import FaultInjection, Faults
from demo.portal.rendering import render
from demo.portal.schedule import Professional, professionals_in, week_start
from demo.portal.second_factor import CODE, LoginCounts, PendingLogin, PendingLogins
from demo.portal.sessions import LoginThrottle, Session, SessionStore
from demo.portal.settings import PortalSettings

SESSION_COOKIE = "agendamed_sid"
LOGIN_CSRF_COOKIE = "agendamed_login_csrf"
PENDING_COOKIE = "agendamed_2fa"


@dataclass
class PortalState:
    """Everything one running portal holds; reachable as ``app.state.portal``."""

    settings: PortalSettings
    tz: ZoneInfo
    agenda: Agenda
    sessions: SessionStore
    throttle: LoginThrottle
    faults: Faults
    pending: PendingLogins
    counts: LoginCounts
    staff_password: str  # the settings' one until staff change it ("Debe cambiar su contraseña")

    def now(self) -> datetime:
        return self.settings.clock().astimezone(self.tz)


def create_portal_app(settings: PortalSettings) -> Starlette:
    """The clinic web app. Its state is ``app.state.portal`` (a ``PortalState``)."""
    tz = ZoneInfo(settings.timezone)
    state = PortalState(
        settings=settings,
        tz=tz,
        agenda=Agenda(settings.seed, tz, settings.clock().astimezone(tz).date(), professionals_in(settings.language)),
        sessions=SessionStore(settings.session_minutes * 60),
        throttle=LoginThrottle(settings.max_failed_logins, settings.lock_minutes * 60),
        faults=Faults(settings.latency_ms, settings.fail_rate),
        pending=PendingLogins(settings.otp, settings.must_change_password),
        counts=LoginCounts(),
        staff_password=settings.staff_password,
    )
    pages = _Pages(state)
    routes = [
        Route("/", pages.root),
        Route("/favicon.ico", lambda request: RedirectResponse("/static/logo.svg", status_code=301)),
        Route("/login", pages.login_form, methods=["GET"]),
        Route("/login", pages.login_submit, methods=["POST"]),
        Route("/verificacion", pages.verify_form, methods=["GET"]),
        Route("/verificacion", pages.verify_submit, methods=["POST"]),
        Route("/verificacion/reenviar", pages.verify_resend, methods=["GET"]),
        Route("/cambiar-clave", pages.new_password_form, methods=["GET"]),
        Route("/cambiar-clave", pages.new_password_submit, methods=["POST"]),
        Route("/salir", pages.logout),
        Route("/agenda", pages.agenda),
        Route("/api/profesionales", pages.api_professionals),
        Route("/api/agenda", pages.api_week),
        Route("/api/citas", pages.api_book, methods=["POST"]),
        Route("/api/citas/{cita_id}/anular", pages.api_cancel, methods=["POST"]),
        Mount("/static", StaticFiles(directory=str(resources.files("demo.portal.static"))), name="static"),
    ]
    if settings.admin_token:
        routes.append(Mount("/_admin", routes=admin_routes(state)))
    rng = random.Random(f"faults|{settings.seed}")
    app = Starlette(routes=routes, middleware=[Middleware(FaultInjection, faults=state.faults, rng=rng)])
    app.state.portal = state
    return app


def professional_json(professional: Professional) -> dict[str, Any]:
    return {
        "id": professional.key,
        "nombre": professional.name,
        "especialidad": professional.specialty,
        "duracion_min": professional.slot_minutes,
    }


def appointment_json(appointment: Appointment) -> dict[str, str]:
    """What staff see of an appointment in the agenda."""
    return {
        "id": appointment.id,
        "paciente": appointment.patient_name,
        "telefono": appointment.patient_phone,
        "documento": appointment.patient_document,
        "nota": appointment.note,
        "creada_por": appointment.created_by,
    }


def day_json(professional: Professional, view: DayView, now: datetime) -> dict[str, Any]:
    blocks = professional.blocks(view.day)
    return {
        "fecha": view.day.isoformat(),
        "atiende": bool(blocks) and view.absence is None,
        "ausencia": view.absence,
        "bloques": [{"inicio": f"{b:%H:%M}", "fin": f"{e:%H:%M}"} for b, e in blocks],
        "celdas": [
            {
                "inicio": f"{cell.start:%H:%M}",
                "fin": f"{cell.end:%H:%M}",
                "estado": "ocupado" if cell.appointment else ("pasado" if cell.start < now else "libre"),
                "cita": appointment_json(cell.appointment) if cell.appointment else None,
            }
            for cell in view.cells
        ],
    }


class _Pages:
    def __init__(self, state: PortalState) -> None:
        self.state = state

    # --- sessions ---------------------------------------------------------------------------------

    def _session(self, request: Request) -> Session | None:
        return self.state.sessions.touch(request.cookies.get(SESSION_COOKIE))

    def _to_login(self, request: Request) -> RedirectResponse:
        expired = SESSION_COOKIE in request.cookies
        response = RedirectResponse("/login?expirada=1" if expired else "/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE)
        return response

    @staticmethod
    def _api_expired() -> JSONResponse:
        body = {"error": "sesion_expirada", "mensaje": "Su sesión expiró por inactividad. Ingrese nuevamente."}
        return JSONResponse(body, status_code=401)

    # --- pages ------------------------------------------------------------------------------------

    async def root(self, request: Request) -> Response:
        return RedirectResponse("/agenda" if self._session(request) else "/login", status_code=303)

    def _login_page(self, *, notice: str = "", kind: str = "error", user: str = "", status: int = 200) -> Response:
        token = secrets.token_urlsafe(24)
        notice_html = ""
        if notice:
            role = "alert" if kind == "error" else "status"
            notice_html = f'<div class="notice notice-{kind}" role="{role}">{notice}</div>'
        page = render("login.html", clinic=self.state.settings.clinic_name, csrf=token, user=user,
                      notice_html=notice_html)
        response = HTMLResponse(page, status_code=status)
        response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict")
        return response

    async def login_form(self, request: Request) -> Response:
        if self._session(request):
            return RedirectResponse("/agenda", status_code=303)
        if request.query_params.get("expirada"):
            return self._login_page(notice="Su sesión expiró por inactividad. Ingrese nuevamente.", kind="info")
        return self._login_page()

    async def login_submit(self, request: Request) -> Response:
        form = await request.form()
        user = str(form.get("usuario", "")).strip()
        password = str(form.get("clave", ""))
        sent_token = str(form.get("csrf_token", ""))
        cookie_token = request.cookies.get(LOGIN_CSRF_COOKIE, "")
        if not cookie_token or not hmac.compare_digest(sent_token, cookie_token):
            return self._login_page(notice="El formulario expiró. Vuelva a ingresar sus datos.", user=user,
                                    status=400)
        settings, throttle = self.state.settings, self.state.throttle
        locked = throttle.locked_for(user)
        if locked:
            return self._login_page(notice=self._locked_text(locked), user=user, status=423)
        good = hmac.compare_digest(user.casefold().encode(), settings.staff_user.casefold().encode()) and \
            hmac.compare_digest(password.encode(), self.state.staff_password.encode())
        if not good:
            self.state.counts.password_wrong += 1
            left = throttle.failed(user)
            if left == 0:
                return self._login_page(notice=self._locked_text(throttle.locked_for(user)), user=user, status=423)
            attempts = "intento" if left == 1 else "intentos"
            text = (f"Usuario o contraseña incorrectos. Le quedan {left} {attempts} antes de que la cuenta "
                    f"se bloquee.")
            return self._login_page(notice=text, user=user, status=401)
        throttle.succeeded(user)
        self.state.counts.password_ok += 1
        pending = self.state.pending.open(settings.staff_user, self.state.counts)
        if pending is not None:
            return self._to_step(pending)
        response = self._open_session()
        response.delete_cookie(LOGIN_CSRF_COOKIE)
        return response

    def _open_session(self) -> Response:
        session = self.state.sessions.open(self.state.settings.staff_user)
        self.state.counts.sessions_opened += 1
        response = RedirectResponse("/agenda", status_code=303)
        response.set_cookie(SESSION_COOKIE, session.id, httponly=True, samesite="lax")
        response.delete_cookie(PENDING_COOKIE)
        return response

    # --- the steps after the password (demo/portal/second_factor.py) ---------------------------------

    def _to_step(self, pending: PendingLogin) -> Response:
        response = RedirectResponse("/verificacion" if pending.step == CODE else "/cambiar-clave", status_code=303)
        response.set_cookie(PENDING_COOKIE, pending.id, httponly=True, samesite="lax")
        response.delete_cookie(LOGIN_CSRF_COOKIE)
        return response

    def _pending(self, request: Request, step: str) -> PendingLogin | None:
        pending = self.state.pending.get(request.cookies.get(PENDING_COOKIE))
        return pending if pending is not None and pending.step == step else None

    def _step_page(self, template: str, pending: PendingLogin, notice: str = "", status: int = 200) -> Response:
        notice_html = f'<div class="notice notice-error" role="alert">{notice}</div>' if notice else ""
        page = render(template, clinic=self.state.settings.clinic_name, csrf=pending.csrf, user=pending.user,
                      notice_html=notice_html)
        return HTMLResponse(page, status_code=status, headers={"Cache-Control": "no-store"})

    def _back_to_login(self, notice: str) -> Response:
        response = self._login_page(notice=notice, status=401)
        response.delete_cookie(PENDING_COOKIE)
        return response

    async def verify_form(self, request: Request) -> Response:
        pending = self._pending(request, CODE)
        if pending is None:
            return RedirectResponse("/agenda" if self._session(request) else "/login", status_code=303)
        return self._step_page("verify.html", pending)

    async def verify_resend(self, request: Request) -> Response:
        pending = self._pending(request, CODE)
        if pending is None:
            return RedirectResponse("/login", status_code=303)
        self.state.pending.send_code(pending, self.state.counts)
        return RedirectResponse("/verificacion", status_code=303)

    async def verify_submit(self, request: Request) -> Response:
        form = await request.form()
        pending = self._pending(request, CODE)
        if pending is None:
            return self._back_to_login("El código expiró. Ingrese nuevamente su usuario y contraseña.")
        if not hmac.compare_digest(str(form.get("csrf_token", "")), pending.csrf):
            return self._step_page("verify.html", pending, "El formulario expiró. Ingrese el código nuevamente.", 400)
        left = self.state.pending.check_code(pending, str(form.get("codigo", "")), self.state.counts)
        if left == 0:
            return self._back_to_login("Demasiados códigos incorrectos. Ingrese nuevamente su usuario y contraseña.")
        if left > 0:
            attempts = "intento" if left == 1 else "intentos"
            return self._step_page("verify.html", pending, f"Código incorrecto. Le quedan {left} {attempts}.", 401)
        return self._open_session() if self.state.pending.done(pending) else self._to_step(pending)

    async def new_password_form(self, request: Request) -> Response:
        pending = self._pending(request, "new_password")
        if pending is None:
            return RedirectResponse("/agenda" if self._session(request) else "/login", status_code=303)
        return self._step_page("new_password.html", pending)

    async def new_password_submit(self, request: Request) -> Response:
        form = await request.form()
        pending = self._pending(request, "new_password")
        if pending is None:
            return self._back_to_login("La sesión de cambio de contraseña expiró. Ingrese nuevamente.")
        if not hmac.compare_digest(str(form.get("csrf_token", "")), pending.csrf):
            return self._step_page("new_password.html", pending, "El formulario expiró. Intente nuevamente.", 400)
        new, again = str(form.get("nueva", "")), str(form.get("repetida", ""))
        if len(new) < 10:
            return self._step_page("new_password.html", pending, "La contraseña debe tener al menos 10 caracteres.",
                                   422)
        if new != again:
            return self._step_page("new_password.html", pending, "Las contraseñas no coinciden.", 422)
        if hmac.compare_digest(new.encode(), self.state.staff_password.encode()):
            return self._step_page("new_password.html", pending, "La nueva contraseña debe ser distinta de la actual.",
                                   422)
        self.state.staff_password = new
        self.state.pending.password_changed = True
        self.state.counts.passwords_changed += 1
        pending.steps.pop(0)
        return self._open_session() if self.state.pending.done(pending) else self._to_step(pending)

    def _locked_text(self, seconds: float) -> str:
        until = self.state.now() + timedelta(seconds=seconds)
        minutes = round(self.state.settings.lock_minutes)
        return (f"Cuenta bloqueada por {minutes} minutos por demasiados intentos fallidos. "
                f"Podrá intentar nuevamente a las {until:%H:%M}, o pida al administrador que la desbloquee.")

    async def logout(self, request: Request) -> Response:
        self.state.sessions.close(request.cookies.get(SESSION_COOKIE))
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE)
        return response

    async def agenda(self, request: Request) -> Response:
        session = self._session(request)
        if session is None:
            return self._to_login(request)
        initials = "".join(part[0] for part in session.user.replace(".", " ").split()[:2]).upper() or "?"
        page = render("agenda.html", clinic=self.state.settings.clinic_name, csrf=session.csrf,
                      user=session.user, initials=initials, timezone=self.state.settings.timezone)
        return HTMLResponse(page, headers={"Cache-Control": "no-store"})

    # --- the agenda's JSON calls ------------------------------------------------------------------

    async def api_professionals(self, request: Request) -> Response:
        if self._session(request) is None:
            return self._api_expired()
        now = self.state.now()
        return JSONResponse({
            "clinica": self.state.settings.clinic_name,
            "zona_horaria": self.state.settings.timezone,
            "hoy": now.date().isoformat(),
            "ahora": now.isoformat(timespec="minutes"),
            "profesionales": [professional_json(p) for p in self.state.agenda.professionals],
        })

    async def api_week(self, request: Request) -> Response:
        if self._session(request) is None:
            return self._api_expired()
        agenda = self.state.agenda
        professional = agenda.professional(request.query_params.get("profesional", ""))
        if professional is None:
            return JSONResponse({"error": "profesional", "mensaje": "Profesional desconocido."}, status_code=404)
        now = self.state.now()
        try:
            monday = week_start(date.fromisoformat(request.query_params.get("semana", "")))
        except ValueError:
            monday = week_start(now.date())
        days = [agenda.day(professional, monday + timedelta(days=n)) for n in range(7)]
        return JSONResponse({
            "profesional": professional_json(professional),
            "zona_horaria": self.state.settings.timezone,
            "semana": monday.isoformat(),
            "hoy": now.date().isoformat(),
            "ahora": now.isoformat(timespec="minutes"),
            "dias": [day_json(professional, view, now) for view in days],
        }, headers={"Cache-Control": "no-store"})

    async def api_book(self, request: Request) -> Response:
        session = self._session(request)
        if session is None:
            return self._api_expired()
        if not hmac.compare_digest(request.headers.get("x-csrf-token", ""), session.csrf):
            return JSONResponse({"error": "csrf", "mensaje": "Recargue la página e intente nuevamente."},
                                status_code=403)
        try:
            body = await request.json()
            patient = body.get("paciente") or {}
            name = str(patient.get("nombre", "")).strip()
            phone = str(patient.get("telefono", "")).strip()
            document = str(patient.get("documento", "")).strip()
            note = str(body.get("nota", "")).strip()
            start = datetime.fromisoformat(str(body["inicio"]))
            professional = self.state.agenda.professional(str(body["profesional"]))
        except (ValueError, KeyError, TypeError, AttributeError):
            return JSONResponse({"error": "solicitud", "mensaje": "Solicitud inválida."}, status_code=400)
        if professional is None:
            return JSONResponse({"error": "profesional", "mensaje": "Profesional desconocido."}, status_code=404)
        problem = validate_patient(name, phone)
        if problem:
            return JSONResponse({"error": "validacion", "mensaje": problem}, status_code=422)
        try:
            appointment = self.state.agenda.book(
                professional, start, patient_name=name, patient_phone=phone, patient_document=document,
                note=note, created_by=session.user, now=self.state.now(),
            )
        except BookingRefused as refused:
            status = 409 if refused.reason == "taken" else 422
            code = "ocupado" if refused.reason == "taken" else refused.reason
            return JSONResponse({"error": code, "mensaje": str(refused)}, status_code=status)
        body = {"cita": {**appointment_json(appointment), "profesional": professional.key,
                         "inicio": f"{appointment.start:%Y-%m-%dT%H:%M}", "fin": f"{appointment.end:%Y-%m-%dT%H:%M}"}}
        return JSONResponse(body, status_code=201)


    async def api_cancel(self, request: Request) -> Response:
        """The detail modal's "Anular cita": the appointment leaves the agenda (its cell is free again)."""
        session = self._session(request)
        if session is None:
            return self._api_expired()
        if not hmac.compare_digest(request.headers.get("x-csrf-token", ""), session.csrf):
            return JSONResponse({"error": "csrf", "mensaje": "Recargue la página e intente nuevamente."},
                                status_code=403)
        appointment_id = request.path_params["cita_id"]
        if not self.state.agenda.cancel(appointment_id):
            return JSONResponse({"error": "cita", "mensaje": "La cita ya no existe."}, status_code=404)
        return JSONResponse({"anulada": appointment_id, "por": session.user})


def validate_patient(name: str, phone: str) -> str:
    """The modal's validation message, or "" when the patient's data is acceptable."""
    if len(name) < 3:
        return "Ingrese el nombre del paciente."
    digits = sum(ch.isdigit() for ch in phone)
    if digits < 8 or any(not (ch.isdigit() or ch in "+ -()") for ch in phone):
        return "Ingrese un teléfono válido (al menos 8 dígitos)."
    return ""
