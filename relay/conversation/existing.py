"""The guard against a second appointment by mistake: "Ya tienes hora el jueves 3 a las 10:00 con …".

A conversation that is about to book (its first message asks for an appointment, or says only "hola") first asks
the agent for the phone's upcoming appointments, when the agent says it can tell them (``finds_bookings`` or
``knows_bookings`` with the slots). None, or an agent that cannot answer (no capability, offline, an error): booking
goes on as before, never a dead end. One or more: the patient is told, and chooses another one ("Otra hora"), to
move it or to cancel it (conversation/appointments.py takes those two from there). Pure code.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from relay.conversation.appointments import ask_bookings, for_whom, listed_line, others_of, upcoming, when_words
from relay.conversation.context import Context, aware, make_context
from relay.conversation.evolve import evolve
from relay.conversation.model import AgentStep, Book, ClinicProfile, Reply, Turn
from relay.conversation.pages import confirm
from relay.conversation.patient_language import in_language
from relay.conversation.state import BOOKINGS, CHECK_EXISTING, MAX_BOOKED_HERE, ConversationState, Option
from wire.appointments import MyBookingsResult, WireBooking
from wire.messages import SlotsResult, WireSlot

_STEMS = {
    "new_booking": ("otra", "otro", "otras", "otros", "nuev", "another", "new", "other", "pedir", "si", "yes"),
    "move_one": ("cambi", "mover", "muev", "reagend", "reprogram", "modific", "change", "move", "resched", "postpon",
                 "equivoq", "equivocad", "confundi", "mistake", "wrong",  # "me equivoqué, quería…": that one, moved
                 # "¿me la puedes pasar a otra hora?", "pásala", "córrela", "posterga" (never "pasado mañana", "correo")
                 "pasar", "pasal", "pasas", "pasamel", "pasemel", "correr", "correl", "posterg", "aplaz", "pospon"),
    "cancel_one": ("cancel", "anul", "elimin", "borr", "delete"),
}


def check_step(ctx: Context, state: ConversationState, message: str, *, anyway: bool = False) -> AgentStep | None:
    """Ask the agent for the phone's upcoming appointments before booking (None: it cannot tell, go on booking).
    ``anyway``: the step even where the agent cannot tell (answered by the caller from what the chat itself booked)."""
    if not ctx.checks_bookings and not anyway:
        return None
    # A bare number opening a conversation ("2": a stray tap from a menu already answered) answers no menu here:
    # never kept as a wish to read later as "the 2nd" of a month.
    wish = "" if message.strip(" .,!?").isdigit() else message[:500]
    step = ask_bookings(evolve(state, wish=wish), ctx.turn, CHECK_EXISTING, ctx.opening)
    if step is None:
        return None
    # What the agent already knows (its journal, its reads): this check comes before every new booking conversation,
    # and must not cost the clinic's web app a read each time (the agent reads only when it has some to tell).
    return evolve(step, slots=ctx.answer, args=evolve(step.args, known_only=True))


def same_time_as_booked(ctx: Context, state: ConversationState, slot: WireSlot) -> Reply | None:
    """About to book ``slot`` at the time of one booked a moment ago in this chat (``booked_here``: a button of an
    earlier menu tapped right after «¡Listo!», "una hora más" then the same time with another professional): that
    one said, and this one confirmed first — never a second appointment at the same time unasked. None: no such."""
    clash = [b for b in state.booked_here if b.booking_id not in state.beside and _overlaps(b, slot)]
    if not clash:
        return None
    return confirm(ctx, _said_beside(state, clash), slot, [*_listed(ctx, clash), ctx.say("already_one_more")])


def found(outcome: Any, now: datetime) -> tuple[WireBooking, ...]:
    """The upcoming appointments in the agent's answer; none when it could not answer."""
    return upcoming(outcome.bookings, now) if isinstance(outcome, MyBookingsResult) else ()


def before_booking(step: Book, turn: Turn, clinic: ClinicProfile, slots: SlotsResult, outcome: Any) -> Reply | None:
    """The check again, as a booking is about to go out, over the phone's appointments the agent knows now. Said, and
    the booking confirmed again rather than made unasked: one this conversation never listed (booked meanwhile from
    another chat of the same phone, or at the desk and seen since), and one it listed at the very time being booked
    (told «Ya tienes hora el jueves a las 10:00», "ok, el jueves a las 10 entonces" was read as a new booking and a
    second appointment at 10:00 confirmed). Once said they are listed, so a "sí" books. None: nothing to say, or the
    agent could not tell (the booking goes on, never a dead end)."""
    state = step.state
    listed = set(state.listed())
    known = found(outcome, aware(turn).now)
    # (one being written when it was listed is known now by its id in the web app: told all the same)
    new = [b for b in known if not b.told_in(listed)]
    here = {b.booking_id for b in state.booked_here}  # this chat's own: conversation/flow.py asks about those
    clash = [b for b in known if b.told_in(listed) and b.booking_id not in here and b.booking_id not in state.beside
             and _overlaps(b, step.slot)]
    said = sorted((*clash, *new), key=lambda b: b.start)
    if not said:
        return None
    ctx = make_context(turn, in_language(clinic, state.language), slots)
    state = evolve(state, told=(*state.listed(), *(b.booking_id for b in new)))
    more = ctx.say("already_one_more" if len(said) == 1 else "already_more_than_these")
    return confirm(ctx, _said_beside(state, [b for b in said if _overlaps(b, step.slot)]), step.slot,
                   [*_listed(ctx, said), more])


def _overlaps(booking: WireBooking, slot: WireSlot) -> bool:
    return (datetime.fromisoformat(booking.start) < datetime.fromisoformat(slot.end)
            and datetime.fromisoformat(slot.start) < datetime.fromisoformat(booking.end))


def _said_beside(state: ConversationState, clash: Sequence[WireBooking]) -> ConversationState:
    """``state`` once the patient was told of ``clash``, each at the time being booked: not asked about again."""
    if not clash:
        return state
    return evolve(state, beside=(*state.beside, *(b.booking_id for b in clash))[-MAX_BOOKED_HERE:])


def _listed(ctx: Context, bookings: Sequence[WireBooking]) -> list[str]:
    """"Ya tienes hora el …", or "Ya tienes 2 horas reservadas:" and the list (whose they are, when not the
    writer's)."""
    if len(bookings) == 1:
        when = when_words(ctx.lang, bookings[0])
        if others_of(bookings, ctx.turn.name) and bookings[0].patient:  # "Rosa Díaz tiene hora…", never "Ya tienes"
            return [ctx.say("already_one_for", patient=bookings[0].patient, **when)]
        when["professional"] += for_whom(bookings, bookings[0], ctx.turn.name)  # "… (Benjamín Soto)": not theirs
        return [ctx.say("already_one", **when)]
    return [
        ctx.say("already_many", n=len(bookings)),
        *(listed_line(ctx.lang, n, b, for_whom(bookings, b, ctx.turn.name)) for n, b in enumerate(bookings, start=1)),
    ]


def already(ctx: Context, state: ConversationState, notices: Sequence[str] = (), *,
            listing: Sequence[str] = (), prompt: str = "") -> Reply:
    """"You already have …; another one, change it or cancel it?" with those three buttons (``listing``: what is
    said of them instead of the list; ``prompt``: the question asked instead of that one)."""
    bookings = state.bookings
    one = len(bookings) == 1
    paragraphs = [*notices, *(listing or _listed(ctx, bookings))]
    options = (
        Option(ctx.say("another_button"), "new_booking"),
        Option(ctx.say("move_it_button" if one else "move_one_button"), "move_one"),
        Option(ctx.say("cancel_it_button" if one else "cancel_one_button"), "cancel_one"),
    )
    state = evolve(state, stage=BOOKINGS, intent=CHECK_EXISTING, options=options, target=None)
    data: dict[str, Any] = {"status": "choose_day", "conversation_id": state.conversation_id, "code": "already_booked"}
    for index, option in enumerate(options, start=1):
        data[f"option_{index}"] = option.label
    data.update(booking_id=bookings[0].booking_id, start=bookings[0].start, professional=bookings[0].professional)
    prompt = prompt or ctx.say("already_prompt_one" if one else "already_prompt_many")
    body = ctx.body(data, paragraphs, prompt, [o.label for o in options], ctx.clinic.bot_question_step)
    return Reply(state, body, "choose_day")


def choice(state: ConversationState, norm: str) -> Option | None:
    """A typed answer to ``already``: "otra" / "cambiarla" / "cancelarla" (and their English), or None."""
    words = norm.split()
    kinds = {kind for kind, stems in _STEMS.items() for w in words for stem in stems if _matches(w, stem)}
    if len(kinds) != 1:
        return None
    kind = kinds.pop()
    return next((o for o in state.options if o.kind == kind), None)


def _matches(word: str, stem: str) -> bool:
    return word == stem if len(stem) <= 3 else word.startswith(stem)


