"""The day a patient cannot come, said in other words than "no puedo ir el jueves": with a typo ("no pueod ir"),
"no me da el tiempo", "no llego", for their son ("mi hijo no puede ir el jueves"), "este jueves", or in English —
read as that appointment not kept (asked «¿Cambio…?» or «¿Cancelo…?», never done without a yes), and the day left
out of the new days."""

from __future__ import annotations

from conversation_kit import Chat, texts
from test_dialogue_appointments import ClinicAgent
from test_dialogue_move_which import THU_10
from test_dialogue_move_which import slots as free


def test_cannot_come_with_a_typo_is_read_as_cannot_come():
    """"no pueod ir el jueves" (a slip of the fingers) with Thursday 3's was «Ya tienes hora el jueves 3… ¿Quieres una
    hora más, cambiarla o cancelarla?», the day they cannot come not heard; now as "no puedo ir el jueves":
    «¿Cambio tu hora del jueves 3…?», and after "sí" the new days leave Thursday 3 out."""
    for message in ("no pueod ir el jueves", "no pudeo ir el jueves", "no peudo ir el jueves"):
        agent = ClinicAgent(THU_10)
        chat = Chat(free(), appointments=agent)
        asked = texts(chat.say(message))
        assert "¿Cambio tu hora del jueves 3" in asked, (message, asked)
        days = texts(chat.say("sí"))
        assert "jueves 3 de diciembre" not in days.split("reservada.")[-1] and "viernes 4 de diciembre" in days, \
            (message, days)
        assert not agent.cancelled and not agent.moved
    agent = ClinicAgent(THU_10)
    chat = Chat(free(), appointments=agent)
    assert "¿Cancelo tu hora del jueves 3" in texts(chat.say("no pueod ir el jueves, cancelala"))
    chat.say("sí")
    assert list(agent.cancelled.values()) == ["bk-7"]


def test_a_new_one_asked_for_beside_the_day_they_cannot_come_leaves_that_day_out():
    """"quiero hora con medicina general, no puedo ir el jueves" from a phone with no appointment showed Thursday 3's
    times («¿Qué hora … el Jue 3 dic?»): the day they cannot come, read as the day asked for. Now the days without
    the Thursdays («Entendido, sin ese día»), and a day named again after it ("…, el jueves 10 sí") is still asked for."""
    for message in ("hola quiero hora con medicina general, no puedo ir el jueves",
                    "necesito una cita con medicina general, no voy a poder ir el jueves",
                    "quiero una hora con medicina general pero no alcanzo a llegar el jueves"):
        chat = Chat(free(), appointments=ClinicAgent())
        days = texts(chat.say(message))
        assert "Jue 3 dic" not in days and "jueves 3 de diciembre" not in days and "miércoles 2 de diciembre" in days, \
            (message, days)
        chat.say("1")
        chat.say("1")
        chat.say("sí")
        assert [b.slot.start[:10] for b in chat.books] == ["2026-12-02"], (message, chat.books)
    chat = Chat(free(), appointments=ClinicAgent())
    assert "Jue 10 dic" in texts(chat.say("quiero hora con medicina general, no puedo ir el jueves 3, el jueves 10 si"))


def test_no_time_or_not_arriving_that_day_is_cannot_come():
    """"no me da tiempo el jueves", "no llego el jueves" with Thursday 3's were «Ya tienes hora el jueves 3…
    ¿Quieres una hora más, cambiarla o cancelarla?» (the day not heard), and beside a new one asked for Thursday
    3's times were shown. Now read as "no puedo ir el jueves": that appointment asked about («¿Cancelo…?», or
    «¿Cambio…?» when a change is asked for, the new days without Thursday 3), nothing done before the yes."""
    for message in ("no me da tiempo el jueves", "no llego el jueves", "el jueves no llego",
                    "no me va a dar el tiempo el jueves", "no me da el tiempo el jueves, cancelala porfa"):
        agent = ClinicAgent(THU_10)
        chat = Chat(free(), appointments=agent)
        asked = texts(chat.say(message))
        assert "¿Cancelo tu hora del jueves 3" in asked and not agent.cancelled, (message, asked)
        chat.say("sí")
        assert list(agent.cancelled.values()) == ["bk-7"] and not agent.moved, message
    for message in ("no llego el jueves, ¿se puede cambiar?", "no me da el tiempo el jueves, la otra semana puede ser?"):
        agent = ClinicAgent(THU_10)
        chat = Chat(free(), appointments=agent)
        asked = texts(chat.say(message))
        assert "¿Cambio tu hora del jueves 3" in asked, (message, asked)
        days = texts(chat.say("sí")).split("reservada.")[-1]
        assert "jueves 3 de diciembre" not in days and "de diciembre" in days and not agent.cancelled, (message, days)
    agent = ClinicAgent(THU_10)
    chat = Chat(free(), appointments=agent)
    chat.say("quiero cancelar mi hora")
    chat.say("es que no me da el tiempo")
    assert list(agent.cancelled.values()) == ["bk-7"]
    for message in ("no llego tarde el jueves", "no me llego el mensaje del jueves"):
        agent = ClinicAgent(THU_10)
        chat = Chat(free(), appointments=agent)
        assert "¿Cancelo" not in texts(chat.say(message)), message
    for message in ("quiero hora con medicina general, no llego el jueves",
                    "necesito una hora con medicina general, no me da el tiempo el jueves ni el viernes"):
        chat = Chat(free(), appointments=ClinicAgent())
        days = texts(chat.say(message))
        assert "Jue 3 dic" not in days and "jueves 3 de diciembre" not in days and "miércoles 2 de diciembre" in days, \
            (message, days)
        assert "viernes 4 de diciembre" not in days or "viernes" not in message, (message, days)


def test_this_thursday_ruled_out_is_that_thursday_only():
    """"no puedo ir este jueves, ¿puede ser el próximo?" with only Friday 4's: «¿Cambio tu hora del viernes 4…?», and
    after "sí" the days offered Thursday 3 first — the day they cannot come ("este jueves" was not read as ruled
    out). Thursday 3 is left out now, and only it: the next Thursday they ask for is still there."""
    from test_dialogue_move_which import FRI_16

    for bookings, message, moved in (((FRI_16,), "no puedo ir este jueves, ¿puede ser el próximo?", "bk-8"),
                                     ((THU_10,), "no puedo ir este jueves, ¿se puede cambiar?", "bk-7"),
                                     ((THU_10,), "este jueves no puedo, me la cambias?", "bk-7")):
        agent = ClinicAgent(*bookings)
        chat = Chat(free(), appointments=agent)
        assert "¿Cambio tu hora" in texts(chat.say(message)), message
        days = texts(chat.say("sí")).split("reservada.")[-1]
        assert "jueves 3 de diciembre" not in days and "viernes 4 de diciembre" in days, (message, days)
        times = texts(chat.say("el jueves 10"))
        assert "10 dic" in times or "jueves 10" in times, (message, times)
        chat.say("1")
        chat.say("sí")
        assert [(old, new[:10]) for old, new in agent.moved.values()] == [(moved, "2026-12-10")], (message, agent.moved)


def test_cannot_come_then_another_week_asked_with_only_a_question_mark_moves_it():
    """"I won't be able to make it thursday, the following week?" with Thursday 3's was «You have no appointment on
    Thursday 10 December; the one I have is another: Shall I cancel your appointment on Thursday 3…?» (Thursday of
    the following week read as the day named) and "yes" cancelled it; "no alcanzo a llegar el jueves, la otra
    semana?" was «¿Cancelo…?» too. The week after it is where to go: «¿Cambio…?» / «Shall I change…?», and the days
    from next week without the Thursdays; nothing cancelled but by the move."""
    from conversation_kit import EN

    for english, message in (
            (True, "I won't be able to make it thursday, the following week?"),
            (True, "won't be able to make it thursday, next week works?"),
            (False, "no alcanzo a llegar el jueves, la otra semana?"),
            (False, "no me da el tiempo el jueves. la proxima semana")):
        agent = ClinicAgent(THU_10)
        chat = Chat(free(), appointments=agent, clinic=EN) if english else Chat(free(), appointments=agent)
        asked = texts(chat.say(message))
        assert ("Shall I change your appointment on Thursday 3" if english else "¿Cambio tu hora del jueves 3") \
            in asked and "no appointment" not in asked, (message, asked)
        days = texts(chat.say("yes" if english else "sí"))
        first = "1. Monday 7 December" if english else "1. lunes 7 de diciembre"
        assert first in days and "10 de diciembre" not in days and "Thursday 10" not in days, (message, days)
        chat.say("1")
        chat.say("1")
        assert [(old, new[:10]) for old, new in agent.moved.values()] == [("bk-7", "2026-12-07")] \
            and not agent.cancelled, (message, agent.moved)
    agent = ClinicAgent(THU_10)
    chat = Chat(free(), appointments=agent, clinic=EN)
    assert "Shall I cancel your appointment on Thursday 3" in texts(chat.say("I won't be able to make it thursday"))


def test_a_day_ruled_out_then_a_week_asked_with_a_question_mark_moves_theirs_that_day():
    """"can't do thursday, next week?" ("no puedo el jueves, la otra semana?") with Thursday 3's was «You already have
    an appointment on Thursday 3… Would you like one more, to change it or to cancel it?», the week asked for lost:
    it is that one moved now («Shall I change…?», the days from next week); "can't do thursday" alone and a new one
    asked for in words still ask which."""
    from conversation_kit import EN

    for english, message in ((True, "can't do thursday, next week?"), (False, "no puedo el jueves, la otra semana?"),
                             (False, "el jueves no puedo, ¿la semana que viene?")):
        agent = ClinicAgent(THU_10)
        chat = Chat(free(), appointments=agent, clinic=EN) if english else Chat(free(), appointments=agent)
        asked = texts(chat.say(message))
        assert ("Shall I change your appointment on Thursday 3" if english else "¿Cambio tu hora del jueves 3") \
            in asked, (message, asked)
        days = texts(chat.say("yes" if english else "sí"))
        assert ("1. Monday 7 December" if english else "1. lunes 7 de diciembre") in days, (message, days)
        assert not agent.cancelled and not agent.moved
    for english, message in ((True, "can't do thursday"), (False, "quiero hora con medicina general, el jueves no"
                                                                  " puedo, la otra semana?")):
        agent = ClinicAgent(THU_10)
        chat = Chat(free(), appointments=agent, clinic=EN) if english else Chat(free(), appointments=agent)
        asked = texts(chat.say(message))
        assert "one more, to change it or to cancel it" in asked or "una hora más, cambiarla o cancelarla" in asked, \
            (message, asked)


def test_their_son_cannot_come_on_his_day_is_his_appointment_asked_about():
    """With the mother's appointment on Friday 4 and her son's on Thursday 3, "mi hijo no puede ir el jueves, ¿se
    puede cambiar?" was «Ya tienes 2 horas reservadas… ¿Quieres una hora más, cambiar una o cancelar una?» ("no
    puede ir", said of another, was not read as cannot come): his is asked about now, «¿Cambio la hora de Tomás
    Pérez del jueves 3…?» («¿Cancelo…?» for "no va a poder ir"), nothing done before the yes and never hers."""
    from wire.appointments import WireBooking

    son = WireBooking("bk-s", "2026-12-03T15:00:00-03:00", "2026-12-03T15:30:00-03:00", "Dra. Ana Soto",
                      patient="Tomás Pérez")
    mother = WireBooking("bk-m", "2026-12-04T09:00:00-03:00", "2026-12-04T09:30:00-03:00", "Dra. Ana Soto",
                         patient="Ana Pérez")
    for message, asked_for in (("mi hijo no puede ir el jueves, ¿se puede cambiar?", "¿Cambio la hora de Tomás Pérez"),
                               ("mi hija no va a poder asistir el jueves, la otra semana puede ser?",
                                "¿Cambio la hora de Tomás Pérez"),
                               ("mi hijo no va a poder ir el jueves", "¿Cancelo la hora de Tomás Pérez")):
        agent = ClinicAgent(son, mother)
        chat = Chat(free(), appointments=agent, name="Ana Pérez")
        asked = texts(chat.say(message))
        assert f"{asked_for} del jueves 3" in asked and not agent.cancelled and not agent.moved, (message, asked)
        after = texts(chat.say("sí"))
        if "Cancelo" in asked_for:
            assert list(agent.cancelled.values()) == ["bk-s"], (message, after)
        else:
            assert "jueves 3 de diciembre" not in after.split("reservada.")[-1] and not agent.cancelled, (message, after)


def test_not_going_to_make_it_there_in_time_is_cannot_come():
    """"no voy a alcanzar a llegar el jueves" with Thursday 3's was «Ya tienes hora el jueves 3… ¿Quieres una hora
    más, cambiarla o cancelarla?»; it is cannot come now: «¿Cancelo…?» (a week after it: «¿Cambio…?», the days from
    next week)."""
    agent = ClinicAgent(THU_10)
    chat = Chat(free(), appointments=agent)
    assert "¿Cancelo tu hora del jueves 3" in texts(chat.say("no voy a alcanzar a llegar el jueves"))
    chat.say("sí")
    assert list(agent.cancelled.values()) == ["bk-7"]
    agent = ClinicAgent(THU_10)
    chat = Chat(free(), appointments=agent)
    assert "¿Cambio tu hora del jueves 3" in texts(chat.say("no vamos a alcanzar a llegar el jueves, la otra semana?"))
    assert "1. lunes 7 de diciembre" in texts(chat.say("sí")) and not agent.cancelled


def test_not_going_alone_is_never_asked_as_a_cancel():
    """"mi hija no puede ir sola, ¿puedo acompañarla?" ("no puedo ir sola, ¿puedo ir con mi hija?") with Thursday 3's
    was «¿Cancelo tu hora del jueves 3…?», and the habitual "sí" cancelled it: how they come was read as not coming.
    Their appointment is shown with what can be done (nothing cancelled); "…, cancélala" still asks «¿Cancelo…?»."""
    for message in ("mi hija no puede ir sola, ¿puedo acompañarla?", "no puedo ir sola, puedo ir con mi hija?",
                    "no puedo ir solo el jueves, puede ir alguien conmigo?"):
        agent = ClinicAgent(THU_10)
        chat = Chat(free(), appointments=agent)
        asked = texts(chat.say(message))
        assert "¿Cancelo" not in asked and "¿Cambio" not in asked, (message, asked)
        chat.say("sí")
        assert not agent.cancelled and not agent.moved, message
    agent = ClinicAgent(THU_10)
    chat = Chat(free(), appointments=agent)
    assert "¿Cancelo tu hora del jueves 3" in texts(chat.say("no puedo ir sola el jueves, cancelala"))


def test_the_time_they_cannot_come_at_is_theirs_never_told_they_have_none_like_it():
    """"no puedo ir a las 10 el jueves, ¿puede ser a las 11?" with Thursday 3's at 10:00 was «No tienes una hora así;
    la que tengo anotada es otra: ¿Cambio tu hora del jueves 3… a las 10:00…?» — false: it is that one (11 is
    where it goes). Now only «¿Cambio tu hora del jueves 3 … a las 10:00…?», "sí" proposes Thursday 3 at 11:00 and
    a second "sí" moves it there; nothing cancelled before."""
    for message in ("no puedo ir a las 10 el jueves, ¿puede ser a las 11?",
                    "no llego a las 10 el jueves, puede ser a las 11?",
                    "no voy a poder ir a las 10 el jueves, se puede a las 11?"):
        agent = ClinicAgent(THU_10)
        chat = Chat(free(), appointments=agent)
        asked = texts(chat.say(message))
        assert "¿Cambio tu hora del jueves 3" in asked and "No tienes" not in asked, (message, asked)
        after = texts(chat.say("sí"))
        assert "¿Confirmo el jueves 3 de diciembre a las 11:00" in after and not agent.cancelled \
            and not agent.moved, (message, after)
        chat.say("sí")
        assert [(old, new[:13]) for old, new in agent.moved.values()] == [("bk-7", "2026-12-03T11")], message


def test_their_son_cannot_come_with_only_the_writers_appointment_is_told_so():
    """"mi hijo no puede ir el jueves" ("my son can't make it thursday") from a phone with only the writer's own
    Thursday 3 was asked «¿Cambio tu hora del jueves 3…?» («Shall I cancel your appointment…?») as if the son's were
    hers. Now she is told first: «No encontré una hora de esa persona; con este número tengo anotada solo esta:»
    before the question (it may be the one booked for him under her name), nothing done before the yes."""
    from conversation_kit import EN

    for english, message in ((False, "mi hijo no puede ir el jueves"),
                             (False, "mi mamá no va a poder ir el jueves, cancélala"),
                             (True, "my son can't make it thursday")):
        agent = ClinicAgent(THU_10)
        chat = Chat(free(), appointments=agent, clinic=EN) if english else Chat(free(), appointments=agent)
        asked = texts(chat.say(message))
        assert ("I found no appointment of that person's" if english else "No encontré una hora de esa persona") \
            in asked and ("Thursday 3" in asked or "jueves 3" in asked), (message, asked)
        assert not agent.cancelled and not agent.moved


def test_cannot_come_and_whether_it_can_be_changed_is_a_move_never_a_cancel():
    """"no puedo ir, ¿se puede cambiar?" ("no llego, ¿se puede mover?", "no voy a poder ir, ¿me la puedes correr?")
    with Thursday 3's was «¿Cancelo tu hora del jueves 3…?» and the habitual "sí" cancelled the appointment they
    asked to move. It is «¿Cambio tu hora del jueves 3…?» now, and "sí" shows the days (the old one kept until the
    new one is booked); "no puedo ir, ¿se puede cancelar?" still asks «¿Cancelo…?»."""
    for message in ("no puedo ir, se puede cambiar?", "no llego, ¿se puede mover?",
                    "hola, me da lata pero no alcanzo a llegar, se puede mover?",
                    "no voy a poder ir, me la puedes correr?"):
        agent = ClinicAgent(THU_10)
        chat = Chat(free(), appointments=agent)
        asked = texts(chat.say(message))
        assert "¿Cambio tu hora del jueves 3" in asked, (message, asked)
        assert "Elige la nueva hora" in texts(chat.say("sí")) and not agent.cancelled, message
    agent = ClinicAgent(THU_10)
    chat = Chat(free(), appointments=agent)
    assert "¿Cancelo tu hora del jueves 3" in texts(chat.say("no puedo ir, se puede cancelar?"))


def test_cant_make_it_and_can_it_be_changed_is_a_move_in_english_too():
    """"I can't make it, can it be changed?" with Thursday 3's was «Shall I cancel your appointment on Thursday 3…?»
    and "yes" cancelled the appointment they asked to change; "I won't make it thursday, is it possible to change
    it?" offered Thursday 3 among the new days. Now «Shall I change…?», and Thursday 3 left out when it was said."""
    from conversation_kit import EN

    agent = ClinicAgent(THU_10)
    chat = Chat(free(), appointments=agent, clinic=EN)
    assert "Shall I change your appointment on Thursday 3" in texts(chat.say("I can't make it, can it be changed?"))
    assert "Pick the new time" in texts(chat.say("yes")) and not agent.cancelled
    agent = ClinicAgent(THU_10)
    chat = Chat(free(), appointments=agent, clinic=EN)
    chat.say("I won't make it thursday, is it possible to change it?")
    days = texts(chat.say("yes")).split("booked.")[-1]
    assert "Thursday 3 December" not in days and "Friday 4 December" in days, days


def test_at_shall_i_cancel_the_other_week_asked_for_is_a_move_never_a_yes():
    """At «¿Cancelo tu hora del jueves 3…?», "no puedo ir el jueves, la otra semana puede ser?" ("es que no alcanzo
    a llegar el jueves, la otra semana?") was «Perdona, no te entendí… ¿Cancelo…?» ("la otra semana" read as "the
    other one" of their appointments) and the "sí" that followed cancelled it. It is the move now: «Elige la nueva
    hora…» with the days from next week, Thursday's kept until the new one is booked."""
    for message in ("no puedo ir el jueves, la otra semana puede ser?",
                    "es que no alcanzo a llegar el jueves, la otra semana?",
                    "es que no me da el tiempo el jueves, la otra semana?"):
        agent = ClinicAgent(THU_10)
        chat = Chat(free(), appointments=agent)
        chat.say("quiero cancelar mi hora")
        days = texts(chat.say(message))
        assert "Elige la nueva hora" in days and "1. lunes 7 de diciembre" in days, (message, days)
        chat.say("1")
        chat.say("1")
        assert [(old, new[:10]) for old, new in agent.moved.values()] == [("bk-7", "2026-12-07")] \
            and not agent.cancelled, (message, agent.moved)


def test_at_shall_i_change_the_day_they_cannot_come_is_no_switch_to_a_cancel():
    """"quiero cambiar mi hora", «¿Cambio tu hora del jueves 3…?», "no alcanzo a llegar el jueves" ("no voy a poder
    ir el jueves") switched to «¿Cancelo tu hora del jueves 3…?» and the "sí" that followed cancelled the appointment
    they had asked to move (while "no puedo ir el jueves" is asked «Solo para estar seguros: ¿Cambio…?»). All are
    asked again about the move now, and "sí" shows the new days without Thursday 3."""
    for message in ("no alcanzo a llegar el jueves", "no voy a poder ir el jueves", "no llego el jueves",
                    "no puedo ir el jueves"):
        agent = ClinicAgent(THU_10)
        chat = Chat(free(), appointments=agent)
        chat.say("quiero cambiar mi hora")
        asked = texts(chat.say(message))
        assert "¿Cambio tu hora del jueves 3" in asked and "¿Cancelo" not in asked, (message, asked)
        days = texts(chat.say("sí"))
        assert "Elige la nueva hora" in days and "jueves 3 de diciembre" not in days.split("reservada.")[-1] \
            and not agent.cancelled, (message, days)


def test_at_shall_i_cancel_cant_make_it_that_day_and_next_week_asked_is_the_move():
    """At «Shall I cancel your appointment on Thursday 3…?», "I can't make it thursday, next week?" was «Just to be
    sure: Shall I cancel…?» and "yes" cancelled the appointment they asked to move to next week. It is the move
    now: «Pick the new time…» with the days from next week, nothing cancelled before the new one is booked."""
    from conversation_kit import EN

    for message in ("I can't make it thursday, next week?", "I won't be able to make it thursday, the following week?"):
        agent = ClinicAgent(THU_10)
        chat = Chat(free(), appointments=agent, clinic=EN)
        chat.say("I want to cancel my appointment")
        days = texts(chat.say(message))
        assert "Pick the new time" in days and "1. Monday 7 December" in days, (message, days)
        chat.say("1")
        chat.say("1")
        assert [(old, new[:10]) for old, new in agent.moved.values()] == [("bk-7", "2026-12-07")] \
            and not agent.cancelled, (message, agent.moved)


def test_the_next_friday_ruled_out_is_that_friday_only():
    """"no puedo ir el próximo viernes" with Friday 4's and Friday 11's asked «¿Cambio tu hora del viernes 4…?» and
    after "sí" offered Friday 4 among the new days, the day they cannot come ("el próximo viernes" was not read as
    ruled out). Friday 4 is left out now, and only it (Friday 11 holds their other one)."""
    from test_dialogue_move_which import FRI_16

    from wire.appointments import WireBooking

    fri_11 = WireBooking("bk-x", "2026-12-11T16:00:00-03:00", "2026-12-11T16:30:00-03:00", "Dr. Juan Rojas")
    agent = ClinicAgent(FRI_16, fri_11)
    chat = Chat(free(), appointments=agent)
    assert "¿Cambio tu hora del viernes 4" in texts(chat.say("no puedo ir el próximo viernes"))
    days = texts(chat.say("sí")).split("reservada.")[-1]
    assert "viernes 4 de diciembre" not in days and "jueves 3 de diciembre" in days, days


def test_arriving_late_is_never_asked_as_a_cancel_or_a_move():
    """"no llego antes de las 10:15" with Thursday 3's at 10:00 was «¿Cancelo tu hora del jueves 3…?» (and "sí"
    cancelled it), "no llego a las 10, llego como a las 10:20" «¿Cambio…?»: a late arrival read as not coming.
    Reception is told of the late one, and the other is shown their appointment; nothing cancelled or moved."""
    for message, told in (("no llego a las 10, llego como a las 10:20", "Le pasé el aviso a recepción"),
                          ("no llego antes de las 10:15", "Ya tienes hora el jueves 3")):
        agent = ClinicAgent(THU_10)
        chat = Chat(free(), appointments=agent)
        asked = texts(chat.say(message))
        assert told in asked and "¿Cancelo" not in asked and "¿Cambio" not in asked, (message, asked)
        chat.say("sí")
        assert not agent.cancelled and not agent.moved, message


def test_no_time_for_something_else_is_never_asked_as_a_cancel():
    """"no me da el tiempo de leer todo, ¿me mandas la dirección?" with Thursday 3's was «¿Cancelo tu hora del jueves
    3…?» (any "no me da el tiempo" read as not coming, dc5ac25): only no time to come ("…el jueves", "…de ir", the
    whole message) is; this one gets the address and their appointment shown, nothing cancelled."""
    agent = ClinicAgent(THU_10)
    chat = Chat(free(), appointments=agent)
    asked = texts(chat.say("no me da el tiempo de leer todo, ¿me mandas la dirección?"))
    assert "¿Cancelo" not in asked and "¿Cambio" not in asked, asked
    chat.say("sí")
    assert not agent.cancelled and not agent.moved
    agent = ClinicAgent(THU_10)
    chat = Chat(free(), appointments=agent)
    chat.say("quiero cancelar mi hora")
    chat.say("es que no me da el tiempo")
    assert list(agent.cancelled.values()) == ["bk-7"]


def test_not_managing_to_do_something_else_is_never_asked_as_a_cancel():
    """"no llego a entender cuál es mi hora" with Thursday 3's was «¿Cancelo tu hora del jueves 3…?» ("no llego"
    read as not coming, dc5ac25): it asks about their appointment, which is shown, nothing cancelled."""
    agent = ClinicAgent(THU_10)
    chat = Chat(free(), appointments=agent)
    asked = texts(chat.say("no llego a entender cual es mi hora"))
    assert "¿Cancelo" not in asked and "jueves 3 de diciembre" in asked, asked
    chat.say("sí")
    assert not agent.cancelled and not agent.moved


def test_someone_going_in_their_place_is_never_asked_as_a_cancel():
    """"¿no puede ir mi esposo en mi lugar?" with Thursday 3's was «¿Cancelo tu hora del jueves 3…?» (since 08152b9
    read "no puede ir" as not coming) and "sí" cancelled it. Only one said first not to come is ("mi hijo no puede
    ir…"); this one is shown their appointment, nothing cancelled."""
    agent = ClinicAgent(THU_10)
    chat = Chat(free(), appointments=agent)
    asked = texts(chat.say("¿no puede ir mi esposo en mi lugar?"))
    assert "¿Cancelo" not in asked and "¿Cambio" not in asked, asked
    chat.say("sí")
    assert not agent.cancelled and not agent.moved


def test_their_son_ill_and_not_coming_is_his_appointment_asked_about():
    """"mi hijo está enfermo, no va a poder ir el jueves" with the mother's on Friday 4 and her son's on Thursday 3
    was «Ya tienes 2 horas reservadas… ¿Quieres una hora más, cambiar una o cancelar una?»: his is asked about now,
    «¿Cancelo la hora de Tomás Pérez del jueves 3…?», and only "sí" cancels it (never hers)."""
    from wire.appointments import WireBooking

    son = WireBooking("bk-s", "2026-12-03T15:00:00-03:00", "2026-12-03T15:30:00-03:00", "Dra. Ana Soto",
                      patient="Tomás Pérez")
    mother = WireBooking("bk-m", "2026-12-04T09:00:00-03:00", "2026-12-04T09:30:00-03:00", "Dra. Ana Soto",
                         patient="Ana Pérez")
    agent = ClinicAgent(son, mother)
    chat = Chat(free(), appointments=agent, name="Ana Pérez")
    asked = texts(chat.say("mi hijo esta enfermo, no va a poder ir el jueves"))
    assert "¿Cancelo la hora de Tomás Pérez del jueves 3" in asked and not agent.cancelled, asked
    chat.say("sí")
    assert list(agent.cancelled.values()) == ["bk-s"]


def test_days_they_cannot_come_while_choosing_are_left_out_never_the_only_ones_shown():
    """Moving Thursday 3's, at the days, "no llego ni el miércoles ni el viernes" showed ONLY Wednesdays and Fridays
    («1. miércoles 2 de diciembre 2. viernes 4 de diciembre…») and "1", "1" moved it to Wednesday 2, a day they
    said they cannot come. Those days are left out now («Entendido, sin esos días»), as for "no puedo ni el
    miércoles ni el viernes"; the same while booking a new one."""
    for message in ("no llego ni el miercoles ni el viernes", "el miercoles y el viernes no llego",
                    "no alcanzo a llegar el miercoles ni el viernes"):
        agent = ClinicAgent(THU_10)
        chat = Chat(free(), appointments=agent)
        chat.say("quiero cambiar mi hora")
        chat.say("sí")
        days = texts(chat.say(message))
        assert "miércoles 2 de diciembre" not in days and "viernes 4 de diciembre" not in days \
            and "sábado 5 de diciembre" in days, (message, days)
        assert not agent.cancelled and not agent.moved
        chat = Chat(free(), appointments=ClinicAgent())
        chat.say("quiero una hora")
        days = texts(chat.say(message))
        assert "miércoles 2 de diciembre" not in days and "viernes 4 de diciembre" not in days \
            and "jueves 3 de diciembre" in days, (message, days)


def test_the_day_they_cannot_come_at_which_to_move_stays_out_of_the_new_days():
    """At «¿Cuál quieres cambiar?» with Thursday 3's and Friday 4's, "no llego el jueves" ("no alcanzo a llegar el
    jueves") asked «¿Cambio tu hora del jueves 3…?» but after "sí" offered Thursday 3 again, the day they cannot
    come (as "no puedo el jueves" no longer does). It is left out now."""
    from test_dialogue_move_which import FRI_16

    for message in ("no llego el jueves", "no alcanzo a llegar el jueves"):
        agent = ClinicAgent(THU_10, FRI_16)
        chat = Chat(free(), appointments=agent)
        chat.say("quiero cambiar mi hora")
        assert "¿Cambio tu hora del jueves 3" in texts(chat.say(message)), message
        days = texts(chat.say("sí")).split("reservada.")[-1]
        assert "jueves 3 de diciembre" not in days and "viernes 4 de diciembre" in days, (message, days)


def test_a_day_they_cannot_come_said_while_choosing_is_left_out():
    """While choosing (the days of a move, or "¿Qué especialidad necesitas?" for a new one), "no puedo ir el
    miércoles" ("mi hijo no puede ir el miércoles") was read as a change of their appointments: «No tienes hora el
    miércoles 2…; ¿Cambio tu hora del jueves 3…?», or «No encontré horas próximas con este número… ¿Quieres pedir
    una?». It is that day ruled out now, as "el miércoles no puede" was: «Entendido, sin ese día»."""
    for message in ("no puedo ir el miercoles", "mi hijo no puede ir el miercoles"):
        agent = ClinicAgent(THU_10)
        chat = Chat(free(), appointments=agent)
        chat.say("quiero cambiar mi hora")
        chat.say("sí")
        days = texts(chat.say(message))
        assert "Entendido, sin ese día" in days and "miércoles 2 de diciembre" not in days \
            and "No tienes hora" not in days, (message, days)
        chat = Chat(free(), appointments=ClinicAgent())
        chat.say("quiero una hora")
        said = texts(chat.say(message))
        assert "No encontré horas" not in said and "miércoles 2 de diciembre" not in said, (message, said)


def test_at_cancel_a_week_or_day_they_cannot_come_that_is_not_its_own_is_asked_again():
    """At «¿Cancelo tu hora del jueves 3…?»: "la otra semana no voy a estar" started a move offering next week (the
    week they will be away) or a new booking's specialty question, "mi mamá no puede ir, yo sí" a new booking, and
    "no voy a estar" kept the appointment («sigue en pie»). A week or day named that is not the appointment's is asked
    about again, nothing done; "no voy a estar" alone is the yes; a new week asked for as a question still moves it."""
    for message in ("la otra semana no voy a estar", "sí, la otra semana no puedo ir", "el viernes no voy a estar",
                    "mi mamá no puede ir, yo sí"):
        agent = ClinicAgent(THU_10)
        chat = Chat(free(), appointments=agent)
        chat.say("hola, necesito cancelar mi hora")
        reply = chat.say(message)
        assert texts(reply).endswith("¿Cancelo tu hora del jueves 3 de diciembre a las 10:00 con la Dra. Ana Soto?"), \
            (message, texts(reply))
        assert not agent.cancelled and not agent.moved
    agent = ClinicAgent(THU_10)
    chat = Chat(free(), appointments=agent)
    chat.say("hola, necesito cancelar mi hora")
    assert chat.say("no voy a estar").status == "cancelled" and list(agent.cancelled.values()) == ["bk-7"]
    chat = Chat(free(), appointments=ClinicAgent(THU_10))
    chat.say("hola, necesito cancelar mi hora")
    assert "se cancelará cuando la nueva quede reservada" in texts(chat.say("no puedo ir, ¿puede ser la otra semana?"))


def test_yes_to_one_more_change_or_cancel_after_ruling_out_its_day_asks_to_move_it():
    """"el jueves no alcanzo, agéndame el viernes a las 9" with Thursday 3's: «Ya tienes hora el jueves 3… ¿Quieres
    una hora más, cambiarla o cancelarla?» and "sí" began a second appointment (the specialty asked) beside the one
    they cannot keep. The yes now asks «¿Cambio tu hora del jueves 3…?»; "una hora más" still books one more."""
    for message in ("el jueves no alcanzo, agendame el viernes a las 9", "el jueves no puedo, resérvame el viernes"):
        agent = ClinicAgent(THU_10)
        chat = Chat(free(), appointments=agent)
        assert "¿Quieres una hora más, cambiarla o cancelarla?" in texts(chat.say(message)), message
        assert texts(chat.say("sí")) == "¿Cambio tu hora del jueves 3 de diciembre a las 10:00 con la Dra. Ana Soto?", \
            message
        assert not agent.cancelled and not agent.moved


def test_a_day_put_as_a_question_after_the_day_they_cannot_come_is_where_it_moves():
    """"no llego el jueves, el lunes?" (no «¿» before the Monday, as WhatsApp is written) read Monday as ruled out
    too: «¿Cancelo tu hora del jueves 3…?» and "sí" cancelled it, Monday never offered. Monday is the day asked for:
    «¿Cambio…?» and Monday's times."""
    for message, lang in (("no llego el jueves, el lunes?", "es"), ("no puedo el jueves, el lunes?", "es"),
                          ("I can't do thursday, monday?", "en")):
        agent = ClinicAgent(THU_10)
        chat = Chat(free(), appointments=agent)
        asked = texts(chat.say(message))
        assert ("¿Cambio tu hora del jueves 3" if lang == "es" else "Shall I change your appointment") in asked, \
            (message, asked)
        times = texts(chat.say("sí" if lang == "es" else "yes"))
        assert ("Lun 7 dic" if lang == "es" else "Mon 7 Dec") in times, (message, times)
        assert not agent.cancelled and not agent.moved


def test_a_time_they_cannot_make_on_its_day_is_not_the_whole_day_ruled_out():
    """"el jueves no llego a las 10, puede ser a las 11?" ruled all of Thursday out: after «¿Cambio…?» and "sí" the
    days without Thursday. Only 10:00 is out: Thursday at 11 is proposed."""
    agent = ClinicAgent(THU_10)
    chat = Chat(free(), appointments=agent)
    assert "¿Cambio tu hora del jueves 3" in texts(chat.say("el jueves no llego a las 10, puede ser a las 11?"))
    times = texts(chat.say("sí"))
    assert "¿Confirmo el jueves 3 de diciembre a las 11:00" in times and "próximos días" not in times, times
    assert not agent.cancelled and not agent.moved
