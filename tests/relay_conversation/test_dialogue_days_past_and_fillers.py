"""A day of the month just behind us is said to have passed (and the soonest days offered, not the far end of the
window); a connector after "con la doctora" ("así que…") is no professional's name; a time of day per day named
("hoy después de almuerzo o mañana temprano") claims no empty window."""

from __future__ import annotations

from conversation_kit import Chat, agenda, buttons, lines, texts
from test_dialogue_appointments import THU, ClinicAgent


def test_a_weekday_and_date_just_passed_is_said_and_the_soonest_days_follow():
    reply = Chat(agenda([2, 4, 7, 9], [(9, 0), (10, 0)])).say("holaa necesito hora para el lunes 30 a las 10")
    assert "El lunes 30 ya pasó." in texts(reply)
    assert texts(reply).count("próximos días con horas libres") <= 1  # never said twice
    assert lines(reply)[0] == "1. miércoles 2 de diciembre"  # the soonest first, not days near next year's 30th


def test_asi_que_after_con_la_doctora_is_not_a_professional():
    chat = Chat(agenda([2, 4], [(9, 0)]), appointments=ClinicAgent(THU))
    reply = chat.say("hola, no voy a poder ir a mi hora con la doctora asi que me la cambias para el viernes")
    assert "¿Cambio tu hora del jueves 3 de diciembre a las 10:00 con la Dra. Ana Soto?" in texts(reply)
    reply = chat.say("sí")
    assert "No encontré" not in texts(reply) and "«asi»" not in texts(reply)


def test_a_different_time_of_day_for_each_day_named_keeps_the_days_and_claims_nothing_false():
    """"Hoy después de almuerzo o mañana temprano": no single window fits both; it said "no quedan horas libres
    fuera de los días que no puedes" and "no quedan horas en ese horario", both false."""
    reply = Chat(agenda([1, 2, 4, 7], [(9, 0), (16, 0)])).say(
        "hola quiero hora hoy despues de almuerzo o mañana temprano, lo q salga primero")
    said = texts(reply)
    assert "No quedan" not in said and "no puedes" not in said
    assert reply.continuation["data"]["status"] == "choose_day"
    assert buttons(reply) == ["Mar 1 dic", "Mié 2 dic"]


def test_a_day_ruled_out_then_a_time_of_day_after_a_comma_keeps_both():
    """"Cualquier día menos el miércoles, en la tarde": Wednesdays left out, afternoons only (both were dropped:
    the comma read as a list "Wednesday and afternoon")."""
    chat = Chat(agenda([7, 8, 9, 10], [(9, 0), (16, 0)]))
    reply = chat.say("para la proxima semana cualquier dia menos el miercoles, en la tarde")
    assert "Mié 9 dic" not in buttons(reply) and "miércoles 9" not in " ".join(lines(reply))
    assert "desde las 13:00" in texts(reply)


def test_a_booking_not_known_yet_says_why_as_it_happened():
    """The clinic's PC dropped mid-booking: "la agenda no respondió a tiempo" was not what happened."""
    from wire.messages import WireError

    for code, why in (("agent_offline", "se cortó la conexión con el computador de la clínica"),
                      ("timeout", "la agenda de la clínica no respondió a tiempo"),
                      ("portal_down", "la agenda de la clínica tuvo un problema")):
        chat = Chat(agenda([2], [(9, 0)]), agent=lambda slot, code=code: WireError(code, "x"))
        chat.say("hola, quiero hora el miércoles a las 9")
        assert f"quedó reservada: {why}." in texts(chat.say("sí")), code


def test_a_calendar_date_just_gone_is_said_to_have_passed_not_read_as_next_year():
    chat = Chat(agenda([2, 4, 7], [(9, 0)]))  # today: Tuesday 1 December
    reply = chat.say("necesito hora para el 30 de noviembre")
    assert "El lunes 30 ya pasó." in texts(reply)
    assert "2027" not in texts(reply) and "recepción" not in texts(reply)


def test_yes_and_thanks_after_a_booking_is_thanked_not_a_new_menu():
    """"¡Listo, Hernán! Tu hora quedó reservada" … "si, y gracias": a new conversation, but only courtesy."""
    reply = Chat(agenda([2], [(9, 0)])).say("si, y gracias")
    assert reply.status == "closed" and "¡De nada, Ana!" in texts(reply) and not buttons(reply)
