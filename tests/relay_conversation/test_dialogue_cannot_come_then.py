"""A day the patient cannot come, said beside what they want done: "cancela mi hora, no puedo ir el jueves" cancels,
"…, la otra semana puede ser?" moves, "el jueves no puede" (someone else) rules the day out, and the day stays out
of the menus that follow («¿Confirmo…?», «¿Cuál quieres cambiar?»)."""

from __future__ import annotations

from conversation_kit import EN, Chat, texts
from test_dialogue_appointments import ClinicAgent
from test_dialogue_move_which import FRI_16, THU_10
from test_dialogue_move_which import slots as free


def test_cancel_asked_beside_the_day_they_cannot_come_cancels_it():
    """"cancela mi hora, no puedo ir el jueves" and "no puedo ir el jueves, cancélala" with Thursday 3's were asked
    «¿Cambio tu hora del jueves 3…?» and "sí" showed the days for a new time: the "no puedo ir el jueves" was read as
    a day asked for. They asked to cancel: «¿Cancelo tu hora del jueves 3…?», and "sí" cancels it."""
    for english, message in (
            (False, "cancela mi hora, no puedo ir el jueves"),
            (False, "no puedo ir el jueves, cancélala"),
            (False, "no puedo ir el jueves, cancelala porfa"),
            (False, "quiero cancelar, no puedo ir el jueves"),
            (False, "cancelen mi turno que no puedo ir el jueves"),
            (False, "no podemos ir el jueves, anule la hora por favor"),
            (True, "cancel my appointment, I can't make it thursday")):
        for bookings in ((THU_10,), (THU_10, FRI_16)):
            agent = ClinicAgent(*bookings)
            chat = Chat(free(), appointments=agent, clinic=EN) if english else Chat(free(), appointments=agent)
            asked = texts(chat.say(message))
            assert ("Shall I cancel your appointment on Thursday 3" if english else "¿Cancelo tu hora del jueves 3") \
                in asked, (message, asked)
            done = texts(chat.say("yes" if english else "sí"))
            assert list(agent.cancelled.values()) == ["bk-7"] and not agent.moved, (message, done)


def test_cannot_come_then_another_day_is_still_a_move():
    """Beside "no puedo ir el jueves" a day asked for ("¿puedo ir el lunes?") still moves it, "cancela" or not."""
    agent = ClinicAgent(THU_10)
    chat = Chat(free(), appointments=agent)
    assert "¿Cambio tu hora del jueves 3" in texts(chat.say("no puedo ir el jueves, ¿otro día?"))


def test_the_day_ruled_out_at_the_confirmation_is_left_out_of_the_days_shown():
    """At «¿Confirmo el jueves 3…?» (a new booking, or a move of Thursday's), "no puedo ir el jueves, otro día?"
    listed Thursday 3 again (and "no puedo ir el jueves" showed Thursday 3's times, "1" booking 09:00 there): the
    days shown now leave out the Thursdays ruled out, and "no, otro día" the day proposed."""
    from test_dialogue_move_which import booking_chat

    for english, message, gone in (
            (False, "no puedo ir el jueves, otro día?", ("jueves 3 de diciembre", "jueves 10 de diciembre")),
            (False, "el jueves no puedo, otro dia", ("jueves 3 de diciembre", "jueves 10 de diciembre")),
            (False, "el jueves no me sirve, ¿tienes otro día?", ("jueves 3 de diciembre", "jueves 10 de diciembre")),
            (False, "no puedo ir el jueves", ("jueves 3 de diciembre", "jueves 10 de diciembre")),
            (False, "no, otro día", ("jueves 3 de diciembre",)),
            (True, "I can't make it thursday, another day?", ("Thursday 3 December", "Thursday 10 December"))):
        # a new booking proposed on Thursday 3
        agent, chat = booking_chat()
        if english:
            chat = Chat(free(), appointments=agent, clinic=EN, agent=chat.agent)
        assert "Thursday 3" in texts(chat.say("book me thursday 3 at 9")) if english else \
            "¿Confirmo el jueves 3" in texts(chat.say("quiero hora el jueves 3 a las 9"))
        days = texts(chat.say(message))
        assert all(day not in days for day in gone) and ("Friday 4" in days or "viernes 4" in days), (message, days)
        chat.say("1")
        chat.say("1")
        assert [b.slot.start[:10] for b in chat.books] == ["2026-12-02"], (message, chat.books)
        # a move of Thursday 3's, proposed on Thursday 3 at 15:00
        agent = ClinicAgent(THU_10)
        chat = Chat(free(), appointments=agent, clinic=EN) if english else Chat(free(), appointments=agent)
        chat.say("I want to move my appointment to thursday at 15" if english
                 else "quiero cambiar mi hora para el jueves a las 15")
        asked = texts(chat.say("yes" if english else "sí"))
        assert "15:00" in asked, asked
        days = texts(chat.say(message))
        assert all(day not in days for day in gone) and ("Friday 4" in days or "viernes 4" in days), (message, days)
        chat.say("2")  # Friday 4
        chat.say("1")
        assert [(old, new[:10]) for old, new in agent.moved.values()] == [("bk-7", "2026-12-04")], (message, agent.moved)


def test_the_day_ruled_out_at_which_to_move_stays_out_of_the_new_days():
    """At «¿Cuál quieres cambiar?» with Thursday 3's and Friday 4's listed, "no puedo ir el jueves, ¿otro día?" asks
    «¿Cambio tu hora del jueves 3…?» — but after "sí" the days offered Thursday 3 again, and "2" moved it there, the
    day they cannot come. The Thursdays are left out now; "la del jueves" (no day ruled out) still offers them."""
    for english, message in ((False, "no puedo ir el jueves, ¿otro día?"), (False, "no me queda bien el jueves"),
                             (False, "el jueves me complica"), (False, "no puedo el jueves"),
                             (True, "I can't do thursday, another day?")):
        agent = ClinicAgent(THU_10, FRI_16)
        chat = Chat(free(), appointments=agent, clinic=EN) if english else Chat(free(), appointments=agent)
        chat.say("I want to move my appointment" if english else "quiero cambiar mi hora")
        asked = texts(chat.say(message))
        assert ("Shall I change your appointment on Thursday 3" if english else "¿Cambio tu hora del jueves 3") in asked, \
            (message, asked)
        days = texts(chat.say("yes" if english else "sí")).split("reservada.")[-1].split("booked.")[-1]  # the menu
        assert ("Thursday 3 December" not in days and "Friday 4 December" in days) if english else \
            ("jueves 3 de diciembre" not in days and "viernes 4 de diciembre" in days), (message, days)
        chat.say("2")  # Friday 4
        chat.say("1")
        assert [(old, new[:10]) for old, new in agent.moved.values()] == [("bk-7", "2026-12-04")], (message, agent.moved)
    agent = ClinicAgent(THU_10, FRI_16)
    chat = Chat(free(), appointments=agent)
    chat.say("quiero cambiar mi hora")
    chat.say("la del jueves")
    assert "2. jueves 3 de diciembre" in texts(chat.say("sí"))


def test_cannot_come_and_another_week_or_day_asked_for_after_it_moves_that_one():
    """"no alcanzo a llegar el jueves, la otra semana puede ser?" with Thursday 3's was «No tienes hora el jueves 10…
    ¿Cancelo tu hora del jueves 3…?» and "sí" cancelled it: the week asked for after it ("la otra semana puede ser",
    "el lunes puede ser", "next week maybe") was not read as where to go. It is Thursday's moved now: from next week
    with the Thursdays left out, or to the day asked for (never that day ruled out with the one they cannot come)."""
    for english, message, first in (
            (False, "no alcanzo a llegar el jueves, la otra semana puede ser?", "lunes 7 de diciembre"),
            (False, "no podre ir el jueves, la siguiente semana sirve?", "lunes 7 de diciembre"),
            (False, "no voy a poder ir el jueves, la semana que viene se puede?", "lunes 7 de diciembre"),
            (False, "no voy a poder ir el jueves, el lunes puede ser?", "09:00"),
            (True, "I can't make it thursday, next week maybe?", "Monday 7 December")):
        agent = ClinicAgent(THU_10)
        chat = Chat(free(), appointments=agent, clinic=EN) if english else Chat(free(), appointments=agent)
        asked = texts(chat.say(message))
        assert ("Shall I change your appointment on Thursday 3" if english else "¿Cambio tu hora del jueves 3") in asked, \
            (message, asked)
        shown = texts(chat.say("yes" if english else "sí")).split("reservada.")[-1].split("booked.")[-1]
        assert f"1. {first}" in shown and "jueves 10" not in shown and "Thursday 10" not in shown, (message, shown)
        if first != "09:00":
            chat.say("1")  # Monday 7
        chat.say("1")  # 09:00
        assert [(old, new[:10]) for old, new in agent.moved.values()] == [("bk-7", "2026-12-07")], (message, agent.moved)
        assert not agent.cancelled, message


def test_a_day_someone_else_cannot_come_is_ruled_out_like_ones_own():
    """"hora para mi hijo la otra semana, el jueves no puede" offered Thursday 10 (and "1" booked it): "no puede",
    "no pueden", "no podrá", "no se puede" did not rule the day out as "no puedo" does ("no pueden en la mañana"
    even asked for the mornings). The day is left out now, and what is booked is on another."""
    for english, message, gone in (
            (False, "hora para mi hijo la otra semana, el jueves no puede", "jueves 10 de diciembre"),
            (False, "hora para mi hijo la otra semana, el jueves no pueden", "jueves 10 de diciembre"),
            (False, "necesito hora para mi mama la proxima semana, ella no puede el jueves", "jueves 10 de diciembre"),
            (False, "hora para mi papá la semana que viene, el jueves no podrá", "jueves 10 de diciembre"),
            (False, "quiero hora la otra semana, el jueves no se puede", "jueves 10 de diciembre"),
            (True, "appointment for my son next week, he can't on thursday", "Thursday 10 December")):
        chat = Chat(free(), clinic=EN) if english else Chat(free())
        days = texts(chat.say(message))
        assert gone not in days and ("Monday 7 December" in days or "lunes 7 de diciembre" in days), (message, days)
        chat.say("4")  # Friday 11: the fourth day of next week without Thursday
        chat.say("1")
        if not chat.books:
            chat.say("Tomás Pérez")
        assert [b.slot.start[:10] for b in chat.books] == ["2026-12-11"], (message, texts(chat.replies[-1]))
    chat = Chat(free())
    chat.say("hora para mis hijos, no pueden en la mañana")
    assert "09:00" not in texts(chat.say("1")), "the mornings are the part of the day ruled out"


def test_a_relative_named_whose_appointment_is_not_on_the_phone_is_not_given_anothers():
    """With only her son's appointment on the phone (Tomás Pérez, the writer Ana Pérez), "quiero cancelar la cita de
    mi mamá" asked «¿Cancelo la hora de Tomás Pérez…?» ("sí" cancelled the son's, taken for the mother's). None of
    her mother's is found now, said so, and what there is listed with whose it is; "la de mi hijo" still asks about
    his, and with a woman's appointment beside his, "mi mamá" asks about hers."""
    from wire.appointments import WireBooking

    son = WireBooking("bk-1", "2026-12-03T10:00:00-03:00", "2026-12-03T10:30:00-03:00", "Dra. Ana Soto",
                      patient="Tomás Pérez")
    rosa = WireBooking("bk-2", "2026-12-04T16:00:00-03:00", "2026-12-04T16:30:00-03:00", "Dra. Ana Soto",
                       patient="Rosa Pérez")
    for english, message in ((False, "quiero cancelar la cita de mi mamá"), (False, "cancela la hora de mi mama"),
                             (False, "necesito cambiar la cita de mi hija"), (False, "la hora de mi mamá, la quiero cancelar"),
                             (True, "cancel my mom's appointment")):
        agent = ClinicAgent(son)
        chat = Chat(free(), appointments=agent, clinic=EN) if english else Chat(free(), appointments=agent)
        said = texts(chat.say(message))
        assert ("I found no appointment of that person's" if english else "No encontré una hora de esa persona") \
            in said and "(Tomás Pérez)" in said, (message, said)
        assert "¿Cancelo" not in said and "¿Cambio" not in said and "Shall I" not in said, (message, said)
        chat.say("no")
        assert not agent.cancelled and not agent.moved, message
    agent = ClinicAgent(son)
    chat = Chat(free(), appointments=agent)
    assert "¿Cancelo la hora de Tomás Pérez" in texts(chat.say("cancela la hora de mi hijo"))
    chat.say("sí")
    assert list(agent.cancelled.values()) == ["bk-1"]
    agent = ClinicAgent(son, rosa)
    chat = Chat(free(), appointments=agent)
    assert "¿Cancelo la hora de Rosa Pérez" in texts(chat.say("quiero cancelar la cita de mi mamá"))
    chat.say("sí")
    assert list(agent.cancelled.values()) == ["bk-2"]


def test_a_question_for_a_day_is_not_that_day_ruled_out():
    """"quiero hora, ¿no se puede el jueves?" asks for Thursday (read as "Entendido, sin ese día" for a while, once
    "no se puede" ruled a day out): Thursday's times are shown; "el jueves no se puede" still rules it out."""
    chat = Chat(free())
    said = texts(chat.say("quiero hora, ¿no se puede el jueves?"))
    assert "Jue 3 dic" in said and "sin ese día" not in said, said
    chat = Chat(free())
    said = texts(chat.say("quiero hora, el jueves no se puede"))
    assert "sin ese día" in said and "jueves 3" not in said, said


def test_cannot_come_that_day_at_the_cancel_question_keeps_the_cancel():
    """"hola necesito cancelar mi hora", «¿Cancelo tu hora del jueves 3…?», "no puedo ir el jueves" (also "no puedo
    asistir el jueves") started a move since 76ddb7d: «Elige la nueva hora…» and the days, the appointment they cannot
    come to kept. It is why they cancel: the cancel is asked again and "sí" cancels it; "…, ¿puedo ir el lunes?" still
    moves it."""
    for message, moves in (("no puedo ir el jueves", False), ("no puedo asistir el jueves", False),
                           ("no puedo ir el jueves, ¿puedo ir el lunes?", True)):
        agent = ClinicAgent(THU_10)
        chat = Chat(free(), appointments=agent)
        assert "¿Cancelo tu hora del jueves 3" in texts(chat.say("hola necesito cancelar mi hora"))
        reply = texts(chat.say(message))
        if moves:
            assert "Elige la nueva hora" in reply, (message, reply)
            continue
        assert "¿Cancelo tu hora del jueves 3" in reply and "Elige la nueva hora" not in reply, (message, reply)
        chat.say("sí")
        assert list(agent.cancelled.values()) == ["bk-7"] and not agent.moved, (message, agent.cancelled)


def test_a_new_one_asked_for_beside_a_day_they_cannot_come_is_booked_from_a_phone_with_none():
    """"hola, no puedo ir el jueves, quiero hora con medicina general la otra semana" from a phone with no appointment
    was «No encontré horas próximas con este número… ¿Quieres pedir una?», and "Pedir una hora" asked the specialty
    again, the week and the day ruled out forgotten. The one asked for is offered at once, without Thursday; a phone
    with Thursday's is still asked about it first (to move it, or «Ya tienes hora…»)."""
    for message, first_day in (
            ("hola, no puedo ir el jueves, quiero hora con medicina general la otra semana", "lunes 7 de diciembre"),
            ("no puedo ir el jueves, necesito hora con la dra soto la semana que viene", "lunes 7 de diciembre"),
            ("no puedo el jueves, quiero una cita con la Dra. Soto", "miércoles 2 de diciembre")):
        agent = ClinicAgent()
        chat = Chat(free(), appointments=agent)
        days = texts(chat.say(message))
        assert "No encontré horas" not in days and "Entendido, sin ese día" in days, (message, days)
        assert first_day in days and "jueves 3 de diciembre" not in days and "jueves 10" not in days, (message, days)
        chat.say("1")
        chat.say("1")
        chat.say("sí")
        assert len(chat.books) == 1 and chat.books[0].slot.professional == "Dra. Ana Soto", (message, chat.books)
        assert not chat.books[0].slot.start.startswith(("2026-12-03", "2026-12-10")), chat.books
        with_thursdays = ClinicAgent(THU_10)
        asked = texts(Chat(free(), appointments=with_thursdays).say(message))
        assert "¿Cambio tu hora del jueves 3" in asked or "Ya tienes hora el jueves 3" in asked, (message, asked)
