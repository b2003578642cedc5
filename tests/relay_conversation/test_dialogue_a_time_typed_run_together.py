""""el jueves a las 1100", "thursday at 930am": hours and minutes typed without a separator were not read at all (the
day's menu instead, or «no te entendí»). Read now right after "a las" / "at" only: a phone number or a code never
becomes a time."""

from __future__ import annotations

from conversation_kit import EN, Chat, slot, slots, texts


def clinic():
    return slots(*(slot(3, hour, minute) for hour, minute in ((9, 30), (11, 0), (15, 30))))


def test_hours_and_minutes_run_together_are_a_time() -> None:
    for message, asked in (("hola, hora el jueves a las 1100 porfa", "11:00"), ("el jueves a las 930", "09:30"),
                           ("el jueves a las 1530 hrs", "15:30")):
        reply = Chat(clinic()).say(message)
        assert texts(reply).endswith(f"¿Confirmo el jueves 3 de diciembre a las {asked} con la Dra. Ana Soto?"), (
            message, texts(reply))
    reply = Chat(clinic(), clinic=EN).say("thursday at 930am please")
    assert texts(reply).endswith("Shall I book Thursday 3 December at 09:30 with Dra. Ana Soto?"), texts(reply)


def test_a_number_without_at_is_no_time() -> None:
    reply = Chat(clinic()).say("hola, mi código es 1100, quiero hora el jueves")
    assert "¿Confirmo" not in texts(reply), texts(reply)


def test_a_street_number_after_at_is_no_time() -> None:
    """"I live at 1100 Main Street" proposed Thursday at 11:00: an address, not the time wished."""
    for message in ("hi, I live at 1100 Main Street, I need an appointment on thursday",
                    "thursday please, I'm at 1100 Oak Avenue"):
        reply = Chat(clinic(), clinic=EN).say(message)
        assert "11:00" not in texts(reply) and "Shall I book" not in texts(reply), (message, texts(reply))


def test_a_run_together_time_ruled_out_is_left_out() -> None:
    """From helper-134's walk: the time was read as wanted while "no puedo" around it was not, so a tap booked the
    very time the patient cannot come at. Every reader of the message sees it as a time now."""
    for message in ("el jueves, pero no puedo a las 1100", "quiero hora el jueves, a las 1100 no me sirve"):
        reply = Chat(clinic()).say(message)
        assert "sin esa hora" in texts(reply) and "11:00" not in texts(reply), (message, texts(reply))
