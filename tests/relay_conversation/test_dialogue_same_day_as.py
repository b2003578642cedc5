"""A specialty named as *when* ("el mismo día que la kine", "después de la hora de kine") is an appointment the
patient has, never the specialty of the one being booked now (it switched to kinesiology and booked a second one)."""

from __future__ import annotations

from dataclasses import replace

from conversation_kit import Chat, agenda, buttons, texts

from relay.conversation.specialties import find_specialty


def two_specialties():
    kine = [replace(s, specialty="Kinesiología")
            for s in agenda([2, 4, 9], [(9, 0), (13, 0)], ("Klga. Paula Méndez",)).slots]
    general = [replace(s, specialty="Medicina general")
               for s in agenda([4, 7, 9], [(11, 0), (15, 0)], ("Dra. Camila Soto",)).slots]
    return replace(agenda([2], [(9, 0)]), slots=(*kine, *general))


def test_the_same_day_as_another_appointment_keeps_the_specialty_chosen():
    chat = Chat(two_specialties())
    chat.say("hola, necesito hora")
    assert "Medicina general" in texts(chat.say("medicina general"))
    reply = chat.say("el mismo dia q la kine, miercoles 9, tipo 3 de la tarde")
    assert "¿Confirmo el miércoles 9 de diciembre a las 15:00 con la Dra. Camila Soto, Medicina general?" in texts(reply)
    assert buttons(reply) == ["Sí", "Otra hora"]  # the doctor's Wednesday, not the physiotherapist's


def test_a_specialty_said_as_when_is_not_the_one_asked_for():
    for text in ("el mismo dia que la kine", "despues de la hora de kine", "antes del kine", "same day as my physio"):
        assert find_specialty(text)[0] == "", text
    assert find_specialty("hora con kine despues del trabajo")[0] != ""


def test_two_appointments_of_two_kinds_for_the_writer_are_never_for_another_person():
    for message in ("hola necesito dos horas: una con kine y otra con medicina general, ojala el mismo dia",
                    "buenas tardes, quiero sacar 2 horas, una para kinesiología y la otra para medicina general"):
        chat = Chat(two_specialties())
        chat.say(message)
        chat.say("Kinesiología")
        chat.say("el miércoles 9 a las 9")
        reply = chat.say("sí")  # never "¿A nombre de quién…?": both are hers
        assert reply.status == "booked" and "otra persona" not in texts(reply), texts(reply)
        assert "Lo otro que me pediste" in texts(reply)  # the second one is not forgotten
        assert chat.books[0].state.patient_name == "" and not chat.books[0].state.for_other


def test_the_second_appointment_asked_apart_keeps_its_specialty_and_the_day_of_the_first():
    """After the kinesiology booking: "ahora la de medicina general, el mismo día que la kine" then "Otra hora" asked
    the specialty again (both lost); it is the doctor's times on the physiotherapy's day."""
    from test_dialogue_appointments import ClinicAgent

    from wire.appointments import WireBooking

    physio = WireBooking("bk-1", "2026-12-04T13:00:00-03:00", "2026-12-04T13:45:00-03:00", "Klga. Paula Méndez")
    chat = Chat(replace(two_specialties(), finds_bookings=True), appointments=ClinicAgent(physio))
    chat.say("ahora la de medicina general, el mismo dia que la kine")
    reply = chat.say("1")  # "Otra hora", counted
    assert "Dra. Camila Soto, Medicina general el Vie 4 dic" in texts(reply)


def test_both_for_me_is_a_count_never_two_oclock():
    chat = Chat(two_specialties())
    chat.say("hola!! necesito hora para kinesiología y medicina general, las dos para mí")
    reply = chat.say("Kinesiología")
    assert "¿Para qué día es esa hora?" not in texts(reply) and "Kinesiología" in texts(reply)
