""""Sí, y …" at a confirmation: the yes is acted on first (booked, cancelled) and never lost to what follows it;
the rest is asked for again after it ("escríbemelo en uno aparte"), or — another person's appointment — how to ask
for it. Yes said in other words ("sí puedo", "agéndala porfa") is a yes."""

from __future__ import annotations

import pytest
from conversation_kit import Chat, agenda, booked, texts
from test_dialogue_appointments import FRI, THU, ClinicAgent

from wire.appointments import CancelArgs
from wire.messages import WireError

CONFIRM = "¿Confirmo el miércoles 2 de diciembre a las 09:00 con la Dra. Ana Soto?"
APART = "Lo otro que me pediste, escríbemelo ahora en un mensaje aparte, por favor."


def at_the_confirmation(agent: ClinicAgent | None = None) -> Chat:
    chat = Chat(agenda([2, 4], [(9, 0)]), appointments=agent or ClinicAgent())
    assert CONFIRM in texts(chat.say("hola, quiero hora el miércoles a las 9"))
    return chat


def test_a_yes_followed_by_another_question_books_and_asks_for_the_rest_apart():
    chat = at_the_confirmation()
    reply = chat.say("si, y de paso tienen kine el sabado?")
    assert reply.status == "booked" and [b.slot.start for b in chat.books] == ["2026-12-02T09:00:00-03:00"]
    assert "Tu hora quedó reservada" in texts(reply) and APART in texts(reply)


def test_a_yes_and_another_persons_appointment_books_this_one_under_the_writer_and_says_how_to_ask():
    chat = at_the_confirmation()
    reply = chat.say("si si, y tb una para mi hijo Diego con el traumatologo el lunes")
    assert reply.status == "booked" and len(chat.books) == 1
    assert chat.books[0].state.patient_name == "" and not chat.books[0].state.for_other  # hers, not Diego's
    assert "Tu hora quedó reservada" in texts(reply)
    assert "respóndeme «sí» y te muestro los días" in texts(reply) and APART not in texts(reply)


def test_yes_and_whom_this_one_is_for_still_books_it_under_that_name():
    chat = at_the_confirmation()
    reply = chat.say("sí, y es para mi hijo Tomás Vega")
    assert reply.status == "booked" and chat.books[0].state.patient_name == "Tomás Vega"
    assert APART not in texts(reply)


def test_yes_in_other_words_books():
    for message in ("si puedo", "ya, puedo! confirmo", "agendala porfa", "perfecto, resérvala", "dale y gracias"):
        chat = at_the_confirmation()
        reply = chat.say(message)
        assert reply.status == "booked", message
        assert APART not in texts(reply), message


def test_a_yes_followed_by_more_at_a_cancels_confirmation_cancels_it():
    agent = ClinicAgent(THU, FRI)
    chat = Chat(agenda([2, 4], [(9, 0)]), appointments=agent)
    assert "¿Cancelo tu hora del jueves 3 de diciembre" in texts(chat.say("cancela la del jueves"))
    reply = chat.say("si, y dale una nueva con la misma doctora el miercoles 9")
    assert reply.status == "cancelled" and list(agent.cancelled.values()) == ["bk-7"]
    assert "Listo, cancelé tu hora del jueves 3 de diciembre" in texts(reply) and APART in texts(reply)


def test_a_yes_and_a_cancel_of_another_appointment_books_first_never_loses_the_yes():
    """"Si, y de paso cancela la del jueves" at «¿Confirmo…?»: the cancel was taken up and the new booking dropped —
    the patient ended with no appointment at all."""
    agent = ClinicAgent(THU)
    chat = at_the_confirmation(agent)
    reply = chat.say("si, y de paso cancela la del jueves con la dra soto")
    assert reply.status == "booked" and [b.slot.start for b in chat.books] == ["2026-12-02T09:00:00-03:00"]
    assert APART in texts(reply) and not agent.cancelled


def test_yes_please_and_one_for_a_relative_books_the_writers_own_and_says_how_to_ask_for_theirs():
    for message in ("yes please and one for my son too", "si porfa agendala y otra para mi hija",
                    "ok thanks, also my daughter needs one", "si, reservala y otra igual pa mi señora"):
        chat = at_the_confirmation()
        reply = chat.say(message)
        assert reply.status == "booked", message
        assert chat.books[0].state.patient_name == "" and not chat.books[0].state.for_other, message
        assert "respóndeme «sí»" in texts(reply), message


def test_mine_first_at_the_name_question_is_the_writers_name_never_stored_as_one():
    chat = Chat(agenda([2], [(9, 0)]))
    chat.say("hola, necesito hora para mí y mi hija el miércoles a las 9")
    assert "¿A nombre de quién reservo la hora?" in texts(chat.say("sí"))
    reply = chat.say("primero la mía")
    assert reply.status == "booked" and chat.books[0].state.patient_name == ""
    assert "Tu hora quedó reservada" in texts(reply)


def test_yes_and_cancel_the_other_one_without_a_day_still_books_first():
    chat = at_the_confirmation(ClinicAgent(THU))
    reply = chat.say("sí, y de paso cancela la otra")
    assert reply.status == "booked" and len(chat.books) == 1 and APART in texts(reply)


def test_another_persons_appointment_asked_with_the_yes_to_a_cancel_is_not_dropped_silently():
    agent = ClinicAgent(THU, FRI)
    chat = Chat(agenda([2, 4], [(9, 0)]), appointments=agent)
    chat.say("cancela la del jueves")
    reply = chat.say("si si, y tb una para mi hijo el martes")
    assert reply.status == "cancelled" and list(agent.cancelled.values()) == ["bk-7"]
    assert "respóndeme «sí»" in texts(reply)


def test_ok_or_a_thumb_at_you_already_have_one_ends_kindly_and_yes_asks_which():
    from test_dialogue_already import finding

    for ack in ("👍", "ok"):
        chat = Chat(finding(2, 4), appointments=ClinicAgent(THU))
        assert "Ya tienes hora" in texts(chat.say("hola"))
        reply = chat.say(ack)
        assert reply.status == "closed" and not chat.books and "especialidad" not in texts(reply), ack
    chat = Chat(finding(2, 4), appointments=ClinicAgent(THU))
    chat.say("hola")
    assert "¿Qué prefieres? Toca una de las opciones." in texts(chat.say("sí"))


def test_whose_it_is_said_at_the_confirmation_is_taken_and_the_question_asked_again():
    chat = at_the_confirmation()
    reply = chat.say("no es para mí, es para mi hija Sofía Rojas")
    assert "Entendido, la hora será para Sofía Rojas." in texts(reply)
    assert CONFIRM.replace("?", ", a nombre de Sofía Rojas?") in texts(reply)  # whose, in the question itself
    assert chat.say("sí").status == "booked" and chat.books[0].state.patient_name == "Sofía Rojas"


def test_what_a_patient_asks_besides_the_news_of_a_booking_not_known_yet_is_said_with_the_news():
    """ "Aún no sé si quedó…" then "¿cómo quedó? y necesito otra para mi hijo": the news was told and the son's
    appointment never mentioned again (the whole message is the question about the first one)."""
    for message, said in (("¿cómo quedó? y necesito otra para mi hijo el viernes", "respóndeme «sí»"),
                          ("y? quedó? de paso tienen kine el sábado?", APART)):
        calls: list[object] = []

        def slow_then_booked(slot, calls=calls):
            calls.append(slot)
            return WireError("timeout", "slow") if len(calls) == 1 else booked(slot)

        chat = Chat(agenda([2, 4], [(9, 0)]), agent=slow_then_booked)
        chat.say("hola, quiero hora el miércoles a las 9")
        assert "Aún no sé si tu hora" in texts(chat.say("sí"))
        reply = chat.say(message)
        assert reply.status == "booked" and "quedó reservada" in texts(reply) and said in texts(reply), message
        assert len({b.idempotency_key for b in chat.books}) == 1  # the same booking asked again, nothing new
    plain = Chat(agenda([2, 4], [(9, 0)]), agent=lambda slot, calls=[]: (
        calls.append(slot) or (WireError("timeout", "slow") if len(calls) == 1 else booked(slot))))
    plain.say("hola, quiero hora el miércoles a las 9")
    plain.say("sí")
    reply = plain.say("hola? quedó mi hora?")
    assert APART not in texts(reply) and "otra persona" not in texts(reply)


def test_what_a_patient_asks_besides_the_news_of_a_cancel_not_known_yet_is_said_with_the_news():
    agent = ClinicAgent(THU, FRI)
    slow = [True]

    def appointments(step):
        if isinstance(step.args, CancelArgs) and slow.pop() if slow else False:
            return WireError("timeout", "slow")
        return agent(step)

    chat = Chat(agenda([2, 4], [(9, 0)]), appointments=appointments)
    chat.say("quiero cancelar mi hora del jueves")
    assert "Aún no sé si tu hora" in texts(chat.say("sí"))
    reply = chat.say("¿se canceló? y de paso necesito otra hora para el lunes")
    assert reply.status == "cancelled" and "cancelé tu hora" in texts(reply) and APART in texts(reply)
    assert list(agent.cancelled.values()) == ["bk-7"]


def test_what_is_asked_besides_while_the_news_is_still_not_known_is_promised_then_said():
    """ "¿cómo quedó? y necesito también una para mi mamá" while the booking is still not known repeated "Aún no sé…"
    word for word: the mother's appointment seemed ignored."""
    answers = iter([WireError("timeout", "slow"), WireError("timeout", "slow")])

    def slow(slot):
        return next(answers, None) or booked(slot)

    chat = Chat(agenda([2, 4], [(9, 0)]), agent=slow)
    chat.say("hola, quiero hora el miércoles a las 9")
    first = chat.say("sí")
    assert "Aún no sé" in texts(first) and "Lo otro que me pediste" not in texts(first)
    again = chat.say("¿cómo quedó? y necesito también una para mi mamá")
    assert "Aún no sé" in texts(again)
    assert "Lo otro que me pediste te lo respondo en cuanto sepa cómo quedó esto." in texts(again), texts(again)
    done = chat.say("¿y?")
    assert done.status == "booked" and "respóndeme «sí»" in texts(done)


def test_a_yes_asking_for_this_booking_elsewhere_or_asked_back_books_nothing_yet():
    """"Sí, ¿y puede ser el viernes?" booked Wednesday and asked for the rest apart; "¿sí?", "sí? a qué hora era?"
    booked at once."""
    chat = at_the_confirmation()
    reply = chat.say("sí, ¿y puede ser el viernes?")
    assert not chat.books and "Vie 4 dic" in texts(reply)
    for message in ("¿sí?", "sí? a qué hora era?", "si? con quien?"):
        chat = at_the_confirmation()
        reply = chat.say(message)
        assert not chat.books and "Solo para estar seguros: " + CONFIRM in texts(reply), message
        assert chat.say("sí").status == "booked"


def test_a_day_or_time_at_the_name_question_is_never_the_patients_name():
    """"A las once", "en la tarde", "este viernes" at «¿A nombre de quién reservo la hora?» were booked as the son's
    name («La hora de A las Once quedó reservada»). Another day is that day's times (the appointment still wanted)."""
    for message, said in (("a las once", "No pude leer ese nombre"), ("En la tarde", "No pude leer ese nombre"),
                          ("Este viernes", "¿Qué hora con la Dra. Ana Soto el Vie 4 dic?"),
                          ("Pasado mañana", "El Jue 3 dic no tiene horas libres")):
        chat = Chat(agenda([2, 4], [(9, 0)]))
        chat.say("hola, quiero hora para mi hijo el miércoles a las 9")
        reply = chat.say("sí")
        assert "¿A nombre de quién reservo la hora?" in texts(reply)
        reply = chat.say(message)
        assert not chat.books and said in texts(reply), (message, texts(reply))
    chat = Chat(agenda([2, 4], [(9, 0)]))
    chat.say("hola, quiero hora para mi hijo el miércoles a las 9")
    chat.say("sí")
    assert chat.say("Domingo Pérez").status == "booked" and chat.books[0].state.patient_name == "Domingo Pérez"


def test_the_number_of_a_line_said_as_el_n_is_asked_about_never_read_as_that_days_list():
    """"el 4" under Thursday's numbered times showed Friday 4's (the same-looking list); the next "4" booked Friday."""
    chat = Chat(agenda([3, 4], [(9, 0), (9, 30), (10, 0), (11, 30), (15, 0)]))
    chat.say("hola, quiero hora el jueves")
    for message in ("el 4", "quiero el 4", "me quedo con el 4"):
        reply = chat.say(message)
        assert "¿Confirmo el jueves 3 de diciembre a las 11:30" in texts(reply) and not chat.books, message
        chat.say("otra hora")
    assert "Vie 4 dic" in texts(chat.say("el viernes 4"))  # the day, said as one


def test_the_name_put_right_at_the_confirmation_is_the_one_booked():
    """«¿Confirmo … a nombre de Tomás Pérez?» "perdón, es para mi otro hijo, Diego Pérez", "es Diego Pérez, no Tomás",
    "no, mejor para mí" asked the same question with Tomás, and "sí" booked Tomás."""
    for message, whose, booked_as in (("perdón, es para mi otro hijo, Diego Pérez", "a nombre de Diego Pérez",
                                       "Diego Pérez"),
                                      ("es Diego Pérez, no Tomás", "a nombre de Diego Pérez", "Diego Pérez"),
                                      ("no, mejor para mí", "la hora será a tu nombre", "")):
        chat = Chat(agenda([2, 4], [(9, 0)]))
        chat.say("hola, quiero hora para mi hijo Tomás Pérez el miércoles a las 9")
        reply = chat.say(message)
        assert whose in texts(reply) and not chat.books, (message, texts(reply))
        assert chat.say("sí").status == "booked" and chat.books[0].state.patient_name == booked_as, message


def test_the_patients_insurer_at_the_confirmation_is_never_their_name():
    """«¿Confirmo … a nombre de Tomás Pérez?» "perdón, es para Isapre Colmena" asked again «a nombre de Isapre
    Colmena» and "sí" booked the insurer as the patient: the name stays, the question is asked again (there is no
    insurance field: reception answers about it), and an insurer is no answer to «¿A nombre de quién…?» either."""
    for message in ("perdón, es para Isapre Colmena", "no, es para Cruz Blanca", "es para Nueva Masvida",
                    "perdón, es para Isapre Colmena, no Fonasa", "ah, es por Banmédica"):
        chat = Chat(agenda([2, 4], [(9, 0)]))
        chat.say("hola, quiero hora para mi hijo Tomás Pérez el miércoles a las 9")
        reply = chat.say(message)
        assert "a nombre de Tomás Pérez?" in texts(reply) and not chat.books, (message, texts(reply))
        assert chat.say("sí").status == "booked" and chat.books[0].state.patient_name == "Tomás Pérez", message
    chat = Chat(agenda([2, 4], [(9, 0)]))
    chat.say("hola, quiero hora para mi hijo el miércoles a las 9")
    chat.say("sí")
    assert "¿A nombre de quién reservo la hora?" in texts(chat.say("Isapre Colmena")) and not chat.books
    assert chat.say("Tomás Pérez").status == "booked" and chat.books[0].state.patient_name == "Tomás Pérez"


def test_near_misses_at_the_confirmation_keep_the_yes_and_the_name():
    for message in ("sí, ¿y mañana me mandan recordatorio?", "sí, ¿y hay que ir en ayunas en la mañana?",
                    "¿Sí? sí, dale", "sí, ¿y hay estacionamiento el miércoles?"):
        chat = at_the_confirmation()
        assert chat.say(message).status == "booked", message
    for message in ("ahí estaré si me dan permiso en el trabajo", "ahí estaré, a menos que llueva"):
        chat = at_the_confirmation()
        reply = chat.say(message)
        assert not chat.books and CONFIRM in texts(reply), message
    chat = Chat(agenda([2, 4], [(9, 0)]))
    chat.say("hola, quiero hora para mi hijo Tomás Pérez el miércoles a las 9")
    chat.say("perdón, Tomás no puede en la mañana")
    assert all(b.state.patient_name in ("", "Tomás Pérez") for b in chat.books)
    for name in ("José Temprano", "Rosa Sábado"):  # real names with a day's or a time's word in them
        chat = Chat(agenda([2, 4], [(9, 0)]))
        chat.say("hola, quiero hora para mi hijo el miércoles a las 9")
        chat.say("sí")
        assert chat.say(name).status == "booked" and chat.books[0].state.patient_name == name


def test_a_change_after_a_yes_asked_back_is_read_and_capitals_that_are_no_name_are_not_one():
    chat = at_the_confirmation()  # "¿sí? ok pero mejor a las 10" asked again about 9:00; "sí" booked it
    reply = chat.say("¿sí? ok pero mejor el viernes")
    assert not chat.books and "Vie 4 dic" in texts(reply)
    for message in ("no, es Control Sano", "perdón, es la sede de Las Condes"):
        chat = Chat(agenda([2, 4], [(9, 0)]))
        chat.say("hola, quiero hora para mi hijo Tomás Pérez el miércoles a las 9")
        chat.say(message)
        assert chat.say("sí").status == "booked" and chat.books[0].state.patient_name == "Tomás Pérez", message
    for message in ("hola soy Fonasa Tramo B, quiero hora el miércoles a las 9",
                    "hola, soy Carla Muñoz, la hija de la señora Ana, quiero hora para ella el miércoles a las 9"):
        chat = Chat(agenda([2, 4], [(9, 0)]))
        chat.say(message)
        chat.say("sí")
        assert all(b.state.patient_name != "Carla Muñoz" and "Fonasa" not in b.state.patient_name
                   for b in chat.books), message


@pytest.mark.parametrize("message", [
    "y una más para mí el viernes", "and one more for friday", "y también quiero una el viernes", "ah y otra más",
])
def test_one_more_asked_before_the_yes_keeps_this_one_asked_about_and_a_yes_books_it(message: str) -> None:
    chat = at_the_confirmation()
    reply = chat.say(message)
    assert not chat.books, message
    assert texts(reply).startswith("Primero la hora del miércoles 2 de diciembre a las 09:00"), message
    assert CONFIRM in texts(reply), message
    reply = chat.say("sí")
    assert reply.status == "booked" and [b.slot.start for b in chat.books] == ["2026-12-02T09:00:00-03:00"]
    assert APART in texts(reply)


@pytest.mark.parametrize("message", ["y otra para mi hijo", "y mi esposo también necesita hora"])
def test_one_more_for_someone_else_before_the_yes_never_makes_this_one_theirs(message: str) -> None:
    chat = at_the_confirmation()
    reply = chat.say(message)
    assert CONFIRM in texts(reply) and "otra persona" not in texts(reply), message
    reply = chat.say("sí")
    assert reply.status == "booked" and len(chat.books) == 1
    assert chat.books[0].state.patient_name == "" and not chat.books[0].state.for_other  # hers
    assert "Me pediste también una hora para otra persona" in texts(reply)


@pytest.mark.parametrize("message", ["y una mas tarde?", "y otra mas: donde queda?", "y tambien tienen otro doctor?",
                                     "and one more question, where are you?"])
def test_another_time_or_a_question_is_not_one_more_appointment(message: str) -> None:
    chat = at_the_confirmation()
    reply = chat.say(message)
    assert "Primero la hora" not in texts(reply), message
