"""Free text acted on while booking: who, which day, what time of day, the earliest free time."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta

from relay.conversation.context import Context, read_message
from relay.conversation.evolve import evolve
from relay.conversation.freetext import MONTHS, WINDOW_DAYS, Reading, days_from
from relay.conversation.menus import (
    clock,
    local_day,
    slot_key,
    slot_start,
)
from relay.conversation.model import Book, Reply
from relay.conversation.names import match_professionals, professionals_named, women_first
from relay.conversation.pages import (
    confirm,
    day_menu,
    missed,
    needs_specialty,
    page_day,
    reask,
    reception_hint,
    specialty_menu,
    time_menu,
)
from relay.conversation.services import named_in, needs_service, offered, service_menu
from relay.conversation.specialties import specialty_key
from relay.conversation.state import (
    ANY_SPECIALTY,
    CHOOSE_DAY,
    CHOOSE_TIME,
    CONFIRM,
    ConversationState,
)
from wire.messages import WireSlot

# Noon (12:00-12:59, "mediodía") is neither the morning nor the afternoon: "en la tarde" starts at "la una de la
# tarde", so a patient who asked for the afternoon is not offered 12:00 (nor one who ruled the morning out).
PART_HOURS = {"am": ("", "12:00"), "pm": ("13:00", ""), "evening": ("18:00", "")}  # from, until
_ANOTHER_DAY = re.compile(r"\b(?:otro dia|otra fecha|otros dias|another day|a different day|different day)\b")
_ANY_DAY = re.compile(r"\b(?:cualquier (?:dia|fecha)|el dia que sea|any day|whichever day)\b")
_A_DAY_SHOWN = (CHOOSE_TIME, CONFIRM)  # the stages at which "a las 12" is of the day being chosen


def _day_shown(state: ConversationState) -> date | None:
    """The day whose times (or one of them, to confirm) the patient is looking at."""
    return date.fromisoformat(state.day) if state.day and state.stage in _A_DAY_SHOWN else None


_OF_THOSE_SHOWN = re.compile(r"\b(?:la|esa|de esas la) (?:mas temprana|primera|mas tempranito)\b")
_ALL_BUT = {"am": ("12:00", ""), "pm": ("", "13:00"), "evening": ("", "18:00")}  # "no puedo en la mañana"


def _none_from(ctx: Context, state: ConversationState, first: date | None) -> list[str]:
    """"la próxima semana", "después del lunes" past the last free day: said (the menu shows the last days there are,
    never as if they were the ones asked for). Not when those days are only ruled out ("no puedo ir el lunes", moving
    an appointment: the week of that Monday, without it)."""
    if first is None or any(day >= first for day in ctx.days(evolve(state, skip_days=()))):
        return []
    return [ctx.say("no_days_from", day=ctx.lang.day_long(first))]


def _shown_unless_later_asked(state: ConversationState, reading: Reading) -> date | None:
    """The day shown, for a time or a part of the day said alone — not when the message asks for days from a later
    one ("después del jueves a las 10", "la próxima semana en la tarde" while Wednesday's times are shown)."""
    shown = _day_shown(state)
    return shown if shown is not None and (reading.week is None or shown >= reading.week) else None


def after_specialty(ctx: Context, state: ConversationState, wish: str) -> Reply | Book:
    """The specialty (or service) is chosen: act on what the patient had asked before the question, or show the days."""
    if wish and not state.service:
        state = evolve(state, service=named_in(wish, offered(ctx, state)))
    if needs_service(ctx, state):
        return service_menu(ctx, evolve(state, wish=wish))
    if wish:
        # The specialty was just chosen: the one the wish named was answered with the menu (and, if the clinic has
        # none of it, said so then), so only the rest of the wish is acted on now.
        reading = replace(read_message(ctx, evolve(state, stage=CHOOSE_DAY), wish), specialty="")
        if reading.found and (not reading.ambiguous or reading.alternatives):  # "el martes o el jueves": those days
            # The specialty menu is answered: nothing new in the wish ("no puedo el jueves", its day already left
            # out) shows the days, never the specialty question again (was asked again and again, whatever chosen)
            return interpret(ctx, evolve(state, options=()), reading, wish)
    return day_menu(ctx, state, intro=True)


_MONTH_ALONE = re.compile(r"\b(?:en|para|pa|de|a|in|for|during)\s+(?:el mes de\s+|the month of\s+)?([a-z]+)\b")


def beyond_window_month(ctx: Context, norm: str) -> str:
    """"Solo puedo ver … Para enero, escribe «recepción»…" when the message asks for a month past the days shown
    (``month_beyond``); "" otherwise."""
    month = month_beyond(norm, ctx.today, ctx.last_day)
    if month is None:
        return ""
    return ctx.say("beyond_window_month", days=WINDOW_DAYS, last=ctx.lang.day_label(ctx.last_day),
                   month=ctx.lang.months[month - 1])


def month_beyond(norm: str, today: date, last_day: date) -> int | None:
    """The month a message asks for without a day ("en enero", "para febrero"), when all of it lies past the days
    the agenda shows (``last_day``); None otherwise."""
    for found in _MONTH_ALONE.finditer(norm):
        month = MONTHS.get(found.group(1))
        if month is None or len(found.group(1)) < 4:  # "mar", "may": words of their own ("de mar", "a may…")
            continue
        year = today.year + (1 if month < today.month else 0)
        if month != today.month and date(year, month, 1) > last_day:
            return month
    return None


def _in_the_week_shown(ctx: Context, state: ConversationState, reading: Reading) -> date | None:
    """The day a message names. "El viernes" said at days shown from a later week ("la otra semana", "Más días")
    is that week's Friday, not this one's that the patient is no longer looking at."""
    day, shown_from = reading.day, page_day(state.page_first) if state.stage == CHOOSE_DAY else None
    if day is None or not reading.by_weekday or shown_from is None or day >= shown_from:
        return day
    later = day + timedelta(days=7)
    return later if later <= ctx.last_day else day


def _ruled_out(ctx: Context, reading: Reading) -> tuple[str, ...]:
    """The professionals the message rules out ("pero no con la Dra. Soto"); the title said is the first name's ("ni
    la dra soto ni lagos" is Dr. Lagos too)."""
    if not reading.skip_named:
        return ()
    title = reading.skip_title if len(reading.skip_named) == 1 else ""
    return professionals_named(reading.skip_named, title, ctx.professionals)


def _theirs_with_others(ctx: Context, professionals: Sequence[str]) -> str:
    """The one specialty of ``professionals`` when someone else has times in it; "" otherwise ("…para mi hijo Juan,
    no con Rojas" where only Rojas sees Traumatología: which specialty is asked)."""
    theirs = {specialty_key(s.specialty) for s in ctx.free if s.professional in professionals and s.specialty}
    if len(theirs) != 1:
        return ""
    key = theirs.pop()
    if key in ctx.specialties and any(
            specialty_key(s.specialty) == key and s.professional not in professionals for s in ctx.free):
        return key
    return ""


def _women_of(ctx: Context, specialty: str) -> tuple[str, ...]:
    """The specialty's professionals titled as women ("Dra.", "Klga."), when it has men too; () otherwise (or while
    the specialty is still to be asked)."""
    if specialty == "" and ctx.specialties:
        return ()
    everyone = sorted({
        s.professional for s in ctx.free
        if specialty in ("", ANY_SPECIALTY) or s.specialty and specialty_key(s.specialty) == specialty
    })
    women = women_first(everyone)
    return women if len(women) < len(everyone) else ()


def interpret(ctx: Context, state: ConversationState, reading: Reading, norm: str) -> Reply | Book:
    only_these = bool(reading.alternatives)
    if only_these:  # "el lunes o el miércoles a primera hora", "solo jueves o viernes": those days, the rest applied
        named = {d.isoformat() for d in reading.alternatives}
        others = days_from(ctx.today, WINDOW_DAYS)
        reading = replace(
            reading, ambiguous=False, day=None, by_weekday=False,
            skip_days=(*reading.skip_days, *(d for d in others if d.isoformat() not in named)),
        )
        state = state.offering(named)
    if reading.ambiguous:
        return reask(ctx, state)
    notices: list[str] = []
    before = (state.professionals, state.specialty, state.window)

    # Who: a professional named, anyone, or a specialty.
    professionals = state.professionals
    matches = match_professionals(reading, ctx.professionals)
    if reading.specialty in ctx.specialties and matches and not any(
        s.professional in matches and specialty_key(s.specialty) == reading.specialty for s in ctx.free
    ):  # "la Dra. Soto me dijo que necesito un traumatólogo": the specialty asked for, not who sent them
        matches, reading = (), replace(reading, named=())
    # Whom not: "pero no con la Dra. Soto" leaves her out of every menu from now on; naming her later wants her again.
    not_wanted = _ruled_out(ctx, reading)
    if not_wanted:
        matches = tuple(p for p in matches if p not in not_wanted)
        professionals = tuple(p for p in professionals if p not in not_wanted)
        if set(not_wanted) - set(state.skip_professionals) and not matches:  # (never beside who is wanted)
            who = ", ".join(ctx.lang.with_professional(p) for p in not_wanted)
            notices.append(ctx.say("professional_ruled_out", professional=who))
    skip_professionals = tuple(sorted({*state.skip_professionals, *not_wanted} - set(matches)))
    if reading.any_professional:
        professionals = ()
    elif reading.named:
        if not matches:
            unknown = ctx.say("professional_unknown", query=" ".join(reading.named)[:40])
            if not replace(reading, named=()).found:
                return reask(ctx, state, [unknown])
            notices.append(unknown)  # "con el dr muñoz el martes": said, and Tuesday is still shown
        else:
            professionals = matches
    elif matches:
        professionals = matches
    specialty = state.specialty
    if (matches and professionals == matches and not reading.specialty and ctx.specialties
            and specialty not in ("", ANY_SPECIALTY) and not any(
                s.professional in matches and specialty_key(s.specialty) == specialty for s in ctx.free)):
        # "y con rojas?" while Medicina general's times were shown: his own specialty's (was «Dr. Juan Rojas no tiene
        # horas libres el Jue 3 dic. No encontré horas libres de esa especialidad…», both false)
        specialty = ""
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
    if not_wanted and not reading.specialty and not matches and specialty in ("", ANY_SPECIALTY):
        # "no con la Dra. Soto, con otro": someone else for what she sees (never a question of which specialty)
        specialty = _theirs_with_others(ctx, not_wanted) or specialty
    if reading.woman and not reading.named and not matches and not reading.any_professional:
        women = _women_of(ctx, specialty)  # "la kinesióloga": Klga. Méndez, not Klgo. Muñoz
        wanted = tuple(p for p in women if p not in skip_professionals)  # "una doctora, pero no la Dra. Soto"
        if not wanted and not set(women) & set(not_wanted):  # "bueno, con la doctora" after "no con Soto": her again
            wanted = women
            skip_professionals = tuple(p for p in skip_professionals if p not in women)
        professionals = wanted or professionals
    # When, within a day: a part of the day, "after 4", "before 11"; "any time" drops it.
    window = state.window
    if reading.any_time:
        window = ("", "")
    if reading.part or reading.after or reading.before:
        start, end = PART_HOURS.get(reading.part, ("", ""))
        start = max(start, reading.after)
        end = min(x for x in (end, reading.before, "99:99") if x)
        if end == "99:99" or start < end:
            window = (start, "" if end == "99:99" else end)
        # else: "hoy después de almuerzo o mañana temprano" — one time of day per day, no single window: the days
        # are kept, the times not narrowed (never "no quedan horas en ese horario" for a window nobody asked for)
    elif reading.skip_part:
        window = _ALL_BUT[reading.skip_part]
    # Which days: those ruled out ("menos el lunes", "mañana no puedo") are left out of the menus from now on.
    skip_days = () if _ANY_DAY.search(norm) else state.skip_days  # "bueno, cualquier día": every day again
    if reading.skip_days:
        skip_days = tuple(sorted({*skip_days, *(d.isoformat() for d in reading.skip_days)}))
        if not reading.day and not only_these:
            # "menos el miércoles": one weekday (every one of it in the window), said as one day
            weekdays = {d.weekday() for d in reading.skip_days}
            notices.append(ctx.say("day_ruled_out" if len(weekdays) == 1 else "days_ruled_out"))
    chosen = reading.day or _day_shown(state)
    if reading.skip_times and chosen is not None:  # "a las 12 no puedo": that time of the day being chosen
        times = {f"{chosen.isoformat()}T{h:02d}:{m:02d}" for h, m in reading.skip_times}
        skip_days = tuple(sorted({*skip_days, *times}))
        if not reading.times:
            notices.append(ctx.say("time_ruled_out"))
    filter_changed = (professionals, specialty, window, skip_days, skip_professionals) != (
        *before, state.skip_days, state.skip_professionals)
    if filter_changed:
        state = evolve(state, professionals=professionals, specialty=specialty, window=window, skip_days=skip_days,
                       skip_professionals=skip_professionals)
    if not state.service:  # "una limpieza con la Dra. Soto": the service the message names, if it names one
        service = named_in(norm, offered(ctx, state))
        if service:
            state = evolve(state, service=service)
    if reading.any_professional and needs_specialty(ctx, state):
        state = evolve(state, specialty=ANY_SPECIALTY)
    if needs_specialty(ctx, state):  # ask it first; what else the message said is acted on right after
        if not reading.found and not notices:  # nothing read at the specialty question: say so, not the same page
            counted = missed(ctx, state)
            if isinstance(counted, Reply):
                return counted
            state, notices = counted, [ctx.say("reask_choice"), *reception_hint(ctx, counted)]
        return specialty_menu(ctx, evolve(state, wish=norm if reading.found else state.wish), notices)
    if needs_service(ctx, state):  # the same for the service, when what the patient wants offers several
        return service_menu(ctx, evolve(state, wish=norm if reading.found else state.wish), notices)

    if reading.missing_day is not None and reading.missing_day < ctx.today:  # "el 3 de diciembre", "el martes 1"
        notice = ctx.say("day_passed", weekday=ctx.lang.weekdays[reading.missing_day.weekday()],  # on Friday 4
                         n=reading.missing_day.day)
        return day_menu(ctx, state, notices=[*notices, notice])  # the soonest days: what is near
    if reading.missing_day is not None and reading.missing_day.weekday() == reading.missing_weekday:
        notice = ctx.say(  # "el viernes 18": there is one, past the days the agenda shows
            "beyond_window", days=WINDOW_DAYS, last=ctx.lang.day_label(ctx.last_day),
            day=ctx.lang.day_label(reading.missing_day),
        )
        return day_menu(ctx, state, notices=[*notices, notice], near=ctx.last_day)
    if reading.missing_day is not None:  # "el lunes 3" with no Monday the 3rd ahead in the window
        notice = ctx.say(
            "no_such_day", weekday=ctx.lang.weekdays[reading.missing_weekday], n=reading.missing_day.day,
            days=WINDOW_DAYS,
        )
        return day_menu(ctx, state, notices=[*notices, notice], near=reading.missing_day)
    day = _in_the_week_shown(ctx, state, reading)
    if day is not None and day.isoformat() in state.skip_days:  # ruled out before, asked for now: wanted after all
        state = state.offering({day.isoformat()})
    if day is None and reading.times:
        day = _shown_unless_later_asked(state, reading)
    if day is not None and reading.times:  # a time ruled out before, asked for now
        state = state.offering({f"{day.isoformat()}T{h:02d}:{m:02d}" for h, m in reading.times})
    if reading.earliest:  # "lo antes posible" within the day or the week the message names, if it names one
        if day is None and _OF_THOSE_SHOWN.search(norm):  # "la más temprana" of the times shown: that day's first
            day = _day_shown(state)
        pool = [
            s for s in ctx.pool(state)
            if (day is None or local_day(s) == day) and (reading.week is None or local_day(s) >= reading.week)
        ]
        if pool:
            return confirm(ctx, state, pool[0], [*notices, ctx.say("earliest")])
    if reading.latest:  # "lo más tarde posible": the last free time of the day named, or of the one being chosen
        the_day = day or _day_shown(state)
        on_that_day = ctx.on_day(state, the_day) if the_day is not None else []
        if on_that_day:
            return confirm(ctx, state, on_that_day[-1], [*notices, ctx.say("latest")])
    month_said = beyond_window_month(ctx, norm) if day is None and reading.week is None else ""
    if month_said:  # "hora con kine en enero": said, not the December days as if it had not been asked
        return day_menu(ctx, state, notices=[*notices, month_said], near=ctx.last_day)
    if day is not None and day > ctx.last_day:  # "el 28" when the agenda ends sooner
        notice = ctx.say(
            "beyond_window", days=WINDOW_DAYS, last=ctx.lang.day_label(ctx.last_day), day=ctx.lang.day_label(day)
        )
        return day_menu(ctx, state, notices=[*notices, notice], near=ctx.last_day)
    if day is not None:
        label = ctx.lang.day_label(day)
        day_slots = ctx.on_day(state, day, window=False)
        if not day_slots:
            if _only_not_wanted(ctx, state, day):
                said = _only_not_wanted_notice(ctx, state, label)
            elif (professionals or specialty) and any(local_day(s) == day for s in ctx.free):
                who = ", ".join(professionals) or ctx.specialties.get(specialty, "")
                said = [ctx.say("day_not_free_professional", professional=who, day=label)]
            else:
                said = [ctx.say("day_not_free", day=label)]
            return day_menu(ctx, state, notices=[*notices, *said], near=day)
        if reading.times:
            return pick_time(ctx, state, day, reading.times, day_slots, norm, notices)
        return time_menu(ctx, state, day, notices=notices)
    if _ANOTHER_DAY.search(norm) and _day_shown(state):  # "otro día en la tarde"
        return day_menu(ctx, state.skipping([state.day]), notices=notices)
    shown = _shown_unless_later_asked(state, reading)
    if (reading.part or reading.after or reading.before) and shown:
        return time_menu(ctx, state, shown, notices=notices)
    if reading.times:  # "la próxima semana a las 10", "después del jueves a las 10": the days from then
        notices = [*notices, *_none_from(ctx, state, reading.week), ctx.say("need_day_first")]
        return day_menu(ctx, state, notices=notices, at=reading.week or page_day(state.page_first))
    if reading.week is not None:
        return day_menu(ctx, state, notices=[*notices, *_none_from(ctx, state, reading.week)], at=reading.week)
    if filter_changed or reading.named or reading.any_professional or reading.any_time or reading.specialty:
        if shown and state.day not in state.skip_days:
            day = shown
            day_slots = ctx.on_day(state, day)
            at_time = [s for s in day_slots if state.time_filter and clock(s) == state.time_filter]
            if len(at_time) == 1:
                return confirm(ctx, state, at_time[0], notices)
            if at_time:
                return time_menu(ctx, state, day, notices=notices, time_filter=state.time_filter)
            if day_slots:
                return time_menu(ctx, state, day, notices=notices)
            who = ", ".join(professionals) or ctx.specialties.get(specialty, "")
            label = ctx.lang.day_label(day)
            if any(state.window) and ctx.on_day(state, day, window=False):  # free, but not at that time of day
                said = [ctx.say("day_not_free_window", day=label)]
            elif _only_not_wanted(ctx, state, day):
                said = _only_not_wanted_notice(ctx, state, label)
            elif who:
                said = [ctx.say("day_not_free_professional", professional=who, day=label)]
            else:
                said = [ctx.say("day_not_free", day=label)]
            return day_menu(ctx, state, notices=[*notices, *said], near=day)
        return day_menu(ctx, state, notices=notices, intro=bool(ctx.opening))
    if ctx.opening or only_these:  # a first message with nothing to act on: the greeting and the days
        return day_menu(ctx, state, notices=notices, intro=bool(ctx.opening))
    # "te dije que en la mañana no puedo" with the mornings already left out: the same menu, no reproach.
    return reask(ctx, state, notices, understood=bool(reading.skip_days or reading.skip_part or reading.skip_times))


def pick_time(
    ctx: Context,
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
            return confirm(ctx, state, matching[0], notices)
        if matching:
            return time_menu(ctx, state, day, notices=notices, time_filter=wanted)
    # Not free: say so, and show the times around the one asked for.
    minutes = [s.start_dt().hour * 60 + s.start_dt().minute for s in day_slots]
    hour, minute = min(times, key=lambda t: min(abs(t[0] * 60 + t[1] - m) for m in minutes))
    asked = f"{hour:02d}:{minute:02d}"
    at = datetime.combine(day, datetime.min.time(), tzinfo=day_slots[0].start_dt().tzinfo).replace(
        hour=hour, minute=minute
    )
    passed = at <= ctx.turn.now  # "hoy a las 9" at 11: gone, not taken
    notice = ctx.say("time_passed" if passed else "time_not_free", time=asked, day=ctx.lang.day_label(day))
    others = ctx.on_day(evolve(state, professionals=()), day, window=False) if state.professionals else ()
    if not passed and any(clock(s) == asked for s in others):  # free, but only with another: never "not free"
        named = ", ".join(ctx.lang.with_professional(p) for p in state.professionals)
        notice = ctx.say("time_not_free_professional", time=asked, day=ctx.lang.day_label(day), professional=named)
    elif not passed and state.skip_professionals:  # free only with one they do not want: said so, never "not free"
        theirs = {s.professional for s in ctx.on_day(evolve(state, skip_professionals=()), day, window=False)
                  if clock(s) == asked}
        if theirs:
            named = ", ".join(ctx.lang.with_professional(p) for p in sorted(theirs))
            notice = ctx.say("time_only_not_wanted", time=asked, day=ctx.lang.day_label(day), professional=named)
    notices = [*notices, notice]
    before = [s for s in day_slots if slot_start(s) <= at]
    first = before[-1] if before else day_slots[0]  # the times around it: from the last one before it
    return time_menu(ctx, evolve(state, window=("", "")), day, notices=notices, at=slot_key(first)[0])


def _only_not_wanted(ctx: Context, state: ConversationState, day: date) -> bool:
    """Whether ``day`` has free times for the patient only with professionals they do not want."""
    return bool(state.skip_professionals) and bool(ctx.on_day(evolve(state, skip_professionals=()), day, window=False))


def _only_not_wanted_notice(ctx: Context, state: ConversationState, label: str) -> list[str]:
    """«El Vie 4 dic solo hay horas libres con la Dra. Ana Soto.» (never «Medicina general no tiene horas libres»);
    nothing when nobody else has times any day (the days menu says so, once)."""
    if not ctx.pool(evolve(state, window=("", ""), skip_days=())):
        return []
    who = ", ".join(ctx.lang.with_professional(p) for p in state.skip_professionals)
    return [ctx.say("day_only_not_wanted", day=label, professional=who)]
