"""A day the patient cannot come, read with "la otra semana", "otro día" and the menus that follow: found by a
regression walk of the change that rules such a day out of a move (22d96be)."""

from __future__ import annotations

from conversation_kit import EN, Chat, buttons, slot, slots, texts
from test_dialogue_understanding import with_specialty


def clinic(english: bool = False) -> Chat:
    """Three specialties (the specialty is asked first), Monday 30 November to Saturday 12 December."""
    free = [
        with_specialty(slot(d, h, 0, who), specialty)
        for d in (2, 3, 4, 5, 7, 8, 9, 10, 11, 12)
        for who, specialty, hours in (("Dra. Ana Soto", "Medicina general", (9, 10, 15)),
                                      ("Klga. Paula Méndez", "Kinesiología", (8, 12, 18)),
                                      ("Dr. Juan Rojas", "Traumatología", (10, 13, 17)))
        for h in hours
    ]
    return Chat(slots(*free), clinic=EN) if english else Chat(slots(*free))


def test_a_day_ruled_out_before_the_specialty_question_shows_the_days_once_the_specialty_is_chosen():
    """"no me queda bien el jueves" (also "el jueves me complica", "no puedo el jueves", "la otra semana no puedo",
    "I can't do thursday") was «Entendido, sin ese día. ¿Qué especialidad necesitas?», and the specialty chosen
    (tapped, its number or its name) asked «¿Qué especialidad necesitas?» again, and again: the day was already left
    out, nothing else new, so the question was asked once more. The days of that specialty follow now, without it."""
    for english, message, answer, gone in (
            (False, "no me queda bien el jueves", "1", ("jueves 3 de diciembre", "jueves 10 de diciembre")),
            (False, "el jueves me complica", "Kinesiología", ("jueves 3 de diciembre",)),
            (False, "no puedo el jueves", "2", ("jueves 3 de diciembre",)),
            (False, "no puedo el jueves, otro día?", "Medicina general", ("jueves 3 de diciembre",)),
            (False, "la otra semana no puedo", "1", ("lunes 7 de diciembre", "martes 8 de diciembre")),
            (True, "I can't do thursday", "1", ("Thursday 3 December",))):
        chat = clinic(english)
        reply = chat.say(message)
        assert "specialty" == reply.continuation["data"]["code"], (message, texts(reply))
        reply = chat.say(answer)
        assert reply.continuation["data"].get("code") != "specialty", (message, answer, texts(reply))
        assert "¿Qué especialidad" not in texts(reply) and "Which specialty" not in texts(reply), (message, texts(reply))
        shown = " ".join([texts(reply), *buttons(reply)])
        assert any(day in shown for day in ("miércoles 2 de diciembre", "Wednesday 2 December", "lunes 14", "viernes 4",
                                            "miércoles 9")), (message, shown)
        for day in gone:
            assert day not in shown, (message, day, shown)


def test_the_day_they_cannot_come_said_at_the_list_of_their_appointments_names_that_one():
    """At «¿Cuál quieres cambiar / cancelar?» with Thursday's and Friday's listed, "no me queda bien el jueves"
    (also "no me sirve el jueves", "no me acomoda el jueves") was «Entendido, tus horas siguen en pie» — the move or
    the cancel dropped, read as a "no" — and "no puedo el jueves", "el jueves me complica", "no puedo ir el jueves,
    ¿otro día?" showed the list again. Thursday's is asked about now; "la del jueves no" still names no one."""
    from test_dialogue_appointments import ClinicAgent
    from test_dialogue_move_which import FRI_16, THU_10
    from test_dialogue_move_which import slots as free

    for first, message, asked in (
            ("quiero cambiar mi hora", "no me queda bien el jueves", "¿Cambio tu hora del jueves 3"),
            ("quiero cambiar mi hora", "no me sirve el jueves", "¿Cambio tu hora del jueves 3"),
            ("quiero cambiar mi hora", "no puedo el jueves", "¿Cambio tu hora del jueves 3"),
            ("quiero cambiar mi hora", "el jueves me complica", "¿Cambio tu hora del jueves 3"),
            ("quiero cambiar mi hora", "no puedo ir el jueves, ¿otro día?", "¿Cambio tu hora del jueves 3"),
            ("quiero cancelar mi hora", "no me queda bien el jueves", "¿Cancelo tu hora del jueves 3"),
            ("quiero cancelar mi hora", "no me acomoda el jueves", "¿Cancelo tu hora del jueves 3")):
        agent = ClinicAgent(THU_10, FRI_16)
        chat = Chat(free(), appointments=agent)
        assert "viernes 4 de diciembre" in texts(chat.say(first))
        reply = chat.say(message)
        assert asked in texts(reply), (message, texts(reply))
        assert not agent.cancelled and not agent.moved
    agent = ClinicAgent(THU_10, FRI_16)
    chat = Chat(free(), appointments=agent)
    chat.say("quiero cancelar mi hora")
    reply = chat.say("la del jueves no")
    assert "¿Cancelo tu hora del jueves 3" not in texts(reply), texts(reply)


def test_cannot_come_thursday_and_thursday_of_next_week_asked_moves_it_to_that_thursday():
    """"no puedo ir el jueves, ¿el jueves de la otra semana?" with Thursday 3's: since 22d96be both Thursdays were
    ruled out (the comma joined "el jueves, el jueves" into one list), so "sí" showed next week without Thursday 10 —
    the very day asked for. Thursday 10's times follow «¿Cambio…?» now, and "1" moves it there."""
    from test_dialogue_appointments import ClinicAgent
    from test_dialogue_move_which import FRI_16, THU_10
    from test_dialogue_move_which import slots as free

    for bookings, message in (((THU_10,), "no puedo ir el jueves, ¿el jueves de la otra semana?"),
                              ((THU_10, FRI_16), "no puedo ir el jueves, el jueves de la semana que viene?"),
                              ((THU_10,), "no puedo ir el jueves, ¿puedo ir el jueves de la próxima semana?")):
        agent = ClinicAgent(*bookings)
        chat = Chat(free(), appointments=agent)
        assert "¿Cambio tu hora del jueves 3" in texts(chat.say(message)), message
        chat.say("sí")
        chat.say("1")
        assert [slot_id[:10] for _, slot_id in agent.moved.values()] == ["2026-12-10"], (message, agent.moved)


def test_a_misspelt_day_or_verb_ruled_out_is_read_as_ruled_out():
    """"no puedo ir el jeves, ¿puedo ir la otra semana?" ("…el juebes…") with Thursday 3's: the days ruled out were
    read before the spelling was put right, so "jeves" was the day asked for, and "sí", "1" moved it to Thursday 3
    at 09:00, the day they cannot come. Thursday's is moved now, from next week and to no Thursday."""
    from test_dialogue_appointments import ClinicAgent
    from test_dialogue_move_which import THU_10
    from test_dialogue_move_which import slots as free

    for message in ("no puedo ir el jeves, ¿puedo ir la otra semana?", "no puedo ir el juebes, ¿puedo ir la próxima semana?",
                    "no podré ir el jueevs, ¿puedo ir la semana siguiente?"):
        agent = ClinicAgent(THU_10)
        chat = Chat(free(), appointments=agent)
        assert "¿Cambio tu hora del jueves 3" in texts(chat.say(message)), message
        reply = chat.say("sí")
        assert "lunes 7 de diciembre" in texts(reply) and "jueves 10 de diciembre" not in texts(reply), texts(reply)
        chat.say("1")
        chat.say("1")
        assert [slot_id[:10] for _, slot_id in agent.moved.values()] == ["2026-12-07"], (message, agent.moved)



def test_a_day_they_cannot_come_at_a_new_bookings_days_leaves_it_out_never_looks_for_their_appointments():
    """At the days of a new booking with the Dra. Soto, from a phone with no appointments, "no puedo ir el jueves, la
    otra semana" ("no puedo ir el jueves", "…, otro dia?") was «No encontré horas próximas con este número de
    teléfono… ¿Quieres pedir una?» — read as a move of one of theirs — and "1" asked the specialty again, the
    professional forgotten. The days of this booking follow now, without Thursday, and "1", "1", "sí" books one."""
    from test_dialogue_appointments import ClinicAgent

    for message, first, booked_on in (
            ("no puedo ir el jueves, la otra semana", "lunes 7 de diciembre", "2026-12-07"),
            ("no puedo ir el jueves", "miércoles 2 de diciembre", "2026-12-02"),
            ("no puedo ir el jueves, otro dia?", "miércoles 2 de diciembre", "2026-12-02")):
        chat = Chat(clinic().agenda, appointments=ClinicAgent())
        assert "Dra. Ana Soto" in texts(chat.say("quiero hora con la dra soto"))
        days = texts(chat.say(message))
        assert "No encontré horas" not in days and "Entendido, sin ese día" in days, (message, days)
        assert first in days and "jueves 3 de diciembre" not in days and "jueves 10 de diciembre" not in days, days
        chat.say("1")
        chat.say("1")
        chat.say("sí")
        assert [b.slot.start[:10] for b in chat.books] == [booked_on], (message, chat.books)



def test_no_and_the_other_week_as_a_reply_asks_for_that_week_never_leaves_it_out():
    """At «¿Qué especialidad necesitas?» (also after «¿Quieres una hora más, cambiarla o cancelarla?»), "no, la otra
    semana", then the specialty, showed «Entendido, sin esos días» and this week's days since 22d96be: the reply,
    kept without its comma as "no la otra semana", was read as ruling that week out. Next week's days follow now;
    "no la otra semana, esta semana" still leaves it out."""
    from test_dialogue_appointments import ClinicAgent
    from test_dialogue_move_which import THU_10

    for first in ("quiero hora", "hola"):
        chat = Chat(clinic().agenda, appointments=ClinicAgent(THU_10))
        chat.say(first)
        chat.say("no, la otra semana")
        days = texts(chat.say("1"))
        assert "sin esos días" not in days and "lunes 7 de diciembre" in days, (first, days)
        assert "miércoles 2 de diciembre" not in days and "viernes 4 de diciembre" not in days, (first, days)
    chat = clinic()
    chat.say("no la otra semana, esta semana")
    days = texts(chat.say("1"))
    assert "miércoles 2 de diciembre" in days and "lunes 7 de diciembre" not in days, days
