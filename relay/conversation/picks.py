"""Which option of the menu a patient was shown a message picks: a tap (the label), the line's number, its place
in words ("la segunda", "opción 3"), the n-th button counted, or the appointment named by its day or time.
Pure: (state, normalized message, reading) -> the option or None."""

from __future__ import annotations

import re
from collections.abc import Collection

from relay.conversation.appointments import named_bookings
from relay.conversation.freetext import Reading, normalize
from relay.conversation.intents import A_RELATIVE
from relay.conversation.menu_place import LAST, place_in_menu
from relay.conversation.menus import clock
from relay.conversation.pages import offered_choices
from relay.conversation.state import ConversationState, Option

__all__ = ["picked", "tapped"]


def picked(
    state: ConversationState, norm: str, reading: Reading, who: Collection[str] = (), words: Collection[str] = ()
) -> Option | None:
    """The option the message picks; "2", "la segunda", "opción 2 por favor" are its place in the menu. ``who``: the
    professionals the message names, ``words``: those that may name whose an appointment is (an appointment listed
    is named by them too: "la de kine", "la de Tomás")."""
    return tapped(state, norm) or _counted(state, norm, reading) or _by_place(state, norm) or _booking_named(
        state, reading, who, words
    )


def tapped(state: ConversationState, norm: str) -> Option | None:
    """The option whose label the message is (a tap sends the label), or whose list number it is."""
    if not norm:
        return None
    number = re.fullmatch(r"(\d{1,2})\.?", norm)
    if number:
        found = next((o for o in state.options if o.number and o.number == int(number.group(1))), None)
        if found is not None:
            return found
    return next((o for o in state.options if normalize(o.label) == norm), None)


def _counted(state: ConversationState, norm: str, reading: Reading) -> Option | None:
    """At buttons (no numbers shown), "2" is the second button, as a patient who counts them means it ("1" at "Sí,
    cambiarla / No" is "Sí"), unless it names a day or time offered as it is: "5" beside "Sáb 5 dic" is that day."""
    number = re.fullmatch(r"(\d)\.?", norm)
    if number is None or not 1 <= int(number.group(1)) <= len(state.options) or any(o.number for o in state.options):
        return None
    choices = offered_choices(state)
    named_day = reading.day is not None and any(o.day == reading.day.isoformat() for o in choices)
    said = {f"{hour:02d}:{minute:02d}" for hour, minute in reading.times}
    named_time = any(o.slot is not None and clock(o.slot) in said for o in choices)
    return None if named_day or named_time else state.options[int(number.group(1)) - 1]


# What a patient says before naming one of their appointments by its place: "cancela la primera", "quiero cambiar la 2"
_ACTING_ON = re.compile(r"^(?:(?:quiero|quisiera|necesito|puedes|podrias) )?(?:cancela(?:r|me|la)?|anula(?:r|me)?"
                        r"|cambia(?:r|me)?|mueve|mover|cancel|change|move) ")


def place_named(norm: str) -> int | None:
    """The place of a listed appointment a message names ("cancela la 2", "cambiar la primera", "la última"), or
    None."""
    return place_in_menu(_ACTING_ON.sub("", norm))


_YES_OR_NO = frozenset({"cancel_yes", "cancel_no", "move_yes", "confirm", "other_time"})  # a question's two buttons


def _by_place(state: ConversationState, norm: str) -> Option | None:
    """ "La segunda", "the first one", "opción 3", "2 por favor", "la última": the line with that number, or at buttons
    the day or time at that place (the button at that place where the buttons are not days or times)."""
    if any(o.kind == "booking" for o in state.options):  # "cancela la primera" at the patient's appointments
        norm = _ACTING_ON.sub("", norm)
    place = place_in_menu(norm)
    if place is None:
        return None
    if state.options and all(o.kind in _YES_OR_NO for o in state.options) and not norm.strip(" .").isdigit():
        # «¿Cancelo tu hora del viernes…?» "la primera", "la más temprano", "the first one": one of their
        # appointments, never the "Sí" button (Friday's was cancelled for Thursday's); "la última" never "No"
        return None
    numbered = [o for o in state.options if o.number and not o.hidden]  # "la última": of those on screen
    choices = sorted(numbered, key=lambda o: o.number) if numbered else list(offered_choices(state) or state.options)
    if not choices:
        return None
    if place == LAST:
        return choices[-1]
    return next((o for o in numbered if o.number == place), None) if numbered else (
        choices[place - 1] if place <= len(choices) else None
    )


def _booking_named(
    state: ConversationState, reading: Reading, who: Collection[str], words: Collection[str]
) -> Option | None:
    """At "¿Cuál quieres cancelar (o cambiar)?": the one appointment the patient names by its day and/or time
    ("la de las 6", "la del miércoles") or its professional ("la de kine", "la del Dr. Rojas")."""
    listed = {o.key: o for o in state.options if o.kind == "booking"}
    if not listed or reading.ambiguous:
        return None
    named = named_bookings(state.bookings, reading.day, reading.times, who, words, by_weekday=reading.by_weekday,
                           part=reading.part)
    named = [b for b in named if b.booking_id in listed]
    if len(named) != 1 and A_RELATIVE.search(" ".join(words)):  # "la de mi hijo": the one listed under another name
        theirs = [b for b in named or state.bookings if b.booking_id in state.others and b.booking_id in listed]
        named = theirs if len(theirs) == 1 else named
    return listed[named[0].booking_id] if len(named) == 1 else None


