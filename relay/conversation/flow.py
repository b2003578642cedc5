"""The conversation: one widget_request step that the bot loops on, as pure functions of (state, turn, slots).

greeting + day menu -> time menu for the chosen day -> Book (the core asks the agent) -> confirmation.
Every reply either waits for the patient's answer (a menu, ``goto question``) or ends the conversation
(booked, handoff: the state is forgotten and the bot moves on to its next step).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any

from relay.conversation.freetext import Reading, command, normalize, read, wants_person
from relay.conversation.menus import (
    MAX_BUTTONS,
    MAX_LABEL,
    clinic_zone,
    clock,
    decode_slot_key,
    encode_slot_key,
    fold,
    free_slots,
    is_title,
    local_day,
    page,
    short_professional,
    slot_key,
    slot_start,
    time_label,
    unique_labels,
)
from relay.conversation.model import Book, ClinicProfile, Reply, Turn
from relay.conversation.replies import continuation
from relay.conversation.state import (
    BOOKING,
    CHOOSE_DAY,
    CHOOSE_TIME,
    ConversationState,
    Option,
    conversation_id,
    idempotency_key,
)
from relay.conversation.texts import Language, language
from wire.messages import BookResult, SlotsResult, WireError, WireSlot

MAX_REMEMBERED_SLOTS = 40  # of the chosen day, for nearest alternatives when a slot is taken


@dataclass(frozen=True)
class _Context:
    turn: Turn
    clinic: ClinicProfile
    lang: Language
    free: tuple[WireSlot, ...]  # every free slot ahead, in order
    today: date  # the turn's day in the clinic's offset

    def slots_for(self, professionals: Sequence[str]) -> list[WireSlot]:
        if not professionals:
            return list(self.free)
        return [s for s in self.free if s.professional in professionals]

    def say(self, key: str, **fields: object) -> str:
        return self.lang.say(key, **fields)


# ---------------------------------------------------------------------------
# The three entry points
# ---------------------------------------------------------------------------


def decide(
    state: ConversationState | None, turn: Turn, clinic: ClinicProfile, slots: SlotsResult
) -> Reply | Book:
    """The answer to one patient message, given the agent's fresh free slots."""
    turn = _aware(turn)
    free = free_slots(slots.slots, turn.now)
    zone = clinic_zone(free) or clinic_zone(slots.slots) or turn.now.tzinfo
    ctx = _Context(turn, clinic, language(clinic.language), free, turn.now.astimezone(zone).date())
    if state is None or state.expired(turn.now) or state.lead_id != turn.lead_id:
        return _start(ctx)
    resumed = resume_booking(state, turn)
    if resumed is not None:
        return resumed
    state = state.seen(turn.now)
    norm = normalize(turn.message)

    action = command(norm)
    if action == "cancel":
        return _end(ctx, state, "cancelled")
    if action is None and wants_person(norm):
        return _end(ctx, state, "asked_for_person")
    if state.stage == BOOKING:  # a damaged record (no pending slot): start the menus again
        state = replace(state, stage=CHOOSE_TIME if state.day else CHOOSE_DAY, pending=None, pending_message="")
    if not free:
        return _end(ctx, state, "no_slots")

    option = _tapped(state, norm)
    if option is not None:
        return _follow(ctx, state, option, norm)
    if action == "more":
        if state.stage == CHOOSE_TIME and state.day and not ("dia" in norm or "day" in norm):
            return _time_menu(ctx, state, date.fromisoformat(state.day), after=decode_slot_key(state.page_last))
        after = _page_day(state.page_last) if state.stage == CHOOSE_DAY else _page_day((state.day,))
        return _day_menu(ctx, state, after=after)
    if action == "back":
        return _day_menu(ctx, state)
    if action == "restart":
        return _day_menu(ctx, replace(state, professionals=()), intro=True)

    bare_number = "hour" if state.stage == CHOOSE_TIME else "day"
    reading = read(turn.message, ctx.today, bare_number=bare_number)
    return _interpret(ctx, state, reading, norm)


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


def handoff(state: ConversationState | None, turn: Turn, clinic: ClinicProfile, reason: str) -> Reply:
    """A polite hand-off to the clinic's receptionist (status "handoff").

    The conversation ends, except while a booking's outcome is unknown: then it is kept (``gave_up``), the
    patient is told the truth, and their next message asks the agent again with the same key.
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
    elif reason == "no_slots":
        paragraphs = [lang.say("no_slots"), lang.say("receptionist")]
    else:
        paragraphs = [lang.say("cannot_check"), lang.say("receptionist")]
    return Reply(None, continuation(data, paragraphs), "handoff")


# ---------------------------------------------------------------------------
# Starting and ending
# ---------------------------------------------------------------------------


def _start(ctx: _Context) -> Reply:
    turn = ctx.turn
    state = ConversationState(
        conversation_id=conversation_id(turn.lead_id, turn.now), lead_id=turn.lead_id, last_seen=turn.now
    )
    key = "greeting" if ctx.clinic.name.strip() else "greeting_anonymous"
    greeting = ctx.say(key, name=_first_name(turn.name), clinic=ctx.clinic.name.strip())
    if not ctx.free:
        reply = _end(ctx, state, "no_slots")
        body = reply.continuation
        return replace(reply, continuation=continuation(
            {k: v for k, v in body["data"].items() if k != "message"},
            [greeting, ctx.say("no_slots"), ctx.say("receptionist")],
        ))
    return _day_menu(ctx, state, notices=[greeting], intro=True)


def _end(ctx: _Context, state: ConversationState, reason: str) -> Reply:
    return handoff(state, ctx.turn, ctx.clinic, reason)


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
    """The days with free slots (for the professional filter), paged: after ``after`` or from ``at``."""
    notices = list(notices)
    slots = ctx.slots_for(state.professionals)
    if not slots:
        names = ", ".join(state.professionals)
        notices.append(ctx.say("professional_no_slots", professional=names))
        state = replace(state, professionals=())
        slots = list(ctx.free)
    days = sorted({local_day(s) for s in slots})
    start = 0
    if after is not None:
        start = next((i for i, d in enumerate(days) if d > after), 0)
    elif at is not None:
        start = next((i for i, d in enumerate(days) if d >= at), max(len(days) - MAX_BUTTONS, 0))
    elif near is not None:  # a day that was asked for and is not free: show the free days around it
        start = next((i for i, d in enumerate(days) if d >= near), len(days))
        start = min(max(start - 1, 0), max(len(days) - MAX_BUTTONS, 0))
    shown, more = page(days, start)
    options = [Option(ctx.lang.day_label(d), "day", day=d.isoformat()) for d in shown]
    if more:
        options.append(Option(ctx.say("more_days"), "more_days"))
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
    )
    paragraphs = list(notices)
    if intro or state.professionals:
        if state.professionals:
            paragraphs.append(ctx.say("days_intro_professional", professional=", ".join(state.professionals)))
        else:
            paragraphs.append(ctx.say("days_intro"))
    data = _menu_data("choose_day", state, options)
    prompt = ctx.say("day_prompt" if intro else "day_prompt_short")  # the typing hint once is enough
    body = continuation(data, paragraphs, prompt, [o.label for o in options], ctx.clinic.bot_question_step)
    return Reply(state, body, "choose_day")


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
    day_slots = [s for s in ctx.slots_for(state.professionals) if local_day(s) == day]
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
    shown, more = page(slots, start)
    more_label = ctx.say("more_times")
    labels = unique_labels([time_label(s, several) for s in shown], reserved=[more_label] if more else [])
    options = [Option(label, "slot", slot=s) for label, s in zip(labels, shown, strict=True)]
    if more:
        options.append(Option(more_label, "more_times"))
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
    )
    label = ctx.lang.day_label(day)
    if time_filter:
        prompt = ctx.say("which_professional", time=time_filter, day=label)
    elif state.professionals and len(state.professionals) == 1:
        prompt = ctx.say(
            "time_prompt_professional", professional=short_professional(state.professionals[0], 30), day=label
        )
    else:
        prompt = ctx.say("time_prompt", day=label)
    data = _menu_data("choose_time", state, options)
    data.update(day=day.isoformat(), day_label=label)
    body = continuation(data, list(notices), prompt, [o.label for o in options], ctx.clinic.bot_question_step)
    return Reply(state, body, "choose_time")


def _menu_data(status: str, state: ConversationState, options: Sequence[Option]) -> dict[str, Any]:
    data: dict[str, Any] = {"status": status, "conversation_id": state.conversation_id}
    for index, option in enumerate(options, start=1):
        data[f"option_{index}"] = option.label
    if state.professionals:
        data["professional"] = ", ".join(state.professionals)
    return data


def _reask(ctx: _Context, state: ConversationState, notices: Sequence[str] = ()) -> Reply:
    """Didn't understand: say so and show the same page of the same menu again."""
    if state.stage == CHOOSE_TIME and state.day:
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
    if not norm:
        return None
    return next((o for o in state.options if normalize(o.label) == norm), None)


def _follow(ctx: _Context, state: ConversationState, option: Option, norm: str) -> Reply | Book:
    if option.kind == "day":
        return _time_menu(ctx, state, date.fromisoformat(option.day))
    if option.kind == "more_days":
        return _day_menu(ctx, state, after=_page_day(state.page_last))
    if option.kind == "more_times" and state.day:
        return _time_menu(
            ctx, state, date.fromisoformat(state.day), after=decode_slot_key(state.page_last),
            time_filter=state.time_filter,
        )
    if option.kind == "slot" and option.slot is not None:
        wanted = option.slot
        fresh = next((s for s in ctx.free if s.id == wanted.id), None) or next(
            (s for s in ctx.free if s.start == wanted.start and s.professional == wanted.professional), None
        )
        if fresh is not None:
            return _book(state, fresh, norm)
        day = local_day(wanted)
        gone = ctx.say("slot_gone", time=clock(wanted), day=ctx.lang.day_label(day))
        return _time_menu(ctx, state, day, notices=[gone], at=slot_key(wanted)[0])
    return _day_menu(ctx, state)


def _book(state: ConversationState, slot: WireSlot, norm: str) -> Book:
    booking = replace(
        state,
        stage=BOOKING,
        day=local_day(slot).isoformat(),
        pending=slot,
        pending_message=norm,
        gave_up=False,
    )
    return Book(booking, slot, idempotency_key(state.conversation_id, slot.id))


# ---------------------------------------------------------------------------
# Free text
# ---------------------------------------------------------------------------


def _interpret(ctx: _Context, state: ConversationState, reading: Reading, norm: str) -> Reply | Book:
    if reading.ambiguous:
        return _reask(ctx, state)
    professionals = state.professionals
    matches = _match_professionals(reading, sorted({s.professional for s in ctx.free}))
    if reading.any_professional:
        professionals = ()
    elif reading.named:
        if not matches:
            query = " ".join(reading.named)[:40]
            return _reask(ctx, state, [ctx.say("professional_unknown", query=query)])
        professionals = matches
    elif matches:
        professionals = matches
    filter_changed = professionals != state.professionals
    state = replace(state, professionals=professionals)

    day = reading.day
    if day is None and reading.times and state.stage == CHOOSE_TIME and state.day:
        day = date.fromisoformat(state.day)
    if day is not None:
        label = ctx.lang.day_label(day)
        day_slots = [s for s in ctx.slots_for(professionals) if local_day(s) == day]
        if not day_slots:
            if professionals and any(local_day(s) == day for s in ctx.free):
                notice = ctx.say("day_not_free_professional", professional=", ".join(professionals), day=label)
            else:
                notice = ctx.say("day_not_free", day=label)
            return _day_menu(ctx, state, notices=[notice], near=day)
        if reading.times:
            return _pick_time(ctx, state, day, reading.times, day_slots, norm)
        return _time_menu(ctx, state, day, at=_part_start(day_slots, reading.part))
    if reading.part and state.stage == CHOOSE_TIME and state.day:
        day = date.fromisoformat(state.day)
        day_slots = [s for s in ctx.slots_for(professionals) if local_day(s) == day]
        return _time_menu(ctx, state, day, at=_part_start(day_slots, reading.part))
    if reading.times or reading.part:
        return _day_menu(ctx, state, notices=[ctx.say("need_day_first")], at=_page_day(state.page_first))
    if reading.week is not None:
        return _day_menu(ctx, state, at=reading.week)
    if filter_changed or reading.named or reading.any_professional:
        if state.stage == CHOOSE_TIME and state.day:
            day = date.fromisoformat(state.day)
            day_slots = [s for s in ctx.slots_for(professionals) if local_day(s) == day]
            at_time = [s for s in day_slots if state.time_filter and clock(s) == state.time_filter]
            if len(at_time) == 1:
                return _book(state, at_time[0], norm)
            if at_time:
                return _time_menu(ctx, state, day, time_filter=state.time_filter)
            if day_slots:
                return _time_menu(ctx, state, day)
            notice = ctx.say(
                "day_not_free_professional", professional=", ".join(professionals), day=ctx.lang.day_label(day)
            )
            return _day_menu(ctx, state, notices=[notice], near=day)
        return _day_menu(ctx, state)
    return _reask(ctx, state)


def _part_start(day_slots: Sequence[WireSlot], part: str) -> float | None:
    """Where the time menu starts for "en la tarde" (from noon) or "en la mañana" (from the first)."""
    if part != "pm":
        return None
    afternoon = [s for s in day_slots if clock(s) >= "12:00"]
    return slot_key(afternoon[0])[0] if afternoon else None


def _pick_time(
    ctx: _Context,
    state: ConversationState,
    day: date,
    times: Sequence[tuple[int, int]],
    day_slots: Sequence[WireSlot],
    norm: str,
) -> Reply | Book:
    for hour, minute in times:
        wanted = f"{hour:02d}:{minute:02d}"
        matching = [s for s in day_slots if clock(s) == wanted]
        if len(matching) == 1:
            return _book(state, matching[0], norm)
        if matching:
            return _time_menu(ctx, state, day, time_filter=wanted)
    # Not free: say so, and show the times around the one asked for.
    minutes = [s.start_dt().hour * 60 + s.start_dt().minute for s in day_slots]
    hour, minute = min(times, key=lambda t: min(abs(t[0] * 60 + t[1] - m) for m in minutes))
    asked = f"{hour:02d}:{minute:02d}"
    notice = ctx.say("time_not_free", time=asked, day=ctx.lang.day_label(day))
    at = datetime.combine(day, datetime.min.time(), tzinfo=day_slots[0].start_dt().tzinfo).replace(
        hour=hour, minute=minute
    )
    nearest = min(day_slots, key=lambda s: abs(slot_start(s) - at))
    return _time_menu(ctx, state, day, notices=[notice], at=slot_key(nearest)[0])


def _match_professionals(reading: Reading, professionals: Sequence[str]) -> tuple[str, ...]:
    """Professionals the patient named: by surname (any name word), accents and case ignored."""
    if not (reading.named or reading.words):
        return ()
    names = {p: _name_words(p) for p in professionals}
    if reading.named:
        query = set(reading.named)
        found = [p for p, words in names.items() if query <= words] or [
            p for p, words in names.items() if query & words
        ]
    else:
        found = [p for p, words in names.items() if set(reading.words) & words]
    if reading.title and len(found) > 1:
        titled = [p for p in found if fold(p.split()[0]).rstrip(".") in _TITLE_FORMS[reading.title]]
        found = titled or found
    return tuple(sorted(found))


_TITLE_FORMS = {"dr": ("dr", "doctor"), "dra": ("dra", "doctora")}


def _name_words(name: str) -> set[str]:
    return {w for w in normalize(name).split() if not is_title(w) and len(w) > 1 and not w[:1].isdigit()}


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
