"""«¿Confirmo…?»'s "Otra hora" / "Another time" tapped once the appointment was booked.

WhatsApp keeps the confirmation's buttons: tapped after «¡Listo! Tu hora quedó reservada», "Otra hora" started a new
booking's days, and with a web app whose appointments the agent cannot list, the next time chosen was **booked beside
the first** — two appointments, nothing said of the first. Now the one just booked is said, with «¿una hora más,
cambiarla o cancelarla?»."""

from __future__ import annotations

from conversation_kit import EN, Chat, agenda, buttons, texts


def test_other_time_after_booking_asks_about_the_one_just_booked() -> None:
    for english in (False, True):
        clinic = agenda(range(2, 15), [(9, 0), (10, 0)])
        chat = Chat(clinic, clinic=EN) if english else Chat(clinic)
        chat.say("appointment monday at 9" if english else "hora el lunes a las 9")
        chat.say("Yes" if english else "Sí")
        assert len(chat.books) == 1
        reply = chat.say("Another time" if english else "Otra hora")
        assert texts(reply).startswith("You already have an appointment on Monday 7 December at 09:00" if english
                                       else "Ya tienes hora el lunes 7 de diciembre a las 09:00")
        assert buttons(reply) == (["One more", "Change it", "Cancel it"] if english
                                  else ["Una hora más", "Cambiarla", "Cancelarla"])
        assert len(chat.books) == 1
        asked = texts(chat.say("Change it" if english else "Cambiarla"))
        assert asked.startswith("Shall I change your appointment on Monday 7 December" if english
                                else "¿Cambio tu hora del lunes 7 de diciembre")
