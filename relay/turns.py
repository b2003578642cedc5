"""The work behind one accepted widget_request, done after Kommo already has its 200.

For each turn: take the lead's lock (two quick messages of one patient never race), load the conversation,
ask the clinic's agent for slots, let the conversation decide, book if it says so, persist the new state
and the reply, then POST the reply to Kommo's return_url. Whatever fails on the way — agent offline,
paused, slow, an error, a bug — the patient still gets exactly one continuation: a hand-off at worst.

Repeated deliveries (same JWT id; or same lead + same message within a few seconds while the conversation
has not moved on — see ``kommo_endpoint.delivery_keys``) never reach the agent:
- same return_url as the first: nothing more is sent (Kommo already got, or is getting, that answer);
- a new return_url: the first delivery's reply is POSTed there too, so no bot is left waiting on a
  return_url nobody calls;
- the first one never finished (the relay stopped mid-way): handled as a new turn, since no answer exists.
A repeat with a new return_url is a pending turn of its own (``REPEAT_TURN_PREFIX``): a relay stopped before it was
answered sends it, when it starts, whatever its first delivery is answered with (both re-run as one job).

With several instances, the first delivery may be worked on by another instance, and the repeat could win the
lead's lock before it: a repeat whose first delivery is not being worked on here first waits (up to
``first_delivery_wait_s``, the longest a turn takes) for that delivery's reply to appear in the store.

Exactly once across restarts and crashes:
- every accepted turn is a ``PendingTurn`` in the store before Kommo hears 200, and stays there until its
  continuation went out; a relay that starts (or, with several instances, finds a dead instance's turns)
  re-runs them: a continuation sent late rather than never;
- the reply is recorded before the conversation moves on, so a re-run sends the same reply;
- a booking whose outcome is not known (time-out, agent gone, restart) stays in the conversation, and the lead's
  next turn asks the agent again with the same idempotency key before anything else (``resume_booking``); when
  the agent is away, the outcome it reported on its own (``Outcome`` frames, kept by the store) answers.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from relay.agents import AgentDirectory, AgentUnavailable
from relay.appointment_steps import run_agent_step
from relay.conversation import (
    AgentStep,
    Book,
    ClinicProfile,
    ConversationState,
    Reply,
    Turn,
    after_booking,
    before_booking,
    decide,
    handoff,
    name_cased,
    outcome_of,
    resume_booking,
    resume_cancel,
    without_agenda,
)
from relay.followups import FollowUpSink, NoFollowUps
from relay.kommo_client import ContinuationOutcome, KommoClient
from relay.locks import KeyedLocks, LockSet
from relay.logs import log, mask_phone
from relay.metrics import RelayMetrics
from relay.settings import RelaySettings
from relay.slot_answers import SLOT_DAYS, SlotAnswerCache
from relay.store import Clinic, PendingTurn, PriorDelivery, RelayStore
from wire.appointments import MyBookingsArgs
from wire.messages import (
    BookArgs,
    BookResult,
    Outcome,
    ProtocolError,
    SlotsArgs,
    SlotsResult,
    WireError,
    WirePatient,
    decode,
)

T = TypeVar("T")

logger = logging.getLogger("relay.turns")

# An accepted turn whose continuation never went out is re-run after a restart for this long; past it, Kommo's
# return_url is not worth trying (the conversation itself is kept, and the lead's next message resumes it).
PENDING_TURN_MAX_AGE_S = 3600.0
# A turn re-run at start-up waits this long for its clinic's agent to dial in again before asking it.
RESUMED_AGENT_WAIT_S = 10.0
# The agent answers "which appointments does this phone have?" from memory before a booking: a few ms. Not answered
# within this, the booking goes on as it would have without the check.
BOOKINGS_RECHECK_TIMEOUT_S = 3.0
# The id of a repeat's own pending turn (a repeat with a return_url of its own: relay/kommo_endpoint.py). Its keys are
# that id, then the repeat's delivery keys: those it shares with its first delivery find that one after a restart.
REPEAT_TURN_PREFIX = "repeat:"
# The patient's own appointments' ops that change the web app: asked again after a restart with the same key.
ASKED_AGAIN_OPS = frozenset({"cancel", "reschedule"})


@dataclass(frozen=True)
class AcceptedTurn:
    clinic: Clinic
    turn: Turn
    return_url: str
    delivery_keys: tuple[str, ...]
    received_at: float  # time.monotonic() when the widget_request arrived
    repeat_of: PriorDelivery | None = None
    turn_id: str = ""  # the PendingTurn this job finishes ("" for a repeat answered on its first's return_url)
    resumed: bool = False  # re-run after a restart: send its recorded reply, or decide it now
    recorded_reply: dict[str, Any] | None = None
    # (return_url, turn_id) of repeats of this delivery resumed with it: sent this job's continuation too
    riders: tuple[tuple[str, str], ...] = ()


def resumed_job(
    clinic: Clinic, pending: PendingTurn, monotonic_now: float, wall_now: float, riders: tuple[PendingTurn, ...] = ()
) -> AcceptedTurn:
    """A pending turn left by a stopped relay, as a job again (its age counts toward the latency it reports)."""
    turn = Turn(
        lead_id=pending.lead_id,
        message=pending.message,
        name=pending.name,
        phone=pending.phone,
        now=datetime.fromtimestamp(pending.received_at, UTC),
        **pending.extras,
    )
    return AcceptedTurn(
        clinic=clinic,
        turn=turn,
        return_url=pending.return_url,
        delivery_keys=pending.keys,
        received_at=monotonic_now - max(0.0, wall_now - pending.received_at),
        turn_id=pending.turn_id,
        resumed=True,
        recorded_reply=pending.reply,
        riders=tuple((rider.return_url, rider.turn_id) for rider in riders),
    )


def with_riders(pending: list[PendingTurn]) -> list[tuple[PendingTurn, tuple[PendingTurn, ...]]]:
    """Pending turns to re-run, oldest first, each with the repeats that wait for its answer (a repeat not answered
    yet whose first delivery is pending too rides with it: never decided apart, which could answer it otherwise)."""
    ordered = sorted(pending, key=lambda item: item.received_at)
    firsts: dict[tuple[str, str], PendingTurn] = {}
    riders: dict[tuple[str, str], list[PendingTurn]] = {}
    out: list[PendingTurn] = []
    for item in ordered:
        if item.turn_id.startswith(REPEAT_TURN_PREFIX) and item.reply is None:
            first = next((firsts[(item.clinic, key)] for key in item.keys[1:] if (item.clinic, key) in firsts), None)
            if first is not None:
                riders[(first.clinic, first.turn_id)].append(item)
                continue
        out.append(item)
        riders[(item.clinic, item.turn_id)] = []
        if not item.turn_id.startswith(REPEAT_TURN_PREFIX):
            for key in item.keys:
                firsts.setdefault((item.clinic, key), item)
    return [(item, tuple(riders[(item.clinic, item.turn_id)])) for item in out]


def _is_repeat(job: AcceptedTurn) -> bool:
    """A repeat on its own pending turn (``REPEAT_TURN_PREFIX``)."""
    return job.turn_id.startswith(REPEAT_TURN_PREFIX)


def _first_keys(job: AcceptedTurn) -> tuple[str, ...]:
    """The delivery keys that find a repeat's first delivery: its first's turn id first (remembered as long as that
    delivery's token; lead + message only for the repeat window, shorter than a slow booking), never the repeat's own
    turn id (a re-run repeat's keys start with it: it finds the repeat's own row, not the first's reply)."""
    keys = job.delivery_keys
    if keys and keys[0].startswith(REPEAT_TURN_PREFIX):
        keys = keys[1:]
    first = job.repeat_of.turn_id if job.repeat_of is not None else ""
    return (first, *(key for key in keys if key != first)) if first else keys


class AgentAnswerMissing(Exception):
    """The agent gave no usable answer: ``reason`` goes to the hand-off (data.reason)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@functools.lru_cache(maxsize=4096)  # a Clinic is frozen: its profile is the same on every turn
def profile_of(clinic: Clinic) -> ClinicProfile:
    return ClinicProfile(
        name=clinic.name_for_patients,
        language=clinic.language,
        address=clinic.address,
        bot_question_step=clinic.bot_question_step,
    )


def last_resort_continuation(clinic: Clinic, reason: str) -> dict[str, Any]:
    """Used only if the conversation itself failed: the patient is still told a person will write."""
    text = (
        "A receptionist will write to you shortly."
        if clinic.language == "en"
        else "Una recepcionista te escribirá en breve."
    )
    return {
        "data": {"status": "handoff", "reason": reason, "message": text},
        "execute_handlers": [{"handler": "show", "params": {"type": "text", "value": text}}],
    }


class TurnProcessor:
    def __init__(
        self,
        store: RelayStore,
        agents: AgentDirectory,
        kommo: KommoClient,
        settings: RelaySettings,
        metrics: RelayMetrics,
        monotonic: Callable[[], float] = time.monotonic,
        lead_locks: LockSet | None = None,
        first_delivery_wait_s: float = 0.0,
        owner: str = "",
        followups: FollowUpSink | None = None,
    ) -> None:
        self._followups = followups or NoFollowUps()
        self._store = store
        self._agents = agents
        self._kommo = kommo
        self._settings = settings
        self._metrics = metrics
        self._monotonic = monotonic
        # A lead's turns one at a time (across every instance when they share Redis).
        self._locks = lead_locks if lead_locks is not None else KeyedLocks()
        self._first_delivery_wait_s = first_delivery_wait_s
        self.owner = owner  # this instance's name on the turns it accepts ("" with one process)
        # Strong references: a task only referenced by the loop may be garbage-collected mid-flight.
        self._tasks: set[asyncio.Task[None]] = set()
        self._slot_answers = SlotAnswerCache()
        self._working_on: set[tuple[str, str]] = set()  # (clinic, delivery key) of first deliveries in flight here
        self._waiting_on_peers = 0  # turns waiting for their agent's answer or for Kommo's: no CPU of the relay's

    def submit(self, job: AcceptedTurn) -> None:
        task = asyncio.get_running_loop().create_task(self._run(job), name=f"turn:{job.clinic.name}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        if job.repeat_of is None:
            keys = {(job.clinic.name, key) for key in job.delivery_keys}
            self._working_on |= keys
            task.add_done_callback(lambda _: self._working_on.difference_update(keys))

    @property
    def in_flight(self) -> int:
        return len(self._tasks)

    @property
    def busy(self) -> int:
        """The turns in flight that need the relay's CPU now (not waiting for an agent or for Kommo)."""
        return max(0, len(self._tasks) - self._waiting_on_peers)

    async def _on_peer(self, call: Awaitable[T]) -> T:
        self._waiting_on_peers += 1
        try:
            return await call
        finally:
            self._waiting_on_peers -= 1

    async def resume_unfinished(self, live_owners: set[str]) -> int:
        """Re-run the accepted turns nobody alive is working on (left by a stop, a crash or a dead instance)."""
        now = time.time()
        pending = await self._store.take_unfinished_turns(self.owner, live_owners, now, PENDING_TURN_MAX_AGE_S)
        resumed = 0
        for item, riders in with_riders(pending):
            clinic = await self._store.get_clinic(item.clinic)
            if clinic is None:  # removed meanwhile
                for turn in (item, *riders):
                    await self._store.finish_turn(turn.clinic, turn.turn_id)
                continue
            log(
                logger,
                logging.WARNING,
                "turn_resumed",
                clinic=clinic.name,
                lead=item.lead_id,
                age_s=round(now - item.received_at, 1),
                reply_known=item.reply is not None,
                repeats=len(riders),
            )
            self.submit(resumed_job(clinic, item, self._monotonic(), now, riders))
            resumed += 1 + len(riders)
        return resumed

    async def drain(self, grace_s: float) -> None:
        """On shutdown: let in-flight turns finish (each ends in its continuation), then cancel stragglers."""
        if not self._tasks:
            return
        log(logger, logging.INFO, "draining_turns", in_flight=len(self._tasks), grace_s=grace_s)
        _, pending = await asyncio.wait(set(self._tasks), timeout=grace_s)
        for task in pending:
            task.cancel()
        if pending:
            log(logger, logging.WARNING, "turns_cancelled_at_shutdown", count=len(pending))
            await asyncio.wait(pending, timeout=2.0)

    # -- one turn --------------------------------------------------------------------------------------

    async def _run(self, job: AcceptedTurn) -> None:
        clinic, turn = job.clinic, job.turn
        body: dict[str, Any] | None
        try:
            if job.resumed and job.recorded_reply is None and job.repeat_of is None and _is_repeat(job):
                # A repeat re-run on its own (its first delivery was no longer pending: finished, or another
                # instance's): still that delivery's repeat, owed its reply, never a new turn on a conversation the
                # first one already moved on (the pick read again: another booking, or a wrong answer).
                prior = await self._store.find_delivery(clinic.name, _first_keys(job), time.time())
                if prior is not None:
                    job = dataclasses.replace(job, repeat_of=prior)
            if job.repeat_of is not None and job.repeat_of.reply is None:
                await self._await_first_delivery(job)
            async with self._locks.hold(clinic.name, turn.lead_id):
                if job.resumed and job.recorded_reply is None:
                    # Under the lead's lock: Kommo sending it again, or the patient's next message, waits behind it
                    # (either would otherwise be decided first, without the agent: "Aún no sé", the same return_url
                    # answered twice).
                    await self._await_agent(clinic.name, RESUMED_AGENT_WAIT_S)
                body = await self._reply_body(job)
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("turn failed; answering with a hand-off", extra={"relay_fields": {"clinic": clinic.name}})
            body = await self._handoff_after_failure(job)
        if body is None:
            self._metrics.continuations.labels("not_needed").inc()
            await self._finish(job)
            return
        try:
            outcome = await self._on_peer(self._kommo.continue_bot(clinic, job.return_url, body, lead=turn.lead_id))
        except Exception:  # e.g. the store failed while reading the token: logged, never silently lost
            logger.exception("continuation failed", extra={"relay_fields": {"clinic": clinic.name}})
            outcome = ContinuationOutcome(False, None, 0, "internal error")
        elapsed = self._monotonic() - job.received_at
        status = str(body.get("data", {}).get("status", ""))
        if outcome.delivered:
            self._metrics.continuations.labels("delivered").inc()
            self._metrics.latency.observe(elapsed)
        else:
            self._metrics.continuations.labels("failed").inc()
        log(
            logger,
            logging.INFO if outcome.delivered else logging.ERROR,
            "continuation_sent" if outcome.delivered else "continuation_undelivered",
            clinic=clinic.name,
            lead=turn.lead_id,
            status=status,
            repeat=job.repeat_of is not None,
            attempts=outcome.attempts,
            kommo_status=outcome.status_code,
            ms=round(elapsed * 1000, 1),
        )
        if not outcome.delivered:  # booked, moved or cancelled, and the patient never heard: reception tells them
            await self._followups.undelivered(clinic, turn, body)
        await self._answer_riders(job, body)
        await self._finish(job)

    async def _answer_riders(self, job: AcceptedTurn, body: dict[str, Any] | None) -> None:
        """The repeats resumed with this job (``with_riders``): the same continuation on each one's return_url."""
        for return_url, turn_id in job.riders:
            if body is not None and return_url != job.return_url:
                try:
                    outcome = await self._on_peer(
                        self._kommo.continue_bot(job.clinic, return_url, body, lead=job.turn.lead_id)
                    )
                    delivered = outcome.delivered
                except Exception:
                    logger.exception("continuation failed", extra={"relay_fields": {"clinic": job.clinic.name}})
                    delivered = False
                log(logger, logging.INFO if delivered else logging.ERROR,
                    "continuation_sent" if delivered else "continuation_undelivered",
                    clinic=job.clinic.name, lead=job.turn.lead_id, repeat=True, resumed=True)
            try:
                await self._store.finish_turn(job.clinic.name, turn_id)
            except Exception as exc:
                log(logger, logging.WARNING, "turn_finish_failed", clinic=job.clinic.name, error=type(exc).__name__)

    async def _finish(self, job: AcceptedTurn) -> None:
        """The turn's continuation went out (or was given up on): a restart must not send it again."""
        if not job.turn_id:
            return
        try:
            await self._store.finish_turn(job.clinic.name, job.turn_id)
        except Exception as exc:  # the worst case is one continuation sent twice after a restart
            log(logger, logging.WARNING, "turn_finish_failed", clinic=job.clinic.name, error=type(exc).__name__)

    async def _await_agent(self, clinic: str, wait_s: float) -> None:
        """Until the clinic's agent is connected again (it redials within seconds of a restart), or ``wait_s``."""
        deadline = self._monotonic() + wait_s
        while self._monotonic() < deadline:
            presence = (await self._agents.presences()).get(clinic)
            if presence is not None and presence.connected and presence.paused is not None:
                return
            await asyncio.sleep(0.1)

    async def _await_first_delivery(self, job: AcceptedTurn) -> None:
        """Until the first delivery of this repeat has its reply, if another instance may be working on it.

        One worked on here is ahead of this repeat on the lead's lock already (the local lock is first come,
        first served); one that is nowhere (its relay stopped) keeps this repeat waiting until the wait runs out.
        """
        keys = _first_keys(job)
        if any((job.clinic.name, key) in self._working_on for key in keys):
            return
        deadline = self._monotonic() + self._first_delivery_wait_s
        delay = 0.02
        while self._monotonic() < deadline:
            prior = await self._store.find_delivery(job.clinic.name, keys, time.time())
            if prior is None or prior.reply is not None:
                return
            await asyncio.sleep(delay)
            delay = min(0.25, delay * 1.5)

    async def _reply_body(self, job: AcceptedTurn) -> dict[str, Any] | None:
        if job.resumed:
            recorded = job.recorded_reply
            if recorded is None:
                prior = await self._store.find_delivery(job.clinic.name, job.delivery_keys, time.time())
                recorded = prior.reply if prior is not None else None
            if recorded is not None:  # decided before the stop: send exactly that
                return recorded
        if job.repeat_of is not None:
            prior = await self._store.find_delivery(job.clinic.name, _first_keys(job), time.time())
            if prior is not None and prior.reply is not None:
                if prior.return_url == job.return_url:
                    log(logger, logging.INFO, "repeat_already_answered", clinic=job.clinic.name, lead=job.turn.lead_id)
                    return None
                log(logger, logging.INFO, "repeat_new_return_url", clinic=job.clinic.name, lead=job.turn.lead_id)
                if job.turn_id:  # on its own pending turn: a restart before it went sends this, not a new answer
                    await self._store.record_reply(job.clinic.name, (job.turn_id,), prior.reply)
                return prior.reply
            log(logger, logging.WARNING, "repeat_of_unfinished_turn", clinic=job.clinic.name, lead=job.turn.lead_id)
        reply = await self._converse(job)
        self._metrics.replies.labels(reply.status).inc()
        await self._followups.note(job.clinic, job.turn, reply)  # a hand-off becomes a follow-up (relay.followups)
        # The reply and the conversation's next state in one step: a stop before it asks the same question again,
        # one after it re-sends this reply — never a reply lost while the conversation moved on.
        await self._store.settle_reply(
            job.clinic.name,
            job.delivery_keys,
            reply.continuation,
            job.turn.lead_id,
            None if reply.state is None else reply.state.to_json(),
            job.turn.now.timestamp(),
        )
        return reply.continuation

    async def _converse(self, job: AcceptedTurn) -> Reply:
        clinic, turn = job.clinic, job.turn
        profile = profile_of(clinic)
        state = await self._load_state(clinic, turn)
        # A booking, cancel or move whose outcome is not known is asked about before anything else: it needs no
        # slots, so an agent still away keeps it pending ("Aún no sé…") instead of a hand-off that forgets it.
        step: Reply | Book | AgentStep | None = resume_booking(state, turn) or resume_cancel(state, turn)
        # A cancel or move asked again: the first ask may have reached the agent (a relay stopped mid-way), so this
        # one failing to reach it says nothing of whether it happened ("sigue reservada" could be untrue).
        asked_before = isinstance(step, AgentStep) and step.op in ASKED_AGAIN_OPS
        early: EarlyCheck | None = None
        checked: SlotsResult | None = None  # a new booking's slots, when the agent can tell the phone's appointments
        if step is None:  # no booking waiting for its outcome: the agent's fresh slots first
            early = self._early_bookings_check(clinic, state, turn)
            try:
                slots = await self._slots(clinic)
            except AgentAnswerMissing as missing:
                if early is not None:
                    early.drop()
                return without_agenda(state, turn, profile, missing.reason)
            step = decide(state, turn, profile, slots)
            if isinstance(step, Book):  # a new booking (a resumed one is never asked about again: it may be there)
                asked = await self._bookings_since_listed(clinic, step, turn, profile, slots)
                if asked is not None:
                    if early is not None:
                        early.drop()
                    return asked
                if slots.checks_bookings and turn.phone.strip():
                    checked = slots
        if isinstance(step, AgentStep):  # the patient's own appointments: relay/appointment_steps.py
            at = turn.now.timestamp()

            def ask(op: str, args: Any) -> Awaitable[Any]:
                if early is not None and early.answers(op, args):
                    return early.task
                deadline = self._settings.move_timeout_s if op == "reschedule" else self._settings.book_timeout_s
                asked = self._on_peer(self._agents.request(clinic.name, op, args, deadline))
                return _maybe_written(asked) if asked_before and op in ASKED_AGAIN_OPS else asked

            try:
                return await run_agent_step(
                    step, turn, profile, clinic_name=clinic.name, ask=ask,
                    save=lambda s: self._store.keep_turn_state(clinic.name, turn.lead_id, s.to_json(), at),
                )
            finally:
                if early is not None:
                    early.drop()
        if early is not None:
            early.drop()
        if not isinstance(step, Book):
            return step
        # Remember the pick before the agent acts: a restart mid-booking resumes from it, and the
        # idempotency key (from the state) makes a repeated pick book once.
        await self._store.keep_turn_state(clinic.name, turn.lead_id, step.state.to_json(), turn.now.timestamp())
        log(
            logger,
            logging.INFO,
            "booking",
            clinic=clinic.name,
            lead=turn.lead_id,
            slot=step.slot.id,
            phone=mask_phone(turn.phone),
        )
        try:
            # A new booking whose phone was checked just before carries the appointments the patient was told of:
            # the agent refuses it (``other_booking``) if it knows another one by the time it starts.
            told = tuple(step.state.listed()) if checked is not None else None
            outcome = await self._book(clinic, step, turn, told)
            if checked is not None and isinstance(outcome, WireError) and outcome.code == "other_booking":
                # Another chat of this phone booked an instant before (both passed the check above at once): said,
                # and confirmed again. Nothing new by now (that booking failed meanwhile): this one, once more.
                asked = await self._bookings_since_listed(clinic, step, turn, profile, checked)
                if asked is not None:
                    return asked
                outcome = await self._book(clinic, step, turn, told)
        except AgentAnswerMissing as missing:
            reported = await self._reported_outcome(clinic, step.idempotency_key)
            if reported is None:
                return handoff(step.state, turn, profile, missing.reason)
            outcome = reported
        return after_booking(step.state, turn, profile, outcome)

    async def _bookings_since_listed(
        self, clinic: Clinic, step: Book, turn: Turn, profile: ClinicProfile, slots: SlotsResult
    ) -> Reply | None:
        """Just before a booking goes out, the phone's appointments as the agent knows them (its memory: no read of
        the web app): one the conversation never listed — booked meanwhile in another chat of the same phone, or
        by reception and seen since — is said and the booking confirmed again (conversation/existing.py). None:
        book (nothing new, or the agent cannot tell now: never a dead end)."""
        phone = turn.phone.strip()
        if not slots.checks_bookings or not phone:
            return None
        args = MyBookingsArgs(phone, known_only=True)
        try:
            response = await self._on_peer(
                self._agents.request(clinic.name, "my_bookings", args, BOOKINGS_RECHECK_TIMEOUT_S)
            )
        except AgentUnavailable:
            return None
        return before_booking(step, turn, profile, slots, outcome_of("my_bookings", response))

    def _early_bookings_check(self, clinic: Clinic, state: ConversationState | None, turn: Turn) -> EarlyCheck | None:
        """A new conversation (or one whose booking is done) at a clinic whose agent finds bookings starts with "does
        this phone already have an appointment?" (relay/conversation/existing.py), asked of the agent's journal only:
        asked here beside the slots question rather than after it, it costs the patient one agent round trip less.
        Used only if the conversation asks exactly this; otherwise dropped (its answer is a lookup in the agent's
        memory)."""
        if (state is not None and not state.ended) or not self._slot_answers.checks_bookings(clinic.name):
            return None
        args = MyBookingsArgs(turn.phone.strip(), known_only=True)
        if not args.phone:
            return None
        task = asyncio.ensure_future(
            self._on_peer(self._agents.request(clinic.name, "my_bookings", args, self._settings.book_timeout_s))
        )
        return EarlyCheck(args, task)

    async def _reported_outcome(self, clinic: Clinic, key: str) -> BookResult | WireError | None:
        """The booking's outcome as the agent reported it on its own, when the agent cannot be asked now."""
        raw = await self._store.booking_outcome(clinic.name, key)
        if raw is None:
            return None
        try:
            frame = decode(json.dumps(raw))
        except ProtocolError:
            return None
        if not isinstance(frame, Outcome):
            return None
        log(logger, logging.INFO, "booking_outcome_from_report", clinic=clinic.name, ok=frame.ok)
        return frame.result if frame.ok else frame.error

    async def _load_state(self, clinic: Clinic, turn: Turn) -> ConversationState | None:
        raw = await self._store.load_conversation(clinic.name, turn.lead_id)
        if raw is None:
            return None
        try:
            state = ConversationState.from_json(raw)
        except Exception:  # an older or damaged record: start over rather than fail the patient
            log(logger, logging.WARNING, "conversation_state_unreadable", clinic=clinic.name, lead=turn.lead_id)
            return None
        return None if state.expired(turn.now) else state

    async def _slots(self, clinic: Clinic) -> SlotsResult:
        standing = self._standing_slots(clinic)
        if standing is not None:
            self._metrics.agent_requests.labels("slots", "standing").inc()
            return standing
        known = self._slot_answers.known(clinic.name)
        result = await self._slots_answer(clinic, known)
        if result is None and known is not None:  # "unchanged" from an answer no longer held here: ask in full
            result = await self._slots_answer(clinic, None)
        if result is None:  # "unchanged" though nothing was known: not an answer
            self._metrics.agent_requests.labels("slots", "bad_answer").inc()
            log(logger, logging.WARNING, "agent_slots_unreadable", clinic=clinic.name, problem="unchanged, unasked")
            raise AgentAnswerMissing("bad_answer")
        self._metrics.agent_requests.labels("slots", "ok").inc()
        return result

    def _standing_slots(self, clinic: Clinic) -> SlotsResult | None:
        """The answer the agent keeps standing here (asked with ``watch``), if one is fresh: no round trip."""
        standing = self._agents.standing_slots(clinic.name)
        if standing is None:
            return None
        if standing.parsed is None:  # its first use: checked once, then held (its wire text let go)
            result, standing.result = standing.result, None
            try:
                standing.parsed = None if result is None else self._slot_answers.parse(clinic.name, result)
            except ProtocolError as exc:
                log(logger, logging.WARNING, "agent_slots_unreadable", clinic=clinic.name, problem=str(exc)[:200])
            if standing.parsed is None:
                standing.fresh_until = 0.0  # not used again: asked instead, until the agent's next update
                return None
        return dataclasses.replace(standing.parsed, age_s=standing.age_at(time.monotonic()))

    async def _slots_answer(self, clinic: Clinic, known: str | None) -> SlotsResult | None:
        """The agent's answer, or None for an "unchanged" this relay cannot read (relay/slot_answers.py). Asked
        with ``watch``: an agent that can keeps its answer standing here from then on."""
        args = SlotsArgs(days=SLOT_DAYS, known=known, watch=True)
        response = await self._ask(clinic, "slots", args, self._settings.slots_timeout_s)
        if not response.ok:
            code = response.error.code if response.error else "internal"
            self._metrics.agent_requests.labels("slots", "error").inc()
            log(logger, logging.WARNING, "agent_slots_error", clinic=clinic.name, code=code)
            raise AgentAnswerMissing(code)
        try:
            result = self._slot_answers.parse(clinic.name, response.result)
        except ProtocolError as exc:
            self._metrics.agent_requests.labels("slots", "bad_answer").inc()
            log(logger, logging.WARNING, "agent_slots_unreadable", clinic=clinic.name, problem=str(exc)[:200])
            raise AgentAnswerMissing("bad_answer") from None
        return result

    async def _book(
        self, clinic: Clinic, step: Book, turn: Turn, told: tuple[str, ...] | None = None
    ) -> BookResult | WireError:
        """``told``: the ids of the phone's appointments the patient was told of (``BookArgs.told``)."""
        # "para mi mamá": hers, asked; else the WhatsApp contact's, capitalised when typed all in lower case
        name = step.state.patient_name or name_cased(turn.name.strip()) or "Paciente WhatsApp"
        patient = WirePatient(name=name, phone=turn.phone, **step.patient())
        args = BookArgs(slot_id=step.slot.id, patient=patient, idempotency_key=step.idempotency_key, told=told)
        response = await self._ask(clinic, "book", args, self._settings.book_timeout_s)
        if not response.ok:
            error = response.error or WireError("internal", "")
            self._metrics.agent_requests.labels("book", "error").inc()
            log(logger, logging.INFO, "agent_book_error", clinic=clinic.name, lead=turn.lead_id, code=error.code)
            return error
        try:
            result = response.book_result()
        except ProtocolError as exc:
            self._metrics.agent_requests.labels("book", "bad_answer").inc()
            log(logger, logging.WARNING, "agent_book_unreadable", clinic=clinic.name, problem=str(exc)[:200])
            raise AgentAnswerMissing("bad_answer") from None
        self._metrics.agent_requests.labels("book", "ok").inc()
        log(logger, logging.INFO, "booked", clinic=clinic.name, lead=turn.lead_id, booking=result.booking_id)
        return result

    async def _ask(self, clinic: Clinic, op: str, args: SlotsArgs | BookArgs, timeout_s: float) -> Any:
        try:
            return await self._on_peer(self._agents.request(clinic.name, op, args, timeout_s))
        except AgentUnavailable as unavailable:
            self._metrics.agent_requests.labels(op, unavailable.reason).inc()
            log(logger, logging.WARNING, "agent_unavailable", clinic=clinic.name, op=op, reason=unavailable.reason)
            raise AgentAnswerMissing(unavailable.reason) from None

    async def _handoff_after_failure(self, job: AcceptedTurn) -> dict[str, Any]:
        """A turn that failed inside the relay still ends in a hand-off the patient reads and a follow-up the
        clinic's team sees; neither may raise."""
        try:
            reply = handoff(None, job.turn, profile_of(job.clinic), "internal")
        except Exception:
            logger.exception("hand-off reply failed; sending the last-resort text")
            return last_resort_continuation(job.clinic, "internal")
        try:
            await self._followups.note(job.clinic, job.turn, reply)
        except Exception:
            logger.exception("the follow-up of a failed turn was not kept")
        return reply.continuation


@dataclass
class EarlyCheck:
    """A ``my_bookings`` question sent before the conversation asked for it (see ``_early_bookings_check``)."""

    args: MyBookingsArgs
    task: asyncio.Future[Any]
    used: bool = False

    def answers(self, op: str, args: Any) -> bool:
        if self.used or op != "my_bookings" or args != self.args:
            return False
        self.used = True
        return True

    def drop(self) -> None:
        """Not needed after all (or the turn is over): its answer, or its failure, is let go quietly."""
        if not self.used:
            self.used = True
            self.task.add_done_callback(_quiet)


def _quiet(task: asyncio.Future[Any]) -> None:
    if not task.cancelled():
        task.exception()  # retrieved: an unused early question's failure is nobody's business


async def _maybe_written(asked: Awaitable[T]) -> T:
    """An ask again of a cancel or move: not reaching the agent now leaves the first ask's outcome unknown."""
    try:
        return await asked
    except AgentUnavailable as unavailable:
        raise AgentUnavailable(unavailable.reason, sent=True) from unavailable


def turn_now() -> datetime:
    return datetime.now(UTC)
