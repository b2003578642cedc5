"""Which appointment to cancel, said by the one NOT meant.

With Thursday's and Friday's on the phone, "cancel the other one, not thursday", "don't cancel the one on thursday,
cancel the other", "cancela la otra, no la del jueves", "la del jueves no, cancela la otra" asked «¿Cancelo tu hora
del jueves…?» — the one the patient had just said to keep (the day was read, its "no" was not); at the list of their
appointments "no la del jueves", "not thursday's", "deja la del jueves, cancela la otra" did the same. "Cancel the
one that isn't mine" asked to cancel the writer's own. "Cancel the afternoon one", "la de la mañana" were not read.
With Thursday's only, "keep thursday, cancel friday" asked «Shall I cancel your appointment on Thursday…?»."""

from __future__ import annotations

from dataclasses import replace

from conversation_kit import EN, Chat, agenda, texts
from test_dialogue_appointments import FRI, THU, ClinicAgent

ASKS_FRIDAY = ("¿Cancelo tu hora del viernes 4 de diciembre a las 16:00 con el Dr. Juan Rojas?",
               "Shall I cancel your appointment on Friday 4 December at 16:00 with Dr. Juan Rojas?")
ASKS_THURSDAY = ("¿Cancelo tu hora del jueves 3 de diciembre a las 10:00 con la Dra. Ana Soto?",
                 "Shall I cancel your appointment on Thursday 3 December at 10:00 with Dra. Ana Soto?")


def clinic():
    return replace(agenda(range(2, 15), [(9, 0), (11, 40)]), finds_bookings=True)


def chat_with(*bookings, english: bool = False) -> tuple[Chat, ClinicAgent]:
    agent = ClinicAgent(*bookings)
    return (Chat(clinic(), clinic=EN, appointments=agent) if english
            else Chat(clinic(), appointments=agent)), agent


def test_the_one_ruled_out_is_never_the_one_asked_about() -> None:
    for message, english in (("cancel the other one, not thursday", True),
                             ("don't cancel the one on thursday, cancel the other", True),
                             ("keep thursday, cancel friday", True),
                             ("cancel friday, not thursday", True),
                             ("cancela la otra, no la del jueves", False),
                             ("la del jueves no, cancela la otra", False),
                             ("no canceles la del jueves, cancela la otra", False),
                             ("deja la del jueves y cancela la otra", False)):
        chat, agent = chat_with(THU, FRI, english=english)
        assert texts(chat.say(message)).endswith(ASKS_FRIDAY[english]), message
        chat.say("yes" if english else "sí")
        assert list(agent.cancelled.values()) == ["bk-8"], message


def test_at_the_list_the_one_ruled_out_is_never_picked() -> None:
    for first, answer, english in (("cancel my appointment", "not thursday's", True),
                                   ("cancel my appointment", "the other one, not thursday", True),
                                   ("cancel my appointment", "keep thursday, cancel friday", True),
                                   ("quiero cancelar mi hora", "no la del jueves", False),
                                   ("quiero cancelar mi hora", "la otra, no la del jueves", False),
                                   ("quiero cancelar mi hora", "deja la del jueves, cancela la otra", False)):
        chat, agent = chat_with(THU, FRI, english=english)
        chat.say(first)
        assert texts(chat.say(answer)).endswith(ASKS_FRIDAY[english]), answer
    for answer, english, asked in (("the afternoon one", True, ASKS_FRIDAY), ("la de la mañana", False, ASKS_THURSDAY)):
        chat, _ = chat_with(THU, FRI, english=english)
        chat.say("cancel my appointment" if english else "quiero cancelar mi hora")
        assert texts(chat.say(answer)).endswith(asked[english]), answer


def test_the_part_of_the_day_and_whose_it_is_not_name_one() -> None:
    for message, english, asked in (("cancel the afternoon one", True, ASKS_FRIDAY),
                                    ("cancela la de la mañana", False, ASKS_THURSDAY)):
        chat, _ = chat_with(THU, FRI, english=english)
        assert texts(chat.say(message)).endswith(asked[english]), message
    mum = replace(FRI, patient="Rosa Díaz")
    own = replace(THU, patient="Ana Pérez")
    for message, english in (("cancel the one that isn't mine", True), ("cancela la que no es mía", False)):
        chat, agent = chat_with(own, mum, english=english)
        assert "Rosa Díaz" in texts(chat.say(message)), message
        chat.say("yes" if english else "sí")
        assert list(agent.cancelled.values()) == ["bk-8"], message


def test_the_only_one_they_keep_is_never_asked_about() -> None:
    for message, english in (("keep thursday, cancel friday", True), ("deja la del jueves, cancela la del viernes",
                                                                       False)):
        chat, agent = chat_with(THU, english=english)
        reply = texts(chat.say(message))
        assert not reply.endswith(ASKS_THURSDAY[english]), reply
        assert ("You have no appointment on Friday 4 December." if english
                else "No tienes hora el viernes 4 de diciembre.") in reply
        assert not agent.cancelled


def test_a_move_to_a_part_of_the_day_never_names_the_one_then() -> None:
    """"move my appointment to the afternoon" is where it goes: never «Shall I change … Friday … at 16:00?» (the one
    in the afternoon) — the list is shown, as before "cancel the afternoon one" was read."""
    for message, english in (("can I move my appointment to the afternoon?", True),
                             ("quiero cambiar mi hora a la tarde", False)):
        chat, agent = chat_with(THU, FRI, english=english)
        reply = texts(chat.say(message))
        assert reply.endswith("Which one do you want to change?" if english else "¿Cuál quieres cambiar?"), reply
        assert not agent.moved


def test_a_relative_said_with_a_word_before_is_still_a_man_or_a_woman() -> None:
    """"cancel my older brother's appointment", "cancela la hora de mi chiquito" with the writer's and Rosa Díaz's
    asked «Shall I cancel Rosa Díaz's…?» (the word before the relative hid that he is a man): none of theirs is
    said, and the list shown, as for "my brother"."""
    mum = replace(FRI, patient="Rosa Díaz")
    own = replace(THU, patient="Ana Pérez")
    for message, english in (("cancel my older brother's appointment", True),
                             ("cancela la hora de mi chiquito", False)):
        chat, agent = chat_with(own, mum, english=english)
        reply = texts(chat.say(message))
        assert ("I found no appointment of that person's" if english
                else "No encontré una hora de esa persona") in reply, reply
        assert "Shall I cancel" not in reply and "¿Cancelo" not in reply and not agent.cancelled, reply


def test_a_day_they_cannot_come_is_never_one_ruled_out() -> None:
    """"no el jueves no puedo ir, cancélala" names Thursday's (the one they cannot go to), never "not Thursday's"."""
    chat, _ = chat_with(THU, FRI)
    assert texts(chat.say("no el jueves no puedo ir, cancélala")).endswith(ASKS_THURSDAY[0])


def test_not_mine_with_only_the_writers_own_cancels_nothing() -> None:
    """"cancel the one that isn't mine" with the writer's own only asked «Shall I cancel your appointment…?»: none of
    another person's is said, and what they have shown."""
    for message, english in (("cancel the one that isn't mine", True), ("cancela la que no es mía", False)):
        chat, agent = chat_with(replace(THU, patient="Ana Pérez"), english=english)
        reply = texts(chat.say(message))
        assert ("I found no appointment of that person's" if english
                else "No encontré una hora de esa persona") in reply, reply
        assert not reply.endswith(ASKS_THURSDAY[english]) and not agent.cancelled, reply
