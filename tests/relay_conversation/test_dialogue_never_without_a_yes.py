"""What a random walk of 30,000 conversations found cancelling, moving or booking without the patient's yes: a
question ("¿está confirmada?") taken for one at «¿Cancelo…?»; at «¿Cambio tu hora…?» an answer that was neither
yes, no, nor where it goes ("para mi esposo el lunes", "4") went on to the times, where a tap moved it; a refusal
at «¿A nombre de quién…?» booked as the name ("esa no", "thank you"); right after «¡Listo!», a button of an earlier
menu booked a second appointment at the same time."""

from __future__ import annotations

from dataclasses import replace

from conversation_kit import EN, ES, Chat, agenda, texts
from test_dialogue_appointments import FRI, THU, ClinicAgent

from relay.conversation.existing import before_booking
from relay.conversation.model import Book
from wire.appointments import MyBookingsResult, WireBooking

STAFF = ("Dra. Ana Soto", "Dr. Juan Rojas")


def clinic(finds: bool = True):
    return replace(agenda([2, 3, 4, 7], [(9, 0), (10, 0), (11, 0), (16, 0)], STAFF), finds_bookings=finds)


def test_asked_whether_it_is_confirmed_at_shall_i_cancel_nothing_is_cancelled() -> None:
    for message in ("¿está confirmada?", "confirmada?", "¿me la confirmas?", "¿confirmas?", "¿quedó confirmada?"):
        agent = ClinicAgent(THU)
        chat = Chat(clinic(), appointments=agent)
        chat.say("necesito cancelar mi hora")
        reply = chat.say(message)
        assert "¿Cancelo tu hora del jueves 3 de diciembre a las 10:00" in texts(reply), message
        assert reply.status != "cancelled" and not agent.cancelled, message
    agent = ClinicAgent(THU)
    chat = Chat(clinic(), clinic=EN, appointments=agent)
    chat.say("I need to cancel my appointment")
    assert chat.say("is it confirmed?").status != "cancelled" and not agent.cancelled
    assert chat.say("yes").status == "cancelled" and list(agent.cancelled.values()) == ["bk-7"]


def test_asked_whether_it_is_confirmed_at_shall_i_book_nothing_is_booked() -> None:
    for message in ("is it confirmed?", "¿está confirmada?", "¿me confirmas?"):
        chat = Chat(clinic(finds=False))
        chat.say("quiero hora el miércoles a las 9 con la dra soto")
        assert "¿Confirmo el miércoles 2 de diciembre a las 09:00" in texts(chat.say(message)), message
        assert not chat.books, message


def test_at_shall_i_move_it_an_answer_that_is_neither_yes_nor_where_it_goes_asks_again() -> None:
    """«¿Cambio tu hora del jueves…?» "para mi esposo el lunes" showed Monday's times without «la del jueves se
    cancelará…», and a tap on one moved her own appointment."""
    for message in ("para mi esposo el lunes", "deja la del jueves", "¿entonces ya no tengo la del jueves?", "4",
                    "atrás", "una hora para mi mamá el viernes"):
        for intent in ("cambia", "cancela"):
            agent = ClinicAgent(THU)
            chat = Chat(clinic(), appointments=agent)
            chat.say(f"{intent} mi hora")
            reply = texts(chat.say(message))
            asked = "¿Cambio tu hora del jueves 3" if intent == "cambia" else "¿Cancelo tu hora del jueves 3"
            assert asked in reply, (message, reply)
            chat.say("09:00 Dr. Juan Rojas")  # a button of an earlier menu
            assert not agent.moved and not agent.cancelled and not chat.books, (intent, message)


def test_no_thanks_at_shall_i_cancel_says_it_stands() -> None:
    """"no, gracias" said «Entendido, no reservé nada», as if the appointment were not theirs."""
    for message in ("no, gracias", "nada, gracias"):
        agent = ClinicAgent(THU)
        chat = Chat(clinic(), appointments=agent)
        chat.say("necesito cancelar mi hora")
        assert texts(chat.say(message)).startswith("Entendido, tu hora sigue en pie."), message
        assert not agent.cancelled


def test_a_refusal_at_whose_name_is_never_booked_as_the_name() -> None:
    for message in ("cansela la ora", "esa no", "No, keep it", "gracias, nos vemos", "thank you", "ahí estaré",
                    "never mind", "quedo agendada", "kambiar ora", "nesecito otra ora", "reserbar hora"):
        chat = Chat(clinic(finds=False))
        chat.say("para mi hijo el jueves a las 10")
        assert "¿A nombre de quién reservo la hora?" in texts(chat.say("10:00 Dr. Juan Rojas"))
        reply = chat.say(message)
        assert reply.status != "booked" and not chat.books, (message, texts(reply))
    chat = Chat(clinic(finds=False))
    chat.say("para mi hijo el jueves a las 10")
    chat.say("10:00 Dr. Juan Rojas")
    assert chat.say("María de la Luz Soto").status == "booked"


def test_right_after_a_booking_an_earlier_button_at_the_same_time_is_confirmed_first() -> None:
    """At a clinic that cannot list appointments, «¡Listo!… 09:00 con el Dr. Rojas» then the day's button and
    "09:00 Dra. Ana Soto" tapped again booked a second appointment at 09:00 with nothing asked. The day's button
    asks about the one just booked now (as where the agent lists them), and one more at its time is confirmed."""
    chat = Chat(clinic(finds=False))
    chat.say("hola")
    chat.say("Mié 2 dic")
    assert chat.say("09:00 Dr. Juan Rojas").status == "booked"
    reply = texts(chat.say("Mié 2 dic"))  # the day's button again: the one just booked said first, and asked about
    assert "Ya tienes hora el miércoles 2 de diciembre a las 09:00 con el Dr. Juan Rojas." in reply, reply
    assert "¿Quieres una hora más, cambiarla o cancelarla?" in reply
    chat.say("Una hora más")
    reply = texts(chat.say("09:00 Dra. Ana Soto"))
    assert "Ya tienes hora el miércoles 2 de diciembre a las 09:00 con el Dr. Juan Rojas." in reply, reply
    assert "¿Confirmo el miércoles 2 de diciembre a las 09:00 con la Dra. Ana Soto?" in reply and len(chat.books) == 1
    assert "¿A nombre de quién" in texts(chat.say("sí"))  # one more "Una hora más": whose is asked
    assert chat.say("Rosa Díaz").status == "booked" and len(chat.books) == 2  # asked for, knowingly


def test_the_next_persons_booking_is_not_held_up_by_the_one_just_booked() -> None:
    """"para mí y para mi hijo": once his was booked, hers was held up at «Tomás Soto tiene hora el jueves… ¿Confirmo
    …?» (the relay's check before a booking found his, booked a moment ago in the same chat)."""
    chat = Chat(replace(agenda([3, 4], [(9, 0), (10, 0), (11, 0)]), finds_bookings=True))
    chat.say("hola, quiero hora para mí y para mi hijo el jueves a las 9 y a las 10")
    chat.say("sí")
    his = chat.say("Tomás Pérez")
    assert his.status == "booked"
    slot = chat.books[0].slot
    assert "¿Confirmo el jueves 3 de diciembre a las 10:00" in texts(chat.say("sí"))
    step = chat.decide("sí")
    assert isinstance(step, Book)
    theirs = WireBooking(his.continuation["data"]["booking_id"], slot.start, slot.end, slot.professional,
                         patient="Tomás Pérez")
    assert before_booking(step, chat.turn("sí"), chat.clinic, chat.agenda, MyBookingsResult((theirs,))) is None
    stranger = replace(theirs, booking_id="bk-desk")  # one the desk booked meanwhile: still said first
    assert before_booking(step, chat.turn("sí"), chat.clinic, chat.agenda, MyBookingsResult((stranger,))) is not None


def test_another_persons_at_the_same_time_confirmed_once_is_booked_once_asked() -> None:
    """The same-time check is for a time tapped from an earlier menu: "y otra para mi hijo el jueves a las 10 con
    rojas" right after hers at 10:00, confirmed at «¿Confirmo…?» and named, is booked (a helper found it asked again,
    and an answer other than "sí" left the son without his)."""
    chat = Chat(clinic(finds=False))
    chat.say("hola, quiero hora el jueves a las 10 con la dra soto")
    assert chat.say("sí").status == "booked"
    assert "¿Confirmo el jueves 3 de diciembre a las 10:00 con el Dr. Juan Rojas?" in texts(
        chat.say("y otra para mi hijo el jueves a las 10 con rojas"))
    chat.say("sí")
    assert chat.say("Tomás Pérez").status == "booked" and len(chat.books) == 2


def test_right_after_a_cancel_was_it_cancelled_is_answered_yes() -> None:
    """"¿se canceló?" right after «Listo, cancelé tu hora del viernes…» said «No, no está cancelada» of Thursday's."""
    for message in ("¿se canceló?", "¿quedó cancelada la del viernes?"):
        agent = ClinicAgent(THU, FRI)
        chat = Chat(clinic(), appointments=agent)
        chat.say("cancela la del viernes")
        assert chat.say("sí").status == "cancelled"
        reply = texts(chat.say(message))
        assert reply.startswith("Listo, cancelé tu hora del viernes 4 de diciembre"), (message, reply)
        assert "No, no está cancelada" not in reply and list(agent.cancelled.values()) == ["bk-8"]


def test_at_shall_i_cancel_a_question_about_them_or_coming_is_answered_as_before() -> None:
    agent = ClinicAgent(THU, FRI)
    chat = Chat(clinic(), appointments=agent)
    chat.say("cancela la del jueves")
    assert "sigue en pie" in texts(chat.say("¿sigue en pie lo del viernes?"))
    agent = ClinicAgent(THU)
    chat = Chat(clinic(), appointments=agent)
    chat.say("cancela mi hora")
    assert "Gracias por confirmar" in texts(chat.say("ahí estaré"))
    assert not agent.cancelled


def test_at_shall_i_move_it_a_yes_with_where_it_goes_goes_there() -> None:
    for message in ("sí, con rojas", "lo antes posible", "en la tarde"):
        agent = ClinicAgent(THU)
        chat = Chat(clinic(), appointments=agent)
        chat.say("cambia mi hora")
        reply = texts(chat.say(message))
        assert reply.startswith("Elige la nueva hora; la del jueves 3 de diciembre a las 10:00 se cancelará"), (
            message, reply)
    agent = ClinicAgent(THU)
    chat = Chat(clinic(), appointments=agent)
    chat.say("cambia mi hora")
    assert "Dr. Juan Rojas" in texts(chat.say("sí, con rojas")) and not agent.moved


def test_real_names_that_look_like_words_are_names() -> None:
    for name in ("Manu Chao", "Esa-Pekka Salonen", "Can Yaman", "Tuesday Weld", "Alla Pugacheva", "Pía Gracia",
                 "horacio perez", "quero lopez", "Kambiar Ora"):  # (misspelt requests only when not written as names)
        chat = Chat(clinic(finds=False))
        chat.say("para mi hijo el jueves a las 10")
        chat.say("10:00 Dr. Juan Rojas")
        assert chat.say(name).status == "booked", name


def test_asked_whether_one_on_another_day_was_cancelled_lists_theirs_and_offers_no_cancel():
    """"¿se canceló la del miércoles?" with Thursday's only answered «No tienes hora el miércoles 2; la que tengo
    anotada es otra: ¿Cancelo tu hora del jueves 3…?» — a question answered by offering to cancel another appointment,
    "Sí, cancelar" first, and "sí" (to the question asked) cancelled it: Wednesday's said to be none, theirs listed
    with the usual choices, nothing cancelled on a "sí". "cancela la del miércoles" (a request) is asked as before."""
    for message, english in (("¿se canceló la del miércoles?", False), ("was my wednesday appointment cancelled?", True)):
        agent = ClinicAgent(THU)
        chat = Chat(replace(agenda(range(2, 15), [(9, 0)]), finds_bookings=True), clinic=EN if english else ES,
                    appointments=agent)
        reply = chat.say(message)
        assert ("You have no appointment on Wednesday 2 December." if english
                else "No tienes hora el miércoles 2 de diciembre.") in texts(reply), message
        assert "¿Cancelo" not in texts(reply) and "Shall I cancel" not in texts(reply), message
        chat.say("yes" if english else "sí")
        assert not agent.cancelled, message
    agent = ClinicAgent(THU)
    chat = Chat(replace(agenda(range(2, 15), [(9, 0)]), finds_bookings=True), appointments=agent)
    assert "¿Cancelo tu hora del jueves 3 de diciembre" in texts(chat.say("cancela la del miércoles"))
