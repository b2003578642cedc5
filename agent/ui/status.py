"""What the tray and the window show about the agent, decided without Qt (Mu's `logic` beside its `interface`).

`AgentStatus` follows the engine's snapshots and events and answers three questions: which
icon (`TrayState`), which words (tooltip, status bar), and which desktop notifications are due.
Time is always passed in, so every rule is tested with plain asserts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol

from agent.events import BookingRecorded, Event, FollowUpReceived, PauseChanged
from agent.login_gate import UNTESTED_DETAIL
from agent.ui.i18n import Translator
from wire.handoff import RESOLUTIONS

# The threshold: a relay outage shorter than this is a blip, not a problem to notify.
RELAY_ALERT_AFTER = timedelta(minutes=2)
PORTAL_DOWN_ALERT_AFTER = timedelta(seconds=15)  # a web app down this long is notified
PORTAL_PROBLEMS = ("login_failed", "locked", "down", "login_needs_person")
OPEN_PORTAL = "open_portal"  # not a settings field: "Corregir…" opens the web app for a person (otp)
# Relay-link failures a person must fix (agent.link.failure_kind) -> the settings field that fixes it.
LINK_PROBLEM_FIELDS = {
    "token_refused": "relay_token",
    "not_a_relay": "relay_url",
    "tls": "relay_url",
    "no_tls": "relay_url",
    "dns": "relay_url",
    "tls_required": "relay_url",
}


class TrayState(StrEnum):
    CONNECTED = "connected"
    CONNECTING = "connecting"
    PAUSED = "paused"
    ATTENTION = "attention"


class Snapshot(Protocol):
    """The fields of the engine's `EngineSnapshot` the UI reads."""

    link: str
    relay: str
    portal: str
    portal_detail: str
    paused: bool
    last_refresh: datetime | None
    slot_count: int


_ATTEMPTS_RE = re.compile(r"[^.:]*\d+[^.:]*\b(?:intentos?|attempts?|tentativas?)\b[^.]*\.?", re.IGNORECASE)


def attempts_left_text(detail: str) -> str:
    """The web app's own sentence about the attempts left before a lockout, when the driver read one ("")."""
    found = _ATTEMPTS_RE.search(detail or "")
    return found.group(0).strip() if found else ""


@dataclass(frozen=True)
class Notice:
    """A desktop notification that is due. ``problem`` ones are shown as warnings."""

    kind: str  # booked | handoff | login_failed | locked | portal_down | portal_back | relay_down | relay_back
    problem: bool
    params: tuple[tuple[str, str], ...] = ()
    at: datetime | None = None

    def text(self, tr: Translator) -> tuple[str, str]:
        """(title, body) in the translator's language."""
        values = dict(self.params)
        if "sentence_es" in values:  # the drift watch's sentence, said in both languages: the reader's one
            values["sentence"] = values.pop(f"sentence_{tr.language}", "") or values.pop("sentence_es")
            values = {k: v for k, v in values.items() if not k.startswith("sentence_")}
        if "reason" in values:
            values["reason"] = tr.reason(values["reason"])
        for key in ("when", "old"):
            if key in values:
                values[key] = format_when(values[key], tr, self.at or datetime.now().astimezone())
        body = tr(f"note.{self.kind}.body", **values)
        if values.get("attempts"):
            body += " " + tr("note.attempts_left", text=values["attempts"])
        return tr(f"note.{self.kind}.title"), body


FAILING_ALERT = 2  # bookings in a row the web app did not save before the tray says so


class AgentStatus:
    def __init__(self, started_at: datetime, *, configured: bool = True) -> None:
        self.configured = configured
        self.missing = ""  # what must still be set up, in words, when not configured
        self.snapshot: Any = None
        self.engine_error = ""
        self.keyring_problem = ""
        self._link_down_since: datetime | None = started_at
        self._relay_alerted = False
        self._portal_alerted = ""
        self._portal_down_since: datetime | None = None  # when the web app was first seen down (not notified yet)
        self._link_problem_alerted = ""
        self._drift_alerted = ""  # the web app change last notified (each change once, not on every snapshot)
        self.bookings_failing = 0  # the latest bookings in a row the web app did not save (booking_rows.Summary)
        self._failing_alerted = False

    # -- inputs -----------------------------------------------------------

    def engine_started(self, now: datetime) -> None:
        """A (re)started engine: the relay outage clock starts again from now."""
        self.configured = True
        self.missing = ""
        self.engine_error = ""
        self.keyring_problem = ""
        self._link_down_since = now
        self._relay_alerted = False

    def observe(self, snapshot: Snapshot, now: datetime, event: Event | None = None) -> list[Notice]:
        """A new snapshot (with the event that caused it, if any): returns the notifications now due."""
        self.snapshot = snapshot
        notices: list[Notice] = []
        if snapshot.link == "connected":
            self._link_down_since = None
            if self._relay_alerted:
                self._relay_alerted = False
                notices.append(Notice("relay_back", problem=False))
        elif self._link_down_since is None:
            self._link_down_since = now
        drift = self._drift_notice()
        if drift is None:
            notices.extend(self._portal_notice(snapshot.portal, getattr(snapshot, "portal_detail", ""), now))
        else:
            notices.extend(drift)
        problem = self.link_problem
        if problem and problem != self._link_problem_alerted:
            notices.append(Notice(f"link_{problem}", problem=True))
        self._link_problem_alerted = problem
        if isinstance(event, BookingRecorded):
            notices.extend(_booking_notice(event, now))
        if isinstance(event, PauseChanged) and event.ended_by_itself:
            notices.append(Notice("pause_ended", problem=False))
        if isinstance(event, FollowUpReceived) and event.reason in RESOLUTIONS:  # settled by itself
            notices.append(Notice(event.reason, problem=False, params=(
                ("patient", event.patient_name or "-"), ("phone", event.phone or "-"),
            ), at=now))
        elif isinstance(event, FollowUpReceived):
            notices.append(Notice("handoff", problem=False, params=(
                ("patient", event.patient_name or "-"), ("phone", event.phone or "-"), ("reason", event.reason),
            ), at=now))
        notices.extend(self.tick(now))
        return notices

    def bookings_observed(self, failing: int) -> list[Notice]:
        """The journal read again: one notification when the web app stops saving bookings, one when it saves again."""
        self.bookings_failing = failing
        if failing >= FAILING_ALERT and not self._failing_alerted:
            self._failing_alerted = True
            return [Notice("bookings_failing", problem=True, params=(("count", str(failing)),))]
        if failing == 0 and self._failing_alerted:
            self._failing_alerted = False
            return [Notice("bookings_saving", problem=False)]
        return []

    def tick(self, now: datetime) -> list[Notice]:
        """Called every few seconds: the relay outage alert depends on time passing, not on an event."""
        snap = self.snapshot
        if snap is not None and snap.portal == "down" and self._portal_down_since is not None:
            lasting = self._portal_notice("down", getattr(snap, "portal_detail", ""), now)
            if lasting:
                return lasting
        if self.link_problem:
            return []  # its own notice says what to fix; "check the Internet" would send the receptionist astray
        if self._relay_down_for(now) >= RELAY_ALERT_AFTER and not self._relay_alerted:
            self._relay_alerted = True
            return [Notice("relay_down", problem=True)]
        return []

    def _drift_notice(self) -> list[Notice] | None:
        """A failed self-check: one notification per change found (a screen fixed, then another changed: again).
        None when the web app has not changed."""
        check = self.portal_changed
        if check is None:
            self._drift_alerted = ""
            return None
        said = check.sentence("es")
        if said == self._drift_alerted:
            return []
        self._drift_alerted = said
        return [Notice("portal_changed", problem=True,
                       params=(("sentence_es", said), ("sentence_en", check.sentence("en"))))]

    @property
    def portal_changed(self) -> Any:
        """The failed self-check while the web app counts as changed (agent/drift_watch.py), else None."""
        snap = self.snapshot
        check = getattr(snap, "portal_changed", None) if snap is not None else None
        if check is None or snap.portal != "down" or getattr(check, "ok", True):
            return None
        return check

    def drift_sentence(self, tr: Translator) -> str:
        """'La agenda web cambió: no encuentro el botón "Guardar cita" en la ficha de cita.' ("" when it did not)."""
        check = self.portal_changed
        return check.sentence(tr.language) if check is not None else ""

    def _portal_notice(self, portal: str, detail: str, now: datetime) -> list[Notice]:
        if portal != "down":
            self._portal_down_since = None
        if portal not in PORTAL_PROBLEMS:
            fixed = bool(self._portal_alerted) and portal == "ok"  # its problem's notice must not stay as the last
            self._portal_alerted = "" if portal == "ok" else self._portal_alerted
            return [Notice("portal_back", problem=False)] if fixed else []
        if portal == "down" and self._portal_alerted != "portal_down":
            # Down for a moment (one save refused, a page that did not answer, then a read that did): not a pair of
            # "no responde" / "funcionando" notifications; said once it lasts (``tick``)
            self._portal_down_since = self._portal_down_since or now
            if now - self._portal_down_since < PORTAL_DOWN_ALERT_AFTER:
                return []
        kind = _PORTAL_NOTES.get(portal, portal)
        if portal == "login_failed" and detail == UNTESTED_DETAIL:
            kind = "untested"
        if kind == self._portal_alerted:
            return []
        self._portal_alerted = kind
        attempts = attempts_left_text(detail) if kind == "login_failed" else ""
        return [Notice(kind, problem=True, params=(("attempts", attempts),) if attempts else ())]

    @property
    def login_untested(self) -> bool:
        """The web app password was saved without a login test: the agent waits for one (agent.login_gate)."""
        snap = self.snapshot
        return snap is not None and snap.portal == "login_failed" and snap.portal_detail == UNTESTED_DETAIL

    def _relay_down_for(self, now: datetime) -> timedelta:
        if self._link_down_since is None or not self.configured or self.engine_error:
            return timedelta(0)  # no agent running: its own banner says so, not a relay outage
        return now - self._link_down_since

    # -- outputs ----------------------------------------------------------

    @property
    def link_problem(self) -> str:
        """A relay-link failure a person must fix ("" when none, or while connected)."""
        snap = self.snapshot
        if snap is None or snap.link == "connected":
            return ""
        problem = getattr(snap, "link_problem", "")
        return problem if problem in LINK_PROBLEM_FIELDS else ""

    @property
    def fix_field(self) -> str:
        """The settings field that fixes the current problem ("" when none)."""
        if self.login_untested:
            return "portal_password"
        if self.snapshot is not None and self.snapshot.portal == "login_needs_person":
            return OPEN_PORTAL
        return LINK_PROBLEM_FIELDS.get(self.link_problem, "")

    @property
    def paused(self) -> bool:
        return bool(self.snapshot is not None and self.snapshot.paused)

    def state(self, now: datetime) -> TrayState:
        snap = self.snapshot
        if not self.configured or self.engine_error or self.keyring_problem:
            return TrayState.ATTENTION
        if snap is not None and snap.portal in PORTAL_PROBLEMS:
            return TrayState.ATTENTION
        if self.link_problem:
            return TrayState.ATTENTION  # retrying cannot cure it: say so now, not after two minutes
        if self.bookings_failing >= FAILING_ALERT and not (snap is not None and snap.paused):
            return TrayState.ATTENTION  # the web app reads fine but saves nothing: every patient is handed off
        if self._relay_down_for(now) >= RELAY_ALERT_AFTER:
            return TrayState.ATTENTION
        if snap is not None and snap.paused:
            return TrayState.PAUSED
        if snap is not None and snap.link == "connected":
            return TrayState.CONNECTED
        return TrayState.CONNECTING

    def relay_text(self, tr: Translator) -> str:
        link = self.snapshot.link if self.snapshot is not None else "disconnected"
        state = tr(f"link.{link}") if f"link.{link}" in _LINK_KEYS else link
        return tr("status.relay", state=state)

    def portal_text(self, tr: Translator) -> str:
        portal = self.snapshot.portal if self.snapshot is not None else "unknown"
        state = tr(f"portal.{portal}") if portal in _PORTAL_WORDS else portal
        if self.portal_changed is not None:  # it answers, but a screen the agent needs is gone (the notice says which)
            state = tr("portal.changed")
        elif self.bookings_failing >= FAILING_ALERT and portal == "ok":
            state = tr("portal.not_saving")
        return tr("status.portal", state=state)

    def refresh_text(self, tr: Translator, now: datetime) -> str:
        return tr("status.refresh", when=self._refresh_when(tr, now))

    def _refresh_when(self, tr: Translator, now: datetime) -> str:
        last = self.snapshot.last_refresh if self.snapshot is not None else None
        if last is None:
            return tr("tip.never")
        local = last.astimezone()
        if local.date() == now.astimezone().date():
            return tr.short_time(local)
        return tr.day_and_time(local, now)

    def menu_line(self, tr: Translator, now: datetime) -> str:
        """The tray menu's first line: the state in words ("Conectado · 252 horarios libres leídos 10:42")."""
        state = self.state(now)
        snap = self.snapshot
        if state is TrayState.ATTENTION:
            if self.drift_sentence(tr) and not self.link_problem:
                return self.drift_sentence(tr)  # "La agenda web cambió: no encuentro …", as the self-check said it
            what = tr(f"note.link_{self.link_problem}.title") if self.link_problem else ""
            if self.login_untested:
                what = tr("note.untested.title")
            if not what and snap is not None and snap.portal in PORTAL_PROBLEMS:  # "la agenda web no responde",
                what = tr(f"note.{_PORTAL_NOTES.get(snap.portal, snap.portal)}.title")  # not a bare "no responde"
            if not what and self.bookings_failing >= FAILING_ALERT:
                what = tr("note.bookings_failing.title")
            if not what and self._relay_down_for(now) >= RELAY_ALERT_AFTER:
                what = tr("note.relay_down.title")
            return tr("line.attention", what=what) if what else tr("state.attention")
        if state is TrayState.PAUSED:
            until = getattr(snap, "paused_until", None)
            if until is None:
                return tr("state.paused")
            local = until.astimezone()
            when = tr.short_time(local) if local.date() == now.astimezone().date() else tr.day_and_time(local, now)
            return tr("line.paused_until", when=when)
        if state is TrayState.CONNECTED and snap is not None:
            if snap.last_refresh is None:
                return tr("line.connected_unread")
            return tr("line.connected", count=snap.slot_count, when=self._refresh_when(tr, now))
        return tr(f"state.{state.value}")

    def tooltip(self, tr: Translator, now: datetime, booked_today: int) -> str:
        lines = [f"{tr('app.name')}: {tr('state.' + self.state(now).value)}"]
        if not self.configured:
            lines.append(tr("status.not_configured"))
        if self.link_problem:
            lines.append(tr(f"note.link_{self.link_problem}.title"))
        if self.drift_sentence(tr):
            lines.append(self.drift_sentence(tr))
        lines.append(tr("tip.refresh", when=self._refresh_when(tr, now)))
        lines.append(tr("tip.today", count=booked_today))
        return "\n".join(lines)


_PORTAL_NOTES = {"down": "portal_down"}  # a web app state -> its notification's key, where they differ
_LINK_KEYS = {"link.connected", "link.connecting", "link.disconnected"}
_PORTAL_WORDS = {"ok", "login_failed", "locked", "down", "unknown", "login_needs_person"}


def _booking_notice(event: BookingRecorded, now: datetime) -> list[Notice]:
    if event.status == "booked" and event.moved_from_start:
        return [Notice("moved", problem=False, params=(
            ("patient", event.patient_name),
            ("when", event.start),
            ("old", event.moved_from_start),
            ("professional", event.professional or "-"),
        ), at=now)]
    if event.status == "cancelled":
        return [Notice("cancelled", problem=False, params=(
            ("patient", event.patient_name),
            ("when", event.start),
            ("professional", event.professional or "-"),
        ), at=now)]
    if event.status == "booked" and not event.moving:
        return [Notice("booked", problem=False, params=(
            ("patient", event.patient_name),
            ("when", event.start),
            ("professional", event.professional or "-"),
        ), at=now)]
    # A failed or handed-off booking is not notified here: the relay sends it as a follow-up (one notification,
    # with the reason it told the patient), and a slot taken that the bot recovered needs nobody.
    return []


def format_when(start: str, tr: Translator, now: datetime) -> str:
    try:
        moment = datetime.fromisoformat(start)
    except ValueError:
        return tr("booking.no_time")
    return tr.day_and_time(moment, now)
