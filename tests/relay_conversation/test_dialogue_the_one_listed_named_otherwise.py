"""Under «Ya tienes hora el viernes… ¿Quieres una hora más, cambiarla o cancelarla?», a typed "cancela la del jueves"
asked «¿Cancelo tu hora del viernes…?» as if Friday's were the one named, and a "sí" cancelled it. Now it is read as
the same words in a first message are: «No tienes hora el jueves…; la que tengo anotada es otra:» comes first."""

from __future__ import annotations

from dataclasses import replace

from conversation_kit import EN, ES, Chat, agenda, buttons, texts
from test_dialogue_appointments import FRI, THU, ClinicAgent

FRIDAY_ASKED = "¿Cancelo tu hora del viernes 4 de diciembre a las 16:00 con el Dr. Juan Rojas?"


def told_of_fridays(first: str = "hola", *, english: bool = False) -> tuple[Chat, ClinicAgent]:
    """The patient has Friday 4 at 16:00 with Dr. Rojas and was just told so, with the three choices."""
    agent = ClinicAgent(FRI)
    clinic = replace(agenda([2, 3, 7], [(9, 0), (11, 0)]), finds_bookings=True)
    chat = Chat(clinic, clinic=EN if english else ES, appointments=agent)
    reply = texts(chat.say(first))
    assert ("You already have an appointment on Friday" if english else "Ya tienes hora el viernes 4") in reply
    return chat, agent


def test_another_day_named_is_said_to_hold_none_before_the_one_there_is_asked_about() -> None:
    for first in ("hola", "1", "quiero una hora"):
        for message, notice in (("cancela la del jueves", "No tienes hora el jueves 3 de diciembre; la que tengo"
                                                          " anotada es otra:"),
                                ("quiero cancelar la de mañana", "No tienes hora el miércoles 2 de diciembre;"),
                                ("cancela la de las 10", "No tienes una hora así; la que tengo anotada es otra:"),
                                ("cancela la de mi hijo", "No encontré una hora de esa persona;")):
            chat, agent = told_of_fridays(first)
            reply = texts(chat.say(message))
            assert reply.startswith(notice) and FRIDAY_ASKED in reply, (first, message, reply)
            assert "Hola" not in reply, (first, message)
            chat.say("no")
            assert not agent.cancelled, (first, message)


def test_a_move_is_asked_about_plainly() -> None:
    """A move's words mix the one it is with where it goes ("cambia la del viernes a las 11", "cámbiala mañana"): at
    this step it is asked about as before, never with a «No tienes una hora así» that may be false; nothing is undone
    before the new time is confirmed."""
    for message in ("cambia la del jueves al lunes", "cambia la del viernes a las 11", "cámbiala mañana"):
        chat, agent = told_of_fridays()
        reply = texts(chat.say(message))
        assert reply.startswith("¿Cambio tu hora del viernes 4 de diciembre a las 16:00"), (message, reply)
        assert not agent.moved


def test_the_one_there_is_named_or_none_named_is_asked_about_plainly_and_cancelled_on_yes() -> None:
    for message in ("cancela la del viernes", "cancélala", "cancelar", "cancela la de las 4", "cancela la de rojas"):
        chat, agent = told_of_fridays()
        reply = chat.say(message)
        assert texts(reply) == FRIDAY_ASKED, (message, texts(reply))
        assert chat.say("sí").status == "cancelled" and list(agent.cancelled.values()) == ["bk-8"], message
    chat, agent = told_of_fridays()
    assert texts(chat.say(buttons(chat.replies[-1])[-1])) == FRIDAY_ASKED  # tapped «Cancelarla»


def test_a_move_asked_with_where_to_keeps_where_to() -> None:
    chat, _ = told_of_fridays("quiero hora el lunes")
    assert texts(chat.say("cámbiala")).startswith("¿Cambio tu hora del viernes 4 de diciembre a las 16:00")
    assert "el Lun 7 dic?" in texts(chat.say("sí"))


def test_in_english_too() -> None:
    chat, agent = told_of_fridays(english=True)
    reply = texts(chat.say("cancel the thursday one"))
    assert reply.startswith("You have no appointment on Thursday 3 December; the one I have is another:"), reply
    assert "Friday 4 December at 16:00" in reply and not agent.cancelled


def test_a_move_that_says_only_where_to_never_says_there_is_none_like_that() -> None:
    """"cámbiala a las 11", "cámbiala el lunes", "cámbiala con la dra soto" said «No tienes una hora así…» (the
    destination read as the appointment named), as a first message and under «Ya tienes hora…»."""
    for message in ("cámbiala a las 11", "cambia la hora a las 11", "la puedo cambiar a las 11?", "muévela el lunes",
                    "cámbiala el 7", "quiero cambiar mi hora con la dra soto"):
        for first in ("hola", ""):
            chat = Chat(replace(agenda([2, 3, 7], [(9, 0), (11, 0)]), finds_bookings=True),
                        appointments=ClinicAgent(FRI))
            if first:
                chat.say(first)
            reply = texts(chat.say(message))
            assert "¿Cambio tu hora del viernes 4 de diciembre a las 16:00" in reply, (first, message, reply)
            assert "No tienes" not in reply, (first, message, reply)


def test_with_two_the_time_they_cannot_come_names_the_one_and_the_other_time_is_where_it_goes() -> None:
    """"no puedo a las 10, cámbiala a las 4" with Thursday's at 10 and Friday's at 16:00 asked about Friday's."""
    agent = ClinicAgent(THU, FRI)
    chat = Chat(replace(agenda([3], [(9, 0), (16, 0)]), finds_bookings=True), appointments=agent)
    assert "¿Cambio tu hora del jueves 3 de diciembre a las 10:00" in texts(
        chat.say("no puedo a las 10, cámbiala a las 4"))
    assert "¿Confirmo el jueves 3 de diciembre a las 16:00" in texts(chat.say("sí"))
    assert chat.say("sí").status == "booked" and [old for old, _ in agent.moved.values()] == ["bk-7"]


def test_asked_whether_it_was_cancelled_the_patient_is_told_it_stands_before_being_asked() -> None:
    son = replace(FRI, patient="Tomás Pérez")
    for message in ("¿se canceló la hora de mi hijo?", "¿quedó cancelada la hora de mi hijo?", "me la cancelaron?"):
        agent = ClinicAgent(son)
        chat = Chat(replace(agenda([3], [(9, 0)]), finds_bookings=True), appointments=agent)
        reply = texts(chat.say(message))
        assert "No, no está cancelada: sigue en pie. ¿Cancelo la hora de Tomás Pérez del viernes 4" in reply, reply
        assert chat.say("no").status != "cancelled" and not agent.cancelled, message
    for message in ("se me canceló el viaje, cancela mi hora", "se cancela la hora de mi hijo", "¿se canceló? si no,"
                    " cancélala"):  # a cancel asked for: asked plainly
        chat = Chat(replace(agenda([3], [(9, 0)]), finds_bookings=True), appointments=ClinicAgent(son))
        reply = texts(chat.say(message))
        assert "sigue en pie" not in reply and "¿Cancelo la hora de Tomás Pérez del viernes 4" in reply, message


def test_mine_and_my_sons_with_only_his_says_none_is_hers() -> None:
    """"cancela la mía y la de mi hijo" with only the son's: his was asked about, and once cancelled «Lo otro que me
    pediste, escríbemelo aparte» — about hers, which does not exist and was never said not to."""
    agent = ClinicAgent(replace(FRI, patient="Tomás Pérez"))
    chat = Chat(replace(agenda([3], [(9, 0)]), finds_bookings=True), appointments=agent)
    reply = texts(chat.say("cancela la mía y la de mi hijo"))
    assert "No encontré una hora a tu nombre con este número; la que tengo anotada es otra:" in reply, reply
    done = texts(chat.say("sí"))
    assert "cancelé la hora de Tomás Pérez" in done and "Lo otro que me pediste" not in done, done
