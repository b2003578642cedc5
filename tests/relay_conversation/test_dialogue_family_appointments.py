"""A family's appointments on one phone: which ones a cancel means, said loosely ("las dos del jueves", "la del
sábado" a week away), and a round of "cancela todas" that goes on past a "no"."""

from __future__ import annotations

from dataclasses import replace

from conversation_kit import Chat, agenda, buttons, texts
from test_dialogue_appointments import ClinicAgent

from wire.appointments import WireBooking

RAUL_THU = WireBooking("bk-1", "2026-12-10T14:20:00-03:00", "2026-12-10T14:40:00-03:00", "Dra. Ana Soto",
                       patient="Raúl Fuentes")
ELENA_THU = WireBooking("bk-2", "2026-12-10T15:30:00-03:00", "2026-12-10T16:00:00-03:00", "Dr. Juan Rojas",
                        patient="Elena Fuentes")
ELENA_FRI = WireBooking("bk-3", "2026-12-11T15:00:00-03:00", "2026-12-11T15:30:00-03:00", "Klga. Paula Méndez",
                        patient="Elena Fuentes")
OLIVER_SAT = WireBooking("bk-4", "2026-12-12T09:20:00-03:00", "2026-12-12T09:40:00-03:00", "Dra. Ana Soto",
                         patient="Oliver Fuentes")


def family(*bookings: WireBooking) -> tuple[Chat, ClinicAgent]:
    agent = ClinicAgent(*bookings)
    return Chat(agenda([2, 3, 4], [(9, 0)]), appointments=agent, name="Elena Fuentes"), agent


def test_the_two_of_a_day_are_the_ones_asked_about_never_the_day_after():
    """ "las dos del jueves" at the list of three asked about Friday's too: one more habitual "sí" cancelled an
    appointment the patient never mentioned."""
    chat, agent = family(RAUL_THU, ELENA_THU, ELENA_FRI)
    chat.say("hola, el jueves no voy a poder ir")
    reply = chat.say("las dos del jueves")
    assert "Son 2 horas: te pregunto por cada una." in texts(reply)
    assert "¿Cancelo la hora de Raúl Fuentes del jueves 10 de diciembre a las 14:20" in texts(reply)
    assert "jueves 10 de diciembre a las 15:30" in texts(chat.say("sí"))
    done = chat.say("sí")
    assert done.status == "cancelled" and "viernes" not in texts(done)
    assert sorted(agent.cancelled.values()) == ["bk-1", "bk-2"]


def test_a_no_in_a_round_of_cancel_all_keeps_that_one_and_asks_about_the_next():
    """ "Tienes 2 horas: te pregunto por cada una" then "No" to the first ended the round: the second was never
    asked about."""
    chat, agent = family(RAUL_THU, ELENA_FRI)
    assert "te pregunto por cada una" in texts(chat.say("hola, quiero cancelar todas mis horas"))
    reply = chat.say("No")
    assert "Entendido, esa sigue en pie." in texts(reply)
    assert "¿Cancelo tu hora del viernes 11 de diciembre a las 15:00" in texts(reply)
    assert buttons(reply) == ["Sí, cancelar", "No"]
    assert chat.say("sí").status == "cancelled" and list(agent.cancelled.values()) == ["bk-3"]


def test_a_weekday_names_the_appointment_on_that_weekday_even_a_week_away():
    """Today is Tuesday 1: "la del sábado" was read as Saturday 5, so the one on Saturday 12 was never picked."""
    chat, agent = family(ELENA_FRI, OLIVER_SAT)
    chat.say("quiero cancelar una hora")
    reply = chat.say("la del sábado")
    assert "¿Cancelo la hora de Oliver Fuentes del sábado 12 de diciembre a las 09:20 con la Dra. Ana Soto?" in texts(reply)
    only, _ = family(ELENA_FRI)
    reply = only.say("quiero cancelar mi hora del viernes")  # Friday 11, not Friday 4: no "No tienes hora el viernes"
    assert "No tienes hora" not in texts(reply) and "¿Cancelo tu hora del viernes 11 de diciembre" in texts(reply)


def test_not_that_one_at_a_cancel_question_asks_about_the_one_meant_never_offers_a_new_booking():
    """ "no, esa no. la más temprano" at «¿Cancelo tu hora…?» offered the first free time of the clinic to book
    ("La primera hora libre es esta. ¿Confirmo…?"): a "sí" would have booked a new appointment."""
    for message, meant in (("no, esa no. la más temprano", "la hora de Raúl Fuentes del jueves 10 de diciembre a las 14:20"),
                           ("no, esa no, la del viernes", "tu hora del viernes 11 de diciembre a las 15:00")):
        chat, agent = family(RAUL_THU, ELENA_THU, ELENA_FRI)
        chat.say("quiero cancelar una hora")
        assert "¿Cancelo tu hora del jueves 10 de diciembre a las 15:30" in texts(chat.say("la del dr rojas"))
        reply = chat.say(message)
        assert f"¿Cancelo {meant}" in texts(reply), (message, texts(reply))
        assert chat.say("sí").status == "cancelled" and not chat.books and len(agent.cancelled) == 1
    chat, _ = family(ELENA_THU, ELENA_FRI)
    chat.say("quiero cancelar una hora")
    chat.say("la del dr rojas")
    assert "¿Cancelo tu hora del viernes 11 de diciembre" in texts(chat.say("no, la otra"))
    chat, _ = family(RAUL_THU, ELENA_THU, ELENA_FRI)
    chat.say("quiero cancelar una hora")
    chat.say("la del dr rojas")
    assert "¿Cuál quieres cancelar?" in texts(chat.say("no, esa no"))  # which one, then: the list again


def test_yes_with_the_new_day_at_a_move_question_moves_it_with_the_same_professional():
    """ "sí, para el viernes" at «¿Cambio tu hora…?» showed every professional's Friday times without saying the
    old one would be cancelled (a new booking's menus)."""
    chat, agent = family(RAUL_THU, ELENA_THU, ELENA_FRI)
    chat.agenda = agenda([2, 3, 4], [(9, 0)], ("Dra. Ana Soto", "Dr. Juan Rojas"))
    chat.say("quiero cambiar una hora")
    chat.say("la de las 15:30")
    reply = chat.say("sí, para el viernes")
    assert "se cancelará cuando la nueva quede reservada" in texts(reply)
    assert "¿Qué hora con el Dr. Juan Rojas el Vie 4 dic?" in texts(reply), texts(reply)
    moved = chat.say("09:00")
    assert moved.status == "booked" and list(agent.moved.values())[0][0] == "bk-2"


def test_a_cancel_asked_again_after_none_was_found_reads_the_appointments_again():
    """ "No encontré horas próximas… ¿Quieres pedir una?", then reception booked the husband's, and "necesito
    cancelar la hora de mi esposo" was read as a booking for another person (the days to book)."""
    chat, agent = family()
    assert "No encontré horas próximas" in texts(chat.say("hola, necesito cancelar la hora de mi esposo"))
    agent.bookings.append(ELENA_THU)  # booked at the desk meanwhile
    reply = chat.say("necesito cancelar la hora de mi esposo")
    assert "¿Cancelo tu hora del jueves 10 de diciembre a las 15:30" in texts(reply), texts(reply)
    assert chat.say("sí").status == "cancelled" and list(agent.cancelled.values()) == ["bk-2"]


def test_confirming_an_appointment_in_other_words_is_thanked_and_never_opens_a_booking():
    """ "confirmo la hora del viernes", "quería confirmar mi hora" listed the appointments with "¿cambiar o cancelar
    alguna?"; "confirmo la del viernes" at that list opened Friday's free times to book."""
    for message in ("buenas, confirmo la hora del viernes", "quiero confirmar que voy a ir el viernes",
                    "I want to confirm my appointment on Friday"):
        chat, _ = family(ELENA_THU, ELENA_FRI)
        reply = chat.say(message)
        assert reply.continuation["data"].get("code") == "attendance_confirmed", (message, texts(reply))
        assert "11 de diciembre" in texts(reply) or "11 December" in texts(reply)
    chat, _ = family(ELENA_THU, ELENA_FRI)
    chat.say("¿a qué hora tengo?")
    reply = chat.say("confirmo la del viernes")
    assert reply.continuation["data"].get("code") == "attendance_confirmed" and not chat.books, texts(reply)
    chat, _ = family(ELENA_THU, ELENA_FRI)
    assert "¿Quieres cambiar o cancelar alguna" in texts(chat.say("quiero confirmar si tengo hora"))


def test_a_family_members_appointment_cancelled_or_moved_is_said_as_theirs():
    """ "Listo, cancelé tu hora…" / "Cambié tu hora" for the husband's appointment read as the writer's own."""
    chat, _ = family(RAUL_THU, ELENA_FRI)
    chat.say("quiero cancelar la hora de las 14:20")
    done = chat.say("sí")
    assert "Listo, cancelé la hora de Raúl Fuentes del jueves 10 de diciembre a las 14:20" in texts(done), texts(done)
    chat, _ = family(RAUL_THU, ELENA_FRI)
    chat.say("quiero cambiar la hora de las 14:20")
    days = chat.say("Sí, cambiarla")
    times = chat.say(buttons(days)[0])
    moved = chat.say(buttons(times)[0])
    assert moved.status == "booked" and "Cambié la hora de Raúl Fuentes del jueves 10 de diciembre a las 14:20 por esta:" in texts(moved), texts(moved)
    mine, _ = family(ELENA_FRI)
    mine.say("quiero cancelar mi hora")
    assert "Listo, cancelé tu hora del viernes 11" in texts(mine.say("sí"))


MON_ROJAS = WireBooking("bk-5", "2026-12-07T17:30:00-03:00", "2026-12-07T18:00:00-03:00", "Dr. Juan Rojas")
FRI_SOTO = WireBooking("bk-6", "2026-12-11T11:20:00-03:00", "2026-12-11T11:40:00-03:00", "Dra. Ana Soto")


def test_the_two_of_a_day_named_in_a_first_message_are_the_only_ones_asked_about():
    """ "hola, no voy a poder ir el jueves, cancela las dos del jueves" asked about all four, starting with Monday's:
    a habitual "sí" cancelled an appointment never mentioned."""
    chat, agent = family(MON_ROJAS, RAUL_THU, ELENA_THU, FRI_SOTO)
    reply = chat.say("hola, no voy a poder ir el jueves, cancela las dos del jueves")
    assert "Son 2 horas" in texts(reply) and "¿Cancelo la hora de Raúl Fuentes del jueves 10 de diciembre a las 14:20" in texts(reply)
    chat.say("si")
    assert chat.say("si").status == "cancelled" and sorted(agent.cancelled.values()) == ["bk-1", "bk-2"]


def test_no_and_the_one_meant_at_a_cancel_question_asks_about_that_one_or_lists_them():
    """ "no, la que tengo con la doctora" at «¿Cancelo tu hora del lunes…?» said "tu hora sigue en pie" and offered a
    new booking: what the patient asked for was dropped."""
    chat, _ = family(MON_ROJAS, RAUL_THU, FRI_SOTO)
    chat.say("cancela la del lunes")
    reply = chat.say("no, la que tengo con la doctora el viernes")
    assert "¿Cancelo tu hora del viernes 11 de diciembre a las 11:20 con la Dra. Ana Soto?" in texts(reply), texts(reply)
    chat, _ = family(MON_ROJAS, RAUL_THU, FRI_SOTO)
    chat.say("cancela la del lunes")
    assert "¿Cuál quieres cancelar?" in texts(chat.say("no, la que tengo con la doctora"))
    chat, _ = family(MON_ROJAS, RAUL_THU, FRI_SOTO)
    chat.say("cancela la del lunes")
    assert "sigue en pie" in texts(chat.say("no"))  # a plain no keeps it


def test_no_and_mine_at_the_cancel_of_a_relative_s_asks_about_the_writer_s_own():
    """«¿Cancelo la hora de Raúl Fuentes…?» — "no espera, mejor cancela la mía" was a plain "no": "tu hora sigue en
    pie", and the writer's own appointment was never asked about."""
    chat, agent = family(RAUL_THU, ELENA_FRI)
    chat.say("quiero cancelar una hora")
    assert "¿Cancelo la hora de Raúl Fuentes del jueves" in texts(chat.say("la del jueves"))
    reply = chat.say("no espera, mejor cancela la mía")
    assert "¿Cancelo tu hora del viernes 11 de diciembre a las 15:00" in texts(reply) and not agent.cancelled
    assert chat.say("sí").status == "cancelled" and list(agent.cancelled.values()) == ["bk-3"]


def test_whose_it_is_said_by_kin_alone_is_the_one_under_another_name_never_the_writers():
    """"la de mi hijo" with the mother's appointment listed under her name: never the mother's offered to cancel;
    the one other person's listed is asked about by name (a helper's walk: it was the list again), and with two
    others' the list is asked about."""
    own = WireBooking("bk-5", "2026-12-10T12:00:00-03:00", "2026-12-10T12:20:00-03:00", "Dr. Juan Rojas",
                      patient="Elena Fuentes")
    chat, agent = family(own, RAUL_THU)
    chat.say("necesito cancelar una hora")
    reply = chat.say("la de mi hijo")
    assert "¿Cancelo la hora de Raúl Fuentes del jueves 10" in texts(reply) and not agent.cancelled
    chat, agent = family(own, RAUL_THU, OLIVER_SAT)
    chat.say("necesito cancelar una hora")
    reply = chat.say("la de mi hijo")
    assert "¿Cancelo" not in texts(reply) and not agent.cancelled


def test_cancelling_a_relatives_appointment_while_booking_another_cancels_it():
    """"Me puedes cancelar la hora de mi mamá porfa" at a new booking's menus was "Entendido, la hora es para otra
    persona: te pediré su nombre…" and the menus again (a helper's walk, 2 of 2): the cancel is asked about."""
    for said in ("hola me puedes cancelar la hora de mi papá porfa, ya no va a poder ir",
                 "ah no, mejor cancela la hora de mi papá"):
        chat, agent = family(RAUL_THU)
        chat.say("hola quiero otra hora")
        chat.say("Otra hora")
        reply = chat.say(said)
        assert "¿Cancelo" in texts(reply) and "jueves 10 de diciembre a las 14:20" in texts(reply), said
        assert "para otra persona" not in texts(reply), said
        reply = chat.say("sí")
        assert "cancelé la hora de Raúl Fuentes" in texts(reply) and list(agent.cancelled.values()) == ["bk-1"], said


def test_a_relatives_appointment_is_never_called_yours_in_the_questions_about_it():
    """«¿Cancelo tu hora del jueves … (Raúl Fuentes)?» then «Listo, cancelé la hora de Raúl Fuentes…»: the question
    and the answer disagreed, and with his the only one listed no name was said at all (a helper's walk)."""
    days = replace(agenda([2, 3, 4, 11], [(9, 0), (10, 0)]), finds_bookings=True)
    chat = Chat(days, appointments=ClinicAgent(RAUL_THU), name="Elena Fuentes")
    assert "Raúl Fuentes tiene hora el jueves 10 de diciembre a las 14:20" in texts(chat.say("hola"))
    assert "¿Cancelo la hora de Raúl Fuentes del jueves 10 de diciembre a las 14:20" in texts(chat.say("Cancelarla"))
    assert "Listo, cancelé la hora de Raúl Fuentes" in texts(chat.say("sí"))
    chat = Chat(days, appointments=ClinicAgent(RAUL_THU, ELENA_FRI), name="Elena Fuentes")
    assert "¿Cambio la hora de Raúl Fuentes del jueves 10" in texts(chat.say("quiero cambiar la hora de Raúl"))
    chat.say("sí")
    chat.say("viernes 11")
    reply = chat.say("10")
    assert "en vez de la hora de Raúl Fuentes del jueves 10 de diciembre a las 14:20?" in texts(reply), texts(reply)
    chat = Chat(days, appointments=ClinicAgent(RAUL_THU, ELENA_FRI), name="Elena Fuentes")
    chat.say("quiero cambiar una hora")
    assert "¿Cambio tu hora del viernes 11" in texts(chat.say("la mía"))


def test_the_part_of_the_day_names_an_appointment_of_that_day():
    """"la de la tarde" at two Thursday appointments (10:00 and 15:30) was «¿Cuál de tus horas?» (a helper's walk)."""
    own_morning = WireBooking("bk-6", "2026-12-10T10:00:00-03:00", "2026-12-10T10:20:00-03:00", "Dr. Juan Rojas",
                              patient="Elena Fuentes")
    for message, meant in (("la de la tarde", "la hora de Raúl Fuentes del jueves 10 de diciembre a las 14:20"),
                           ("la de la mañana", "tu hora del jueves 10 de diciembre a las 10:00")):
        chat, agent = family(own_morning, RAUL_THU)
        chat.say("necesito cancelar una hora")
        assert f"¿Cancelo {meant}" in texts(chat.say(message)), message


def test_not_mine_names_the_other_persons_appointment_never_the_writers():
    """"la mía no, la otra" picked the writer's own to cancel (the third walk): a quick "sí" cancelled it."""
    own = WireBooking("bk-6", "2026-12-10T10:00:00-03:00", "2026-12-10T10:20:00-03:00", "Dr. Juan Rojas",
                      patient="Elena Fuentes")
    for message in ("la mía no, la otra", "no la mía, la de mi hijo", "no es la mía",
                    "no quiero cancelar la mía sino la de mi hijo"):
        chat, agent = family(own, RAUL_THU)
        chat.say("necesito cancelar una hora")
        assert "¿Cancelo la hora de Raúl Fuentes del jueves 10" in texts(chat.say(message)), message
    chat, agent = family(own, RAUL_THU)
    chat.say("necesito cancelar una hora")
    assert "¿Cancelo tu hora del jueves 10 de diciembre a las 10:00" in texts(chat.say("la mía"))


def test_a_relatives_kept_appointment_and_a_call_promised_are_said_as_they_are():
    """«Entendido, tu hora sigue en pie» after keeping Raúl's; «una recepcionista te escribirá» to one who asked to be
    called and wrote again (the fourth walk)."""
    chat, agent = family(RAUL_THU, ELENA_FRI)
    assert "¿Cancelo la hora de Raúl Fuentes" in texts(chat.say("quiero cancelar la hora de Raúl"))
    assert "Entendido, la hora de Raúl Fuentes sigue en pie." in texts(chat.say("no"))
    chat = Chat(agenda([3], [(9, 0)]))
    chat.say("¿me pueden llamar?")
    assert "te llamarán en breve" in texts(chat.say("hola??"))


def test_mine_named_with_the_other_one_negated_is_the_writers():
    """"la mía, no la de mi hijo" cancelled the son's (the fifth walk, a regression of "la mía no")."""
    own = WireBooking("bk-6", "2026-12-10T10:00:00-03:00", "2026-12-10T10:20:00-03:00", "Dr. Juan Rojas",
                      patient="Elena Fuentes")
    for message in ("la mía, no la de mi hijo", "la de mi hijo no, la mía", "la mía no la de mi hijo"):
        chat, agent = family(own, RAUL_THU)
        chat.say("necesito cancelar una hora")
        assert "¿Cancelo tu hora del jueves 10 de diciembre a las 10:00" in texts(chat.say(message)), message


def test_a_new_one_for_someone_else_on_a_day_that_does_not_suit_never_moves_the_writers_own():
    """A mother with her own appointment on Thursday: "quiero hora para mi hijo el viernes, el jueves no puedo ir"
    asked «¿Cambio tu hora del jueves…?» (her own, moved for her son's). It is a new one for him on Friday, Thursday
    ruled out for it. "Para mí" is still a move of hers; a phone holding his Thursday one still asks to move his."""
    def mother(*bookings: WireBooking) -> tuple[Chat, ClinicAgent]:
        agent = ClinicAgent(*bookings)
        return Chat(replace(agenda([2, 3, 4], [(9, 0), (10, 0)]), finds_bookings=True), appointments=agent), agent

    own = WireBooking("bk-7", "2026-12-03T10:00:00-03:00", "2026-12-03T10:30:00-03:00", "Dra. Ana Soto",
                      patient="Ana Pérez")
    for message in ("quiero hora para mi hijo el viernes, el jueves no puedo ir",
                    "hola, necesito una hora para mi mamá el viernes, el jueves no puedo llevarla"):
        chat, agent = mother(own)
        reply = chat.say(message)
        assert "Vie 4 dic" in texts(reply) and not {"Cambiarla", "Sí, cambiarla", "Sí, cancelar"} & set(
            buttons(reply)), (message, texts(reply))
        assert "¿Confirmo el viernes 4 de diciembre a las 10:00" in texts(chat.say("a las 10"))
        chat.say("sí")
        assert chat.say("Tomás Pérez").status == "booked" and chat.books[0].state.patient_name == "Tomás Pérez"
        assert agent.moved == {} and agent.cancelled == {}, message
    chat, _ = mother(own)
    reply = chat.say("mi hija necesita hora, el jueves no puedo ir")
    assert "Entendido, sin ese día." in texts(reply) and "Jue 3 dic" not in texts(reply), texts(reply)
    chat, _ = mother(own)
    assert "¿Cambio tu hora del jueves 3 de diciembre" in texts(chat.say("quiero hora para mí el viernes, el jueves "
                                                                       "no puedo ir"))
    chat, _ = mother(replace(own, patient="Tomás Pérez"))
    assert "¿Cambio la hora de Tomás Pérez del jueves 3" in texts(chat.say("quiero hora para mi hijo el viernes, el "
                                                                         "jueves no puedo ir"))
    chat, _ = mother(own)  # her own, said in so many words: still about hers
    assert "¿Cambio tu hora del jueves 3" in texts(chat.say("tengo hora el jueves pero no puedo ir, quiero hora para "
                                                          "mi hijo"))
    chat, _ = mother(replace(own, patient="Tomás Pérez"))  # a day ruled out, no "no puedo ir": asked, as before
    assert "¿Quieres una hora más, cambiarla o cancelarla?" in texts(chat.say("quiero hora para mi hija el viernes, "
                                                                            "el jueves no puedo"))


def _phone_of_ana(*bookings: WireBooking) -> tuple[Chat, ClinicAgent]:
    agent = ClinicAgent(*bookings)
    return Chat(replace(agenda([2, 3, 4, 7], [(9, 0), (10, 0)]), finds_bookings=True), appointments=agent), agent


_ANAS_THU = WireBooking("bk-7", "2026-12-03T10:00:00-03:00", "2026-12-03T10:30:00-03:00", "Dra. Ana Soto",
                        patient="Ana Pérez")
_TOMAS_FRI = WireBooking("bk-9", "2026-12-04T09:00:00-03:00", "2026-12-04T09:30:00-03:00", "Dra. Ana Soto",
                         patient="Tomás Pérez")


def test_no_voy_a_poder_ir_el_jueves_with_a_new_one_for_a_relative_never_offers_thursday():
    """"no voy a poder ir el jueves, quiero hora para mi hijo" offered the son Thursday's times and "a las 9", "sí",
    "Tomás Pérez" booked him on the very day the writer cannot go: "no voy a poder" rules the day out like "no
    podré". A move said so ("no voy a poder ir el jueves, quiero hora el viernes") moves the Thursday one, never
    another's Friday one on the day wanted."""
    for bookings in ((_ANAS_THU,), ()):
        chat, agent = _phone_of_ana(*bookings)
        reply = chat.say("no voy a poder ir el jueves, quiero hora para mi hijo")
        assert "Jue 3 dic" not in " ".join([texts(reply), *buttons(reply)]), texts(reply)
        chat.say("a las 9")
        chat.say("sí")
        chat.say("Tomás Pérez")
        assert all(b.slot.start[:10] != "2026-12-03" for b in chat.books) and agent.moved == {}, chat.books
    for message in ("no voy a poder ir el jueves, quiero hora el viernes", "no puedo ir el jueves, quiero hora el "
                    "viernes"):
        chat, _ = _phone_of_ana(_ANAS_THU, _TOMAS_FRI)
        reply = chat.say(message)
        assert "¿Cambio tu hora del jueves 3 de diciembre" in texts(reply), (message, texts(reply))


def test_a_new_one_for_a_relative_on_a_day_that_holds_anothers_appointment_never_moves_it():
    """A phone with Ana's own Thursday appointment and Tomás's Friday one: "mi mamá necesita hora el viernes, el
    jueves no puedo ir" asked «¿Cambio la hora de Tomás Pérez del viernes…?» (his, on the very day wanted). Only
    another's appointment on the day ruled out may be the one not kept: here the phone's appointments are said."""
    for bookings in ((_ANAS_THU, _TOMAS_FRI), (_TOMAS_FRI,)):
        chat, agent = _phone_of_ana(*bookings)
        reply = chat.say("mi mamá necesita hora el viernes, el jueves no puedo ir")
        assert "¿Cambio" not in texts(reply) and "Sí, cambiarla" not in buttons(reply), texts(reply)
        assert agent.moved == {} and agent.cancelled == {}


def test_a_relatives_appointment_asked_for_by_kin_in_the_first_message_is_theirs_never_the_whole_list():
    """"move my son's appointment" / "cambia la hora de mi hijo" with the mother's two appointments and her son's
    listed all three («¿Cuál quieres cambiar?»); now the one under another name than hers is asked about, and with
    two of his, only his are listed."""
    from conversation_kit import EN

    own_fri = WireBooking("bk-5", "2026-12-11T12:00:00-03:00", "2026-12-11T12:20:00-03:00", "Dr. Juan Rojas",
                          patient="Elena Fuentes")
    for english, message, asked in (
            (False, "cambia la hora de mi hijo", "¿Cambio la hora de Raúl Fuentes del jueves 10 de diciembre a las 14:20"),
            (False, "necesito mover la cita de mi hijo", "¿Cambio la hora de Raúl Fuentes del jueves 10 de diciembre"),
            (False, "cancela la hora de mi hijo", "¿Cancelo la hora de Raúl Fuentes del jueves 10 de diciembre a las"),
            (True, "move my son's appointment", "Shall I change Raúl Fuentes's appointment on Thursday 10 December"),
            (True, "I need to cancel the appointment for my son", "Shall I cancel Raúl Fuentes's appointment on")):
        chat, agent = family(ELENA_THU, RAUL_THU, own_fri)
        if english:
            chat.clinic = EN
        reply = chat.say(message)
        assert asked in texts(reply), (message, texts(reply))
        yes = chat.say("yes" if english else "sí")
        if "ancel" in message:
            assert yes.status == "cancelled" and list(agent.cancelled.values()) == ["bk-1"], message
        else:  # the new time of his, asked for (the one moved is said)
            assert "10 de diciembre a las 14:20" in texts(yes) or "10 December at 14:20" in texts(yes), texts(yes)
            assert not agent.cancelled and not agent.moved, message
    chat, agent = family(ELENA_THU, RAUL_THU, own_fri, OLIVER_SAT)
    reply = chat.say("cambia la hora de mi hijo")
    assert "(Raúl Fuentes)" in texts(reply) and "(Oliver Fuentes)" in texts(reply) and "(Elena" not in texts(reply)
    assert "¿Cuál quieres cambiar?" in texts(reply) and len(buttons(reply)) == 2
    assert "¿Cambio la hora de Oliver Fuentes del sábado 12 de diciembre" in texts(chat.say("2"))


def test_the_writers_own_appointment_asked_about_beside_a_relatives_is_never_the_relatives():
    """"cancela mi hora, la de mi hijo no" with the mother's appointment and her son's asked «¿Cancelo la hora de Raúl
    Fuentes…?» and "sí" cancelled the son's — the one she said to keep. A relative's appointment named as a reason or
    a contrast ("…porque tengo la hora de mi hijo", "coincide con la de mi hijo", "not my son's") is not the one asked
    about: hers is asked about, or both listed, as before the kin rule."""
    from conversation_kit import EN

    for english, message in (
            (False, "cancela mi hora, la de mi hijo no"),
            (False, "quiero cancelar mi hora porque tengo la hora de mi hijo ese mismo día"),
            (False, "cambia mi hora, la de mi hijo la mantengo"),
            (False, "quiero cambiar mi hora, ese día tengo el control de mi hijo"),
            (False, "cambia la hora, coincide con la de mi hijo"),
            (False, "quiero cambiar mi cita y la de mi hijo"),
            (True, "move my appointment, not my son's"),
            (True, "cancel mine, keep my son's")):
        chat, agent = family(ELENA_THU, RAUL_THU)
        if english:
            chat.clinic = EN
        reply = chat.say(message)
        assert "Raúl Fuentes del" not in texts(reply) and "Raúl Fuentes's" not in texts(reply), (message, texts(reply))
        assert "(Elena Fuentes)" in texts(reply), (message, texts(reply))  # hers asked about, or both listed
        chat.say("yes" if english else "sí")
        assert "bk-1" not in agent.cancelled.values() and "bk-1" not in str(agent.moved), message
    chat, agent = family(ELENA_THU, RAUL_THU)
    assert "¿Cambio la hora de Raúl Fuentes del jueves 10" in texts(chat.say("la hora de mi hijo hay que cambiarla"))


def test_a_relatives_appointment_named_by_a_day_it_is_not_on_says_so_before_asking_about_it():
    """With her own Thursday 10 12:00 and her son Raúl's Thursday 10 14:20, "cancela la cita de mi hijo del viernes"
    was asked «¿Cancelo la hora de Raúl Fuentes del jueves 10…?» as if it were Friday's (since 4c53624; before, the
    list under «No tienes hora el viernes»). As with one appointment, the day named is said to hold none first; his
    is still the one asked about, and "la de mi hijo" with no day says nothing of the kind."""
    own = WireBooking("bk-5", "2026-12-10T12:00:00-03:00", "2026-12-10T12:20:00-03:00", "Dr. Juan Rojas",
                      patient="Elena Fuentes")
    chat, agent = family(own, RAUL_THU)
    reply = texts(chat.say("cancela la cita de mi hijo del viernes"))
    assert "No tienes hora el viernes 4 de diciembre" in reply, reply
    assert "¿Cancelo la hora de Raúl Fuentes del jueves 10" in reply and not agent.cancelled, reply
    chat, agent = family(own, RAUL_THU)
    reply = texts(chat.say("cancela la cita de mi hijo"))
    assert "No tienes hora" not in reply and "¿Cancelo la hora de Raúl Fuentes del jueves 10" in reply, reply


def test_two_people_at_the_same_day_and_time_get_buttons_that_tell_them_apart():
    """A mother and her son at 15:30 on one Thursday: both buttons read «Jue 10 dic 15:30» (the kit refused the
    message), so a tap could not say whose appointment to cancel."""
    son = WireBooking("bk-5", "2026-12-10T15:30:00-03:00", "2026-12-10T16:00:00-03:00", "Dra. Ana Soto",
                      patient="Tomás Fuentes")
    chat, agent = family(ELENA_THU, son)
    assert buttons(chat.say("hola, quiero cancelar una hora")) == ["15:30 Elena", "15:30 Tomás"]
    assert "¿Cancelo la hora de Tomás Fuentes del jueves 10 de diciembre a las 15:30" in texts(chat.say("15:30 Tomás"))
    assert chat.say("sí").status == "cancelled" and list(agent.cancelled.values()) == ["bk-5"]

    namesake = replace(son, booking_id="bk-6", patient="Elena Soto")
    chat, agent = family(ELENA_THU, namesake)
    assert buttons(chat.say("quiero cambiar una hora")) == ["15:30 Dr. Juan Rojas", "15:30 Dra. Ana Soto"]
