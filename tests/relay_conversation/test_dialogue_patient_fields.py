"""Patient fields the clinic's web app requires (e-mail, national ID, birth date): asked after the confirmation,
checked, asked again with the reason, taken from the bot's data when given, and carried by the booking."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from conversation_kit import EN, Chat, agenda, buttons, texts

from relay.conversation import ConversationState
from relay.conversation.fields import check_birth_date, check_email, check_national_id, masked
from relay.conversation.model import Turn

TODAY = date(2026, 12, 1)


def requiring(*fields: str):
    return replace(agenda([2, 4], [(9, 0), (10, 0)]), patient_fields=fields)


def tap_a_time(chat: Chat, greeting: str = "hola"):
    """The first day, then its first time (09:00) tapped: the patient confirmed it."""
    days = chat.say(greeting)
    times = chat.say(days.continuation["data"]["option_1"])
    return chat.say(times.continuation["data"]["option_1"])


def test_the_email_is_asked_after_the_confirmation_and_goes_with_the_booking():
    chat = Chat(requiring("email"))
    reply = tap_a_time(chat)
    assert chat.books == []
    assert reply.status == "choose_time" and reply.continuation["data"]["code"] == "patient_field"
    assert reply.continuation["data"]["field"] == "email"
    assert "Para reservar, la clínica necesita algunos datos tuyos." in texts(reply)
    assert "¿Cuál es tu correo electrónico?" in texts(reply)
    assert buttons(reply) == ["Otra hora", "Cancelar"]
    again = chat.say("ana arroba correo")
    assert "Ese correo no parece válido" in texts(again) and chat.books == []
    done = chat.say("Ana.Perez@Correo.CL")
    assert done.status == "booked"
    assert chat.books[0].patient() == {"email": "Ana.Perez@correo.cl"}


def test_every_field_in_turn_each_checked_with_its_reason():
    chat = Chat(requiring("email", "national_id", "birth_date"))
    tap_a_time(chat)
    assert "¿Cuál es tu número de documento" in texts(chat.say("ana@correo.cl"))
    assert "el dígito verificador no coincide" in texts(chat.say("12.345.678-K"))
    assert "¿Cuál es tu fecha de nacimiento?" in texts(chat.say("12.345.678-5"))
    assert "todavía no llega" in texts(chat.say("1/1/2030"))
    assert "No entendí esa fecha" in texts(chat.say("el año pasado"))
    assert chat.say("15 de marzo de 1985").status == "booked"
    assert chat.books[0].patient() == {"email": "ana@correo.cl", "national_id": "12345678-5",
                                       "birth_date": "1985-03-15"}


def test_the_bots_data_keys_give_the_fields_and_an_invalid_one_is_asked_for():
    chat = Chat(requiring("email", "national_id"))
    given = chat.turn

    def turn(message: str) -> Turn:
        return replace(given(message), email="ana@correo.cl", national_id="12345678A")

    chat.turn = turn  # type: ignore[method-assign]
    reply = tap_a_time(chat)
    assert reply.continuation["data"]["field"] == "national_id"  # the e-mail was given, the DNI's letter is wrong
    assert chat.say("12345678Z").status == "booked"
    assert chat.books[0].patient() == {"email": "ana@correo.cl", "national_id": "12345678Z"}


def test_another_time_goes_back_and_cancel_ends():
    chat = Chat(requiring("email"))
    tap_a_time(chat)
    back = chat.say("Otra hora")
    assert back.status == "choose_time" and "¿Qué hora" in texts(back)
    chat.say(back.continuation["data"]["option_2"])
    ended = chat.say("Cancelar")
    assert ended.status == "handoff" and ended.continuation["data"]["reason"] == "cancelled" and chat.books == []


def test_a_slot_taken_while_typing_shows_the_times_around_it():
    chat = Chat(requiring("email"))
    tap_a_time(chat)
    chat.agenda = replace(chat.agenda, slots=tuple(s for s in chat.agenda.slots if "T0900" not in s.id))
    reply = chat.say("ana@correo.cl")
    assert "Esa hora (09:00 del Mié 2 dic) ya no está libre." in texts(reply) and chat.books == []
    assert chat.say(reply.continuation["data"]["option_1"]).status == "booked"
    assert chat.books[0].patient() == {"email": "ana@correo.cl"}


def test_english_and_the_state_round_trips():
    chat = Chat(requiring("birth_date"), clinic=EN)
    reply = tap_a_time(chat, "hi")
    assert "To book, the clinic needs a few details from you." in texts(reply)
    assert "What is your date of birth?" in texts(reply) and buttons(reply) == ["Another time", "Cancel"]
    assert "more than 120 years ago" in texts(chat.say("1/1/1850"))
    state = chat.state
    assert ConversationState.from_json(state.to_json()) == state
    assert chat.say("March 15, 1985").status == "booked" and chat.books[0].patient() == {"birth_date": "1985-03-15"}


def test_no_fields_required_books_at_once():
    chat = Chat(agenda([2, 4], [(9, 0)]))
    assert tap_a_time(chat).status == "booked" and chat.books[0].patient() == {}


def test_email_checks():
    assert check_email(" <Ana@Correo.CL>. ").value == "Ana@correo.cl"
    for bad in ("ana", "ana@", "@correo.cl", "ana @correo.cl", "ana@correo", "ana@@correo.cl", "a" * 70 + "@x.cl"):
        assert check_email(bad).problem == "invalid_email", bad


def test_national_id_checks():
    good = {
        "12.345.678-5": "12345678-5", "7.654.321-6": "7654321-6", "123456785": "12345678-5",  # Chile, RUT
        "12345678Z": "12345678Z", "x-1234567-l": "X1234567L",  # Spain, DNI and NIE
        "30.123.456": "30123456", "1234567": "1234567",  # Argentina, DNI
        "AB123456": "AB123456", "RUT: 12.345.678-5": "12345678-5",
    }
    for typed, value in good.items():
        assert check_national_id(typed).value == value, typed
    assert check_national_id("12.345.678-9").problem == "invalid_rut"
    assert check_national_id("12345678A").problem == "invalid_dni_letter"
    for bad in ("abc", "12", "hola mundo", "1" * 30):
        assert check_national_id(bad).problem == "invalid_national_id", bad


def test_birth_date_checks():
    for typed in ("15/03/1985", "15-3-85", "15.03.1985", "1985-03-15", "15 de marzo de 1985", "15 marzo 1985",
                  "March 15, 1985", "15th March 1985", "03/15/1985"):
        assert check_birth_date(typed, TODAY).value == "1985-03-15", typed
    assert check_birth_date("1/2/05", TODAY).value == "2005-02-01"
    assert check_birth_date("31/02/1990", TODAY).problem == "invalid_birth_date"
    assert check_birth_date("2/12/2026", TODAY).problem == "birth_date_future"
    assert check_birth_date("1/1/1890", TODAY).problem == "birth_date_too_old"


def test_a_log_never_shows_a_value():
    assert "correo" not in masked("ana@correo.cl") and masked("") == ""


def test_a_person_or_back_is_understood_while_a_field_is_asked():
    chat = Chat(requiring("email"))
    tap_a_time(chat)
    assert chat.say("volver").status == "choose_day" and chat.books == []
    chat = Chat(requiring("email"))
    tap_a_time(chat)
    reply = chat.say("prefiero hablar con una persona")
    assert reply.status == "handoff" and reply.continuation["data"]["reason"] == "asked_for_person"


def test_yes_with_whom_it_is_for_books_under_that_name_without_asking_it():
    for message, name in (("sí, es para mi hijo Tomás Vega", "Tomás Vega"), ("si, a nombre de Rosa Díaz", "Rosa Díaz"),
                          ("sí, mi mamá, Rosa Díaz", "Rosa Díaz"),
                          ("ok, es para mi hijo Tomás Vega Soto, tiene 8 años", "Tomás Vega Soto")):
        chat = Chat(agenda([5], [(9, 0), (10, 30)]))
        chat.say("hora para el sábado 5 a las 10:30")
        reply = chat.say(message)
        assert reply.status == "booked", message
        assert f"La hora de {name} quedó reservada." in texts(reply)
        assert [b.state.patient_name for b in chat.books] == [name]


def test_yes_for_someone_unnamed_asks_the_name_and_a_sentence_is_never_taken_for_one():
    chat = Chat(agenda([5], [(9, 0), (10, 30)]))
    chat.say("hora para el sábado 5 a las 10:30")
    reply = chat.say("si, pero es para mi mamá")
    assert "¿A nombre de quién reservo la hora?" in texts(reply) and chat.books == []
    assert "nombre y apellido" in texts(chat.say("pero es para mi mamá"))  # not the name "Pero Es Para Mi Mamá"
    assert chat.say("es mi mamá, Rosa Díaz").status == "booked"
    assert [b.state.patient_name for b in chat.books] == ["Rosa Díaz"]


def test_a_name_written_right_after_whose_it_is_is_not_asked_again():
    for message, name in (("Buenas, quisiera agendar para mi hijo Matías Beltrán, el sábado 5 a las 10:30",
                           "Matías Beltrán"),
                          ("hora para mi mamá, que se llama Rosa Díaz, el sábado 5 a las 10:30", "Rosa Díaz"),
                          ("hora para mi papá don Luis Contreras el sábado 5 a las 10:30", "Luis Contreras")):
        chat = Chat(agenda([5], [(9, 0), (10, 30)]))
        chat.say(message)
        assert chat.say("sí").status == "booked", message
        assert [b.state.patient_name for b in chat.books] == [name]
    chat = Chat(agenda([5], [(9, 0), (10, 30)]))
    chat.say("hora para mi mamá el sábado 5 a las 10:30")
    assert "¿A nombre de quién reservo la hora?" in texts(chat.say("sí"))


def test_words_in_lower_case_after_whose_it_is_are_never_taken_for_a_name_they_are_asked_and_capitalised():
    """"quiero hora para dolores de espalda", "para mi hijo benjamin vacunas": words after a first name in lower case
    were booked as "Dolores de Espalda", "Benjamin Vacunas". Without capitals nothing says where a name ends: the name
    is asked, and the answer (typed in lower case) goes to the agenda capitalised."""
    for message in ("quiero hora para dolores de espalda el sábado 5 a las 10:30",
                    "hora para mi hijo benjamin vacunas el sábado 5 a las 10:30",
                    "hora para mi hija sofia q el sábado 5 a las 10:30"):
        chat = Chat(agenda([5], [(9, 0), (10, 30)]))
        chat.say(message)
        reply = chat.say("sí")
        if reply.status == "booked":  # the patient's own name, never words of the message
            assert chat.books[0].state.patient_name in ("", "Ana Pérez"), message
        else:
            assert "¿A nombre de quién reservo la hora?" in texts(reply), message
            assert chat.say("matías d'souza peña").status == "booked", message
            assert chat.books[0].state.patient_name == "Matías D'Souza Peña", message


def test_the_name_is_taken_out_of_what_is_said_around_it_and_a_sentence_is_never_stored_as_one():
    for answer, name in (("mejor a nombre de mi señora Paula Díaz", "Paula Díaz"),
                         ("ponle Inés Contreras", "Inés Contreras"),
                         ("la hora es para mi abuela Inés Contreras", "Inés Contreras"),
                         ("anótala a nombre de juan pérez", "Juan Pérez"),
                         ("ponle Rosa Díaz no más", "Rosa Díaz"),
                         ("Rosa Díaz porfa", "Rosa Díaz"),
                         ("la de Diego Morales", "Diego Morales"),
                         ("ya te dije, hernan perez soto", "Hernan Perez Soto"),  # a lead-in before a comma
                         ("hola buenas, Florencia Núñez Soto", "Florencia Núñez Soto"),
                         ("buenas tardes, Sofía Vega", "Sofía Vega"),
                         ("al tiro, Rosa Díaz", "Rosa Díaz"),
                         ("Mar\u200bía Lo\u200dpez", "María Lopez"),  # invisible marks pasted from another app
                         ("disculpe la demora, Sofía Vega", "Sofía Vega"),
                         ("oiga ya le dije, Juan Pérez", "Juan Pérez"),
                         ("Rosa Díaz por fa", "Rosa Díaz"),
                         ("Tomás Vega, tiene 8 años", "Tomás Vega")):
        chat = Chat(agenda([5], [(9, 0), (10, 30)]))
        chat.say("hora para mi mamá el sábado 5 a las 10:30")
        assert "¿A nombre de quién reservo la hora?" in texts(chat.say("sí"))
        assert chat.say(answer).status == "booked", answer
        assert [b.state.patient_name for b in chat.books] == [name], answer
    chat = Chat(agenda([5], [(9, 0), (10, 30)]))
    chat.say("hora para mi mamá el sábado 5 a las 10:30")
    chat.say("sí")
    reply = chat.say("yo me llamo Camila Fuentes y él Diego Morales")  # two names: whose is this one?
    assert "nombre y apellido" in texts(reply) and chat.books == []
    for answer in ("con la doctora", "hola buenas, a ver", "Camila Fuentes, Diego Morales"):  # no name, or two
        chat = Chat(agenda([5], [(9, 0), (10, 30)]))
        chat.say("hora para mi mamá el sábado 5 a las 10:30")
        chat.say("sí")
        assert chat.say(answer).status != "booked" and chat.books == [], answer


def test_another_time_in_the_answer_to_whose_name_asks_for_this_ones_name_first():
    chat = Chat(agenda([5], [(9, 0), (10, 30)]))
    chat.say("hora para mi mamá el sábado 5 a las 10:30")
    chat.say("sí")
    reply = chat.say("ahora la de Diego Morales, a las 9")
    assert "Primero la hora del sábado 5 de diciembre a las 10:30; después vemos la otra." in texts(reply)
    assert "¿A nombre de quién reservo la hora?" in texts(reply) and chat.books == []
    assert chat.say("Camila Fuentes").status == "booked"
    assert [b.state.patient_name for b in chat.books] == ["Camila Fuentes"]


def test_at_whose_name_a_better_time_a_second_person_or_for_me_are_each_understood():
    chat = Chat(agenda([5], [(9, 0), (9, 45), (10, 30)]))
    chat.say("hora para mi mamá el sábado 5 a las 9")
    chat.say("sí")
    reply = chat.say("Martín Vidal, pero mejor a las 9:45 si se puede")  # this one, at the time said instead
    assert "¿Confirmo el sábado 5 de diciembre a las 09:45" in texts(reply) and chat.books == []
    assert chat.say("sí").status == "booked"
    assert [(b.slot.start[11:16], b.state.patient_name) for b in chat.books] == [("09:45", "Martín Vidal")]

    chat = Chat(agenda([5], [(9, 0), (9, 45)]))
    chat.say("hora para mi mamá el sábado 5 a las 9")
    chat.say("sí")
    assert chat.say("Martín Vidal, a las 9 está bien").status == "booked"  # the time proposed: just the name
    assert [b.state.patient_name for b in chat.books] == ["Martín Vidal"]

    chat = Chat(agenda([5], [(9, 0), (9, 45)]))
    chat.say("hora para mi mamá el sábado 5 a las 9")
    chat.say("sí")
    reply = chat.say("Sofía Muñoz y Tomás Muñoz")  # two people: never one appointment under both names
    assert "Cada hora es para una persona" in texts(reply) and chat.books == []

    for mine in ("es para mí", "a mi nombre"):
        chat = Chat(agenda([5], [(9, 0), (9, 45)]))
        chat.say("hora para mi mamá el sábado 5 a las 9")
        chat.say("sí")
        assert chat.say(mine).status == "booked", mine
        assert [b.state.patient_name for b in chat.books] == [""]  # the WhatsApp contact's own name


def test_a_whatsapp_name_too_short_for_a_web_app_form_is_asked_before_booking():
    """ "yo", "Li", an emoji: the web app's form would refuse the appointment; the name is asked first instead."""
    for whatsapp_name in ("yo", "Li", "🙂", "<script>alert(1)</script>", "www.ventas-tienda.cl", "ana@mail.cl"):
        chat = Chat(agenda([5], [(9, 0), (10, 30)]), name=whatsapp_name)
        chat.say("hora para el sábado 5 a las 10:30")
        assert "¿A nombre de quién reservo la hora?" in texts(chat.say("sí")), whatsapp_name
        assert chat.books == []
        assert chat.say("Li Wei").status == "booked"
        assert [b.state.patient_name for b in chat.books] == ["Li Wei"], whatsapp_name
        assert "Yo!" not in texts(chat.replies[-1])
    chat = Chat(agenda([5], [(9, 0), (10, 30)]), name="Ana")  # a first name alone is enough
    chat.say("hora para el sábado 5 a las 10:30")
    assert chat.say("sí").status == "booked"


def test_a_whatsapp_name_with_a_title_is_greeted_by_the_name():
    for whatsapp_name, greeting in (("Don Lucho", "¡Hola, Lucho!"), ("Sra. Marta Díaz", "¡Hola, Marta!")):
        assert greeting in texts(Chat(agenda([5], [(9, 0)]), name=whatsapp_name).say("hola")), whatsapp_name


def test_a_change_of_whom_the_appointment_is_for_drops_the_name_given_before():
    """"una hora para mi hija Martina Soto", then "perdón, mejor es para mi papá José, el sábado": booked under
    Martina's name (3 of 3): the withdrawn name is dropped; the new one, or the question, takes its place."""
    chat = Chat(agenda([5], [(9, 0), (10, 30)]))
    chat.say("buenas, una hora para mi hija Martina Soto")
    chat.say("perdón, mejor es para mi papá josé, el sábado 5 a las 10:30")
    reply = chat.say("sí")
    assert "¿A nombre de quién reservo la hora?" in texts(reply) and not chat.books
    assert chat.say("josé soto").status == "booked" and chat.books[0].state.patient_name == "José Soto"
    chat = Chat(agenda([5], [(9, 0), (10, 30)]))
    chat.say("quiero una hora para mi hija Martina Soto")
    reply = chat.say("perdón, me equivoqué: es para mi hijo Tomás Vega, no para ella")
    assert "Martina" not in texts(reply) and "Tomás Vega" in texts(reply)


def test_a_relatives_fields_are_asked_as_theirs_and_never_filled_with_the_writers():
    """A child's booking asked for «datos tuyos» and took the mother's RUT from the bot's data (the fourth walk)."""
    chat = Chat(requiring("national_id", "birth_date"))
    given = chat.turn
    chat.turn = lambda message: replace(given(message), national_id="12.345.678-5")  # the writer's, in Kommo
    chat.say("hora el miércoles a las 9 para mi hijo Tomás Vega")
    said = texts(chat.say("sí"))
    assert "algunos datos de Tomás Vega" in said and "¿Cuál es el número de documento (RUT, DNI o NIE) de Tomás Vega?" in said
    assert "datos de Tomás Vega" not in texts(chat.say("22.222.222-2"))  # the introduction once, not per field
    chat.say("15/03/2015")
    assert chat.books[0].patient() == {"national_id": "22222222-2", "birth_date": "2015-03-15"}


def test_a_document_or_an_email_inside_a_sentence_is_taken_and_a_wrong_check_digit_is_refused():
    for message, value in (("mi rut es 12.345.678-5", "12345678-5"), ("es 12.345.678-5", "12345678-5")):
        chat = Chat(requiring("national_id"))
        tap_a_time(chat)
        assert chat.say(message).status == "booked" and chat.books[0].patient() == {"national_id": value}, message
    chat = Chat(requiring("national_id"))
    tap_a_time(chat)
    assert "el dígito verificador no coincide" in texts(chat.say("12.345.678 9")) and not chat.books
    for message in ("mi correo es ana@correo.cl", "ana@correo.cl gracias!", "my email is ana@correo.cl"):
        chat = Chat(requiring("email"))
        tap_a_time(chat)
        assert chat.say(message).status == "booked" and chat.books[0].patient() == {"email": "ana@correo.cl"}
    chat = Chat(requiring("email"))
    tap_a_time(chat)
    assert "«recepción»" in texts(chat.say("no tengo correo"))
    assert "no parece válido" in texts(chat.say("ana perez@gmail.com")) and not chat.books  # never "perez@gmail.com"


def test_a_birth_date_said_in_a_sentence_is_read():
    for message in ("nací el 15 de marzo de 1985", "mi fecha de nacimiento es 15/03/1985", "I was born on 15/03/1985"):
        assert check_birth_date(message, date(2026, 12, 1)).value == "1985-03-15", message


def test_fields_for_a_relative_keep_their_name_and_no_stray_value_is_stored():
    """The fifth walk: "el rut de mi hijo es …" dropped his name; "mi rut es 12.345.678-5." (a full stop) was stored
    as "MIRUTES123456785"; two RUTs stored the first; a date at the RUT question became a number; "muy bien" at
    «¿A nombre de quién…?» became the child's name."""
    chat = Chat(requiring("national_id"))
    chat.say("hora el miércoles a las 9 para mi hijo Tomás Vega")
    chat.say("sí")
    assert chat.say("el rut de mi hijo es 22.222.222-2").status == "booked"
    assert chat.books[0].state.patient_name == "Tomás Vega"
    assert check_national_id("mi rut es 12.345.678-5.").value == "12345678-5"
    assert check_national_id("el mío es 12.345.678-5 y el de él 22.222.222-2").problem == "one_national_id"
    assert not check_national_id("15.03.1985").value
    assert check_birth_date("mi hijo nació el 03/05/2015", date(2026, 12, 1)).value == "2015-05-03"
    chat = Chat(requiring())
    chat.say("hora para mi hijo el miércoles a las 9")
    chat.say("sí")
    assert chat.say("muy bien").status != "booked" and not chat.books


def test_assent_is_no_name_real_surnames_are_and_a_rut_keeps_its_check_digit_however_the_dash_is_typed():
    """The sixth walk: "sí, por supuesto" after «te pediré su nombre» was booked as "Por Supuesto"; "Rosa Bien" was
    refused; "12.345.678–5" (an en dash) was stored without its check digit."""
    chat = Chat(agenda([3, 4], [(9, 0), (10, 0)]))
    chat.say("hola, quiero hora el jueves a las 9")
    chat.say("es para mi hijo")
    assert "a nombre de" not in texts(chat.say("sí, por supuesto"))
    chat = Chat(agenda([3, 4], [(9, 0), (10, 0)]))
    chat.say("hora para mi hijo el jueves a las 9")
    chat.say("sí")
    assert chat.say("Rosa Bien").status == "booked" and chat.books[0].state.patient_name == "Rosa Bien"
    for typed in ("12.345.678–5", "12.345.678/5", "12.345.678 – 5"):
        assert check_national_id(typed).value == "12345678-5", typed
    assert not check_national_id("mi rut es 12.345.678 gracias").value


def test_the_writers_own_id_given_before_saying_it_is_for_someone_else_is_never_theirs():
    """The mother gave her own RUT at «¿Cuál es tu número de documento?», then "no espera, es para mi hijo": the son
    was booked with her RUT."""
    chat = Chat(requiring("national_id", "birth_date"))
    assert "¿Cuál es tu número de documento" in texts(tap_a_time(chat))
    chat.say("12.345.678-5")
    reply = chat.say("ah perdón, la hora es para mi hijo Tomás Pérez")
    assert "¿Cuál es el número de documento (RUT, DNI o NIE) de Tomás Pérez?" in texts(reply), texts(reply)
    chat = Chat(requiring("national_id", "birth_date"))
    tap_a_time(chat)
    reply = chat.say("ah no, es para mi mamá")  # at the RUT question: whose, first; then hers
    assert "¿A nombre de quién reservo la hora?" in texts(reply) and "tu número" not in texts(reply)
    assert "de Rosa Díaz" in texts(chat.say("Rosa Díaz"))
    chat.say("9.876.543-3")
    assert chat.say("15/03/1950").status == "booked"
    assert dict(chat.books[0].state.patient)["national_id"] == "9876543-3"


def test_a_value_taken_back_as_it_is_given_is_asked_again_never_booked():
    """"12.345.678-5, ah no, espera", "ana@correo.cl… no, mejor no", "12.345.678-5 no, perdón", "ana@correo.cl, wait"
    **booked the appointment with that value**: asked again. A value given after the take-back ("no, espera:
    11.111.111-1") is the answer (two, "12.345.678-5, no, espera: 11.111.111-1", are asked as one); "…, cómo no" (of
    course) is no take-back."""
    for field, message, english in (("national_id", "12.345.678-5, ah no, espera", False),
                                    ("national_id", "12.345.678-5 no, perdón", False),
                                    ("email", "ana@correo.cl... no, mejor no", False),
                                    ("email", "ana@correo.cl, wait", True)):
        chat = Chat(requiring(field), clinic=EN) if english else Chat(requiring(field))
        tap_a_time(chat, "hi" if english else "hola")
        reply = chat.say(message)
        assert chat.books == [], message
        assert ("Just to be sure:" if english else "Solo para estar seguros:") in texts(reply), message
        assert reply.continuation["data"]["field"] == field, message
    chat = Chat(requiring("national_id"))
    tap_a_time(chat)
    assert "Escribe un solo número de documento" in texts(chat.say("12.345.678-5, no, espera: 11.111.111-1"))
    assert chat.say("no, espera: 11.111.111-1").status == "booked"
    assert chat.books[0].patient() == {"national_id": "11111111-1"}
    chat = Chat(requiring("email"))
    tap_a_time(chat)
    assert chat.say("ana@correo.cl, cómo no").status == "booked"
