"""The day a move was asked for, kept when the answer to «¿Cambio…?» gives only a time or a part of the day.

"cambia mi hora del jueves para el lunes" … «¿Cambio tu hora del jueves…?» … "a las 9" proposed **Thursday** at 9
(and a "sí" moved it there, not to Monday); "en la tarde", "pero en la tarde", "lo antes posible" showed Thursday's
or any day's times. The same in English ("move my thursday appointment to monday" … "at 9").

At the list «¿Cuál quieres cambiar?», where it goes was read as which one: "cámbiala para el viernes", "can you move my
appointment to Friday?" asked to change **Friday's**; "la del viernes al lunes", "la 1 para el viernes" were «¿Cuál de
tus horas?» again, and "muévela al lunes" then "2" forgot Monday."""

from __future__ import annotations

import pytest
from conversation_kit import texts
from test_dialogue_whose_relative import MUM, OWN, chat_with

MONDAY_AT_9 = ("¿Confirmo el lunes 7 de diciembre a las 09:00 con la Dra. Ana Soto, en vez de",
               "Shall I book Monday 7 December at 09:00 with Dra. Ana Soto, instead of")


@pytest.mark.parametrize(("first", "answer", "english"), [
    ("cambia mi hora del jueves para el lunes", "a las 9", False),
    ("cambia mi hora del jueves para el lunes", "9 am", False),
    ("cambia mi hora del jueves para el lunes a las 11:40", "a las 9", False),
    ("cambia mi hora del jueves para el lunes a las 11:40", "sí, a las 9", False),
    ("cambia mi hora del jueves para el lunes", "lo antes posible", False),
    ("move my thursday appointment to monday", "at 9", True),
    ("move my thursday appointment to monday at 11:40", "at 9", True),
])
def test_a_time_alone_is_on_the_day_asked_for(first: str, answer: str, english: bool) -> None:
    chat, agent = chat_with(OWN, MUM, english=english)
    chat.say(first)
    assert MONDAY_AT_9[english] in texts(chat.say(answer))
    chat.say("yes" if english else "sí")
    assert list(agent.moved.values()) == [("thu-own", "2026-12-07T0900.4918")]


@pytest.mark.parametrize(("first", "answer", "english"), [
    ("cambia mi hora del jueves para el lunes", "en la tarde", False),
    ("cambia mi hora del jueves al lunes", "pero en la tarde", False),
    ("move my thursday appointment to monday", "in the afternoon", True),
])
def test_a_part_of_the_day_alone_is_on_the_day_asked_for(first: str, answer: str, english: bool) -> None:
    chat, _ = chat_with(OWN, MUM, english=english)
    chat.say(first)
    said = texts(chat.say(answer))
    assert ("el Lun 7 dic?" if not english else "on Mon 7 Dec?") in said
    assert "Jue 3 dic" not in said and "Thu 3 Dec" not in said


def test_a_move_without_a_day_still_takes_the_time_on_its_own_day() -> None:
    chat, _ = chat_with(OWN, MUM)
    chat.say("cambia mi hora del jueves")
    assert "¿Confirmo el jueves 3 de diciembre a las 09:00" in texts(chat.say("a las 9"))



@pytest.mark.parametrize(("answer", "then", "moved_from", "to_day", "english"), [
    # where it goes said at the list: Friday's was the one asked about (and then moved to any day)
    ("cámbiala para el viernes", "1", "jueves 3", "Vie 4 dic", False),
    ("can you move my appointment to Friday?", "1", "Thursday 3", "Fri 4 Dec", True),
    ("muévela al lunes", "2", "viernes 4", "Lun 7 dic", False),
    # which one and where: was «¿Cuál de tus horas?» again, where it goes forgotten
    ("la del viernes al lunes", None, "viernes 4", "Lun 7 dic", False),
    ("la 1 para el viernes", None, "jueves 3", "Vie 4 dic", False),
    ("the thursday one to friday", None, "Thursday 3", "Fri 4 Dec", True),
    ("la del jueves, pásala al viernes", None, "jueves 3", "Vie 4 dic", False),
    ("the thursday one, move it to friday", None, "Thursday 3", "Fri 4 Dec", True),
])
def test_at_the_list_where_it_goes_is_never_which_one(answer: str, then: str | None, moved_from: str, to_day: str,
                                                       english: bool) -> None:
    chat, _ = chat_with(OWN, MUM, english=english)
    chat.say("move my appointment" if english else "quiero cambiar mi hora")
    said = texts(chat.say(answer))
    if then is not None:
        assert said.startswith("Which of your appointments?" if english else "¿Cuál de tus horas?")
        said = texts(chat.say(then))
    assert (f"appointment on {moved_from} December" if english else f"del {moved_from} de diciembre") in said
    assert said.startswith("Shall I change" if english else "¿Cambio")
    said = texts(chat.say("yes" if english else "sí"))
    assert (f"the one on {moved_from}" if english else f"la del {moved_from}") in said
    assert (f"on {to_day}?" if english else f"el {to_day}?") in said
