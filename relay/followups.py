"""Every hand-off reaches a person: the relay keeps it as a follow-up until the clinic's agent acknowledges it.

The turn that answered a patient with a hand-off (agent offline, paused, late, web app down, asked for a person,
a failed booking...) calls ``FollowUpDesk.note`` once. The desk then
- stores the follow-up (``relay.followups_store``: SQLite, or Redis shared by several instances);
- sends it at once to the clinic's agent when this instance holds its websocket (``{"type": "event", ...}``);
- every ``sweep_s`` sends what is still unacknowledged to the agents held here that have not had it on their
  current connection: the backlog of an agent that reconnects, and follow-ups made on another instance;
- forgets one when the agent answers ``{"type": "ack", "id": ...}``, and any after 7 days;
- posts the clinic's Kommo task / note / tag in the background (``relay.kommo_followup``);
- when a case handed off as "not known yet" settles by itself (booked or cancelled after all, or known to have
  failed), sends one more event of the lead (``wire.handoff.RESOLUTIONS``) that closes its earlier follow-ups in
  the tray, and completes the lead's open Kommo tasks: nobody books by hand what the bot already booked.
Nothing here may fail a turn: errors are logged, the patient's continuation goes out regardless.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, Protocol

from relay.agents import AgentConnection, AgentUnavailable
from relay.conversation import ConversationState, Reply, Turn
from relay.conversation.appointments import KEEP_CHECK, MOVE_BACK_CHECK, move_key, outcome_of
from relay.conversation.freetext import normalize
from relay.conversation.intents import courtesy, detect
from relay.conversation.outcomes import BOOKING_FAILED
from relay.conversation.patient import PATIENT_PROBLEMS
from relay.conversation.state import CANCELLING, HANDED_OFF, idempotency_key
from relay.followup_texts import (
    BOOKED_UNTOLD,
    BOOKING_TAKEN,
    CANCEL_NOT_MADE,
    CANCELLED_UNTOLD,
    MOVE_NOT_MADE,
    MOVED_UNTOLD,
    UNSENT,
    handoff_event,
    is_follow_up,
    resolution,
    resolution_event,
)
from relay.followups_store import NO_ANSWER, FollowUpStore, KommoDebt
from relay.kommo_followup import FIXABLE_REFUSALS, KommoFollowUps, worth_owing
from relay.locks import KeyedLocks
from relay.logs import log, mask_phone
from relay.store import Clinic, RelayStore
from wire.appointments import MyBookingsArgs, MyBookingsResult
from wire.handoff import (
    ASKED_OF_A_PERSON,
    RESOLUTIONS,
    RESOLVED_CONTACTED,
    RESOLVED_SUPERSEDED,
    Contacted,
    HandoffEvent,
    kommo_lead_url,
)
from wire.messages import Ack, Outcome, ProtocolError, encode

logger = logging.getLogger("relay.followups")

SWEEP_S = 1.0
PURGE_EVERY_S = 600.0
MAX_NOT_KNOWN = 10_000  # bookings awaiting their late outcome, remembered per instance
TOLD_EARLY_KEPT_S = 600.0  # an outcome told before its hand-off: how long it may still settle it
# A Kommo write that failed (Kommo down, slow or over its limit) is tried again after these waits, then given up
# (logged; the tray has the follow-up anyway). Owed in the store meanwhile (``KommoDebt``): a relay that restarts
# makes the ones still waiting at once; on Redis another instance makes them when the one that owed them is gone
# KOMMO_HOLD_S after their time.
# Then every 30 minutes for half a day: a Kommo down for an hour still gets every task (the tray had them at once).
KOMMO_RETRY_S: tuple[float, ...] = (15.0, 60.0, 180.0, 600.0, *(1800.0,) * 24)
KOMMO_HOLD_S = 120.0
KOMMO_DEBTS_EVERY_S = 30.0  # how often an instance looks for debts left by another
# A cancel told as "not known yet" (the web app slow, the agent gone): the patient's appointments are read again
# after these waits (the agent answers once its cancel under way has finished) until one read says whether it is
# gone; reception's task then says so. In memory, like the retries above.
CANCEL_LOOK_AFTER_S: tuple[float, ...] = (0.0, 30.0, 120.0, 600.0)
# A case handed off as "not known yet", kept beside the agent's outcomes (a week) under this prefix and its key
NOT_KNOWN_PREFIX = "not-known:"
_ACTION_OF = {"task": "task", "note": "note", "tag": "tag", "task_done": "task", "tag_removed": "tag"}


def _for_reception(reason: str, start: str, professional: str) -> Reply:
    """A hand-off the bot never said to the patient, made for reception: why, and the appointment it is about."""
    data = {"status": "handoff", "reason": reason, "requested_start": start, "requested_professional": professional}
    return Reply(None, {"data": data}, "handoff")


def _case_key(state: ConversationState) -> str:
    """The agent's key of the booking (or move) a conversation waits on, "" when none."""
    if state.pending is None:
        return ""
    if state.target is not None and state.intent == "reschedule":
        return move_key(state, state.pending)
    return idempotency_key(state.conversation_id, state.pending.id) if state.target is None else ""


def _failed_actions(results: dict[str, int | None]) -> tuple[str, ...]:
    """The follow-up actions whose Kommo call failed in a way worth another try (not reached, 429, 5xx, or a
    refusal the Kommo admin can fix)."""
    failed = {_ACTION_OF[key] for key, status in results.items() if key in _ACTION_OF and worth_owing(status)}
    return tuple(sorted(failed))


def _instant(at: str) -> float:
    """An event's ISO 8601 time as a timestamp (0 when unreadable): its offset may differ from another's."""
    try:
        return datetime.fromisoformat(at).timestamp()
    except ValueError:
        return 0.0


def _telling(statuses: Iterable[int | None]) -> int:
    """Of Kommo's answers to writes that failed, the one that says most about what to do: a refusal the admin can
    fix, else any answer; NO_ANSWER when none came."""
    known = [status for status in statuses if status and not 200 <= status < 300]
    return next((status for status in known if status in FIXABLE_REFUSALS), known[0] if known else NO_ANSWER)


def _may_settle(reply: Reply) -> bool:
    """A reply that may settle a case handed off as "not known yet" (``followup_texts.resolution``): booked,
    cancelled, a cancel taken back, or booked while asked to be called off. Any other reply (a menu) skips the
    conversation read."""
    if reply.status in ("booked", "cancelled"):
        return True
    data = reply.continuation.get("data", {}) if isinstance(reply.continuation, dict) else {}
    return reply.status == "choose_day" and data.get("code") in ("kept", "booked_undo")


class FollowUpSink(Protocol):
    async def note(self, clinic: Clinic, turn: Turn, reply: Reply) -> None:
        """Called for every reply a turn sends, before its conversation state is replaced."""
        ...

    async def undelivered(self, clinic: Clinic, turn: Turn, body: dict[str, Any]) -> None:
        """Called when a turn's continuation never reached Kommo (``body``: what the patient should have read)."""
        ...


class NoFollowUps:
    async def note(self, clinic: Clinic, turn: Turn, reply: Reply) -> None:
        return None

    async def undelivered(self, clinic: Clinic, turn: Turn, body: dict[str, Any]) -> None:
        return None


def _still_waiting_for_a_person(reply: Reply, turn: Turn) -> bool:
    """A patient who asked something of a person writes again while waiting, more than courtesy."""
    state = reply.state
    return (reply.status == "closed" and state is not None and state.stage == HANDED_OFF
            and state.intent in ASKED_OF_A_PERSON and bool(turn.message.strip())
            and not courtesy(normalize(turn.message)))


def _told_already(before: ConversationState | None, reply: Reply, message: str = "") -> bool:
    """The same booking still not known, asked about again by the patient: the clinic has its follow-up already
    (one per message would bury the receptionist in copies of one case). So is the same hand-off again for the same
    wish: a patient waiting for reception while the cause lasts (paused, the web app down) who writes "1", "¿y?" or
    their booking wish again; a cancel or a move asked for meanwhile is a case of its own."""
    data = reply.continuation.get("data", {}) if isinstance(reply.continuation, dict) else {}
    if (before is not None and before.stage == HANDED_OFF and data.get("reason") in PATIENT_PROBLEMS
            and before.intent == data.get("reason")):  # no phone from Kommo, again: the same case, told already
        return True
    if (before is not None and before.stage == HANDED_OFF and before.intent == data.get("reason")
            and data.get("reason") not in ASKED_OF_A_PERSON  # those reach the same row and task, with their words
            and before.reopened in ("", "booking_requested") and not data.get("requested_start")
            and detect(normalize(message)).intent in ("none", "book")):
        return True
    if data.get("booking") != "unconfirmed" or before is None or not before.gave_up:
        return False
    if data.get("taken_back"):  # "no la canceles": new the first time (it replaces the task to cancel), then told
        return before.intent in (KEEP_CHECK, MOVE_BACK_CHECK)
    asked = {before.pending.id if before.pending else "", before.target.booking_id if before.target else ""}
    return data.get("requested_slot_id") in asked - {""}


def _booking_id(target: Any) -> str:
    return target.booking_id if target is not None else ""


def _slot_id(pending: Any) -> str:
    return pending.id if pending is not None else ""


def _local_connection(agents: Any, clinic: str) -> AgentConnection | None:
    """This instance's current connection of ``clinic`` (a ``LocalAgentDirectory``, or the one a Redis
    directory wraps as ``local``), None when it has none."""
    local = getattr(agents, "local", agents)
    current = getattr(local, "current", None)
    connection = current(clinic) if current is not None else None
    return connection if connection is not None and not connection.closed else None


class FollowUpDesk:
    def __init__(
        self,
        followups: FollowUpStore,
        conversations: RelayStore,
        agents: Any,
        kommo: KommoFollowUps | None,
        *,
        clock: Callable[[], float] = time.time,
        sweep_s: float = SWEEP_S,
        look_timeout_s: float = 60.0,
    ) -> None:
        self._store = followups
        self._conversations = conversations
        self._agents = agents
        self._kommo = kommo
        self._clock = clock
        self._sweep_s = sweep_s
        self._look_timeout_s = look_timeout_s  # a read of a patient's appointments after a cancel not known yet
        self._sent: dict[str, set[str]] = {}  # connection id -> follow-up ids sent on it
        self._seen: dict[str, str] = {}  # connection id -> the clinic's pending mark when it was last looked at
        self._tasks: set[asyncio.Task[Any]] = set()
        self._kommo_order = KeyedLocks()  # a lead's Kommo writes in the order they were made (a slow Kommo included)
        self._kommo_retries: dict[tuple[str, str], set[asyncio.Task[Any]]] = {}  # (clinic, lead) -> waiting retries
        self._acks: dict[str, set[asyncio.Task[Any]]] = {}  # clinic -> acks being stored
        self._sweeper: asyncio.Task[None] | None = None
        self._last_purge = 0.0
        # Bookings handed off as "not known yet", by (clinic, idempotency key): the agent's late outcome settles them
        # at once (in memory: after a restart, or on another instance, the patient's next message does).
        self._not_known: OrderedDict[tuple[str, str], tuple[Turn, ConversationState]] = OrderedDict()
        # Outcomes the agent told before the relay gave up on them (a move's new booking, made before its old
        # appointment's cancel ran late): kept a while, for the "not known yet" hand-off that follows
        self._told_early: OrderedDict[tuple[str, str], tuple[Outcome, float]] = OrderedDict()
        # Cases settled from the agent's outcome, by (clinic, key): the reason reception was given. An outcome told
        # again (the agent repeats what it owes when it reconnects) or the patient hearing the same from the bot
        # adds nothing: one task, one note per outcome.
        self._settled: OrderedDict[tuple[str, str], str] = OrderedDict()
        self._owner = secrets.token_hex(8)  # this process, as the holder of the Kommo writes it owes
        self._debts_looked_at = float("-inf")

    async def start(self) -> None:
        self._sweeper = asyncio.get_running_loop().create_task(self._sweep_forever(), name="followups-sweep")

    async def stop(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
        for waiting in [task for retries in self._kommo_retries.values() for task in retries]:
            waiting.cancel()  # Kommo writes waiting to be retried: given up (the tray has the follow-ups)
        if self._tasks:  # Kommo calls under way: a few seconds, then they are given up (the tray has them)
            _, pending = await asyncio.wait(set(self._tasks), timeout=5.0)
            for task in pending:
                task.cancel()
        await self._store.close()

    # -- the turn's one call -------------------------------------------------------------------------------

    async def note(self, clinic: Clinic, turn: Turn, reply: Reply) -> None:
        follow_up = is_follow_up(reply)
        if not follow_up and _still_waiting_for_a_person(reply, turn):
            # "llámenme al 2 2345 6789, es urgente" while waiting: the same case, with what they wrote now (one tray
            # row, one Kommo task: a note)
            follow_up, reply = True, _for_reception(reply.state.intent, "", "")  # type: ignore[union-attr]
        if not follow_up and not _may_settle(reply):
            return
        try:
            before = await self._conversation_before(clinic, turn)
            now = datetime.fromtimestamp(self._clock(), UTC)
            lead_url = kommo_lead_url(clinic.kommo_base_url, turn.lead_id)
            events: list[HandoffEvent] = []
            code = resolution(before, reply)
            settled = self._settled_as(clinic.name, before, reply)
            if code == RESOLVED_SUPERSEDED and settled:
                # The patient hears what reception was told already ("NO quedó reservada: ofrézcale otra", when the
                # agent reported it): that task is the one to act on, and no new one replaces it — never closed.
                code = ""
            if code and before is not None:  # first: it closes only what was handed off before ``now``
                events.append(resolution_event(f"fu-{secrets.token_hex(8)}", code, turn, reply, before, now, lead_url))
            if follow_up and not _told_already(before, reply, turn.message) and not settled:
                events.append(handoff_event(f"fu-{secrets.token_hex(8)}", turn, reply, before, now, lead_url))
            for event in events:
                await self._store.add(clinic.name, event, self._clock())
        except Exception:
            logger.exception("a follow-up could not be stored", extra={"relay_fields": {"clinic": clinic.name}})
            return
        if not events:
            return
        for event in events:
            log(
                logger,
                logging.INFO,
                "followup_resolved" if event.reason in RESOLUTIONS else "followup_created",
                clinic=clinic.name,
                lead=event.lead_id,
                reason=event.reason,
                phone=mask_phone(event.phone),
                id=event.id,
            )
        self._remember_not_known(clinic.name, turn, reply)
        self._deliver(clinic, events)

    async def undelivered(self, clinic: Clinic, turn: Turn, body: dict[str, Any]) -> None:
        """A booked, moved or cancelled appointment whose news never reached Kommo (its return_url down past the
        retries, or gone): the patient does not know, so reception is asked to tell them (tray, Kommo task)."""
        data = body.get("data", {}) if isinstance(body, dict) else {}
        status = str(data.get("status", ""))
        reason = UNSENT.get("moved" if status == "booked" and data.get("rescheduled_from") else status)
        if reason is None:
            return
        try:
            told = _for_reception(reason, str(data.get("start") or ""), str(data.get("professional") or ""))
            now = datetime.fromtimestamp(self._clock(), UTC)
            lead_url = kommo_lead_url(clinic.kommo_base_url, turn.lead_id)
            event = handoff_event(f"fu-{secrets.token_hex(8)}", replace(turn, message=""), told, None, now, lead_url)
            await self._store.add(clinic.name, event, self._clock())
        except Exception:
            logger.exception("an undelivered outcome could not be kept",
                             extra={"relay_fields": {"clinic": clinic.name}})
            return
        log(logger, logging.WARNING, "followup_created", clinic=clinic.name, lead=event.lead_id, reason=reason,
            id=event.id, by="continuation_undelivered")
        self._deliver(clinic, [event])

    def _settled_as(self, clinic: str, before: ConversationState | None, reply: Reply) -> bool:
        """The patient hears from the bot what reception was already told from the agent's outcome ("no quedó
        reservada"): no second task."""
        data = reply.continuation.get("data", {}) if isinstance(reply.continuation, dict) else {}
        key = _case_key(before) if before is not None else ""
        return bool(key) and self._settled.get((clinic, key)) == data.get("reason")

    def _deliver(self, clinic: Clinic, events: list[HandoffEvent]) -> None:
        connection = _local_connection(self._agents, clinic.name)
        if connection is not None:
            self._spawn(self._send(connection, events))
        if self._kommo is not None:
            self._spawn(self._post_to_kommo(clinic, events))

    def _remember_not_known(self, clinic: str, turn: Turn, reply: Reply) -> None:
        data = reply.continuation.get("data", {}) if isinstance(reply.continuation, dict) else {}
        kept = reply.state
        if data.get("booking") != "unconfirmed" or kept is None:
            return
        if kept.stage == CANCELLING and kept.intent == "cancel" and kept.target is not None:
            self._spawn(self._look_after_cancel(clinic, turn, kept))  # a cancel has no outcome of its own: read
            return
        key = _case_key(kept)  # only a booking's outcome comes back from the agent by itself (a move's: its new one's)
        if not key:
            return
        self._not_known[(clinic, key)] = (turn, kept)
        while len(self._not_known) > MAX_NOT_KNOWN:
            self._not_known.popitem(last=False)
        self._spawn(self._keep_not_known(clinic, key, turn, kept))
        early = self._told_early.pop((clinic, key), None)
        if early is not None and self._clock() - early[1] <= TOLD_EARLY_KEPT_S:
            self.on_outcome(clinic, early[0])  # told before the hand-off: settled now

    def on_outcome(self, clinic: str, outcome: Outcome) -> None:
        """The agent told a booking's final outcome: one handed off as "not known yet" and made after all is
        settled for the clinic's team now (tray row closed, Kommo task done), not at the patient's next message."""
        if (clinic, outcome.key) in self._settled:
            return  # told again: settled already
        waiting = self._not_known.pop((clinic, outcome.key), None)
        if waiting is None:  # maybe the relay has not given up on it yet: kept for the hand-off that may follow
            self._told_early[(clinic, outcome.key)] = (outcome, self._clock())
            while len(self._told_early) > MAX_NOT_KNOWN:
                self._told_early.popitem(last=False)
            # ... or another relay process gave up on it (this one's before a restart, another instance)
            self._spawn(self._settle_kept(clinic, outcome))
            return
        moving = waiting[1].target  # a move: its new time booked (or not); the old one, the agent's to cancel
        if outcome.ok and outcome.result is not None:
            reason = MOVED_UNTOLD if moving else BOOKED_UNTOLD
            self._mark_settled(clinic, outcome.key, reason)
            self._spawn(self._settle(clinic, waiting, reason, outcome.result.start, outcome.result.professional))
        elif not outcome.ok and outcome.error is not None and outcome.error.certainly_unwritten:
            pending = waiting[1].pending  # known NOT booked: "ofrézcale otra", not "the agent did not answer"
            if moving is not None:  # the old one stands: named in the task
                self._mark_settled(clinic, outcome.key, MOVE_NOT_MADE)
                self._spawn(self._settle(clinic, waiting, MOVE_NOT_MADE, moving.start, moving.professional))
            else:
                reason = BOOKING_TAKEN if outcome.error.code == "slot_taken" else BOOKING_FAILED
                self._mark_settled(clinic, outcome.key, reason)
                self._spawn(self._settle(clinic, waiting, reason, pending.start if pending else "",
                                         pending.professional if pending else ""))

    def _mark_settled(self, clinic: str, key: str, reason: str) -> None:
        self._settled[(clinic, key)] = reason
        while len(self._settled) > MAX_NOT_KNOWN:
            self._settled.popitem(last=False)

    async def _keep_not_known(self, clinic: str, key: str, turn: Turn, kept: ConversationState) -> None:
        """The case handed off as "not known yet", stored beside the outcomes: a relay restarted (or another instance)
        that hears the agent's late outcome settles it too."""
        case = {"lead_id": turn.lead_id, "name": turn.name, "phone": turn.phone, "state": kept.to_json()}
        try:
            await self._conversations.record_outcome(clinic, NOT_KNOWN_PREFIX + key, case, self._clock())
        except Exception:
            logger.exception("a case not known yet could not be stored", extra={"relay_fields": {"clinic": clinic}})

    async def _settle_kept(self, clinic: str, outcome: Outcome) -> None:
        """A late outcome this process has no hand-off for in memory: the stored case, if the patient still waits."""
        try:
            case = await self._conversations.booking_outcome(clinic, NOT_KNOWN_PREFIX + outcome.key)
            if not case:
                return
            kept = ConversationState.from_json(case["state"])
            turn = Turn(lead_id=str(case["lead_id"]), message="", name=str(case["name"]), phone=str(case["phone"]),
                        now=datetime.fromtimestamp(self._clock(), UTC))
            if not await self._still_unknown(clinic, turn.lead_id, kept):
                return
        except Exception:
            logger.exception("a stored case not known yet could not be read",
                             extra={"relay_fields": {"clinic": clinic}})
            return
        if (clinic, outcome.key) in self._not_known or self._told_early.pop((clinic, outcome.key), None) is None:
            return  # settled meanwhile (its hand-off came after all)
        self._not_known[(clinic, outcome.key)] = (turn, kept)
        self.on_outcome(clinic, outcome)

    async def _look_after_cancel(self, clinic: str, turn: Turn, kept: ConversationState) -> None:
        """A cancel handed off as "not known yet": the patient's appointments, read once the agent's cancel is over,
        say whether it went through; reception's task then says "SÍ quedó cancelada: avísele" or "NO quedó
        cancelada" instead of "el agente no respondió a tiempo" until the patient writes again. Nothing is
        cancelled here (a read only), and nothing is said once the patient has heard it from the bot."""
        assert kept.target is not None
        try:
            args = MyBookingsArgs(turn.phone.strip())
        except ProtocolError:
            return
        for wait in CANCEL_LOOK_AFTER_S:
            await asyncio.sleep(wait)
            if not await self._still_unknown(clinic, turn.lead_id, kept):
                return
            try:
                response = await self._agents.request(clinic, "my_bookings", args, self._look_timeout_s)
            except AgentUnavailable:
                continue
            found = outcome_of("my_bookings", response)
            if not isinstance(found, MyBookingsResult):
                continue
            if not await self._still_unknown(clinic, turn.lead_id, kept):
                return
            gone = all(booking.booking_id != kept.target.booking_id for booking in found.bookings)
            log(logger, logging.INFO, "cancel_looked_after", clinic=clinic, lead=turn.lead_id, cancelled=gone)
            await self._settle(clinic, (turn, kept), CANCELLED_UNTOLD if gone else CANCEL_NOT_MADE,
                               kept.target.start, kept.target.professional)
            return

    async def _still_unknown(self, clinic: str, lead_id: str, kept: ConversationState) -> bool:
        """The conversation still waits on this booking's, cancel's or move's outcome (the patient has not heard it,
        nor taken it back)."""
        try:
            raw = await self._conversations.load_conversation(clinic, lead_id)
            now = ConversationState.from_json(raw) if raw else None
        except Exception:
            return False
        return (now is not None and now.conversation_id == kept.conversation_id and now.stage == kept.stage
                and now.intent == kept.intent and _booking_id(now.target) == _booking_id(kept.target)
                and _slot_id(now.pending) == _slot_id(kept.pending))

    async def _settle(self, name: str, waiting: tuple[Turn, ConversationState], reason: str, start: str,
                      professional: str) -> None:
        turn, state = waiting
        try:
            clinic = await self._conversations.get_clinic(name)
            if clinic is None:
                return
            # The patient was told "Aún no sé…": the task becomes "tell them it IS booked" (closed in its turn when
            # they write again and hear it from the bot), never "no need to contact" while they do not know; or,
            # known NOT booked, "offer another time".
            untold = _for_reception(reason, start, professional)
            now = datetime.fromtimestamp(self._clock(), UTC)
            lead_url = kommo_lead_url(clinic.kommo_base_url, turn.lead_id)
            events = [
                resolution_event(f"fu-{secrets.token_hex(8)}", RESOLVED_SUPERSEDED, turn, untold, state, now, lead_url),
                handoff_event(f"fu-{secrets.token_hex(8)}", replace(turn, message=""), untold, state, now, lead_url),
            ]
            for event in events:
                await self._store.add(clinic.name, event, self._clock())
        except Exception:
            logger.exception("a late booking could not be settled", extra={"relay_fields": {"clinic": name}})
            return
        for event in events:
            log(logger, logging.INFO, "followup_resolved" if event.reason in RESOLUTIONS else "followup_created",
                clinic=name, lead=event.lead_id, reason=event.reason, id=event.id, by="agent_outcome")
        self._deliver(clinic, events)

    async def _conversation_before(self, clinic: Clinic, turn: Turn) -> ConversationState | None:
        raw = await self._conversations.load_conversation(clinic.name, turn.lead_id)
        if not raw:
            return None
        try:
            return ConversationState.from_json(raw)
        except Exception:
            return None

    # -- the agent's side ----------------------------------------------------------------------------------

    def on_ack(self, clinic: str, followup_id: str) -> None:
        """The agent has stored ``followup_id`` (called from the websocket's reader)."""
        task = self._spawn(self._acknowledge(clinic, followup_id))
        acks = self._acks.setdefault(clinic, set())
        acks.add(task)
        task.add_done_callback(lambda done: self._ack_stored(clinic, done))

    def _ack_stored(self, clinic: str, task: asyncio.Task[Any]) -> None:
        acks = self._acks.get(clinic)
        if acks is not None:
            acks.discard(task)
            if not acks:
                del self._acks[clinic]

    async def _acknowledge(self, clinic: str, followup_id: str) -> None:
        try:
            known = await self._store.acknowledge(clinic, followup_id)
        except Exception:
            logger.exception("a follow-up ack could not be stored", extra={"relay_fields": {"clinic": clinic}})
            return
        log(logger, logging.INFO, "followup_acknowledged", clinic=clinic, id=followup_id, known=known)

    def on_contacted(self, connection: AgentConnection, contacted: Contacted) -> None:
        """Reception marked the lead's patient "Contactado" in the tray: the lead's Cita Bridge tasks in Kommo made
        before then are completed ("ya no hace falta contactar…"), then the agent hears it was taken."""
        self._spawn(self._contacted(connection, contacted))

    async def _contacted(self, connection: AgentConnection, contacted: Contacted) -> None:
        try:
            clinic = await self._conversations.get_clinic(connection.clinic)
        except Exception:
            logger.exception("a contacted patient could not be told to Kommo",
                             extra={"relay_fields": {"clinic": connection.clinic}})
            return  # not acknowledged: the agent tells it again on its next connection
        if clinic is None:
            return
        event = HandoffEvent(id=f"fu-{secrets.token_hex(8)}", at=contacted.at, lead_id=contacted.lead_id,
                             name=contacted.name, phone=contacted.phone, reason=RESOLVED_CONTACTED)
        log(logger, logging.INFO, "followup_resolved", clinic=clinic.name, lead=event.lead_id, reason=event.reason,
            id=event.id, by="reception")
        if self._kommo is not None:
            await self._post_to_kommo(clinic, [event])  # a Kommo that fails is tried again later (KOMMO_RETRY_S)
        with contextlib.suppress(Exception):  # the socket went away: the agent tells it again, harmless twice
            async with connection.send_lock:
                await connection.link.send_text(encode(Ack(id=contacted.ack_id)))

    async def _send(self, connection: AgentConnection, events: list[HandoffEvent]) -> None:
        sent = self._sent.setdefault(connection.connection_id, set())
        for event in events:
            if event.id in sent or connection.closed:
                continue
            sent.add(event.id)
            try:
                async with connection.send_lock:
                    await connection.link.send_text(encode_event(event))
            except Exception:  # the socket went away: the next connection gets it from the backlog
                sent.discard(event.id)
                return

    async def sweep(self) -> None:
        """Send what is unacknowledged to the agents held here that have not had it on this connection."""
        now = self._clock()
        live: set[str] = set()
        for clinic, mark in (await self._store.clinics_with_pending(now)).items():
            connection = _local_connection(self._agents, clinic)
            if connection is None:
                continue
            live.add(connection.connection_id)
            if self._seen.get(connection.connection_id) == mark:
                continue  # nothing new since this connection was last served (an agent that never acks, say)
            acks = self._acks.get(clinic)
            if acks:  # an agent that acknowledged and reconnected at once: its acks are stored before the backlog
                await asyncio.wait(set(acks))  # is read, so nothing it holds is sent to it again
            sent = self._sent.get(connection.connection_id, set())
            pending = [e for e in await self._store.pending(clinic, now) if e.id not in sent]
            if pending:
                await self._send(connection, pending)
            if not connection.closed:
                self._seen[connection.connection_id] = mark
        for connection_id in list(self._sent) + list(self._seen):
            if connection_id not in live:
                self._sent.pop(connection_id, None)
                self._seen.pop(connection_id, None)
        if now - self._last_purge >= PURGE_EVERY_S:
            self._last_purge = now
            await self._store.purge_expired(now)
        if self._kommo is not None and now - self._debts_looked_at >= KOMMO_DEBTS_EVERY_S:
            self._debts_looked_at = now
            await self._take_kommo_debts(now)

    async def _sweep_forever(self) -> None:
        while True:
            await asyncio.sleep(self._sweep_s)
            try:
                await self.sweep()
            except Exception as exc:  # the store may be away for a while (Redis): try again at the next sweep
                log(logger, logging.WARNING, "followup_sweep_failed", error=type(exc).__name__)

    # -- Kommo ---------------------------------------------------------------------------------------------

    async def _post_to_kommo(self, clinic: Clinic, events: list[HandoffEvent]) -> None:
        """In order: a resolution completes the lead's open tasks before the same turn's new one is written, and
        never runs ahead of a task still being written for the lead (Kommo slow: it would find none to complete)."""
        assert self._kommo is not None
        leads = sorted({event.lead_id for event in events})
        async with contextlib.AsyncExitStack() as held:
            for lead in leads:
                await held.enter_async_context(self._kommo_order.hold(clinic.name, lead))
            await self._post_in_order(clinic, events)

    async def _post_in_order(self, clinic: Clinic, events: list[HandoffEvent]) -> None:
        for event in events:
            try:
                actions = await self._store.kommo_actions(clinic.name)
            except Exception:
                logger.exception("a follow-up was not posted to Kommo", extra={"relay_fields": {"clinic": clinic.name}})
                continue
            if not actions:
                return
            if event.reason in RESOLUTIONS:  # the case settled: an earlier write still waiting to be retried is moot
                for waiting in self._kommo_retries.pop((clinic.name, event.lead_id), set()):
                    waiting.cancel()
                await self._quietly("forgive_kommo", self._store.forgive_kommo(clinic.name, event.lead_id))
            await self._post_event(clinic, event, actions, 0)

    async def _post_event(self, clinic: Clinic, event: HandoffEvent, actions: tuple[str, ...], attempt: int) -> None:
        """One follow-up's Kommo actions; those that failed are tried again later (KOMMO_RETRY_S). Owed in the store
        from before the first attempt: a relay stopped while Kommo is slow to answer it still has them made."""
        assert self._kommo is not None
        if attempt == 0:
            await self._quietly("owe_kommo", self._store.owe_kommo(
                KommoDebt(clinic.name, event, actions, 0), self._owner, self._clock() + KOMMO_HOLD_S))
        try:
            if event.reason in RESOLUTIONS:
                results = await self._kommo.resolve(clinic, event, actions)
            else:
                results = await self._kommo.post(clinic, event, actions, again=attempt > 0)
        except Exception:
            logger.exception("a follow-up was not posted to Kommo", extra={"relay_fields": {"clinic": clinic.name}})
            return
        if results:
            log(logger, logging.INFO, "followup_in_kommo", clinic=clinic.name, id=event.id, attempt=attempt + 1,
                **results)
        failed = _failed_actions(results)
        if failed and attempt < len(KOMMO_RETRY_S):
            held_until = self._clock() + KOMMO_RETRY_S[attempt] + KOMMO_HOLD_S
            await self._quietly("owe_kommo", self._store.owe_kommo(
                KommoDebt(clinic.name, event, failed, attempt, _telling(results.values())), self._owner, held_until))
            self._retry_later(clinic, event, failed, attempt, KOMMO_RETRY_S[attempt])
            return
        if failed:
            log(logger, logging.WARNING, "followup_kommo_given_up", clinic=clinic.name, id=event.id,
                actions=",".join(failed))
        await self._quietly("paid_kommo", self._store.paid_kommo(clinic.name, event.id))

    def _retry_later(self, clinic: Clinic, event: HandoffEvent, actions: tuple[str, ...], attempt: int,
                     wait_s: float) -> None:
        key = (clinic.name, event.lead_id)
        retry = self._spawn(self._post_later(clinic, event, actions, attempt, wait_s))
        self._kommo_retries.setdefault(key, set()).add(retry)
        retry.add_done_callback(lambda done: self._retry_done(key, done))

    async def kommo_owed(self, clinic: str) -> dict[str, Any]:
        """For `check-clinic`: the clinic's hand-offs whose Kommo writes wait to be made, since when, and Kommo's
        last answer to them (a refusal the admin can fix first)."""
        # Those being made for the first time (no answer yet) are not owed yet
        debts = [debt for debt in await self._store.kommo_debts_of(clinic) if debt.status is not None]
        since = min((_instant(debt.event.at) for debt in debts), default=None)
        return {
            "owed": len(debts),
            "since": None if since is None else datetime.fromtimestamp(since, UTC).isoformat(timespec="seconds"),
            "status": _telling(debt.status for debt in debts) if debts else None,
        }

    async def _take_kommo_debts(self, now: float) -> None:
        """Kommo writes an earlier run of this relay (or an instance that is gone) still owed: made now."""
        for debt in await self._store.take_kommo_debts(self._owner, now, now + KOMMO_HOLD_S):
            clinic = await self._conversations.get_clinic(debt.clinic)
            if clinic is None:  # removed meanwhile
                await self._store.paid_kommo(debt.clinic, debt.event.id)
                continue
            log(logger, logging.INFO, "followup_kommo_taken_over", clinic=clinic.name, id=debt.event.id,
                actions=",".join(debt.actions))
            self._retry_later(clinic, debt.event, debt.actions, debt.attempt, 0.0)

    async def _quietly(self, what: str, call: Awaitable[None]) -> None:
        """A store write about Kommo's debts: one that fails costs at most a retry after a restart."""
        try:
            await call
        except Exception as exc:
            log(logger, logging.WARNING, "followup_kommo_debt_not_stored", step=what, error=type(exc).__name__)

    def _retry_done(self, key: tuple[str, str], task: asyncio.Task[Any]) -> None:
        waiting = self._kommo_retries.get(key)
        if waiting is not None:
            waiting.discard(task)
            if not waiting:
                del self._kommo_retries[key]

    async def _post_later(self, clinic: Clinic, event: HandoffEvent, actions: tuple[str, ...], attempt: int,
                          wait_s: float) -> None:
        await asyncio.sleep(wait_s)
        async with self._kommo_order.hold(clinic.name, event.lead_id):
            await self._post_event(clinic, event, actions, attempt + 1)

    def _spawn(self, job: Any) -> asyncio.Task[Any]:
        task = asyncio.get_running_loop().create_task(job)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task


def encode_event(event: HandoffEvent) -> str:
    return json.dumps(event.to_json(), ensure_ascii=False, separators=(",", ":"))
