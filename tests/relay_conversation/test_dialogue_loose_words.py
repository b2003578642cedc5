"""Requests written loosely, as patients write on WhatsApp: whom the appointment is for said without "mi" ("para
alguien más", "para un familiar", "para una amiga"), a time said the Chilean way ("cuarto para las 10"), a new time asked "en vez de" the one they have, a yes held back ("sí pero espera") — read so that no appointment is made for someone the
patient did not ask for."""

from __future__ import annotations

from conversation_kit import Chat, agenda, buttons, slot, slots, texts
from test_dialogue_appointments import ClinicAgent
from test_dialogue_move_which import THU_10
from test_dialogue_move_which import slots as free
from test_dialogue_understanding import with_specialty


def test_an_appointment_for_someone_said_without_mi_asks_their_name():
    """"quiero hora el jueves a las 9 para alguien más" (also "para un familiar", "para una amiga", "for a friend"),
    then "sí", booked it at once under the writer's own name («¡Listo, Ana! Tu hora quedó reservada»): the person
    it was for never asked about. Now, like "para otra persona", their name is asked before anything is booked."""
    for message, yes, asked in (
            ("quiero hora el jueves a las 9 para alguien mas", "sí", "¿A nombre de quién reservo la hora?"),
            ("necesito hora el jueves a las 9 para un familiar", "si", "¿A nombre de quién reservo la hora?"),
            ("hola, una hora el jueves a las 9 para una amiga porfa", "sí", "¿A nombre de quién reservo la hora?"),
            ("necesito una cita el jueves a las 9, pa un amigo", "ya", "¿A nombre de quién reservo la hora?"),
            ("I need an appointment on thursday at 9 for a friend", "yes", "Whose name should the appointment be"),
    ):
        chat = Chat(free(), appointments=ClinicAgent())
        assert "09:00" in texts(chat.say(message)), message
        reply = texts(chat.say(yes))
        assert asked in reply and not chat.books, (message, reply)
        chat.say("Rosa Díaz")
        assert [b.state.patient_name for b in chat.books] == ["Rosa Díaz"], (message, chat.books)


def test_quarter_to_the_hour_is_the_time_before_it():
    """"a las cuarto para las 10" (9:45, as said in Chile and Mexico) was read as 10:00: «¿Confirmo el jueves 3 de
    diciembre a las 10:00…?», and a "sí" booked a quarter of an hour later than asked. Now it is 09:45, like
    "10 menos cuarto"; and "cuarto para la una" / "la una menos cuarto" is 12:45, never 00:45."""
    free = agenda(range(2, 12), [(9, 45), (10, 0), (12, 45), (13, 0)])
    for message, time in (("hora el jueves a las cuarto para las 10", "09:45"),
                          ("hora el jueves a un cuarto para las diez", "09:45"),
                          ("necesito hora el jueves cuarto pa las 10 porfa", "09:45"),
                          ("hora el jueves a las cuarto para la una", "12:45"),
                          ("hora el jueves a la una menos cuarto", "12:45")):
        chat = Chat(free)
        asked = texts(chat.say(message))
        assert f"¿Confirmo el jueves 3 de diciembre a las {time}" in asked, (message, asked)
        chat.say("sí")
        assert [b.slot.start[11:16] for b in chat.books] == [time], (message, chat.books)
    chat = Chat(free)
    chat.say("hora el jueves")
    assert "a las 09:45" in texts(chat.say("cuarto para las 10"))


def test_a_time_asked_instead_of_theirs_moves_it():
    """"necesito otra hora en vez de la del jueves, el viernes a las 11" with Thursday 3's was «Ya tienes hora el
    jueves 3… ¿Quieres una hora más, cambiarla o cancelarla?», and the "sí" that followed asked for ONE MORE (the
    specialty, then a second appointment beside Thursday's). Now it is a move: «¿Cambio tu hora del jueves 3…?»,
    and nothing is moved, cancelled or booked before the yes."""
    for message in ("necesito otra hora en vez de la del jueves, el viernes a las 11",
                    "quiero hora el viernes a las 11 en vez del jueves",
                    "en lugar de mi hora del jueves quiero el viernes a las 11",
                    "can I get friday at 11 instead of thursday"):
        agent = ClinicAgent(THU_10)
        chat = Chat(free(), appointments=agent)
        asked = texts(chat.say(message))
        assert ("¿Cambio tu hora del jueves 3 de diciembre" in asked
                or "Shall I change your appointment on Thursday 3 December" in asked), (message, asked)
        assert not chat.books and not agent.cancelled and not agent.moved
        chat.say("sí")
        assert not chat.books and not agent.cancelled and not agent.moved, message
    # one more beside it, said so, is still one more; and a phone with none asks what to book
    chat = Chat(free(), appointments=ClinicAgent(THU_10))
    assert "¿Quieres una hora más, cambiarla o cancelarla?" in texts(chat.say("quiero otra hora el viernes a las 11"))
    chat = Chat(free(), appointments=ClinicAgent())
    assert "¿Cambio" not in texts(chat.say("quiero hora el viernes en vez del jueves"))


def test_a_yes_held_back_at_cancel_cancels_nothing():
    """At «¿Cancelo tu hora del jueves 3…?», "ok pero espera un poco", "dale pero primero dime a qué hora era",
    "sí, pero antes una pregunta", "ok but wait" CANCELLED it on their leading yes («Listo, cancelé tu hora…»). Now
    the question is asked again and nothing is cancelled; a plain "sí" then cancels it, and "sí porfa, es que no
    puedo ir" still does at once."""
    for message in ("ok pero espera un poco", "dale pero primero dime a que hora era",
                    "si, pero antes una pregunta: cuanto cuesta?", "ya pero primero consulto con mi jefe",
                    "sí pero un momento"):
        agent = ClinicAgent(THU_10)
        chat = Chat(free(), appointments=agent)
        chat.say("cancela mi hora del jueves")
        reply = texts(chat.say(message))
        assert "¿Cancelo tu hora del jueves 3 de diciembre" in reply and not agent.cancelled, (message, reply)
        chat.say("sí")
        assert list(agent.cancelled.values()) == ["bk-7"], message
    agent = ClinicAgent(THU_10)
    chat = Chat(free(), appointments=agent)
    chat.say("cancel my appointment on thursday")
    assert "Thursday 3 December" in texts(chat.say("ok but wait")) and not agent.cancelled
    agent = ClinicAgent(THU_10)
    chat = Chat(free(), appointments=agent)
    chat.say("cancela mi hora del jueves")
    chat.say("sí porfa, es que no puedo ir")
    assert list(agent.cancelled.values()) == ["bk-7"]


def test_a_yes_taken_back_in_the_same_message_cancels_nothing():
    """At «¿Cancelo tu hora del jueves 3…?», "si, ah no, mejor no", "si si, o sea no", "sí, aunque pensándolo bien
    no", "ok, lo pienso y te aviso", "ya, después te confirmo", "si, creo" CANCELLED it on their leading yes. Now the
    question is asked again, nothing cancelled; a yes with its reason ("si, no puedo ir", "si porfa, no voy a poder",
    "si, ya no la necesito") still cancels at once."""
    for message in ("si, ah no, mejor no", "si si, o sea no", "sí, aunque pensandolo bien no",
                    "ok, lo pienso y te aviso", "ya, despues te confirmo", "si, creo", "ok, bueno no, espera"):
        agent = ClinicAgent(THU_10)
        chat = Chat(free(), appointments=agent)
        chat.say("cancela mi hora del jueves")
        reply = texts(chat.say(message))
        assert "¿Cancelo tu hora del jueves 3 de diciembre" in reply and not agent.cancelled, (message, reply)
    for message in ("si, no puedo ir", "si porfa, no voy a poder", "si, ya no la necesito"):
        agent = ClinicAgent(THU_10)
        chat = Chat(free(), appointments=agent)
        chat.say("cancela mi hora del jueves")
        chat.say(message)
        assert list(agent.cancelled.values()) == ["bk-7"], message


def test_the_same_time_on_another_day_is_not_taken_for_one_more():
    """"la misma hora pero el viernes" with Thursday 3's at 10:00 got «Ya tienes hora… ¿Quieres una hora más,
    cambiarla o cancelarla?», and "sí" there began ONE MORE (the specialty asked): a second appointment, when the
    patient may have meant theirs moved. Now "sí" asks which of the three; "quiero otra hora el viernes" … "sí"
    is still one more."""
    for message in ("la misma hora pero el viernes", "me puede dar a la misma hora el viernes",
                    "can I have the same time on friday?"):
        agent = ClinicAgent(THU_10)
        chat = Chat(free(), appointments=agent)
        chat.say(message)
        reply = texts(chat.say("sí"))
        assert ("¿Quieres una hora más, cambiarla o cancelarla?" in reply
                or "Would you like one more, to change it or to cancel it?" in reply), (message, reply)
    chat = Chat(free(), appointments=ClinicAgent(THU_10))
    chat.say("quiero otra hora el viernes")
    assert "¿Quieres una hora más" not in texts(chat.say("sí"))


def _two_specialties():
    return slots(*[with_specialty(slot(d, h, 0, "Dra. Ana Soto"), "Medicina general") for d in (2, 3, 4) for h in (9, 10)],
                 *[with_specialty(slot(d, h, 0, "Dr. Juan Rojas"), "Traumatología") for d in (3, 4) for h in (10, 17)])


def test_a_professional_of_another_specialty_named_midway_is_offered():
    """Medicina general's Thursday shown, "y con rojas?" (a traumatologist) was «Dr. Juan Rojas no tiene horas libres
    el Jue 3 dic. No encontré horas libres de esa especialidad en los próximos días (puede que la clínica no la
    atienda)…»: both false. Now his Thursday times are shown, and the one chosen is booked with him."""
    for first, then in (("hora medicina general el jueves", "y con rojas?"),
                        ("hora medicina general el jueves a las 10", "mejor con el doctor rojas"),
                        ("quiero hora de medicina general", "con rojas")):
        chat = Chat(_two_specialties())
        chat.say(first)
        reply = texts(chat.say(then))
        assert "no tiene horas libres" not in reply and "No encontré horas libres" not in reply, (then, reply)
        assert "Dr. Juan Rojas" in reply, (then, reply)
    chat = Chat(_two_specialties())
    chat.say("hora medicina general el jueves")
    assert "17:00" in buttons(chat.say("y con rojas?"))
    chat.say("17:00")
    chat.say("sí")
    assert [(b.slot.start[:16], b.slot.professional) for b in chat.books] == [("2026-12-03T17:00", "Dr. Juan Rojas")]


def test_a_short_english_request_is_answered_in_english():
    """"physio on friday at 6 please", "appointment physio friday" were answered in Spanish («¿Confirmo el viernes 4
    de diciembre a las 18:00…?»): a confirmation the patient may not read. Now in English; Spanish stays Spanish."""
    for message in ("physio on friday at 6 please", "appointment physio friday", "I need the physio on friday"):
        reply = texts(Chat(_two_specialties()).say(message))
        assert reply.startswith("Hi") and "¿" not in reply, (message, reply)
    for message in ("hola, hora con el kine el viernes a las 6", "necesito hora con rojas el jueves"):
        assert texts(Chat(_two_specialties()).say(message)).startswith("¡Hola"), message
