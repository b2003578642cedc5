"""Free text read into a day, a time and a professional (today: Tuesday 1 December 2026)."""

from __future__ import annotations

from datetime import date

import pytest

from relay.conversation.freetext import command, normalize, read

TODAY = date(2026, 12, 1)  # a Tuesday


@pytest.mark.parametrize(
    ("message", "day"),
    [
        ("mañana", date(2026, 12, 2)),
        ("Mañana!", date(2026, 12, 2)),
        ("pasado mañana", date(2026, 12, 3)),
        ("hoy", date(2026, 12, 1)),
        ("el martes", date(2026, 12, 8)),
        ("el miércoles", date(2026, 12, 2)),
        ("el miercoles", date(2026, 12, 2)),
        ("para el domingo", date(2026, 12, 6)),
        ("2 de diciembre", date(2026, 12, 2)),
        ("Lun 7 dic", date(2026, 12, 7)),
        ("Mon 7 Dec", date(2026, 12, 7)),
        ("December 9th", date(2026, 12, 9)),
        ("the 9th", date(2026, 12, 9)),
        ("el 5", date(2026, 12, 5)),
        ("5/12", date(2026, 12, 5)),
        ("05-01-2027", date(2027, 1, 5)),
        ("3 de enero", date(2027, 1, 3)),
        ("tomorrow", date(2026, 12, 2)),
        ("day after tomorrow", date(2026, 12, 3)),
        ("next Friday", date(2026, 12, 4)),
        ("Sáb 5 dic", date(2026, 12, 5)),
        ("Mar 8 dic", date(2026, 12, 8)),
    ],
)
def test_days(message, day):
    reading = read(message, TODAY)
    assert reading.day == day and not reading.ambiguous


@pytest.mark.parametrize(
    ("message", "times"),
    [
        ("10:30", ((10, 30), (22, 30))),
        ("10.30", ((10, 30), (22, 30))),
        ("10h30", ((10, 30), (22, 30))),
        ("16:00", ((16, 0),)),
        ("09:00", ((9, 0),)),  # written with its zero: the morning
        ("a las 4 de la tarde", ((16, 0),)),
        ("a las 10 de la mañana", ((10, 0),)),
        ("a las 4", ((4, 0), (16, 0))),
        ("4pm", ((16, 0),)),
        ("4 p.m.", ((16, 0),)),
        ("11am", ((11, 0),)),
        ("at 3", ((3, 0), (15, 0))),
        ("las 10 y media", ((10, 30), (22, 30))),
        ("17 hrs", ((17, 0),)),
        ("al mediodía", ((12, 0),)),
        ("at noon", ((12, 0),)),
    ],
)
def test_times(message, times):
    reading = read(message, TODAY)
    assert reading.times == times and reading.day is None and not reading.ambiguous


def test_tomorrow_morning_is_a_day_and_a_morning_time():
    reading = read("mañana a las 10 de la mañana", TODAY)
    assert reading.day == date(2026, 12, 2) and reading.times == ((10, 0),)


def test_a_label_with_day_time_and_professional():
    reading = read("Mié 2 dic 10:30 Dra. Soto", TODAY)
    assert reading.day == date(2026, 12, 2) and reading.times[0] == (10, 30)
    assert reading.words == ("soto",) and reading.title == "dra"


@pytest.mark.parametrize(
    ("message", "named", "title"),
    [
        ("con la Dra. Soto", ("soto",), "dra"),
        ("con la DRA. SÓTO", ("soto",), "dra"),
        ("con el doctor Rojas", ("rojas",), "dr"),
        ("with Dr. Soto", ("soto",), "dr"),
        ("el martes con Ana Soto", ("ana", "soto"), ""),
    ],
)
def test_professionals(message, named, title):
    reading = read(message, TODAY)
    assert reading.named == named and reading.title == title


def test_anyone():
    assert read("con cualquiera", TODAY).any_professional
    assert read("da igual con quién", TODAY).any_professional
    assert read("da igual", TODAY).any_time and not read("da igual", TODAY).any_professional
    assert read("anyone", TODAY).any_professional
    assert read("con cualquiera", TODAY).named == ()


@pytest.mark.parametrize(
    "message",
    ["lunes 3 dic", "mañana o el jueves", "a las 10 o a las 11", "31/2", "martes y jueves", "30 de febrero"],
)
def test_contradictions_are_ambiguous(message):
    assert read(message, TODAY).ambiguous


@pytest.mark.parametrize("message", ["hola", "", "   ", "🤔", "quiero una hora", "ok gracias", "x" * 5000])
def test_nothing_found(message):
    reading = read(message, TODAY)
    assert not reading.found and not reading.ambiguous


def test_a_bare_number_depends_on_the_menu():
    assert read("7", TODAY, bare_number="day").day == date(2026, 12, 7)
    assert read("7", TODAY, bare_number="hour").times == ((7, 0), (19, 0))
    assert read("16", TODAY, bare_number="hour").times == ((16, 0),)
    assert not read("7", TODAY).found
    assert not read("99", TODAY, bare_number="hour").found


def test_commands():
    assert command(normalize("Cancelar")) == "cancel"
    assert command(normalize("salir.")) == "cancel"
    assert command(normalize("Volver")) == "back"
    assert command(normalize("atrás")) == "back"
    assert command(normalize("otro día")) == "back"
    assert command(normalize("Más días")) == "more"
    assert command(normalize("More times")) == "more"
    assert command(normalize("quiero cancelar la hora del martes")) is None  # a sentence, not a command
    assert command(normalize("mañana")) is None


def test_asking_for_a_person():
    from relay.conversation.freetext import wants_person

    assert not wants_person(normalize("Quiero cancelar mi hora"))  # a cancellation, not a person
    assert read("Quiero cancelar mi hora", TODAY).intent == "cancel"
    assert wants_person(normalize("necesito hablar con una persona"))
    assert wants_person(normalize("can I talk to someone?"))
    assert not wants_person(normalize("con cualquier persona está bien"))
    assert not wants_person(normalize("mañana a las 10"))


def test_part_of_the_day_and_next_week():
    reading = read("mañana en la tarde", TODAY)
    assert reading.day == date(2026, 12, 2) and reading.part == "pm" and reading.times == ()
    assert read("tomorrow afternoon", TODAY).part == "pm"
    assert read("por la mañana", TODAY).part == "am" and read("por la mañana", TODAY).day is None
    assert read("good morning", TODAY).part == ""
    assert read("la próxima semana", TODAY).week == date(2026, 12, 7)
    assert read("next week", TODAY).week == date(2026, 12, 7)
    assert read("a las 4 de la tarde", TODAY).part == ""


def test_too_early_or_too_late_than_a_time_said_bounds_it():
    assert read("a las 5 es muy tarde", TODAY).before == "17:00"
    assert read("9:45 es muy temprano, algo más tarde porfa", TODAY).after == "09:46"
    assert read("te dije que a las 9 no puedo! algo más tarde", TODAY).after == "09:01"
    assert read("no tan tarde, tipo 10 y media", TODAY).times[0] == (10, 30)  # not 22:30


def test_three_messages_in_a_row_not_understood_hand_the_patient_to_a_person_and_one_understood_starts_over():
    from conversation_kit import Chat, agenda, texts

    chat = Chat(agenda([5], [(9, 0), (10, 30)]))
    chat.say("hola")
    assert "No puedo escuchar audios" in texts(chat.say("[audio]"))  # a voice note counts as not understood
    second = chat.say("🤒")
    assert "escribe «recepción» y una recepcionista te ayudará" in texts(second)
    third = chat.say("cuál me recomienda?")
    assert third.status == "handoff" and third.continuation["data"]["reason"] == "not_understood"
    assert "Una recepcionista te escribirá en breve" in texts(third)

    chat = Chat(agenda([5], [(9, 0), (10, 30)]))
    chat.say("hola")
    chat.say("[audio]")
    chat.say("🤒")
    assert chat.say("Sáb 5 dic").status == "choose_time"  # understood: the count starts over
    assert "No puedo escuchar audios ni ver fotos" in texts(chat.say("[sticker]"))
    assert chat.say("[audio]").status != "handoff"


@pytest.mark.parametrize(
    ("message", "day", "hour"),
    [
        ("el viernes 11... no, mejor el lunes 14 a las 10 y media. no no, a las 11 mejor", date(2026, 12, 14), 11),
        ("el viernes 4, no, mejor el lunes 7", date(2026, 12, 7), None),
        ("mañana a las 9, perdón, a las 10", date(2026, 12, 2), 10),
        ("el jueves... bueno no, el viernes", date(2026, 12, 4), None),
    ],
)
def test_what_a_patient_takes_back_in_the_same_message_gives_way_to_what_follows(message, day, hour):
    reading = read(message, TODAY)
    assert reading.day == day and not reading.ambiguous
    assert (reading.times[0][0] if reading.times else None) == hour


@pytest.mark.parametrize(
    ("message", "after", "before"),
    [
        ("estoy en la pega hasta las 5", "17:00", ""),
        ("trabajo hasta las 6", "18:00", ""),
        ("salgo a las 7", "19:00", ""),
        ("salgo del trabajo a las 6 de la tarde", "18:00", ""),
        ("I work until 5", "17:00", ""),
        ("a las 12 y algo", "12:00", "13:00"),
    ],
)
def test_busy_until_a_time_is_free_after_it_and_an_hour_and_something_is_within_that_hour(message, after, before):
    reading = read(message, TODAY)
    assert (reading.after, reading.before, reading.times) == (after, before, ())


@pytest.mark.parametrize(
    ("message", "day"),
    [
        ("el otro martes, no este que viene", date(2026, 12, 15)),
        ("no este martes, el otro", date(2026, 12, 15)),
        ("el martes subsiguiente", date(2026, 12, 15)),
    ],
)
def test_the_tuesday_after_the_coming_one_when_the_patient_says_not_this_one(message, day):
    thursday = date(2026, 12, 3)
    assert read(message, thursday).day == day


def test_misses_at_the_specialty_question_count_too():
    from conversation_kit import Chat, slot, slots, texts
    from test_dialogue_understanding import with_specialty

    soto = [with_specialty(slot(d, h, 0, "Dra. Ana Soto"), "Medicina general") for d in range(2, 12) for h in (9, 10)]
    kine = [with_specialty(slot(d, 16, 0, "Klga. Paula Méndez"), "Kinesiología") for d in range(2, 12)]
    chat = Chat(slots(*soto, *kine))
    assert "¿Qué especialidad necesitas?" in texts(chat.say("hola"))
    chat.say("[audio]")
    assert "escribe «recepción»" in texts(chat.say("🤒"))
    reply = chat.say("cuál me recomienda?")
    assert reply.status == "handoff" and reply.continuation["data"]["reason"] == "not_understood"
