"""Requests written loosely, as patients write on WhatsApp: whom the appointment is for said without "mi" ("para
alguien más", "para un familiar", "para una amiga"), … — read so that no appointment is made for someone the
patient did not ask for."""

from __future__ import annotations

from conversation_kit import Chat, texts
from test_dialogue_appointments import ClinicAgent
from test_dialogue_move_which import slots as free


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
