"""Days and parts of the day a patient rules out stay out of what the bot offers, until the patient asks for them."""

from __future__ import annotations

import re
from dataclasses import replace

from conversation_kit import EN, Chat, agenda, buttons, lines, slot, slots, texts

# Tuesday 1 to Monday 14 December: Mondays are the 7th and the 14th.
TWO_WEEKS = agenda(range(2, 15), [(9, 0), (15, 0)])


def on_screen(reply) -> str:
    """The days (or times) one reply offers: its numbered lines and its buttons, as one string."""
    return " ".join([*lines(reply), *buttons(reply)])


def days_offered(chat: Chat, first: str) -> str:
    """Every day the menus offer, page after page ("Más días"), as one string."""
    reply = chat.say(first)
    shown = on_screen(reply)
    while "Más días" in buttons(reply):
        reply = chat.say("Más días")
        shown += " " + on_screen(reply)
    return shown


def test_any_day_but_monday_never_offers_a_monday():
    chat = Chat(TWO_WEEKS)
    shown = days_offered(chat, "hola, necesito hora, cualquier día menos el lunes")
    assert "lunes" not in shown and "Lun " not in shown
    assert "martes 8 de diciembre" in shown and "domingo 13 de diciembre" in shown


def test_days_ruled_out_at_the_days_are_acknowledged_and_left_out():
    chat = Chat(TWO_WEEKS)
    chat.say("hola")
    reply = chat.say("mañana no puedo, ni el viernes")
    assert "Entendido, sin esos días." in texts(reply)
    shown = on_screen(reply)
    assert "miércoles 2 de diciembre" not in shown and "viernes 4 de diciembre" not in shown
    assert "jueves 3 de diciembre" in shown


def test_a_day_ruled_out_and_asked_for_later_is_offered_after_all():
    chat = Chat(TWO_WEEKS)
    chat.say("hola, los lunes no puedo")
    reply = chat.say("bueno, el lunes entonces")
    assert "¿Qué hora" in texts(reply) and "Lun 7 dic" in texts(reply)
    assert buttons(reply)[:2] == ["09:00", "15:00"]


def test_a_part_of_the_day_ruled_out_leaves_the_rest_of_the_day():
    chat = Chat(TWO_WEEKS)
    reply = chat.say("hola, el jueves, pero no puedo en la mañana")
    assert "Jue 3 dic" in texts(reply)
    assert "15:00" in buttons(reply) and "09:00" not in buttons(reply)


def test_none_of_a_days_times_fits_and_that_day_is_not_offered_again():
    chat = Chat(TWO_WEEKS)
    chat.say("hola, el jueves")
    reply = chat.say("ninguna me sirve")
    assert "Entendido. ¿Te sirve otro día?" in texts(reply)
    shown = on_screen(reply)
    assert "jueves 3 de diciembre" not in shown and "viernes 4 de diciembre" in shown


def test_every_day_ruled_out_shows_them_all_again_and_says_so():
    chat = Chat(agenda([7, 14], [(9, 0)]))  # Mondays only
    reply = chat.say("hola, cualquier día menos el lunes")
    assert "No quedan horas libres en los días que me pediste; te muestro todos." in texts(reply)
    assert "Lun 7 dic" in on_screen(reply)


def test_except_monday_in_english():
    chat = Chat(TWO_WEEKS, clinic=EN)
    reply = chat.say("hi, any day except Monday please")
    assert "All right, leaving that day out." in texts(reply)  # every Monday: one day of the week
    shown = on_screen(reply)
    assert "Monday" not in shown and "Mon " not in shown


def test_saying_again_what_was_ruled_out_shows_the_same_times_without_a_reproach():
    chat = Chat(TWO_WEEKS)
    chat.say("hola, necesito hora pero no puedo en la mañana")
    chat.say("el sábado")
    reply = chat.say("no po, te dije q en la mañana no puedo")
    assert "no te entendí" not in texts(reply)
    assert reply.status == "choose_time" and buttons(reply)[0] == "15:00"


def test_several_days_ruled_out_at_once():
    for message in ("hola, cualquier día menos el jueves y viernes", "hola, jueves y viernes no puedo",
                    "hola, ninguno q sea jueves ni viernes"):
        shown = days_offered(Chat(TWO_WEEKS), message)
        assert "jueves" not in shown and "viernes" not in shown, message
        assert "miércoles 2 de diciembre" in shown and "sábado 5 de diciembre" in shown, message


def test_only_saturdays_offers_only_saturdays():
    chat = Chat(agenda([2, 3, 4, 7, 8, 12], [(9, 0)]))
    reply = chat.say("hola, solo puedo los sábados")
    assert buttons(reply) == ["Sáb 12 dic"] and lines(reply) == []


def test_mornings_ruled_out_in_other_words_and_another_day_asked_for():
    monday_mornings = agenda([7], [(9, 0), (10, 0), (11, 0)])
    later = agenda([8, 9], [(9, 0), (15, 0), (16, 0)])
    both = replace(later, slots=(*monday_mornings.slots, *later.slots))
    for message in ("ninguna me sirve, trabajo en la mañana", "no puedo en las mañanas tampoco"):
        chat = Chat(both)
        chat.say("hola, el lunes")
        reply = chat.say(message)
        assert "El Lun 7 dic no tiene horas libres en ese horario." in texts(reply), message
        assert buttons(reply)[:2] == ["Mar 8 dic", "Mié 9 dic"]
        assert buttons(chat.say("el martes"))[:2] == ["15:00", "16:00"]
    chat = Chat(both)
    chat.say("hola, el lunes")
    reply = chat.say("otro día en la tarde porfa")
    assert reply.status == "choose_day" and "Lun 7 dic" not in buttons(reply)


def test_a_week_ruled_out_leaves_its_days_out():
    shown = days_offered(Chat(TWO_WEEKS), "hola, esta semana no puedo")
    assert "miércoles 2 de diciembre" not in shown and "domingo 6 de diciembre" not in shown
    assert "lunes 7 de diciembre" in shown


def test_any_day_after_all_brings_the_days_ruled_out_back():
    chat = Chat(TWO_WEEKS)
    chat.say("hola, los lunes no puedo")
    shown = days_offered(chat, "bueno, cualquier día entonces")
    assert "lunes 7 de diciembre" in shown


SATURDAY = agenda([5], [(9, 0), (9, 45), (10, 30), (12, 0), (15, 0), (16, 0), (17, 0)])


def test_later_or_earlier_than_a_time_said_is_that_bound_not_the_afternoon_or_the_morning():
    for message, first_shown, hidden in (("a las 9 no puedo, más tarde", "09:45", "09:00"),
                                         ("9:45 es muy temprano, algo más tarde porfa", "10:30", "09:45"),
                                         ("a las 4 de la tarde no puedo, mas tarde", "17:00", "16:00"),
                                         ("at 9? something later please", "09:45", "09:00")):
        chat = Chat(SATURDAY)
        chat.say("hora para el sábado 5")
        reply = chat.say(message)
        shown = on_screen(reply)
        assert re.findall(r"\d\d:\d\d", shown)[0] == first_shown, (message, shown)
        assert hidden not in shown, message
    chat = Chat(SATURDAY)
    chat.say("hora para el sábado 5")
    afternoon = on_screen(chat.say("más tarde"))  # no time said: the afternoon, as before (noon is not part of it)
    assert "15:00" in afternoon and "12:00" not in afternoon


def test_a_bound_said_with_tarde_or_temprano_is_that_bound_not_the_part_of_the_day():
    for message, first_shown, last_shown in (("más tarde que las 4", "16:00", "17:00"),
                                             ("tipo 4 o más tarde", "16:00", "17:00"),
                                             ("a las 10 o después", "10:30", "17:00"),
                                             ("más temprano que las 10", "09:00", "09:45"),
                                             ("no más tarde de las 10 y media", "09:00", "09:45")):
        chat = Chat(SATURDAY)
        chat.say("hora para el sábado 5")
        times = list(dict.fromkeys(re.findall(r"\d\d:\d\d", on_screen(chat.say(message)))))
        assert (times[0], times[-1]) == (first_shown, last_shown), (message, times)


def test_a_time_ruled_out_with_its_part_of_the_day_is_never_proposed():
    chat = Chat(SATURDAY)
    chat.say("hora para el sábado 5")
    reply = chat.say("a las 4 de la tarde no puedo")
    assert "¿Confirmo" not in texts(reply) and "16:00" not in buttons(reply)


def test_a_time_ruled_out_is_left_out_of_that_days_times_until_asked_for():
    for message, gone in (("a las 12 no puedo", "12:00"), ("las 9 no me sirven", "09:00"),
                          ("a las 4 de la tarde no puedo", "16:00")):
        chat = Chat(SATURDAY)
        chat.say("hora para el sábado 5")
        reply = chat.say(message)
        assert "Entendido, sin esa hora." in texts(reply), message
        assert gone not in on_screen(reply) and "10:30" in on_screen(reply), message
    chat = Chat(SATURDAY)
    chat.say("hora para el sábado 5")
    chat.say("a las 12 no puedo")
    assert "¿Confirmo el sábado 5 de diciembre a las 12:00" in texts(chat.say("ya, a las 12 igual"))


def test_no_to_a_time_proposed_shows_the_others_without_it():
    chat = Chat(SATURDAY)
    chat.say("hora para el sábado 5 a las 12")
    reply = chat.say("no puedo a esa hora")
    assert "12:00" not in on_screen(reply) and "10:30" in on_screen(reply)
    chat = Chat(SATURDAY)
    chat.say("hora para el sábado 5 a las 12")
    assert "12:00" in on_screen(chat.say("Otra hora"))  # the button: every time of the day, from its first


def test_later_than_a_days_last_time_offers_the_days_that_have_it():
    friday_and_monday = slots(*[slot(4, h, m) for h, m in ((9, 0), (12, 0), (18, 30))], slot(7, 9), slot(7, 19))
    chat = Chat(friday_and_monday)
    chat.say("hora para el viernes 4")
    reply = chat.say("a las 6 y media no me sirve, hay algo más tarde?")
    assert "El Vie 4 dic no tiene horas libres en ese horario." in texts(reply)
    assert buttons(reply)[0] == "Lun 7 dic" and "Cualquier hora" in buttons(reply)  # not Friday's morning again
    chat = Chat(friday_and_monday)
    reply = chat.say("hora para el viernes 4 después de las 9 de la noche")  # no day has it: that day's times
    assert "No quedan horas libres en ese horario; te muestro todas." in texts(reply)


NOON = agenda([5], [(10, 0), (11, 30), (12, 0), (12, 30), (13, 0), (15, 30)])


def test_noon_is_neither_the_morning_nor_the_afternoon():
    for message, offered, not_offered in (
        ("hora para el sábado 5 en la tarde", ("13:00", "15:30"), ("12:00", "12:30", "11:30")),
        ("el sábado 5 en la mañana", ("10:00", "11:30"), ("12:00", "12:30", "13:00")),
        ("saturday 5th in the afternoon", ("13:00",), ("12:00", "12:30")),
    ):
        shown = on_screen(Chat(NOON).say(message))
        assert all(t in shown for t in offered) and not any(t in shown for t in not_offered), (message, shown)
    chat = Chat(NOON)
    chat.say("hora para el sábado 5")
    shown = on_screen(chat.say("en la tarde no puedo"))
    assert "12:30" in shown and "13:00" not in shown, shown


def test_an_emergency_is_told_not_to_wait_for_an_appointment_before_the_menus():
    week = agenda(range(4, 15), [(9, 0), (15, 0)])
    for path in (["hay hora para hoy con medicina general? es urgente me duele mucho el pecho"],
                 ["hola", "mi papá se desmayó y no puede respirar bien, necesito hora"],
                 ["hi", "I have chest pain, can I see a doctor today?"]):
        chat = Chat(week)
        for message in path:
            reply = chat.say(message)
        said = texts(reply)
        assert "emergenc" in said and ("urgencias más cercano" in said or "emergency room" in said), (path, said)
        assert reply.status == "choose_day" or buttons(reply), path  # the menus still follow
    for message in ("necesito hora urgente para mañana", "hola, quiero hora con el cardiólogo"):
        assert "emergencia" not in texts(Chat(week).say(message)), message


def test_the_end_of_the_month_past_the_agenda_is_said_and_the_earliest_of_a_day_shown_is_that_days():
    week = agenda(range(4, 15), [(9, 0), (10, 0), (15, 0)])
    for message in ("a fines de mes", "para fin de mes porfa", "end of the month please"):
        chat = Chat(week)
        chat.say("hola")
        said = texts(chat.say(message))
        assert "Solo puedo ver la agenda de los próximos 14 días" in said and "31 dic" in said, (message, said)
    chat = Chat(week)
    chat.say("hola")
    chat.say("el lunes")
    said = texts(chat.say("la más temprana"))  # of the Monday's times shown, not the week's first
    assert "¿Confirmo el lunes 7 de diciembre a las 09:00" in said, said
    chat = Chat(week)
    assert "¿Confirmo el viernes 4 de diciembre a las 09:00" in texts(chat.say("deme la más temprana que tenga"))


def test_a_day_and_a_part_of_the_day_ruled_out_together_are_each_left_out():
    """ "lo antes posible, pero no puedo los viernes ni en la mañana" offered a Wednesday morning (read as "not on a
    Friday morning", too fine to act on); "ojalá en la tarde y no un viernes" offered a Friday afternoon."""
    week = agenda([2, 3, 4, 7], [(9, 0), (15, 0)])
    for message in ("necesito hora lo antes posible, pero no puedo los viernes ni en la mañana",
                    "hora lo antes posible, ojala en la tarde y no un viernes",
                    "lo antes posible, no me sirven los viernes o en las mañanas"):
        reply = Chat(agenda([4, 7], [(9, 0), (15, 0)])).say(message)
        assert "¿Confirmo el lunes 7 de diciembre a las 15:00" in texts(reply), (message, texts(reply))
        reply = Chat(week).say(message)
        assert "¿Confirmo el miércoles 2 de diciembre a las 15:00" in texts(reply), (message, texts(reply))
    # A day with its part is one time the patient cannot come, not every Monday nor every morning.
    shown = days_offered(Chat(week), "hola, necesito hora, no puedo el lunes en la mañana")
    assert "lunes 7 de diciembre" in shown and "miércoles 2 de diciembre" in shown


def test_days_ruled_out_one_after_the_other_and_not_early_are_each_left_out():
    """ "no puedo el lunes, el martes tampoco" ruled nothing out; "ojalá no martes ni jueves, y tampoco temprano"
    offered only mornings ("temprano" read as wanted)."""
    shown = days_offered(Chat(TWO_WEEKS), "hola, necesito hora. no puedo el lunes, el martes tampoco")
    assert "lunes" not in shown and "Lun " not in shown and "martes" not in shown and "Mar " not in shown
    reply = Chat(TWO_WEEKS).say("hora, ojalá no martes ni jueves, y tampoco temprano")
    assert "desde las 12:00" in texts(reply) and "Entendido, sin esos días." in texts(reply), texts(reply)


def test_parts_of_the_day_said_in_the_plural_are_left_out():
    """ "no me sirven las tardes" ruled nothing out (the afternoons were offered)."""
    chat = Chat(agenda([2], [(9, 0), (15, 0)]))
    chat.say("hola, necesito hora, no me sirven las tardes")
    assert buttons(chat.say("Mié 2 dic"))[:1] == ["09:00"] and "15:00" not in buttons(chat.replies[-1])


def test_the_day_wanted_after_the_one_ruled_out_is_never_ruled_out_too():
    """"No el jueves, el viernes a las 10" and "a las 10 del viernes, el jueves imposible" left both days out
    («Entendido, sin esos días»): Friday is the day asked for. A list joined by "y" / "ni" is still all ruled out."""
    clinic = agenda([3, 4, 7], [(10, 0)])
    for message in ("hola no el jueves, el viernes a las 10", "hola a las 10 del viernes, el jueves imposible"):
        reply = Chat(clinic).say(message)
        assert "¿Confirmo el viernes 4 de diciembre a las 10:00" in texts(reply), (message, texts(reply))
    reply = Chat(clinic).say("hola, una hora, pero no el jueves ni el viernes")
    assert "Jue 3 dic" not in texts(reply) and "Vie 4 dic" not in texts(reply)


def test_after_no_puedo_a_day_said_with_its_time_after_a_comma_is_the_day_wanted():
    """"quiero hora, no puedo el jueves, el viernes a las 10" left both days out («Entendido, sin esos días») and
    asked for a day: Friday at 10 is the time asked for. "…, el viernes sí" is Friday wanted too; a list with no time
    or yes ("no puedo el jueves, el viernes", "…, viernes ni lunes") is still all ruled out."""
    clinic = agenda([3, 4, 7], [(10, 0)])
    for message in ("hola, quiero hora, no puedo el jueves, el viernes a las 10",
                    "necesito una hora, no me sirve el jueves, el viernes 4 a las 10:00"):
        reply = Chat(clinic).say(message)
        assert "el viernes 4 de diciembre a las 10:00" in texts(reply) and "sin esos días" not in texts(reply), (
            message, texts(reply))
    assert "Friday 4 December at 10:00" in texts(Chat(clinic).say("hi, I need an appointment, I can't do thursday, "
                                                                   "friday at 10"))
    reply = Chat(clinic).say("hola, una hora, no puedo el jueves, el viernes sí")
    assert "Vie 4 dic" in texts(reply) and "Jue 3 dic" not in texts(reply), texts(reply)
    for message in ("hola, una hora, no puedo el jueves, el viernes", "hola, una hora, no puedo el jueves, el viernes "
                    "ni el lunes"):
        reply = Chat(clinic).say(message)
        assert "Jue 3 dic" not in texts(reply) and "Vie 4 dic" not in texts(reply), (message, texts(reply))


def test_a_day_with_its_time_after_a_comma_said_no_to_as_well_is_never_proposed():
    """"no me sirve el lunes, el martes a las 10 tampoco me sirve" proposed Tuesday at 10 (the day with its time
    after a comma read as the one wanted) and "sí" booked it; "…, el viernes mejor no" listed Friday's times. A
    clause that says no to its day as well leaves it out, as before the comma rule."""
    clinic = agenda([2, 3, 4, 7, 8], [(9, 0), (10, 0)])
    for message, out in (("no me sirve el lunes, el martes a las 10 tampoco me sirve", "Mar 8 dic"),
                         ("no puedo el jueves, el viernes a las 10 tampoco", "Vie 4 dic"),
                         ("no puedo el jueves, el viernes a las 10 trabajo", "Vie 4 dic"),
                         ("no puedo el jueves, el viernes mejor no", "Vie 4 dic"),
                         ("I can't do thursday, friday at 10 either", "Fri 4 Dec")):
        chat = Chat(clinic)
        reply = chat.say(message)
        assert "¿Confirmo" not in texts(reply) and out not in on_screen(reply), (message, texts(reply))
        chat.say("sí")
        assert chat.books == [], message
