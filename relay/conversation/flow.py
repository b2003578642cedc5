"""The conversation: one widget_request step that the bot loops on, as pure functions of (state, turn, slots).

greeting + day menu -> time menu for the chosen day -> Book (the core asks the agent) -> confirmation.
Every reply either waits for the patient's answer (a menu, ``goto question``) or ends the conversation
(booked, handoff: the state is forgotten and the bot moves on to its next step).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any

from relay.conversation.appointments import ask_bookings, follow, reschedule_step, resume_cancel
from relay.conversation.freetext import WINDOW_DAYS, Reading, command, normalize, read
from relay.conversation.layout import Layout, numbered, plan
from relay.conversation.menus import (
    MAX_BUTTONS,
    MAX_LABEL,
    clinic_zone,
    clock,
    decode_slot_key,
    encode_slot_key,
    fold,
    free_slots,
    local_day,
    short_professional,
    slot_key,
    slot_start,
    time_label,
    unique_labels,
)
from relay.conversation.model import AgentStep, Book, ClinicProfile, Reply, Turn
from relay.conversation.names import match_professionals, name_words
from relay.conversation.patient import patient_handoff, patient_problem
from relay.conversation.replies import MAX_SHOW, continuation
from relay.conversation.specialties import specialty_key
from relay.conversation.state import (
    ANY_SPECIALTY,
    BOOKING,
    CHOOSE_DAY,
    CHOOSE_TIME,
    CONFIRM,
    CONFIRM_CANCEL,
    ConversationState,
    Option,
    conversation_id,
    idempotency_key,
)
from relay.conversation.texts import Language, language
from wire.messages import BookResult, SlotsResult, WireError, WireSlot

MAX_REMEMBERED_SLOTS = 40  # of the chosen day, for nearest alternatives when a slot is taken

# Intents a receptionist takes when the agent cannot serve them (data.reason).
ELSEWHERE = {"cancel": "cancel_requested", "reschedule": "reschedule_requested", "my_bookings": "bookings_requested"}
OWN_APPOINTMENTS = ("cancel", "my_bookings", "reschedule")  # asked of the agent (conversation/appointments.py)
_PARTS = {"am": ("", "12:00"), "pm": ("12:00", ""), "evening": ("18:00", "")}


@dataclass(frozen=True)
class _Context:
    turn: Turn
    clinic: ClinicProfile
    lang: Language
    free: tuple[WireSlot, ...]  # every free slot ahead, in order
    today: date  # the turn's day in the clinic's offset
    opening: tuple[str, ...] = ()  # said before anything else (the greeting, on a conversation's first message)

    def slots_for(self, professionals: Sequence[str]) -> list[WireSlot]:
        if not professionals:
            return list(self.free)
        return [s for s in self.free if s.professional in professionals]

    def pool(self, state: ConversationState, *, window: bool = True) -> list[WireSlot]:
        """The free slots every filter of the patient allows: professional, specialty and time of day."""
        slots = self.slots_for(state.professionals)
        if state.specialty and state.specialty != ANY_SPECIALTY:
            slots = [s for s in slots if s.specialty and specialty_key(s.specialty) == state.specialty]
        if state.service:
            slots = [s for s in slots if fold(s.service) == fold(state.service)]
        start, end = state.window
        if window and (start or end):
            slots = [s for s in slots if (not start or clock(s) >= start) and (not end or clock(s) < end)]
        return slots

    @property
    def specialties(self) -> dict[str, str]:
        """The clinic's specialties with free slots: key -> the clinic's own name."""
        return {specialty_key(s.specialty): s.specialty for s in self.free if s.specialty}

    def naming(self, slot: WireSlot) -> str:
        """The professional as a sentence names them, with the specialty when the clinic has several."""
        specialty = slot.specialty if len(self.specialties) > 1 else ""
        return self.lang.with_professional(slot.professional, specialty)

    def body(
        self,
        data: dict[str, Any],
        paragraphs: Sequence[str],
        prompt: str = "",
        buttons: Sequence[str] = (),
        question_step: int | None = None,
    ) -> dict[str, Any]:
        return continuation(data, [*self.opening, *paragraphs], prompt, buttons, question_step)

    def say(self, key: str, **fields: object) -> str:
        return self.lang.say(key, **fields)


# ---------------------------------------------------------------------------
# The three entry points
# ---------------------------------------------------------------------------


def decide(
    state: ConversationState | None, turn: Turn, clinic: ClinicProfile, slots: SlotsResult
) -> Reply | Book | AgentStep:
    """The answer to one patient message, given the agent's fresh free slots."""
    turn = _aware(turn)
    # A patient whose phone or name cannot go into a booking is handed over before any menu (and at any later
    # turn, except that a booking already under way is asked about again, under its own key, first).
    problem = patient_problem(turn.name, turn.phone)
    free = free_slots(slots.slots, turn.now)
    zone = clinic_zone(free) or clinic_zone(slots.slots) or turn.now.tzinfo
    ctx = _Context(turn, clinic, language(clinic.language), free, turn.now.astimezone(zone).date())
    if state is None or state.expired(turn.now) or state.lead_id != turn.lead_id:
        return _start(ctx) if problem is None else patient_handoff(turn, clinic, problem)
    resumed = resume_booking(state, turn) or resume_cancel(state, turn)
    if resumed is not None:
        return resumed
    if problem is not None:
        return patient_handoff(turn, clinic, problem)
    state = state.seen(turn.now)
    norm = normalize(turn.message)
    reading = _read(ctx, state, turn.message)

    action = command(norm)
    if action == "cancel":
        return _end(ctx, state, "cancelled")
    if action is None and reading.intent == "person":
        return _end(ctx, state, "asked_for_person")
    if state.stage == BOOKING:  # a damaged record (no pending slot): start the menus again
        state = replace(state, stage=CHOOSE_TIME if state.day else CHOOSE_DAY, pending=None, pending_message="")
    option = _tapped(state, norm)  # a tap is exactly a menu's choice, whatever words its label holds
    if option is None and reading.answer == "yes" and len(state.options) == 1 and not reading.found:
        option = state.options[0]  # "¿Quieres pedir una?" — "sí" taps its only button
    if state.stage == CONFIRM_CANCEL and option is None and reading.answer:
        yes = "move_yes" if state.intent == "reschedule" else "cancel_yes"
        option = Option(norm, yes if reading.answer == "yes" else "cancel_no")
    if option is not None and option.kind in ("booking", "cancel_one", "cancel_yes", "cancel_no"):
        return _follow(ctx, state, option, norm)  # the patient's own appointments need no free slots
    if option is None and action is None and reading.intent in ELSEWHERE and not reading.tentative:
        return _own_appointments(ctx, state, reading.intent)
    if not free:
        return _end(ctx, state, "no_slots")

    if option is not None:
        return _follow(ctx, state, option, norm)
    if state.stage == CONFIRM and reading.answer and not reading.found:
        kind = "confirm" if reading.answer == "yes" else "other_time"
        return _follow(ctx, state, Option(norm, kind), norm)
    if state.stage == CONFIRM and not (reading.found or action):
        return _reask(ctx, state)
    if state.stage == CONFIRM:  # anything else: read as a new wish about that day
        state = replace(state, stage=CHOOSE_TIME, proposed=None)
    if action == "more":
        if state.stage == CHOOSE_TIME and state.day and not ("dia" in norm or "day" in norm):
            return _time_menu(ctx, state, date.fromisoformat(state.day), after=decode_slot_key(state.page_last))
        after = _page_day(state.page_last) if state.stage == CHOOSE_DAY else _page_day((state.day,))
        return _day_menu(ctx, state, after=after)
    if action == "back":
        return _day_menu(ctx, state)
    if action == "restart":
        return _first_menu(ctx, replace(state, professionals=(), specialty="", window=("", "")))

    return _interpret(ctx, state, reading, norm)


def _read(ctx: _Context, state: ConversationState | None, message: str) -> Reading:
    stage = state.stage if state is not None else ""
    bare_number = "hour" if stage in (CHOOSE_TIME, CONFIRM) else "day" if stage else ""
    names = {w for p in {s.professional for s in ctx.free} for w in name_words(p)}
    return read(message, ctx.today, bare_number=bare_number, window_days=WINDOW_DAYS, names=names)
def resume_booking(state: ConversationState | None, turn: Turn) -> Book | None:
    """A booking whose outcome is not known yet is asked for again, with the same key, whatever the patient says.

    Its message is never read as a new answer: the agent's journal returns the first outcome (or the booking
    under way), so a patient who writes again after a restart, a time-out or an offline agent hears the truth
    and never ends up with a second appointment.
    """
    turn = _aware(turn)
    if state is None or state.lead_id != turn.lead_id or not state.booking_open or state.expired(turn.now):
        return None
    assert state.pending is not None
    return Book(state.seen(turn.now), state.pending, idempotency_key(state.conversation_id, state.pending.id))


# Errors an agent answers only when it refused before touching the web app (an older agent does not say
# ``nothing_written``): the booking certainly did not happen.
_REFUSED_BEFORE_WRITING = frozenset({"paused", "login_failed", "account_locked", "bad_request", "slot_taken"})


def after_booking(
    state: ConversationState, turn: Turn, clinic: ClinicProfile, outcome: BookResult | WireError
) -> Reply:
    """The agent's answer to a Book: a confirmation, the nearest alternatives, a hand-off, or "not known yet"."""
    lang = language(clinic.language)
    turn = _aware(turn)
    if isinstance(outcome, BookResult):
        return _booked(lang, state, turn, clinic, outcome)
    if outcome.code == "slot_taken":
        return _slot_taken(lang, replace(state.seen(turn.now), gave_up=False), turn, clinic, outcome)
    if not (outcome.nothing_written or outcome.code in _REFUSED_BEFORE_WRITING):
        return handoff(state, turn, clinic, outcome.code)  # it may have been written: keep asking
    if state.gave_up and state.pending is not None:
        return _failed_late(lang, state, turn, clinic, outcome.code)
    return handoff(replace(state, stage=CHOOSE_DAY, pending=None), turn, clinic, outcome.code)


def handoff(
    state: ConversationState | None, turn: Turn, clinic: ClinicProfile, reason: str, opening: Sequence[str] = ()
) -> Reply:
    """A polite hand-off to the clinic's receptionist (status "handoff").

    The conversation ends, except while a booking's outcome is unknown: then it is kept (``gave_up``), the
    patient is told the truth, and their next message asks the agent again with the same key.
    ``opening``: paragraphs said first (the greeting, when the conversation's first message asks for this).
    """
    lang = language(clinic.language)
    data: dict[str, Any] = {"status": "handoff", "reason": reason}
    if state is not None:
        data["conversation_id"] = state.conversation_id
    if state is not None and state.booking_open and state.pending is not None:
        # The booking may or may not have been written: the bot must not guess, and must not forget it.
        pending = state.pending
        start = pending.start_dt()
        paragraphs = [
            lang.say(
                "booking_unconfirmed",
                day=lang.day_long(start.date()),
                time=start.strftime("%H:%M"),
                professional=pending.professional,
            ),
            lang.say("booking_unconfirmed_next"),
        ]
        data.update(
            booking="unconfirmed",
            requested_start=pending.start,
            requested_professional=pending.professional,
            requested_slot_id=pending.id,
        )
        kept = replace(state.seen(_aware(turn).now), gave_up=True)
        return Reply(kept, continuation(data, paragraphs), "handoff")
    if reason == "cancelled":
        paragraphs = [lang.say("cancelled")]
    elif reason == "asked_for_person":
        paragraphs = [lang.say("asked_for_person")]
    elif reason in ELSEWHERE.values():
        paragraphs = [lang.say(reason)]
    elif reason == "no_slots":
        paragraphs = [lang.say("no_slots"), lang.say("receptionist")]
    else:
        paragraphs = [lang.say("cannot_check"), lang.say("receptionist")]
    return Reply(None, continuation(data, [*opening, *paragraphs]), "handoff")


# ---------------------------------------------------------------------------
# Starting and ending
# ---------------------------------------------------------------------------


def _start(ctx: _Context) -> Reply | AgentStep:
    """The first message: greet, then act on what it already says (a day, a time, a professional, an intent)."""
    turn = ctx.turn
    state = ConversationState(
        conversation_id=conversation_id(turn.lead_id, turn.now), lead_id=turn.lead_id, last_seen=turn.now
    )
    key = "greeting" if ctx.clinic.name.strip() else "greeting_anonymous"
    greeting = ctx.say(key, name=_first_name(turn.name), clinic=ctx.clinic.name.strip())
    ctx = replace(ctx, opening=(greeting,))
    state = _preset(ctx, state)
    reading = _read(ctx, None, turn.message)
    if reading.intent == "person":
        return _end(ctx, state, "asked_for_person")
    if reading.intent in ELSEWHERE:
        return _own_appointments(ctx, state, reading.intent)
    if not ctx.free:
        return _end(ctx, state, "no_slots")
    if reading.found and reading.intent == "book":
        return _interpret(ctx, state, reading, normalize(turn.message))
    return _first_menu(ctx, state)


def _preset(ctx: _Context, state: ConversationState) -> ConversationState:
    """What earlier bot steps already asked (widget data specialty / service / professional), when the clinic has it."""
    turn = ctx.turn
    if turn.specialty and specialty_key(turn.specialty) in ctx.specialties:
        state = replace(state, specialty=specialty_key(turn.specialty))
    if turn.service and any(fold(s.service) == fold(turn.service) for s in ctx.free if s.service):
        state = replace(state, service=turn.service.strip())
    if turn.professional:
        named = tuple(normalize(turn.professional).split())
        found = match_professionals(Reading(named=named), sorted({s.professional for s in ctx.free}))
        if len(found) == 1:
            state = replace(state, professionals=found)
    return state


def _first_menu(ctx: _Context, state: ConversationState) -> Reply:
    """Which specialty, when the clinic has several and the patient has not said; else the days."""
    if _needs_specialty(ctx, state):
        return _specialty_menu(ctx, state)
    return _day_menu(ctx, state, intro=True)


def _needs_specialty(ctx: _Context, state: ConversationState) -> bool:
    return len(ctx.specialties) > 1 and not state.specialty and not state.professionals


def _own_appointments(ctx: _Context, state: ConversationState, intent: str) -> Reply | AgentStep:
    """The patient's own appointments: asked of the agent (list, cancel); a receptionist for the rest."""
    step = ask_bookings(state, ctx.turn, intent, ctx.opening) if intent in OWN_APPOINTMENTS else None
    return step if step is not None else _end(ctx, state, ELSEWHERE[intent])


def _end(ctx: _Context, state: ConversationState, reason: str) -> Reply:
    return handoff(state, ctx.turn, ctx.clinic, reason, opening=ctx.opening)


def _aware(turn: Turn) -> Turn:
    """A naive ``now`` is taken as UTC rather than crashing on the comparison with the slots' times."""
    return turn if turn.now.tzinfo is not None else replace(turn, now=turn.now.replace(tzinfo=UTC))


def _first_name(name: str) -> str:
    """", Ana" from "Ana Pérez"; nothing when the name is missing or an unfilled Kommo placeholder."""
    words = name.split()
    if not words or "{" in name or "}" in name:
        return ""
    first = words[0].strip(".,;:!?")
    if not first or len(first) > 20 or not all(c.isalpha() or c in "-'" for c in first):
        return ""
    return f", {first[:1].upper()}{first[1:]}"


# ---------------------------------------------------------------------------
# Menus
# ---------------------------------------------------------------------------


def _day_menu(
    ctx: _Context,
    state: ConversationState,
    *,
    notices: Sequence[str] = (),
    after: date | None = None,
    at: date | None = None,
    near: date | None = None,
    intro: bool = False,
) -> Reply:
    """The days with free slots (for the patient's filters), paged: after ``after`` or from ``at``."""
    notices = list(notices)
    slots = ctx.pool(state)
    if not slots and any(state.window):
        notices.append(ctx.say("window_no_slots"))
        state = replace(state, window=("", ""))
        slots = ctx.pool(state)
    if not slots and state.specialty:
        notices.append(ctx.say("specialty_unknown"))
        state = replace(state, specialty="")
        slots = ctx.pool(state)
    if not slots:
        names = ", ".join(state.professionals)
        notices.append(ctx.say("professional_no_slots", professional=names))
        state = replace(state, professionals=())
        slots = ctx.pool(state)
    days = sorted({local_day(s) for s in slots})
    start = 0
    if after is not None:
        start = next((i for i, d in enumerate(days) if d > after), 0)
    elif at is not None:
        start = next((i for i, d in enumerate(days) if d >= at), max(len(days) - MAX_BUTTONS, 0))
    elif near is not None:  # a day that was asked for and is not free: show the free days around it
        start = next((i for i, d in enumerate(days) if d >= near), len(days))
        start = min(max(start - 1, 0), max(len(days) - MAX_BUTTONS, 0))
    paragraphs = list(notices)
    if intro or state.professionals:
        if state.professionals:
            paragraphs.append(ctx.say("days_intro_professional", professional=", ".join(state.professionals)))
        else:
            paragraphs.append(ctx.say("days_intro"))
    prompt = ctx.say("day_prompt" if intro else "day_prompt_short")  # the typing hint once is enough
    extras = _filter_buttons(ctx, state)
    layout = plan(len(days) - start, len(extras), [*ctx.opening, *paragraphs], f"{prompt} {ctx.say('list_hint')}")
    shown = days[start: start + layout.count]
    if start > 0 and start + layout.count >= len(days):
        paragraphs.append(ctx.say("last_days"))  # the last page says so, and offers the first days again
        extras = [Option(ctx.say("first_days"), "first_days"), *extras]
        layout = plan(len(shown), len(extras), [*ctx.opening, *paragraphs], f"{prompt} {ctx.say('list_hint')}")
        shown = shown[: layout.count]
    choices = [Option(ctx.lang.day_label(d), "day", day=d.isoformat()) for d in shown]
    more = Option(ctx.say("more_days"), "more_days")
    long_days = [ctx.lang.day_long(d) for d in shown]
    options, buttons, lines = _arrange(choices, long_days, layout, more, extras)
    prompt, lines = _hinted(ctx, prompt, lines, layout.as_list)
    state = replace(
        state,
        stage=CHOOSE_DAY,
        day="",
        time_filter="",
        options=tuple(options),
        page_first=(shown[0].isoformat(),),
        page_last=(shown[-1].isoformat(),),
        day_slots=(),
        pending=None,
        pending_message="",
        proposed=None,
    )
    data = _menu_data("choose_day", state, options)
    body = ctx.body(data, [*paragraphs, *lines], prompt, buttons, ctx.clinic.bot_question_step)
    return Reply(state, body, "choose_day")


def _hinted(ctx: _Context, prompt: str, lines: list[str], as_list: bool) -> tuple[str, list[str]]:
    """Under a list, "type the number" rides on the question when both fit one message, else it heads the list
    (a question cut in two would reach WhatsApp as two messages)."""
    if not as_list:
        return prompt, lines
    hint = ctx.say("list_hint")
    if len(prompt) + 1 + len(hint) <= MAX_SHOW:
        return f"{prompt} {hint}", lines
    return prompt, [hint, *lines]


def _filter_buttons(ctx: _Context, state: ConversationState) -> list[Option]:
    """A way to drop each filter the patient set: professional or specialty, time of day."""
    extras = []
    if state.professionals or state.specialty not in ("", ANY_SPECIALTY):
        extras.append(Option(ctx.say("any_professional_button"), "any_professional"))
    if any(state.window):
        extras.append(Option(ctx.say("any_time_button"), "any_time"))
    return extras


def _arrange(
    choices: Sequence[Option], lines: Sequence[str], layout: Layout, more: Option, extras: Sequence[Option]
) -> tuple[list[Option], list[str], list[str]]:
    """(every option of the message, the button labels, the numbered lines) for a planned layout.

    Under a list, the first button is the first choice (the soonest, one tap away), then "more" and the extras.
    """
    actions = ([more] if layout.more else []) + list(extras[: layout.extras])
    if layout.as_list:
        numbered_choices = [replace(c, number=n) for n, c in enumerate(choices, start=1)]
        texts = [numbered(n, line) for n, line in enumerate(lines, start=1)]
        return [*numbered_choices, *actions], [choices[0].label, *(a.label for a in actions)], texts
    options = [*choices, *actions]
    return options, [o.label for o in options], []


def _time_menu(
    ctx: _Context,
    state: ConversationState,
    day: date,
    *,
    notices: Sequence[str] = (),
    after: tuple[float, str, str] | None = None,
    at: float | None = None,  # a timestamp: start the page at the first time from there
    time_filter: str = "",
) -> Reply:
    """The day's free times (for the professional filter, and one time when asking "with whom?"), paged."""
    day_slots = [s for s in ctx.pool(state, window=not time_filter) if local_day(s) == day]
    if not day_slots and any(state.window) and not time_filter:
        state = replace(state, window=("", ""))
        notices = [*notices, ctx.say("window_no_slots")]
        day_slots = [s for s in ctx.pool(state) if local_day(s) == day]
    slots = [s for s in day_slots if not time_filter or clock(s) == time_filter]
    if not slots:
        return _day_menu(
            ctx, state, notices=[*notices, ctx.say("day_not_free", day=ctx.lang.day_label(day))], near=day
        )
    several = len({s.professional for s in day_slots}) > 1
    start = 0
    if after is not None:
        start = next((i for i, s in enumerate(slots) if slot_key(s) > after), 0)
    elif at is not None:
        start = next((i for i, s in enumerate(slots) if slot_key(s)[0] >= at), max(len(slots) - MAX_BUTTONS, 0))
    label = ctx.lang.day_label(day)
    if time_filter:
        prompt = ctx.say("which_professional", time=time_filter, day=label)
    elif state.professionals and len(state.professionals) == 1:
        prompt = ctx.say(
            "time_prompt_professional", professional=short_professional(state.professionals[0], 30), day=label
        )
    elif not several:  # every offered time names its professional: here, once for all of them
        prompt = ctx.say("time_prompt_with", professional=ctx.naming(day_slots[0]), day=label)
    else:
        prompt = ctx.say("time_prompt", day=label)
    paragraphs = list(notices)
    # Dropping a filter comes before "another day", which the prompt also offers as a word ("volver").
    extras = [] if time_filter else [*_filter_buttons(ctx, state), Option(ctx.say("other_day"), "other_days")]
    hinted = f"{prompt} {ctx.say('list_hint')}"
    layout = plan(len(slots) - start, len(extras), [*ctx.opening, *paragraphs], hinted)
    if start > 0 and start + layout.count >= len(slots) and not time_filter:
        paragraphs.append(ctx.say("last_times"))
        layout = plan(len(slots) - start, len(extras), [*ctx.opening, *paragraphs], hinted)
    shown = slots[start: start + layout.count]
    more_label = ctx.say("more_times")
    reserved = [more_label, *(e.label for e in extras)]
    labels = unique_labels([time_label(s, several) for s in shown], reserved=reserved)
    choices = [Option(label, "slot", slot=s) for label, s in zip(labels, shown, strict=True)]
    with_specialty = len(ctx.specialties) > 1
    lines = [
        f"{clock(s)} · {short_professional(s.professional, MAX_SHOW - 12)}"
        + (f" ({s.specialty})" if with_specialty and s.specialty else "")
        for s in shown
    ]
    options, buttons, texts = _arrange(choices, lines, layout, Option(more_label, "more_times"), extras)
    prompt, texts = _hinted(ctx, prompt, texts, layout.as_list)
    back = ctx.say("back_hint")
    if not time_filter and all(o.kind != "other_days" for o in options) and len(prompt) + len(back) < MAX_SHOW:
        prompt = f"{prompt} {back}"  # no "another day" button: say the word that does it
    state = replace(
        state,
        stage=CHOOSE_TIME,
        day=day.isoformat(),
        time_filter=time_filter,
        options=tuple(options),
        page_first=encode_slot_key(shown[0]),
        page_last=encode_slot_key(shown[-1]),
        day_slots=tuple(day_slots[:MAX_REMEMBERED_SLOTS]),
        pending=None,
        pending_message="",
        proposed=None,
    )
    data = _menu_data("choose_time", state, options)
    data.update(day=day.isoformat(), day_label=label)
    body = ctx.body(data, [*paragraphs, *texts], prompt, buttons, ctx.clinic.bot_question_step)
    return Reply(state, body, "choose_time")


def _confirm(ctx: _Context, state: ConversationState, slot: WireSlot, notices: Sequence[str] = ()) -> Reply:
    """Free text pinned one slot: ask before booking it (only "Sí" or a tapped time books)."""
    day = local_day(slot)
    options = (Option(ctx.say("yes"), "confirm"), Option(ctx.say("other_time"), "other_time"))
    state = replace(
        state,
        stage=CONFIRM,
        day=day.isoformat(),
        time_filter="",
        options=options,
        page_first=encode_slot_key(slot),
        page_last=encode_slot_key(slot),
        pending=None,
        pending_message="",
        proposed=slot,
    )
    question = ctx.say("confirm", day=ctx.lang.day_long(day), time=clock(slot), professional=ctx.naming(slot))
    data = _menu_data("choose_time", state, options)
    data.update(code="confirm", day=day.isoformat(), day_label=ctx.lang.day_label(day),
                confirm_start=slot.start, confirm_professional=slot.professional)
    body = ctx.body(data, list(notices), question, [o.label for o in options], ctx.clinic.bot_question_step)
    return Reply(state, body, "choose_time")


def _menu_data(status: str, state: ConversationState, options: Sequence[Option]) -> dict[str, Any]:
    data: dict[str, Any] = {"status": status, "conversation_id": state.conversation_id}
    for index, option in enumerate(options, start=1):
        data[f"option_{index}"] = option.label
    if state.professionals:
        data["professional"] = ", ".join(state.professionals)
    if state.specialty and state.specialty != ANY_SPECIALTY:
        data["specialty"] = state.specialty
    return data


def _reask(ctx: _Context, state: ConversationState, notices: Sequence[str] = ()) -> Reply:
    """Didn't understand: say so and show the same page of the same menu again."""
    if state.stage == CONFIRM and state.proposed is not None:
        fresh = next((s for s in ctx.free if s.id == state.proposed.id), None)
        if fresh is not None:
            return _confirm(ctx, state, fresh, [*notices, ctx.say("confirm_reask")])
    if state.stage in (CHOOSE_TIME, CONFIRM) and state.day:
        first = decode_slot_key(state.page_first)
        day = date.fromisoformat(state.day)
        return _time_menu(
            ctx,
            state,
            day,
            notices=[*notices, ctx.say("reask_time")],
            at=first[0] if first else None,
            time_filter=state.time_filter,
        )
    return _day_menu(ctx, state, notices=[*notices, ctx.say("reask_day")], at=_page_day(state.page_first))


def _page_day(key: Sequence[str]) -> date | None:
    try:
        return date.fromisoformat(key[0]) if key and key[0] else None
    except ValueError:
        return None


# ---------------------------------------------------------------------------
# Taps
# ---------------------------------------------------------------------------


def _tapped(state: ConversationState, norm: str) -> Option | None:
    """The option whose label the message is (a tap sends the label), or whose list number it is."""
    if not norm:
        return None
    number = re.fullmatch(r"(\d{1,2})\.?", norm)
    if number:
        found = next((o for o in state.options if o.number and o.number == int(number.group(1))), None)
        if found is not None:
            return found
    return next((o for o in state.options if normalize(o.label) == norm), None)


def _follow(ctx: _Context, state: ConversationState, option: Option, norm: str) -> Reply | Book | AgentStep:
    if option.kind == "day":
        return _time_menu(ctx, state, date.fromisoformat(option.day))
    if option.kind == "more_days":
        return _day_menu(ctx, state, after=_page_day(state.page_last))
    if option.kind == "first_days":
        return _day_menu(ctx, state)
    if option.kind == "new_booking":
        return _first_menu(ctx, replace(state, intent="", bookings=(), target=None))
    if option.kind in ("booking", "cancel_one", "cancel_yes", "cancel_no"):
        step = follow(state, ctx.turn, ctx.clinic, option)
        if step is not None:
            return step
    if option.kind == "move_yes" and state.target is not None:  # the new time, with the same professional first
        target = state.target
        start = datetime.fromisoformat(target.start)
        notice = ctx.say("move_intro", day=ctx.lang.day_long(start.date()), time=start.strftime("%H:%M"))
        same = tuple(p for p in {s.professional for s in ctx.free} if p == target.professional)
        moving = replace(state, stage=CHOOSE_DAY, professionals=same, specialty=state.specialty or ANY_SPECIALTY)
        return _day_menu(ctx, moving, notices=[notice])
    if option.kind in ("specialty", "any_specialty"):
        wish = state.wish
        state = replace(state, specialty=option.key if option.kind == "specialty" else ANY_SPECIALTY, wish="")
        return _after_specialty(ctx, state, wish)
    if option.kind in ("any_professional", "any_time"):
        if option.kind == "any_professional":
            state = replace(state, professionals=(), specialty=ANY_SPECIALTY)
        else:
            state = replace(state, window=("", ""))
        if state.stage == CHOOSE_TIME and state.day:
            return _time_menu(ctx, state, date.fromisoformat(state.day))
        return _day_menu(ctx, state)
    if option.kind == "more_times" and state.day:
        return _time_menu(
            ctx, state, date.fromisoformat(state.day), after=decode_slot_key(state.page_last),
            time_filter=state.time_filter,
        )
    if option.kind == "other_time" and state.day:
        at = slot_key(state.proposed)[0] if state.proposed is not None else None
        return _time_menu(ctx, replace(state, proposed=None), date.fromisoformat(state.day), at=at)
    if option.kind == "confirm" and state.proposed is not None:
        option = Option(option.label, "slot", slot=state.proposed)
    if option.kind == "slot" and option.slot is not None:
        wanted = option.slot
        fresh = next((s for s in ctx.free if s.id == wanted.id), None) or next(
            (s for s in ctx.free if s.start == wanted.start and s.professional == wanted.professional), None
        )
        if fresh is not None:
            return _book(state, fresh, norm, ctx.turn.phone)
        day = local_day(wanted)
        gone = ctx.say("slot_gone", time=clock(wanted), day=ctx.lang.day_label(day))
        return _time_menu(ctx, state, day, notices=[gone], at=slot_key(wanted)[0])
    return _day_menu(ctx, state)


def _book(state: ConversationState, slot: WireSlot, norm: str, phone: str = "") -> Book | AgentStep:
    if state.intent == "reschedule" and state.target is not None:  # moving an appointment, not a new one
        return reschedule_step(state, slot, phone)
    booking = replace(
        state,
        stage=BOOKING,
        day=local_day(slot).isoformat(),
        pending=slot,
        pending_message=norm,
        proposed=None,
        gave_up=False,
    )
    return Book(booking, slot, idempotency_key(state.conversation_id, slot.id))


# ---------------------------------------------------------------------------
# Free text
# ---------------------------------------------------------------------------


def _after_specialty(ctx: _Context, state: ConversationState, wish: str) -> Reply | Book:
    """The specialty is chosen: act on what the patient had asked before the question, or show the days."""
    if wish:
        reading = _read(ctx, replace(state, stage=CHOOSE_DAY), wish)
        if reading.found:
            return _interpret(ctx, state, reading, wish)
    return _day_menu(ctx, state, intro=True)


def _specialty_menu(ctx: _Context, state: ConversationState, notices: Sequence[str] = ()) -> Reply:
    """Which specialty (the clinic's own names), and "any"; a wish said before it is kept for after."""
    offered = sorted(ctx.specialties.items(), key=lambda item: fold(item[1]))
    prompt = ctx.say("specialty_prompt")
    extras = [Option(ctx.say("any_specialty_button"), "any_specialty")]
    layout = plan(len(offered), len(extras), [*ctx.opening, *notices], f"{prompt} {ctx.say('list_hint')}")
    layout = replace(layout, more=False)  # a clinic has a handful: any beyond the page can still be typed
    shown = offered[: layout.count]
    choices = [Option(name[:MAX_LABEL], "specialty", key=key) for key, name in shown]
    more = Option("", "more_days")
    # Numbered even as buttons: "2" can only mean the second specialty here (not a day or an hour).
    choices = [replace(c, number=n) for n, c in enumerate(choices, start=1)]
    options, buttons, lines = _arrange(choices, [name for _, name in shown], layout, more, extras)
    prompt, lines = _hinted(ctx, prompt, lines, layout.as_list)
    state = replace(
        state, stage=CHOOSE_DAY, day="", time_filter="", options=tuple(options), page_first=(), page_last=(),
        day_slots=(), pending=None, pending_message="", proposed=None,
    )
    data = _menu_data("choose_day", state, options)
    data["code"] = "specialty"
    body = ctx.body(data, [*notices, *lines], prompt, buttons, ctx.clinic.bot_question_step)
    return Reply(state, body, "choose_day")


def _interpret(ctx: _Context, state: ConversationState, reading: Reading, norm: str) -> Reply | Book:
    if reading.ambiguous:
        return _reask(ctx, state)
    notices: list[str] = []
    before = (state.professionals, state.specialty, state.window)

    # Who: a professional named, anyone, or a specialty.
    professionals = state.professionals
    matches = match_professionals(reading, sorted({s.professional for s in ctx.free}))
    if reading.any_professional:
        professionals = ()
    elif reading.named:
        if not matches:
            query = " ".join(reading.named)[:40]
            return _reask(ctx, state, [ctx.say("professional_unknown", query=query)])
        professionals = matches
    elif matches:
        professionals = matches
    specialty = state.specialty
    if reading.specialty and ctx.specialties:  # an agent that reports no specialties: nothing to filter on
        if reading.specialty in ctx.specialties:
            specialty = reading.specialty
            if not reading.named and not matches:  # a professional of another specialty is no longer wanted
                professionals = tuple(
                    p for p in professionals
                    if any(s.professional == p and specialty_key(s.specialty) == specialty for s in ctx.free)
                )
        else:
            notices.append(ctx.say("specialty_unknown"))
    # When, within a day: a part of the day, "after 4", "before 11"; "any time" drops it.
    window = state.window
    if reading.any_time:
        window = ("", "")
    if reading.part or reading.after or reading.before:
        start, end = _PARTS.get(reading.part, ("", ""))
        start = max(start, reading.after)
        end = min(x for x in (end, reading.before, "99:99") if x)
        window = (start, "" if end == "99:99" else end)
    state = replace(state, professionals=professionals, specialty=specialty, window=window)
    filter_changed = (professionals, specialty, window) != before
    if reading.any_professional and _needs_specialty(ctx, state):
        state = replace(state, specialty=ANY_SPECIALTY)
    if _needs_specialty(ctx, state):  # ask it first; what else the message said is acted on right after
        return _specialty_menu(ctx, replace(state, wish=norm if reading.found else state.wish), notices)

    if reading.missing_day is not None:  # "el lunes 3" with no Monday the 3rd ahead in the window
        notice = ctx.say(
            "no_such_day", weekday=ctx.lang.weekdays[reading.missing_weekday], n=reading.missing_day.day,
            days=WINDOW_DAYS,
        )
        return _day_menu(ctx, state, notices=[*notices, notice], near=reading.missing_day)
    day = reading.day
    if day is None and reading.times and state.stage in (CHOOSE_TIME, CONFIRM) and state.day:
        day = date.fromisoformat(state.day)
    if reading.earliest:
        pool = [s for s in ctx.pool(state) if day is None or local_day(s) == day]
        if pool:
            return _confirm(ctx, state, pool[0], [*notices, ctx.say("earliest")])
    if day is not None:
        label = ctx.lang.day_label(day)
        day_slots = [s for s in ctx.pool(state, window=False) if local_day(s) == day]
        if not day_slots:
            if (professionals or specialty) and any(local_day(s) == day for s in ctx.free):
                who = ", ".join(professionals) or ctx.specialties.get(specialty, "")
                notice = ctx.say("day_not_free_professional", professional=who, day=label)
            else:
                notice = ctx.say("day_not_free", day=label)
            return _day_menu(ctx, state, notices=[*notices, notice], near=day)
        if reading.times:
            return _pick_time(ctx, state, day, reading.times, day_slots, norm, notices)
        return _time_menu(ctx, state, day, notices=notices)
    if (reading.part or reading.after or reading.before) and state.stage in (CHOOSE_TIME, CONFIRM) and state.day:
        return _time_menu(ctx, state, date.fromisoformat(state.day), notices=notices)
    if reading.times:
        return _day_menu(ctx, state, notices=[*notices, ctx.say("need_day_first")], at=_page_day(state.page_first))
    if reading.week is not None:
        return _day_menu(ctx, state, notices=notices, at=reading.week)
    if filter_changed or reading.named or reading.any_professional or reading.any_time or reading.specialty:
        if state.stage in (CHOOSE_TIME, CONFIRM) and state.day:
            day = date.fromisoformat(state.day)
            day_slots = [s for s in ctx.pool(state) if local_day(s) == day]
            at_time = [s for s in day_slots if state.time_filter and clock(s) == state.time_filter]
            if len(at_time) == 1:
                return _confirm(ctx, state, at_time[0], notices)
            if at_time:
                return _time_menu(ctx, state, day, notices=notices, time_filter=state.time_filter)
            if day_slots:
                return _time_menu(ctx, state, day, notices=notices)
            notice = ctx.say(
                "day_not_free_professional", professional=", ".join(professionals), day=ctx.lang.day_label(day)
            )
            return _day_menu(ctx, state, notices=[*notices, notice], near=day)
        return _day_menu(ctx, state, notices=notices, intro=bool(ctx.opening))
    if ctx.opening:  # a first message with nothing to act on: the greeting and the days
        return _day_menu(ctx, state, notices=notices, intro=True)
    return _reask(ctx, state, notices)


def _pick_time(
    ctx: _Context,
    state: ConversationState,
    day: date,
    times: Sequence[tuple[int, int]],
    day_slots: Sequence[WireSlot],
    norm: str,
    notices: Sequence[str] = (),
) -> Reply | Book:
    for hour, minute in times:
        wanted = f"{hour:02d}:{minute:02d}"
        matching = [s for s in day_slots if clock(s) == wanted]
        if len(matching) == 1:
            return _confirm(ctx, state, matching[0], notices)
        if matching:
            return _time_menu(ctx, state, day, notices=notices, time_filter=wanted)
    # Not free: say so, and show the times around the one asked for.
    minutes = [s.start_dt().hour * 60 + s.start_dt().minute for s in day_slots]
    hour, minute = min(times, key=lambda t: min(abs(t[0] * 60 + t[1] - m) for m in minutes))
    asked = f"{hour:02d}:{minute:02d}"
    notice = ctx.say("time_not_free", time=asked, day=ctx.lang.day_label(day))
    notices = [*notices, notice]
    at = datetime.combine(day, datetime.min.time(), tzinfo=day_slots[0].start_dt().tzinfo).replace(
        hour=hour, minute=minute
    )
    nearest = min(day_slots, key=lambda s: abs(slot_start(s) - at))
    return _time_menu(ctx, replace(state, window=("", "")), day, notices=notices, at=slot_key(nearest)[0])


# ---------------------------------------------------------------------------
# After the booking
# ---------------------------------------------------------------------------


def _booked(lang: Language, state: ConversationState, turn: Turn, clinic: ClinicProfile, result: BookResult) -> Reply:
    start = datetime.fromisoformat(result.start)
    when = lang.say("booked_when", day=lang.day_long(start.date()), time=start.strftime("%H:%M"),
                    professional=result.professional)
    opening = "booked_late" if state.gave_up else "booked"
    paragraphs = [lang.say(opening, name=_first_name(turn.name)), when[:1].upper() + when[1:]]
    if clinic.address.strip():
        paragraphs.append(lang.say("booked_address", address=clinic.address.strip().rstrip(".")))
    paragraphs.append(lang.say("booked_closing"))
    data: dict[str, Any] = {
        "status": "booked",
        "conversation_id": state.conversation_id,
        "booking_id": result.booking_id,
        "start": result.start,
        "end": result.end,
        "professional": result.professional,
        "day": start.date().isoformat(),
        "time": start.strftime("%H:%M"),
        "address": clinic.address.strip(),
        "repeat": result.repeat,
    }
    return Reply(None, continuation(data, paragraphs), "booked")


def _failed_late(lang: Language, state: ConversationState, turn: Turn, clinic: ClinicProfile, code: str) -> Reply:
    """A booking the patient was told was not confirmed yet turned out not to have happened: say so, hand off."""
    assert state.pending is not None
    start = state.pending.start_dt()
    failed = lang.say(
        "booking_failed_late",
        day=lang.day_long(start.date()),
        time=start.strftime("%H:%M"),
        professional=state.pending.professional,
    )
    data: dict[str, Any] = {
        "status": "handoff",
        "reason": code,
        "conversation_id": state.conversation_id,
        "booking": "failed",
        "requested_start": state.pending.start,
        "requested_professional": state.pending.professional,
    }
    return Reply(None, continuation(data, [failed, lang.say("receptionist")]), "handoff")


def _slot_taken(lang: Language, state: ConversationState, turn: Turn, clinic: ClinicProfile, error: WireError) -> Reply:
    taken = state.pending
    if taken is not None:  # never offer it again from memory
        state = replace(state, day_slots=tuple(s for s in state.day_slots if s.id != taken.id))
    pool = [s for s in error.alternatives if slot_start(s) > turn.now]
    if not pool:
        pool = [s for s in state.day_slots if slot_start(s) > turn.now]
    if taken is not None:
        pool = [s for s in pool if s.id != taken.id]
    unique = list({s.id: s for s in pool}.values())
    data: dict[str, Any] = {"status": "choose_time", "conversation_id": state.conversation_id, "code": "slot_taken"}
    if taken is not None:
        data.update(taken_start=taken.start, taken_professional=taken.professional)
    step = clinic.bot_question_step
    if taken is None or not unique:
        option = Option(lang.say("other_days"), "other_days")
        state = replace(state, stage=CHOOSE_DAY, options=(option,), pending=None, pending_message="")
        data.update(status="choose_day", option_1=option.label)
        body = continuation(data, [], lang.say("slot_taken_no_alternatives"), [option.label], step)
        return Reply(state, body, "choose_day")

    def nearness(slot: WireSlot) -> tuple[bool, float]:
        other_professional = bool(state.professionals) and slot.professional not in state.professionals
        return (other_professional, abs((slot_start(slot) - slot_start(taken)).total_seconds()))

    nearest = sorted(sorted(unique, key=nearness)[:MAX_BUTTONS], key=slot_key)
    taken_day = local_day(taken)
    several = len({s.professional for s in [*state.day_slots, *nearest, taken]}) > 1
    labels = []
    for slot in nearest:
        if local_day(slot) == taken_day:
            labels.append(time_label(slot, several))
        else:
            day = local_day(slot)
            if several:  # no room for the month beside the professional
                text = f"{lang.weekdays_short[day.weekday()]} {day.day} {clock(slot)}"
                text = f"{text} {short_professional(slot.professional, MAX_LABEL - len(text) - 1)}"
            else:
                text = f"{lang.day_label(day)} {clock(slot)}"
            labels.append(text)
    labels = unique_labels(labels)
    options = tuple(Option(label, "slot", slot=s) for label, s in zip(labels, nearest, strict=True))
    state = replace(
        state,
        stage=CHOOSE_TIME,
        day=taken_day.isoformat(),
        time_filter="",
        options=options,
        page_first=(),
        page_last=(),
        pending=None,
        pending_message="",
    )
    for index, option in enumerate(options, start=1):
        data[f"option_{index}"] = option.label
    body = continuation(
        data, [lang.say("slot_taken_alternatives")], lang.say("alternatives_prompt"), list(labels), step
    )
    return Reply(state, body, "choose_time")
