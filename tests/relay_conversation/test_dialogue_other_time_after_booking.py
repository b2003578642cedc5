"""Right after a booking: «¿Confirmo…?»'s "Otra hora" / "Another time" tapped, and "cancel it".

WhatsApp keeps the confirmation's buttons: tapped after «¡Listo! Tu hora quedó reservada», "Otra hora" started a new
booking's days, and with a web app whose appointments the agent cannot list, the next time chosen was **booked beside
the first** — two appointments, nothing said of the first. Now the one just booked is said, with «¿una hora más,
cambiarla o cancelarla?». "actually, cancel it", "uy, mejor cancélala", "cancela la que acabo de tomar" listed every
appointment the phone has (the one just booked among them) and asked which: that one is asked about now."""

from __future__ import annotations

from dataclasses import replace

from conversation_kit import EN, Chat, agenda, buttons, texts
from test_dialogue_appointments import THU, ClinicAgent

from wire.appointments import WireBooking


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


class WebApp(ClinicAgent):
    """The clinic's web app: what the chat books is among the phone's appointments from then on."""

    def __init__(self, chat_books: list, *bookings: WireBooking) -> None:
        super().__init__(*bookings)
        self.chat_books = chat_books

    def __call__(self, step):
        known = {(b.start, b.professional) for b in self.bookings}
        self.bookings += [WireBooking(f"new-{n}", b.slot.start, b.slot.end, b.slot.professional)
                          for n, b in enumerate(self.chat_books) if (b.slot.start, b.slot.professional) not in known]
        return super().__call__(step)


def test_cancel_it_right_after_booking_asks_about_the_one_just_booked() -> None:
    clinic = replace(agenda(range(2, 15), [(9, 0), (10, 0)], ("Dra. Ana Soto", "Dr. Luis Rojas")),
                     finds_bookings=True)
    for message, english in (("actually, cancel it", True), ("uy, mejor cancélala", False),
                             ("cancela la que acabo de tomar", False)):
        chat = Chat(clinic, clinic=EN) if english else Chat(clinic)
        agent = WebApp(chat.books, THU)
        chat.appointments = agent
        chat.say("appointment monday at 9 with dr rojas" if english else "hora el lunes a las 9 con el dr rojas")
        chat.say("One more" if english else "Una hora más")
        chat.say("yes" if english else "sí")
        chat.say("Ana Pérez")
        assert len(chat.books) == 1
        assert texts(chat.say(message)).endswith(
            "Shall I cancel your appointment on Monday 7 December at 09:00 with Dr. Luis Rojas?" if english
            else "¿Cancelo tu hora del lunes 7 de diciembre a las 09:00 con el Dr. Luis Rojas?"), message
        chat.say("yes" if english else "sí")
        assert list(agent.cancelled.values()) == ["new-0"], message


def test_a_message_right_after_booking_is_never_greeted_as_a_first_one() -> None:
    """Right after «¡Listo…!», "uy no", "no espera", "quiero otra para el viernes" were answered «¡Hola, Ana! Soy el
    asistente de citas de…», the introduction again, as if the chat had just begun."""
    from test_dialogue_already import finding

    for message in ("uy no", "no espera", "quiero otra hora para el viernes"):
        chat = Chat(finding(3), appointments=ClinicAgent())
        chat.say("hola, necesito hora el jueves")
        assert chat.say("09:00").status == "booked"
        reply = texts(chat.say(message))
        assert reply.startswith("Claro, Ana.") and "Soy el asistente" not in reply, (message, reply)
