""""La kinesióloga", "la doctora", "con la kine": a woman asked for, where the specialty has professionals titled as
women and as men, shows the women's times (the others one "Otros profesionales" or a name away); "el doctor", the
word for any, and a woman who only sent the patient ("la doctora me mandó al kine") change nothing."""

from __future__ import annotations

from conversation_kit import Chat, buttons, slot, slots, texts
from test_dialogue_understanding import with_specialty


def _clinic() -> Chat:
    staff = (("Klga. Paula Méndez", "Kinesiología", (8, 12)), ("Klgo. Andrés Muñoz", "Kinesiología", (9, 17)),
             ("Dra. Ana Soto", "Medicina general", (9, 15)), ("Dr. Pedro Soto", "Medicina general", (10, 16)))
    return Chat(slots(*(with_specialty(slot(d, h, 0, who), what) for d in (3, 4) for who, what, hours in staff
                        for h in hours)))


def test_the_kinesiologa_is_never_proposed_as_a_man():
    """"quiero hora con la kinesióloga el viernes a las 9" proposed «¿Confirmo … a las 09:00 con el Klgo. Andrés
    Muñoz?»: 9:00 was his alone."""
    for message in ("quiero hora con la kinesióloga el viernes a las 9", "hora con la kinesiologa el viernes 9am",
                    "necesito una hora con la kine el viernes a las 9", "una hora el viernes a las 9 con la kinesiologa"):
        chat = _clinic()
        reply = texts(chat.say(message))
        assert "Klgo. Andrés Muñoz" not in reply and "Klga. Paula Méndez" in reply, (message, reply)
        assert "¿Confirmo" not in reply, (message, reply)
    chat = _clinic()
    chat.say("quiero hora con la kinesióloga el viernes")
    assert "¿Confirmo el viernes 4 de diciembre a las 08:00 con la Klga. Paula Méndez" in texts(chat.say("a las 8"))
    assert chat.say("sí").status == "booked" and chat.books[-1].slot.professional == "Klga. Paula Méndez"


def test_la_doctora_of_a_specialty_is_the_woman_and_the_others_stay_a_word_away():
    chat = _clinic()
    reply = texts(chat.say("quiero hora con la doctora de medicina general el viernes"))
    assert "Dra. Ana Soto" in reply and "Dr. Pedro Soto" not in reply, reply
    assert "Dr. Pedro Soto" in texts(chat.say("mejor con cualquiera"))
    chat = _clinic()
    chat.say("quiero hora con la kinesióloga el viernes")
    assert "¿Confirmo el viernes 4 de diciembre a las 09:00 con el Klgo. Andrés Muñoz" in texts(
        chat.say("a las 9 con el klgo muñoz"))


def test_words_for_any_or_for_who_sent_the_patient_keep_everyone():
    for message in ("quiero hora con el kinesiólogo el viernes a las 9", "la doctora me mandó al kine, hora el viernes"
                    " a las 9", "hora de kine el viernes a las 9", "no con la kinesióloga, con el kine el viernes a las 9"):
        reply = texts(_clinic().say(message))
        assert "¿Confirmo el viernes 4 de diciembre a las 09:00 con el Klgo. Andrés Muñoz" in reply, (message, reply)


def test_another_professional_typed_at_times_that_filled_the_buttons_shows_the_others():
    """"otro profesional" at «¿Qué hora con la Dra. Ana Soto…?» (three times as the buttons, no «Otros
    profesionales» among them) was «Perdona, no te entendí», again and again."""
    for first, typed, other in (("quiero hora con la dra soto el viernes", "otro profesional", "Dr. Pedro Soto"),
                                ("quiero hora con la dra ana soto el viernes", "con otra doctora", "Dr. Pedro Soto"),
                                ("quiero hora con la kinesióloga el viernes", "mejor con otro kine", "Klgo. Andrés Muñoz"),
                                ("hora con la klga méndez el viernes", "otro kinesiólogo", "Klgo. Andrés Muñoz")):
        chat = _clinic()
        chat.say(first)
        reply = texts(chat.say(typed))
        assert other in reply and "no te entendí" not in reply, (first, typed, reply)
    chat = _clinic()
    chat.say("hora con la klga méndez el viernes")
    assert "Dra. Ana Soto" not in texts(chat.say("otro kinesiólogo"))  # of kinesiología, as said


def test_another_professional_typed_with_a_day_keeps_the_day():
    """"otro kine el jueves a las 9" at «¿Qué hora con la Dra. Ana Soto el Vie…?» proposed Thursday at 9 with Klgo.
    Andrés Muñoz; the typed «Otros profesionales» listed Friday's times instead, Thursday and 9 lost."""
    staff = (("Klgo. Andrés Muñoz", "Kinesiología", (9, 17)), ("Dra. Ana Soto", "Medicina general", (9, 10, 15)))
    chat = Chat(slots(*(with_specialty(slot(d, h, 0, who), what) for d in (3, 4) for who, what, hours in staff
                        for h in hours)))
    assert buttons(chat.say("quiero hora con la dra soto el viernes")) == ["09:00", "10:00", "15:00"]
    reply = texts(chat.say("otro kine el jueves a las 9"))
    assert "jueves 3 de diciembre a las 09:00 con el Klgo. Andrés Muñoz" in reply, reply


def test_a_time_free_only_with_another_professional_is_said_not_free_with_the_one_asked_for():
    """"quiero hora con la kinesióloga el viernes a las 9" said «Las 09:00 del Vie 4 dic no están libres» with 9:00
    free with Klgo. Andrés Muñoz: not free with her, as said now; a time free with nobody is said as before."""
    for message in ("quiero hora con la kinesióloga el viernes a las 9", "hora con la kine el viernes 9am",
                    "hora con el dr pedro soto el viernes a las 9", "con la dra soto el viernes a las 10"):
        reply = texts(_clinic().say(message))
        assert "no están libres con la Klga. Paula Méndez." in reply or "no están libres con el Dr. Pedro Soto." in reply \
            or "no están libres con la Dra. Ana Soto." in reply, (message, reply)
    reply = texts(_clinic().say("con la kinesióloga el viernes a las 11"))
    assert "Las 11:00 del Vie 4 dic no están libres." in reply, reply
    chat = _clinic()
    chat.say("quiero hora con la kinesióloga el viernes")
    assert "Las 09:00 del Vie 4 dic no están libres con la Klga. Paula Méndez." in texts(chat.say("a las 9"))
    reply = texts(_clinic().say("hi, I need an appointment with dr pedro soto on friday at 9 please"))
    assert "09:00 on Fri 4 Dec is not free with Dr. Pedro Soto." in reply, reply


def test_another_professional_typed_with_a_day_beside_the_button_keeps_the_day():
    """"otro profesional el lunes" at «¿Qué hora con la Dra. Ana Soto el Vie…?» with «Otros profesionales» a button
    was read as the tap: Friday's times of everyone, Monday lost."""
    staff = (("Klgo. Andrés Muñoz", "Kinesiología", (9, 17)), ("Dra. Ana Soto", "Medicina general", (9, 15)),
             ("Dr. Pedro Soto", "Medicina general", (10, 16)))
    for typed in ("otro profesional el lunes", "con otro doctor el lunes", "another doctor on monday"):
        chat = Chat(slots(*(with_specialty(slot(d, h, 0, who), what) for d in (4, 7) for who, what, hours in staff
                            for h in hours)))
        assert "Otros profesionales" in buttons(chat.say("quiero hora con la dra soto el viernes"))
        reply = texts(chat.say(typed))
        assert "Lun 7 dic" in reply and "Dr. Pedro Soto" in reply and "Vie 4 dic" not in reply, (typed, reply)
