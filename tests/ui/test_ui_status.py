"""The tray's logic without a screen: which state, which words, which notifications (AgentStatus, i18n, rows)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

from agent.events import BookingRecorded, FollowUpReceived, LinkChanged
from agent.journal import JournalEntry
from agent.ui.booking_rows import build_rows, is_listed, summarize
from agent.ui.i18n import CATALOGUE, Translator, choose_language
from agent.ui.status import AgentStatus, TrayState

T0 = datetime(2026, 12, 1, 13, 0, tzinfo=UTC)
CLINIC = timezone(timedelta(hours=-3))


@dataclass(frozen=True)
class Snap:
    link: str = "connected"
    relay: str = "wss://relay.example/agent"
    portal: str = "ok"
    portal_detail: str = ""
    paused: bool = False
    last_refresh: datetime | None = None
    slot_count: int = 0
    version: str = "t"


def started(at: datetime = T0) -> AgentStatus:
    status = AgentStatus(at, configured=True)
    status.engine_started(at)
    return status


def test_state_follows_link_pause_and_portal():
    status = started()
    assert status.state(T0) is TrayState.CONNECTING  # no snapshot yet
    status.observe(Snap(link="connecting"), T0)
    assert status.state(T0) is TrayState.CONNECTING
    status.observe(Snap(), T0)
    assert status.state(T0) is TrayState.CONNECTED
    status.observe(Snap(paused=True), T0)
    assert status.state(T0) is TrayState.PAUSED
    status.observe(Snap(paused=True, portal="login_failed"), T0)
    assert status.state(T0) is TrayState.ATTENTION
    status.observe(Snap(portal="ok"), T0)
    assert status.state(T0) is TrayState.CONNECTED


def test_not_configured_or_engine_error_needs_attention():
    status = AgentStatus(T0, configured=False)
    assert status.state(T0) is TrayState.ATTENTION
    status = started()
    status.observe(Snap(), T0)
    status.engine_error = "RuntimeError: boom"
    assert status.state(T0) is TrayState.ATTENTION


def test_relay_unreachable_alerts_once_after_two_minutes_and_says_when_back():
    status = started()
    assert status.observe(Snap(link="connecting"), T0) == []
    assert status.tick(T0 + timedelta(seconds=119)) == []
    assert status.state(T0 + timedelta(seconds=119)) is TrayState.CONNECTING
    notices = status.tick(T0 + timedelta(seconds=121))
    assert [n.kind for n in notices] == ["relay_down"] and notices[0].problem
    assert status.state(T0 + timedelta(seconds=121)) is TrayState.ATTENTION
    assert status.tick(T0 + timedelta(minutes=10)) == []  # once per outage
    back = status.observe(Snap(), T0 + timedelta(minutes=11), LinkChanged("connected", "r"))
    assert [n.kind for n in back] == ["relay_back"]
    # A short blip later says nothing.
    status.observe(Snap(link="connecting"), T0 + timedelta(minutes=20))
    assert status.observe(Snap(), T0 + timedelta(minutes=21)) == []


def test_portal_problems_notify_on_each_new_problem_only():
    status = started()
    status.observe(Snap(), T0)
    assert [n.kind for n in status.observe(Snap(portal="login_failed"), T0)] == ["login_failed"]
    assert status.observe(Snap(portal="login_failed"), T0) == []
    assert [n.kind for n in status.observe(Snap(portal="locked"), T0)] == ["locked"]
    assert [n.kind for n in status.observe(Snap(portal="ok"), T0)] == ["portal_back"]  # the alert is over, said
    assert status.observe(Snap(portal="ok"), T0) == []
    # Down for a moment (a save refused, then a read that worked): no "no responde" / "funcionando" pair
    assert status.observe(Snap(portal="down"), T0) == [] and status.observe(Snap(portal="ok"), T0) == []
    assert status.observe(Snap(portal="down"), T0) == []
    assert status.tick(T0 + timedelta(seconds=5)) == []
    assert [n.kind for n in status.tick(T0 + timedelta(seconds=16))] == ["portal_down"]  # it lasts: said once
    assert status.tick(T0 + timedelta(seconds=30)) == []
    assert [n.kind for n in status.observe(Snap(portal="ok"), T0 + timedelta(seconds=40))] == ["portal_back"]


def test_booking_notices_in_both_languages():
    status = started()
    booked = BookingRecorded("k1", "booked", "Ana Pérez", "2026-12-02T10:30:00-03:00", "Dra. Soto")
    [notice] = status.observe(Snap(), T0, booked)
    assert notice.text(Translator("es")) == ("Nueva reserva", "Ana Pérez: mañana 10:30 con Dra. Soto")
    assert notice.text(Translator("en")) == ("New booking", "Ana Pérez: tomorrow 10:30 with Dra. Soto")
    # A hand-off is notified once, as the relay's follow-up (with the reason the patient was given)...
    handoff = FollowUpReceived("fu-1", "Luis Díaz", "+56 9 1111 2222", "paused")
    [notice] = status.observe(Snap(), T0, handoff)
    assert notice.text(Translator("es")) == (
        "Paciente para contactar", "Luis Díaz (+56 9 1111 2222): la automatización estaba en pausa"
    )
    assert notice.text(Translator("en"))[1] == "Luis Díaz (+56 9 1111 2222): automation was paused"
    # ...not again for the journal's row of the same request, and never for a slot the bot found another time for.
    for code, status_ in (("paused", "handoff"), ("slot_taken", "failed")):
        assert status.observe(Snap(), T0, BookingRecorded("k2", status_, "Luis Díaz", "", "", error_code=code)) == []


def test_tooltip_gives_state_last_refresh_and_todays_count():
    status = started()
    refreshed = datetime.now().astimezone().replace(hour=10, minute=32, second=0, microsecond=0)
    now = refreshed + timedelta(minutes=3)
    status.observe(Snap(last_refresh=refreshed), now)
    tip = status.tooltip(Translator("es"), now, booked_today=3)
    assert tip == "Cita Bridge: Conectado\nHorarios leídos: 10:32\nReservas de hoy: 3"
    assert "Bookings today: 3" in status.tooltip(Translator("en"), now, booked_today=3)


def test_language_from_setting_else_system_else_spanish():
    assert choose_language("en", "es_CL") == "en"
    assert choose_language("", "es_CL") == "es"
    assert choose_language("", "en_US") == "en"
    assert choose_language("", "pt_BR") == "es"
    assert choose_language("", None) == "es"


def test_catalogue_is_complete_in_both_languages():
    for key, (es, en) in CATALOGUE.items():
        assert es and en, key
        assert set(re.findall(r"{(\w+)}", es)) == set(re.findall(r"{(\w+)}", en)), key


def entry(key: str, status: str, start: str, requested: datetime, code: str = "") -> JournalEntry:
    return JournalEntry(key, "s", start, "", "Dra. Soto", f"Paciente {key}", "+56 9 1234 5678", status, "", code, "",
                        requested, requested)


def test_window_lists_today_and_upcoming_plus_recent_follow_ups():
    now = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)  # 12:00 at the clinic
    entries = [
        entry("today-morning", "booked", "2026-12-02T09:00:00-03:00", now - timedelta(days=2)),
        entry("tomorrow", "booked", "2026-12-03T10:30:00-03:00", now - timedelta(hours=1)),
        entry("last-week", "booked", "2026-11-25T10:30:00-03:00", now - timedelta(days=9)),
        entry("handoff-new", "handoff", "", now - timedelta(hours=2), "paused"),
        entry("failed-old", "failed", "2026-11-20T10:00:00-03:00", now - timedelta(days=12), "portal_down"),
        entry("in-progress", "in_progress", "2026-12-04T10:00:00-03:00", now),
    ]
    listed = [e.key for e in entries if is_listed(e, now)]
    assert listed == ["today-morning", "tomorrow", "handoff-new", "in-progress"]
    rows = build_rows(entries, Translator("es"), now)
    handoff = next(r for r in rows if r.key == "handoff-new")
    assert handoff.follow_up and handoff.text("status") == "Derivada: contactar"
    assert handoff.detail == "la automatización estaba en pausa"
    assert next(r for r in rows if r.key == "tomorrow").text("when") == "mañana 10:30"
    assert handoff.matches("handoff") and handoff.matches("1234") and not handoff.matches("zzz")
    summary = summarize(entries, now)
    assert (summary.upcoming, summary.follow_up) == (1, 1)


def test_a_refused_password_notice_carries_the_web_apps_attempts_left():
    status = started()
    detail = ("the clinic web app refused the user 'recepcion' or its password: Usuario o contraseña incorrectos. "
              "Le quedan 2 intentos antes de que la cuenta se bloquee.")
    [notice] = status.observe(Snap(portal="login_failed", portal_detail=detail), T0)
    title, body = notice.text(Translator("es"))
    assert title == "Contraseña incorrecta"
    assert body.endswith("La agenda web dice: «Le quedan 2 intentos antes de que la cuenta se bloquee.»")


def test_a_booking_the_web_app_did_not_save_says_so_not_that_the_server_failed():
    now = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)
    failed = entry("k-1", "failed", "2026-12-03T10:30:00-03:00", now - timedelta(minutes=5), "internal")
    [row] = build_rows([failed], Translator("es"), now)
    assert row.detail == "la agenda web no guardó la hora"  # was "falló el servidor": the footer's "Servidor"
    assert summarize([failed], now).failing == 1


def test_a_failed_booking_whose_patient_reception_contacted_is_not_counted_again():
    """"Para contactar: 3" beside a list of 1: a failed booking kept counting after its patient was marked
    "Contactado" (or the case settled by itself)."""
    now = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)
    failed = entry("k-1", "failed", "2026-12-03T10:30:00-03:00", now - timedelta(minutes=5), "portal_down")
    assert summarize([failed], now).follow_up == 1
    assert summarize([failed], now, contacted=["+56 9 1234 5678"]).follow_up == 0
