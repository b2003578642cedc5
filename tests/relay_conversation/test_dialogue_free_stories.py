"""Patients who tell their story before asking ("mi mamá tiene 78 años y se cayó…", "mi hija está con fiebre"):
whose appointment it is and what they asked for are read out of it, not the words around it."""

from __future__ import annotations

from dataclasses import replace

from conversation_kit import Chat, agenda, buttons, texts

WEEK = agenda([2, 3, 4, 7, 8], [(9, 0), (9, 30), (11, 0), (15, 0)])


def kine_and_trauma():
    kine = [replace(s, specialty="Kinesiología")
            for s in agenda([2, 4], [(9, 0), (10, 0)], professionals=("Klga. Paula Méndez",)).slots]
    trauma = [replace(s, specialty="Traumatología")
              for s in agenda([2, 4, 8], [(11, 0), (12, 0)], professionals=("Dr. Andrés Rojas",)).slots]
    return replace(WEEK, slots=(*kine, *trauma))


def test_a_relative_named_with_se_llama_is_whose_appointment_it_is():
    chat = Chat(WEEK, name="Carolina Tapia")
    chat.say("hola buenas tardes, mire le cuento que mi mamá tiene 78 años y se cayó, quería saber si tienen hora"
             " para el lunes en la mañana, ella se llama Rosa Elena Muñoz Tapia. gracias")
    reply = chat.say("09:00")
    assert reply.status == "booked" and "La hora de Rosa Elena Muñoz Tapia quedó reservada" in texts(reply)


def test_a_relative_mentioned_without_a_name_is_asked_for_never_the_writers_name():
    for first in ("mi guagua está enferma, hay hora mañana?", "mi mamá tiene 78 años y se cayó, hay hora mañana?"):
        chat = Chat(WEEK, name="Carolina Tapia")
        chat.say(first)
        assert "¿A nombre de quién reservo la hora?" in texts(chat.say("09:00")), first
        assert chat.books == []
    chat = Chat(WEEK, name="Carolina Tapia")
    chat.say("hola, necesito una hora para mañana")
    assert chat.say("09:00").status == "booked"  # for herself: booked under her WhatsApp name, nothing asked


def test_how_the_patient_is_is_never_taken_for_a_professional_and_what_else_they_said_stays():
    chat = Chat(WEEK, name="Andrea Vega")
    reply = chat.say("mi hija esta con fiebre desde ayer, necesito hora el lunes a las 9, se llama Sofía Vega")
    assert "No encontré" not in texts(reply)
    assert "¿Confirmo el lunes 7 de diciembre a las 09:00 con la Dra. Ana Soto, a nombre de Sofía Vega?" in texts(reply)
    assert "La hora de Sofía Vega quedó reservada" in texts(chat.say("Sí"))
    reply = Chat(WEEK).say("mi mamá anda con mucho dolor en la rodilla, necesito hora pa ella")
    assert "No encontré" not in texts(reply), texts(reply)
    reply = Chat(kine_and_trauma()).say("necesito hora con urgencia para kinesiologia")
    assert "No encontré" not in texts(reply) and buttons(reply)[:2] == ["Mié 2 dic", "Vie 4 dic"]
    assert Chat(kine_and_trauma()).say("necesito hora con urgencia para kinesiologia").state.specialty


def test_a_professional_not_found_is_said_and_the_day_asked_for_is_kept():
    chat = Chat(kine_and_trauma())
    reply = chat.say("hola, quiero hora con el dr muñoz el martes")
    assert "No encontré a «munoz» entre los profesionales" in texts(reply)
    reply = chat.say("Traumatología")
    assert "el Mar 8 dic" in texts(reply) and buttons(reply)[:2] == ["11:00", "12:00"]


def test_the_day_and_time_said_before_the_specialty_stand_when_the_specialty_is_typed():
    kine = [replace(s, specialty="Kinesiología")
            for s in agenda([2, 4, 7], [(9, 0), (15, 0)], professionals=("Klga. Paula Méndez",)).slots]
    general = [replace(s, specialty="Medicina general")
               for s in agenda([2, 4, 7], [(11, 0), (15, 0)], professionals=("Dra. Camila Soto",)).slots]
    chat = Chat(replace(WEEK, slots=(*kine, *general)))
    chat.say("hola")
    assert "¿Qué especialidad necesitas?" in texts(chat.say("me puedes dar la de las 15 del lunes?"))
    reply = chat.say("medicina general, con la dra soto")
    assert "¿Confirmo el lunes 7 de diciembre a las 15:00 con la Dra. Camila Soto" in texts(reply), texts(reply)
