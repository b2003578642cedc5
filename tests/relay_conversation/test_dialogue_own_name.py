"""The patient's own name typed without its accents (or in other capitals) at "¿A nombre de quién?" is theirs: the
appointment goes under the contact's spelling, and is said as theirs, never as another person's."""

from __future__ import annotations

from conversation_kit import Chat, agenda, texts


def test_the_own_name_without_accents_is_the_patients_own():
    for typed in ("Rocio Cardenas", "rocío cárdenas", "ROCIO CARDENAS"):
        chat = Chat(agenda([9], [(9, 0)]), name="Rocío Cárdenas")
        chat.say("hola, necesito hora para mi hijo o para mí, el miércoles 9 a las 9")
        chat.say("sí")
        reply = chat.say(typed)
        assert reply.status == "booked" and "Tu hora quedó reservada" in texts(reply), (typed, texts(reply))
        assert chat.books[-1].state.patient_name == "" and not chat.books[-1].state.for_other, typed
