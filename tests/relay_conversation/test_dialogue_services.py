"""Services of different lengths: asked for when what the patient wants offers more than one, unless the message
or the bot's ``service`` data key says which; each service's times are its own."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from conversation_kit import EN, SANTIAGO, Chat, buttons, texts

from relay.conversation.model import Turn
from wire.messages import SlotsResult, WireService, WireSlot


def _slot(day: int, hour: int, minute: int, professional: str, service: str, minutes: int) -> WireSlot:
    start = datetime(2026, 12, day, hour, minute, tzinfo=SANTIAGO)
    ident = f"{professional[:4].strip('. ')}.{service[:4]}.{day}.{hour:02d}{minute:02d}".replace(" ", "")
    return WireSlot(ident, start.isoformat(), (start + timedelta(minutes=minutes)).isoformat(), professional,
                    service=service)


def dental() -> SlotsResult:
    """Dra. Soto offers a 30-minute check-up and a 60-minute cleaning; Dr. Rojas only check-ups."""
    items = [_slot(d, h, 0, "Dra. Ana Soto", "Control", 30) for d in (2, 3) for h in (9, 10)]
    items += [_slot(d, h, 0, "Dra. Ana Soto", "Limpieza dental", 60) for d in (2, 3) for h in (15, 16)]
    items += [_slot(4, h, 0, "Dr. Juan Rojas", "Control", 30) for h in (9, 11)]
    services = (WireService("Control", 30), WireService("Limpieza dental", 60))
    return SlotsResult(tuple(items), 2.0, services=services)


def test_the_service_is_asked_first_with_its_length_and_its_times_follow():
    chat = Chat(dental())
    reply = chat.say("hola")
    assert reply.continuation["data"]["code"] == "service"
    assert "¿Qué servicio necesitas?" in texts(reply)
    assert buttons(reply) == ["Control", "Limpieza dental"]
    days = chat.say("Limpieza dental")
    assert days.status == "choose_day" and days.continuation["data"]["service"] == "Limpieza dental"
    assert buttons(days) == ["Mié 2 dic", "Jue 3 dic"]  # Dr. Rojas's check-ups on Friday are not cleanings
    times = chat.say("Mié 2 dic")
    assert buttons(times)[:2] == ["15:00", "16:00"]
    assert chat.say("15:00").status == "booked" and chat.books[0].slot.service == "Limpieza dental"


def test_a_typed_number_chooses_the_service():
    chat = Chat(dental())
    chat.say("hola")
    assert chat.say("2").continuation["data"]["service"] == "Limpieza dental"


def test_a_message_that_names_the_service_is_not_asked():
    chat = Chat(dental())
    reply = chat.say("hola, quiero una limpieza dental el jueves")
    assert reply.status == "choose_time" and reply.continuation["data"]["service"] == "Limpieza dental"
    assert buttons(reply)[:2] == ["15:00", "16:00"]


def test_a_wish_said_before_the_question_is_acted_on_after_it():
    chat = Chat(dental())
    reply = chat.say("quiero hora el jueves a las 10")
    assert reply.continuation["data"]["code"] == "service"
    reply = chat.say("Control")
    assert "¿Confirmo el jueves 3 de diciembre a las 10:00 con la Dra. Ana Soto?" in texts(reply)


def test_the_bots_service_key_and_a_professional_with_one_service_skip_the_question():
    chat = Chat(dental())
    given = chat.turn
    chat.turn = lambda message: replace(given(message), service="control")  # type: ignore[method-assign]
    reply = chat.say("hola")
    assert reply.status == "choose_day" and reply.continuation["data"]["service"] == "Control"

    chat = Chat(dental())
    reply = chat.say("quiero hora con el Dr. Rojas")
    assert reply.status == "choose_day" and "¿Qué servicio" not in texts(reply)


def test_english():
    chat = Chat(dental(), clinic=EN)
    reply = chat.say("hi")
    assert "Which service do you need?" in texts(reply)


def test_a_clinic_without_services_is_never_asked():
    chat = Chat(replace(dental(), slots=tuple(replace(s, service="") for s in dental().slots), services=()))
    assert chat.say("hola").continuation["data"].get("code") != "service"


def test_the_turn_has_the_data_keys():
    assert Turn("1", "hola", "Ana", "+56 9", datetime(2026, 12, 1, tzinfo=SANTIAGO), service="x").service == "x"
