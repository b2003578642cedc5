"""A relative's appointment named with "our", "nuestra", "su", "her": read as "my" is.

With the writer's own appointment on Thursday and their mother's (Rosa Díaz) on Friday, "cancel our mom's
appointment", "cancela la hora de nuestra mamá", "la de su mamá" at the list, "nuestra mamá no puede ir el viernes"
were not read as the mother's (the list again, or a new booking's menu), "cancela todas las de mis hijos" and "cancel both of my kids' appointments" asked «¿Cancelo tu hora del jueves…?» — the writer's own — first; right after a
move, "¿y la de nuestra mamá se canceló?" was answered «Tu hora anterior quedó cancelada»."""

from __future__ import annotations

from dataclasses import replace

from conversation_kit import EN, Chat, agenda, texts
from test_dialogue_appointments import ClinicAgent

from wire.appointments import WireBooking

OWN = WireBooking("thu-own", "2026-12-03T10:00:00-03:00", "2026-12-03T10:30:00-03:00", "Dra. Ana Soto",
                  patient="Ana Pérez")
MUM = WireBooking("fri-mum", "2026-12-04T16:00:00-03:00", "2026-12-04T16:30:00-03:00", "Dr. Juan Rojas",
                  patient="Rosa Díaz")
SON = WireBooking("fri-son", "2026-12-04T16:00:00-03:00", "2026-12-04T16:30:00-03:00", "Dr. Juan Rojas",
                  patient="Tomás Díaz")
ASKS_MUMS = ("¿Cancelo la hora de Rosa Díaz del viernes 4 de diciembre a las 16:00 con el Dr. Juan Rojas?",
             "Shall I cancel Rosa Díaz's appointment on Friday 4 December at 16:00 with Dr. Juan Rojas?")
MOVES_MUMS = ("¿Cambio la hora de Rosa Díaz del viernes 4 de diciembre a las 16:00 con el Dr. Juan Rojas?",
              "Shall I change Rosa Díaz's appointment on Friday 4 December at 16:00 with Dr. Juan Rojas?")
OWN_ASKED = ("¿Cancelo tu hora del jueves", "Shall I cancel your appointment on Thursday")


def chat_with(*bookings: WireBooking, english: bool = False) -> tuple[Chat, ClinicAgent]:
    agent = ClinicAgent(*bookings)
    clinic = replace(agenda(range(2, 15), [(9, 0), (11, 40), (15, 20)]), finds_bookings=True)
    return (Chat(clinic, clinic=EN, appointments=agent) if english
            else Chat(clinic, appointments=agent)), agent


def test_a_relative_named_with_our_or_her_is_theirs() -> None:
    for message, english in (("cancel our mom's appointment", True),
                             ("cancel the appointment for our mom", True),
                             ("cancel her mom's appointment", True),
                             ("cancela la hora de nuestra mamá", False),
                             ("cancela la hora de su mamá", False)):
        chat, agent = chat_with(OWN, MUM, english=english)
        assert texts(chat.say(message)).endswith(ASKS_MUMS[english]), message
        chat.say("yes" if english else "sí")
        assert list(agent.cancelled.values()) == ["fri-mum"], message
    for message, english in (("move our mom's appointment to monday", True),
                             ("la hora de nuestra mamá hay que cambiarla", False),
                             ("cambia la cita de nuestra mamá para el lunes", False),
                             ("nuestra mamá no puede ir el viernes", False)):
        chat, _ = chat_with(OWN, MUM, english=english)
        assert MOVES_MUMS[english] in texts(chat.say(message)), message


def test_at_the_list_our_mothers_is_hers() -> None:
    for answer, english in (("our mom's", True), ("la de nuestra mamá", False), ("la de su mamá", False)):
        chat, agent = chat_with(OWN, MUM, english=english)
        chat.say("I want to cancel an appointment" if english else "quiero cancelar una hora")
        assert texts(chat.say(answer)).endswith(ASKS_MUMS[english]), answer
        chat.say("yes" if english else "sí")
        assert list(agent.cancelled.values()) == ["fri-mum"], answer


def test_all_of_the_childrens_never_asks_about_the_writers_own_first() -> None:
    for message, english in (("cancela todas las de mis hijos", False),
                             ("cancela todas las de nuestros hijos", False),
                             ("cancel both of our kids' appointments", True)):
        chat, agent = chat_with(OWN, MUM, english=english)
        said = texts(chat.say(message))
        assert OWN_ASKED[english] not in said, message
        assert said.endswith(ASKS_MUMS[english]), message  # ("hijos": sons and daughters, Rosa may be one)
        chat.say("yes" if english else "sí")
        assert list(agent.cancelled.values()) == ["fri-mum"], message
    chat, agent = chat_with(OWN, SON)  # only a son's: "mis hijas" names none of the phone's
    said = texts(chat.say("cancela todas las de mis hijas"))
    assert "No encontré una hora de esa persona con este número." in said
    assert OWN_ASKED[False] not in said and "¿Cancelo la hora de Tomás Díaz" not in said
    chat.say("sí")
    assert agent.cancelled == {}


def test_after_a_move_our_mothers_is_not_the_one_moved_from() -> None:
    chat, agent = chat_with(OWN, MUM)
    chat.say("cambia mi hora del jueves para el lunes")
    chat.say("sí")
    chat.say("a las 9")
    assert "Cambié tu hora del jueves" in texts(chat.say("sí"))
    said = texts(chat.say("¿y la de nuestra mamá se canceló?"))
    assert "Tu hora anterior quedó cancelada" not in said
    assert agent.cancelled == {}


def test_no_the_relatives_at_shall_i_cancel_lists_them() -> None:
    # «Shall I cancel your appointment on Thursday…?» "no, my mom's" kept Thursday's and offered a new booking; the
    # list is shown now, as for "no, la de mi mamá" (whose relation an appointment is, the bot cannot tell)
    for answer, english in (("no, la de mi mamá", False), ("no, era la de nuestra mamá", False),
                            ("no, my mom's", True), ("no, our mom's one", True)):
        chat, agent = chat_with(OWN, MUM, english=english)
        chat.say("cancel my thursday appointment" if english else "cancela mi hora del jueves")
        assert texts(chat.say(answer)).startswith("Which of your appointments?" if english
                                                  else "¿Cuál de tus horas?"), answer
        assert texts(chat.say("2")).endswith(ASKS_MUMS[english]), answer
        chat.say("yes" if english else "sí")
        assert list(agent.cancelled.values()) == ["fri-mum"], answer


def test_the_appointment_to_a_relative_is_theirs() -> None:
    # "cancélale la hora a mi hijo", "cámbiale la hora a mi hijo para el lunes" were the list (only "de mi hijo" read)
    for message, asked in (("cancélale la hora a mi hijo", "¿Cancelo la hora de Tomás Díaz del viernes 4"),
                           ("anúlale la cita a nuestro hijo", "¿Cancelo la hora de Tomás Díaz del viernes 4"),
                           ("cámbiale la hora a mi hijo para el lunes", "¿Cambio la hora de Tomás Díaz del viernes 4")):
        chat, _ = chat_with(OWN, SON)
        assert asked in texts(chat.say(message)), message
