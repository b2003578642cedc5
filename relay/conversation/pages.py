"""The menus the patient is shown while booking: specialty, days, times, a confirmation, and a re-ask."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from relay.conversation.agenda import shared_page
from relay.conversation.context import Context, filters
from relay.conversation.evolve import evolve
from relay.conversation.layout import plan
from relay.conversation.menu_parts import arrange, menu_data, with_hint
from relay.conversation.menus import (
    MAX_BUTTONS,
    MAX_LABEL,
    clock,
    decode_slot_key,
    encode_slot_key,
    fold,
    local_day,
    short_professional,
    slot_key,
    time_label,
    unique_labels,
)
from relay.conversation.model import Reply
from relay.conversation.outcomes import handoff
from relay.conversation.replies import MAX_SHOW, pieces_of
from relay.conversation.services import needs_service, service_menu
from relay.conversation.state import (
    ANY_SPECIALTY,
    CHOOSE_DAY,
    CHOOSE_TIME,
    CONFIRM,
    MAX_MISSES,
    ConversationState,
    Option,
)
from wire.messages import WireSlot

MAX_REMEMBERED_SLOTS = 40  # of the chosen day, for nearest alternatives when a slot is taken


def first_menu(ctx: Context, state: ConversationState, notices: Sequence[str] = ()) -> Reply:
    """Which specialty, when the clinic has several and the patient has not said; else the days."""
    if needs_specialty(ctx, state):
        return specialty_menu(ctx, state, notices)
    if needs_service(ctx, state):
        return service_menu(ctx, state, notices)
    return day_menu(ctx, state, notices=notices, intro=True)


def needs_specialty(ctx: Context, state: ConversationState) -> bool:
    return len(ctx.specialties) > 1 and not state.specialty and not state.professionals


@dataclass(frozen=True)
class Page:
    """A menu as every patient with the same filters sees it at the same slots: all but the state and ``data``."""

    changes: dict[str, Any]  # filters dropped because nothing matched them (a notice says so)
    texts: tuple[str, ...]  # paragraphs, then the numbered lines
    prompt: str
    buttons: tuple[str, ...]
    options: tuple[Option, ...]
    first: tuple[str, ...]  # page_first / page_last of the state
    last: tuple[str, ...]
    day_slots: tuple[WireSlot, ...] = ()  # the time menu's day
    fallback: tuple[str, ...] | None = None  # the time menu has no time: the day menu, with these notices


def _page_key(ctx: Context, state: ConversationState, kind: str, *args: object) -> tuple[object, ...]:
    """What a menu page depends on: the language, the patient's filters, how the opening splits, ``args``."""
    opening = sum(len(pieces_of(p)) for p in ctx.opening)
    return (kind, ctx.lang.code, state.specialty, filters(state), opening, *args)


def day_menu(
    ctx: Context,
    state: ConversationState,
    *,
    notices: Sequence[str] = (),
    after: date | None = None,
    at: date | None = None,
    near: date | None = None,
    intro: bool = False,
) -> Reply:
    """The days with free slots (for the patient's filters), paged: after ``after`` or from ``at``."""
    notices = tuple(notices)
    key = _page_key(ctx, state, "days", notices, after, at, near, intro)
    page = ctx.page(key, lambda: _day_page(ctx, state, notices, after, at, near, intro))
    state = evolve(
        state,
        **page.changes,
        stage=CHOOSE_DAY,
        day="",
        time_filter="",
        options=page.options,
        page_first=page.first,
        page_last=page.last,
        day_slots=(),
        pending=None,
        pending_message="",
        proposed=None,
    )
    data = menu_data("choose_day", state, page.options)
    body = ctx.body(data, page.texts, page.prompt, page.buttons, ctx.clinic.bot_question_step)
    return Reply(state, body, "choose_day")


def _day_page(
    ctx: Context,
    state: ConversationState,
    notices: Sequence[str],
    after: date | None,
    at: date | None,
    near: date | None,
    intro: bool,
) -> Page:
    notices = list(notices)
    changes: dict[str, Any] = {}
    slots = ctx.pool(state)
    if (not slots and state.skip_professionals and not state.professionals
            and not ctx.pool(evolve(state, window=("", ""), skip_days=()))):
        # "traumatología, que no sea con Rojas" where only he has times, any day at any hour: said, and his days
        # shown (her choice), the rest of what was asked kept
        left_out = ", ".join(ctx.lang.with_professional(p) for p in state.skip_professionals)
        notices.append(ctx.say("professionals_ruled_out_none", professional=left_out))
        state = evolve(state, skip_professionals=())
        changes["skip_professionals"] = ()
        slots = ctx.pool(state)
    if not slots and state.skip_days:
        notices.append(ctx.say("days_ruled_out_none"))
        state = evolve(state, skip_days=())
        changes["skip_days"] = ()
        slots = ctx.pool(state)
    if not slots and any(state.window):
        notices.append(ctx.say("window_no_slots"))
        state = evolve(state, window=("", ""))
        changes["window"] = ("", "")
        slots = ctx.pool(state)
    if not slots and state.specialty:
        notices.append(ctx.say("specialty_unknown"))
        state = evolve(state, specialty="")
        changes["specialty"] = ""
        slots = ctx.pool(state)
    if not slots and state.service:
        notices.append(ctx.say("service_unknown"))
        state = evolve(state, service="")
        changes["service"] = ""
        slots = ctx.pool(state)
    if not slots:
        names = ", ".join(state.professionals)
        notices.append(ctx.say("professional_no_slots", professional=names))
        state = evolve(state, professionals=())
        changes["professionals"] = ()
    days = ctx.days(state)  # the days of the slots the filters allow
    paragraphs = list(notices)
    window = window_words(ctx, state.window)  # the days left out for the time of day asked for: said
    specialty = ctx.specialties.get(state.specialty, "") if len(ctx.specialties) > 1 else ""
    if state.professionals and (after is None or window):  # paging on: whose days they are was said on the first
        named = ", ".join(ctx.lang.with_professional(p) for p in state.professionals)  # "con la Dra. Ana Soto"
        paragraphs.append(ctx.say("days_intro_professional", professional=named, window=window))
    elif specialty and (intro or window):  # "hora con la kinesióloga": whose days these are
        paragraphs.append(ctx.say("days_intro_specialty", specialty=specialty, window=window))
    elif intro or window:
        paragraphs.append(ctx.say("days_intro", window=window))
    extras = filter_buttons(ctx, state)
    # The same days menu for every clinic whose free days are the same: laid out once for all of them.
    key = ("days", ctx.lang.code, _opening_pieces(ctx), days, after, at, near, intro, tuple(paragraphs), tuple(extras))
    shown = shared_page(key, lambda: _days_shown(ctx, days, after, at, near, intro, paragraphs, extras))
    return evolve(shown, changes=changes) if changes else shown


def _opening_pieces(ctx: Context) -> int:
    return sum(len(pieces_of(p)) for p in ctx.opening)


def _days_shown(
    ctx: Context,
    days: Sequence[date],
    after: date | None,
    at: date | None,
    near: date | None,
    intro: bool,
    paragraphs: list[str],
    extras: list[Option],
) -> Page:
    """The days menu's page, from the days the patient's filters leave: what it shows depends on nothing else."""
    start = 0
    paragraphs = list(paragraphs)
    if after is not None:
        start = next((i for i, d in enumerate(days) if d > after), 0)
        if days and days[-1] <= after:  # "más días" at the last page: said, and the first days again
            paragraphs.append(ctx.say("no_more_days"))
    elif at is not None:
        start = next((i for i, d in enumerate(days) if d >= at), max(len(days) - MAX_BUTTONS, 0))
    elif near is not None:  # a day that was asked for and is not free: show the free days around it
        start = next((i for i, d in enumerate(days) if d >= near), len(days))
        start = min(max(start - 1, 0), max(len(days) - MAX_BUTTONS, 0))
    prompt = ctx.say("day_prompt" if intro else "day_prompt_short")  # the typing hint once is enough
    used = _opening_pieces(ctx)
    hinted = f"{prompt} {ctx.say('list_hint')}"
    layout = plan(len(days) - start, len(extras), paragraphs, hinted, used)
    shown = days[start: start + layout.count]
    if start > 0 and start + layout.count >= len(days):
        if after is not None:  # paged to the end (not a later day the patient asked for): the last page says so
            paragraphs.append(ctx.say("last_days"))
        extras = [Option(ctx.say("first_days"), "first_days"), *extras]
        layout = plan(len(shown), len(extras), paragraphs, hinted, used)
        shown = shown[: layout.count]
    choices = [Option(ctx.lang.day_label(d), "day", day=d.isoformat()) for d in shown]
    more = Option(ctx.say("more_days"), "more_days")
    long_days = [ctx.lang.day_long(d) for d in shown]
    options, buttons, lines = arrange(choices, long_days, layout, more, extras)
    prompt, lines = with_hint(ctx, prompt, lines, layout.as_list)
    return Page(
        {}, (*paragraphs, *lines), prompt, tuple(buttons), tuple(options),
        (shown[0].isoformat(),), (shown[-1].isoformat(),),
    )


def window_words(ctx: Context, window: tuple[str, str]) -> str:
    """" antes de las 12:00", " desde las 13:00", " entre las 10:00 y las 12:00"; "" for any time of day."""
    start, end = window
    if start and end:
        return ctx.say("window_between", start=start, end=end)
    if start:
        return ctx.say("window_from", start=start)
    return ctx.say("window_before", end=end) if end else ""


def filter_buttons(ctx: Context, state: ConversationState) -> list[Option]:
    """A way to drop each filter the patient set: professional or specialty, time of day."""
    extras = []
    if state.professionals or state.specialty not in ("", ANY_SPECIALTY):
        extras.append(Option(ctx.say("any_professional_button"), "any_professional"))
    if any(state.window):
        extras.append(Option(ctx.say("any_time_button"), "any_time"))
    return extras


def time_menu(
    ctx: Context,
    state: ConversationState,
    day: date,
    *,
    notices: Sequence[str] = (),
    after: tuple[float, str, str] | None = None,
    at: float | None = None,  # a timestamp: start the page at the first time from there
    time_filter: str = "",
) -> Reply:
    """The day's free times (for the professional filter, and one time when asking "with whom?"), paged."""
    notices = tuple(notices)
    key = _page_key(ctx, state, "times", day, notices, after, at, time_filter)
    page = ctx.page(key, lambda: _time_page(ctx, state, day, notices, after, at, time_filter))
    if page.fallback is not None:
        return day_menu(ctx, evolve(state, **page.changes), notices=page.fallback, near=day)
    state = evolve(
        state,
        **page.changes,
        stage=CHOOSE_TIME,
        day=day.isoformat(),
        time_filter=time_filter,
        options=page.options,
        page_first=page.first,
        page_last=page.last,
        day_slots=page.day_slots,
        pending=None,
        pending_message="",
        proposed=None,
    )
    data = menu_data("choose_time", state, page.options)
    data.update(day=day.isoformat(), day_label=ctx.lang.day_label(day))
    body = ctx.body(data, page.texts, page.prompt, page.buttons, ctx.clinic.bot_question_step)
    return Reply(state, body, "choose_time")


def _time_page(
    ctx: Context,
    state: ConversationState,
    day: date,
    notices: Sequence[str],
    after: tuple[float, str, str] | None,
    at: float | None,
    time_filter: str,
) -> Page:
    changes: dict[str, Any] = {}
    day_slots = ctx.on_day(state, day, window=not time_filter)
    if not day_slots and any(state.window) and not time_filter and ctx.on_day(state, day, window=False):
        if any(local_day(s) != day for s in ctx.pool(state)):  # "¿algo más tarde?": other days have it, not this one
            label = ctx.lang.day_label(day)
            return Page(changes, (), "", (), (), (), (), fallback=(*notices, ctx.say("day_not_free_window", day=label)))
    if not day_slots and any(state.window) and not time_filter:
        state = evolve(state, window=("", ""))
        changes["window"] = ("", "")
        notices = [*notices, ctx.say("window_no_slots")]
        day_slots = ctx.on_day(state, day)
    slots = [s for s in day_slots if not time_filter or clock(s) == time_filter]
    if not slots:
        fallback = (*notices, ctx.say("day_not_free", day=ctx.lang.day_label(day)))
        return Page(changes, (), "", (), (), (), (), fallback=fallback)
    several = len({s.professional for s in day_slots}) > 1
    start = 0
    paragraphs = list(notices)
    if after is not None:
        start = next((i for i, s in enumerate(slots) if slot_key(s) > after), 0)
        if slot_key(slots[-1]) <= after:  # "más horas" with the day's last ones shown: said, the first ones again
            paragraphs.append(ctx.say("no_more_times", day=ctx.lang.day_label(day)))
    elif at is not None:  # from the time asked for, and never fewer times than fill the buttons
        at_or_after = next((i for i, s in enumerate(slots) if slot_key(s)[0] >= at), len(slots))
        start = max(min(at_or_after, len(slots) - MAX_BUTTONS), 0)
    label = ctx.lang.day_label(day)
    if time_filter:
        prompt = ctx.say("which_professional", time=time_filter, day=label)
    elif state.professionals and len(state.professionals) == 1:
        prompt = ctx.say(
            "time_prompt_professional", day=label,
            professional=ctx.lang.with_professional(short_professional(state.professionals[0], 30)),
        )
    elif not several:  # every offered time names its professional: here, once for all of them
        prompt = ctx.say("time_prompt_with", professional=ctx.naming(day_slots[0]), day=label)
    else:
        prompt = ctx.say("time_prompt", day=label)
    # Dropping a filter comes before "another day", which the prompt also offers as a word ("volver").
    extras = [] if time_filter else [*filter_buttons(ctx, state), Option(ctx.say("other_day"), "other_days")]
    hinted = f"{prompt} {ctx.say('list_hint')}"
    layout = plan(len(slots) - start, len(extras), [*ctx.opening, *paragraphs], hinted)
    if start > 0 and start + layout.count >= len(slots) and not time_filter:
        noted = plan(len(slots) - start, len(extras), [*ctx.opening, *paragraphs, ctx.say("last_times")], hinted)
        if start + noted.count >= len(slots):  # still the day's last times with the note above them
            paragraphs.append(ctx.say("last_times"))
            layout = noted
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
    options, buttons, texts = arrange(choices, lines, layout, Option(more_label, "more_times"), extras)
    prompt, texts = with_hint(ctx, prompt, texts, layout.as_list)
    back = ctx.say("back_hint")
    if not time_filter and all(o.kind != "other_days" for o in options) and len(prompt) + len(back) < MAX_SHOW:
        prompt = f"{prompt} {back}"  # no "another day" button: say the word that does it
    return Page(
        changes, (*paragraphs, *texts), prompt, tuple(buttons), tuple(options),
        encode_slot_key(shown[0]), encode_slot_key(shown[-1]), tuple(day_slots[:MAX_REMEMBERED_SLOTS]),
    )


def confirm(ctx: Context, state: ConversationState, slot: WireSlot, notices: Sequence[str] = ()) -> Reply:
    """Free text pinned one slot: ask before booking it (only "Sí" or a tapped time books)."""
    day = local_day(slot)
    options = (Option(ctx.say("yes"), "confirm"), Option(ctx.say("other_time"), "other_time"))
    state = evolve(
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
    if state.intent == "reschedule" and state.target is not None:  # which one goes, said before "Sí"
        old = datetime.fromisoformat(state.target.start)
        theirs = state.target.booking_id in state.others and state.target.patient  # "…en vez de la hora de Rosa…"
        question = ctx.say("confirm_move_to_for" if theirs else "confirm_move_to",
                           old_day=ctx.lang.day_long(old.date()), old_time=old.strftime("%H:%M"),
                           day=ctx.lang.day_long(day), time=clock(slot), professional=ctx.naming(slot),
                           patient=state.target.patient)
    else:
        question = ctx.say("confirm_for" if state.patient_name else "confirm", day=ctx.lang.day_long(day),
                           time=clock(slot), professional=ctx.naming(slot), patient=state.patient_name)
    data = menu_data("choose_time", state, options)
    data.update(code="confirm", day=day.isoformat(), day_label=ctx.lang.day_label(day),
                confirm_start=slot.start, confirm_professional=slot.professional)
    body = ctx.body(data, list(notices), question, [o.label for o in options], ctx.clinic.bot_question_step)
    return Reply(state, body, "choose_time")


def missed(ctx: Context, state: ConversationState) -> ConversationState | Reply:
    """One more message in a row not understood: the state counting it, or (at MAX_MISSES) the hand-off to a person,
    who reads what the patient wrote (the follow-up carries it)."""
    state = evolve(state, misses=state.misses + 1)
    if state.misses >= MAX_MISSES:
        asked_to_write = ctx.say("media_only")  # a voice note now: "escríbeme…" and "te escribirán" would clash
        opening = tuple(ctx.say("media_handoff") if p == asked_to_write else p for p in ctx.opening)
        return handoff(state, ctx.turn, ctx.clinic, "not_understood", opening=opening)
    return state


def reception_hint(ctx: Context, state: ConversationState) -> list[str]:
    """"Escribe «recepción»…" once the next miss would hand the patient over."""
    return [ctx.say("reask_reception")] if state.misses == MAX_MISSES - 1 else []


def reask(ctx: Context, state: ConversationState, notices: Sequence[str] = (), *, understood: bool = False) -> Reply:
    """Didn't understand: say so and show the same page of the same menu again (``understood``: the notices said
    what there was to say, and the page follows them without "no te entendí")."""

    if not understood:
        counted = missed(ctx, state)
        if isinstance(counted, Reply):
            return counted
        state = counted
    helped = reception_hint(ctx, state)

    def then(key: str) -> list[str]:  # the notices, then "no te entendí…" unless they answered
        return [*notices] if understood else [*notices, ctx.say(key), *helped]

    if state.stage == CONFIRM and state.proposed is not None:
        fresh = ctx.still_free(state.proposed.id)
        if fresh is not None:
            return confirm(ctx, state, fresh, then("confirm_reask"))
    kinds = {o.kind for o in state.options}
    if kinds & {"specialty", "any_specialty", "service"}:  # the specialty (or service) question again, not the days
        if "service" in kinds:
            return service_menu(ctx, state, then("reask_choice"))
        return specialty_menu(ctx, state, then("reask_choice"))
    if state.stage in (CHOOSE_TIME, CONFIRM) and state.day:
        first = decode_slot_key(state.page_first)
        day = date.fromisoformat(state.day)
        return _numbers_kept(state, time_menu(
            ctx,
            state,
            day,
            notices=then("reask_time"),
            at=first[0] if first else None,
            time_filter=state.time_filter,
        ))
    return _numbers_kept(state, day_menu(ctx, state, notices=then("reask_day"), at=page_day(state.page_first)))


def _numbers_kept(before: ConversationState, again: Reply) -> Reply:
    """The list shown again after "no te entendí" starts where it did, but "no te entendí" takes room: it may be a
    line or two shorter. A patient still reading the first list who types its last number ("6") means that line,
    not six o'clock: the numbers the shorter list lost still choose what they chose (not shown, only understood)."""
    shown = again.state
    if shown is None or shown.page_first != before.page_first or shown.stage != before.stage:
        return again
    numbers = [o.number for o in shown.options if o.number]
    if not numbers:
        return again
    lost = tuple(evolve(o, hidden=True) for o in before.options
                 if o.kind in ("slot", "day") and o.number > max(numbers))
    return evolve(again, state=evolve(shown, options=(*shown.options, *lost))) if lost else again


def offered_choices(state: ConversationState) -> tuple[Option, ...]:
    """The times a time menu offers, or the days a days menu offers (not "more", another day or a filter)."""
    kind = "slot" if state.stage == CHOOSE_TIME else "day" if state.stage == CHOOSE_DAY else ""
    return tuple(o for o in state.options if o.kind == kind and not o.hidden) if kind else ()


def which_one(ctx: Context, state: ConversationState) -> Reply:
    """"Sí" to a menu of several times (or days): the same page again, and how to say which one (not "I didn't get
    that": the patient did say yes)."""
    numbered = any(o.number for o in offered_choices(state))
    if state.stage == CHOOSE_TIME and state.day:
        first = decode_slot_key(state.page_first)
        which = "which_time_list" if numbered else "which_time_buttons"
        notice = ctx.say("which_professional_pick" if state.time_filter else which)  # one time, several people
        return time_menu(ctx, state, date.fromisoformat(state.day), notices=[notice],
                         at=first[0] if first else None, time_filter=state.time_filter)
    notice = ctx.say("which_day_list" if numbered else "which_day_buttons")
    return day_menu(ctx, state, notices=[notice], at=page_day(state.page_first))


def page_day(key: Sequence[str]) -> date | None:
    try:
        return date.fromisoformat(key[0]) if key and key[0] else None
    except ValueError:
        return None


def specialty_menu(ctx: Context, state: ConversationState, notices: Sequence[str] = ()) -> Reply:
    """Which specialty (the clinic's own names), and "any"; a wish said before it is kept for after."""
    notices = tuple(notices)
    key = ("specialties", ctx.lang.code, _opening_pieces(ctx), notices)
    texts, prompt, buttons, options = ctx.page(key, lambda: _shared_specialty_page(ctx, key, notices))
    state = evolve(
        state, stage=CHOOSE_DAY, day="", time_filter="", options=options, page_first=(), page_last=(),
        day_slots=(), pending=None, pending_message="", proposed=None,
    )
    data = menu_data("choose_day", state, options)
    data["code"] = "specialty"
    body = ctx.body(data, texts, prompt, buttons, ctx.clinic.bot_question_step)
    return Reply(state, body, "choose_day")


def _shared_specialty_page(
    ctx: Context, key: tuple[object, ...], notices: tuple[str, ...]
) -> tuple[tuple[str, ...], str, tuple[str, ...], tuple[Option, ...]]:
    """Once per answer (``ctx.page``), and laid out once for every clinic with the same specialties."""
    return shared_page((*key, tuple(sorted(ctx.specialties.items()))), lambda: _specialty_page(ctx, notices))


def _specialty_page(
    ctx: Context, notices: tuple[str, ...]
) -> tuple[tuple[str, ...], str, tuple[str, ...], tuple[Option, ...]]:
    """(paragraphs and lines, prompt, buttons, options) of the specialty menu: the same for every patient."""
    offered = sorted(ctx.specialties.items(), key=lambda item: fold(item[1]))
    prompt = ctx.say("specialty_prompt")
    extras = [Option(ctx.say("any_specialty_button"), "any_specialty")]
    layout = plan(len(offered), len(extras), notices, f"{prompt} {ctx.say('list_hint')}", _opening_pieces(ctx))
    layout = evolve(layout, more=False)  # a clinic has a handful: any beyond the page can still be typed
    shown = offered[: layout.count]
    # Numbered even as buttons: "2" can only mean the second specialty here (not a day or an hour).
    choices = [Option(name[:MAX_LABEL], "specialty", key=key, number=n) for n, (key, name) in enumerate(shown, start=1)]
    more = Option("", "more_days")
    options, buttons, lines = arrange(choices, [name for _, name in shown], layout, more, extras)
    prompt, lines = with_hint(ctx, prompt, lines, layout.as_list)
    return (*notices, *lines), prompt, tuple(buttons), tuple(options)
