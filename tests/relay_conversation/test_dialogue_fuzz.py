"""Random patients against random agendas: every reply must respect every Kommo/WhatsApp limit, whatever happens."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta, timezone

from conversation_kit import EN, ES, NOW, Chat, buttons, texts

from relay.conversation import Book, ClinicProfile, ConversationState, check_continuation, decide, handoff
from wire.messages import BookResult, SlotsResult, WireError, WireSlot

LONG_NAMES = (
    "Dra. María José de los Ángeles Fernández-Castillo y Sotomayor Valenzuela",
    "Dr. Juan Rojas",
    "Dra. Ana Soto",
    "Klgo. Bartolomé Esteban Murillo-Pérez de la Fuente",
    "Psicóloga Ximena",
    "Odontopediatra Dr Hernán Cristóbal Villaseñor",
    "X" * 120,
    "Box 3 (sala de procedimientos)",
    "Dr. O'Connor-Smythe",
    "Nutricionista Ángela Müller",
)
WORDS = (
    "hola", "Hola!", "mañana", "pasado mañana", "el martes", "el lunes", "domingo", "10:30", "10.30", "a las 4",
    "a las 4 de la tarde", "4pm", "con la Dra. Soto", "con Rojas", "con Fernández", "cualquiera", "volver", "atrás",
    "otro día", "Más días", "Más horas", "más", "cancelar", "salir", "", "   ", "1", "2", "31", "99", "0", "el 5",
    "2 de diciembre", "Lun 7 dic", "Mon 7 Dec", "tomorrow", "Tuesday at 4pm", "with Dr. Soto", "back", "more",
    "lunes 3 dic", "30/2", "12/31/2026", "🤔", "ok", "sí", "no", "gracias", "{{message_text}}", "a las 25:99",
    "mañana a las 10 de la mañana", "Sáb 5 10:30", "Otros días", "Other days", "las 10 y media", "noon", "mediodía",
)


def random_agenda(rng: random.Random, today: date) -> SlotsResult:
    offset = timedelta(minutes=rng.choice([-720, -600, -300, -240, -180, -150, 0, 60, 330, 345, 540, 765, 840]))
    tz = timezone(offset)
    professionals = rng.sample(LONG_NAMES, rng.randint(1, 4))
    chosen: list[WireSlot] = []
    for n in range(rng.choice([0, 1, 2, 5, 20, 60, 150])):
        day = today + timedelta(days=rng.randint(-1, 15))
        start = datetime(day.year, day.month, day.day, rng.randint(0, 23), rng.choice([0, 15, 30, 45]), tzinfo=tz)
        chosen.append(WireSlot(id=f"s{n}.{rng.randint(0, 10**6)}", start=start.isoformat(),
                               end=(start + timedelta(minutes=30)).isoformat(),
                               professional=rng.choice(professionals)))
    if chosen and rng.random() < 0.2:
        chosen.append(chosen[0])  # a duplicate from a sloppy agent
    return SlotsResult(tuple(chosen), age_s=rng.random() * 100)


def random_outcome(rng: random.Random, agenda: SlotsResult, picked: WireSlot) -> BookResult | WireError:
    roll = rng.random()
    if roll < 0.5:
        return BookResult(f"B{rng.randint(1, 999)}", picked.start, picked.end, picked.professional, rng.random() < 0.2)
    if roll < 0.85:
        pool = list(agenda.slots)
        alternatives = tuple(rng.sample(pool, min(len(pool), rng.randint(0, 6))))
        return WireError("slot_taken", "taken", alternatives=alternatives)
    return WireError(rng.choice(["paused", "portal_down", "login_failed", "internal", "timeout"]), "x")


def test_random_conversations_always_fit_kommo_and_whatsapp():
    rng = random.Random(20261201)
    statuses: set[str] = set()
    for _ in range(250):
        clinic = rng.choice([ES, EN, ClinicProfile(name="", language="en"),
                             ClinicProfile(name="Centro Médico " + "Muy Largo " * 12, language="es",
                                           address="Avenida " * 30, bot_question_step=7)])
        start_now = NOW + timedelta(minutes=rng.randint(0, 60 * 24 * 3))
        agenda = random_agenda(rng, start_now.date())
        chat = Chat(agenda, clinic=clinic, now=start_now, name=rng.choice(["Ana Pérez", "", "{{contact.name}}", "Ñ" * 60]))
        chat.agent = lambda s, a=agenda: random_outcome(rng, a, s)
        for _ in range(rng.randint(1, 14)):
            previous = chat.replies[-1] if chat.replies else None
            if previous is not None and buttons(previous) and rng.random() < 0.55:
                message = rng.choice(buttons(previous))
            elif rng.random() < 0.1:
                message = "".join(chr(rng.randint(32, 0x2FFF)) for _ in range(rng.randint(1, 400)))
            else:
                message = rng.choice(WORDS)
            if rng.random() < 0.15:
                chat.agenda = agenda = random_agenda(rng, chat.now.date())
                chat.agent = lambda s, a=agenda: random_outcome(rng, a, s)
            reply = chat.say(message, minutes_later=rng.choice([0.1, 1, 5, 29, 31, 90]))  # asserts the limits
            statuses.add(reply.status)
            assert texts(reply)
    assert statuses >= {"choose_day", "choose_time", "booked", "handoff"}


def test_decide_is_pure_the_same_inputs_give_the_same_answer():
    rng = random.Random(7)
    for _ in range(100):
        agenda = random_agenda(rng, NOW.date())
        chat = Chat(agenda)
        chat.say("hola")
        for message in [rng.choice(WORDS) for _ in range(3)]:
            first = decide(chat.state, chat.turn(message), ES, agenda)
            second = decide(ConversationState.from_json(chat.state.to_json()) if chat.state else None,
                            chat.turn(message), ES, agenda)
            assert first == second
            if isinstance(first, Book):
                break
            chat.state = first.state


def test_handoff_fits_for_any_reason_text():
    rng = random.Random(3)
    for _ in range(50):
        reason = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz_") for _ in range(rng.randint(1, 60)))
        for clinic in (ES, EN):
            reply = handoff(None, Chat(SlotsResult((), 0)).turn("x"), clinic, reason)
            assert check_continuation(reply.continuation) == []
