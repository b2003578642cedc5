"""The conversation keeps readings, prepared slots answers and menu pages between turns (issue 13): a reply built from
them is the reply a fresh conversation would give, and a changed answer, staff or day is never answered from the old
ones. Slots answers come through the relay's SlotAnswerCache, as in production (the same tuple for a repeated answer).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from conversation_kit import EN, ES, NOW, Chat, buttons, slot, texts

from relay.conversation import ConversationState, Reply, Turn, decide
from relay.conversation.context import clear_caches
from relay.slot_answers import SlotAnswerCache
from wire.messages import SlotsResult, WireSlot


def wire_answer(*slots_) -> dict:
    return SlotsResult(slots=tuple(slots_), age_s=2.0).to_json()


def first_reply(answer: SlotsResult, message: str = "Hola", lead: str = "L1", now: datetime = NOW) -> Reply:
    turn = Turn(lead_id=lead, message=message, name="Ana Pérez", phone="+56 9 1234 5678", now=now)
    reply = decide(None, turn, ES, answer)
    assert isinstance(reply, Reply)
    return reply


def fresh_reply(state: ConversationState | None, turn: Turn, answer: SlotsResult) -> object:
    """The reply with every cache emptied and the slots in a tuple the conversation has never seen."""
    clear_caches()
    return decide(state, turn, ES, SlotsResult(tuple(list(answer.slots)), answer.age_s))


def test_a_changed_answer_shows_its_own_days_never_the_old_menu():
    cache = SlotAnswerCache()
    before = cache.parse("c1", wire_answer(slot(2, 10), slot(3, 10), slot(4, 10)))
    assert cache.parse("c1", wire_answer(slot(2, 10), slot(3, 10), slot(4, 10))).slots is before.slots
    assert buttons(first_reply(before))[:3] == ["Mié 2 dic", "Jue 3 dic", "Vie 4 dic"]
    # Wednesday's slot is taken and a Monday opens: the next patient sees exactly that.
    after = cache.parse("c1", wire_answer(slot(3, 10), slot(4, 10), slot(7, 10)))
    assert buttons(first_reply(after, lead="L2"))[:3] == ["Jue 3 dic", "Vie 4 dic", "Lun 7 dic"]


def test_a_specialty_added_to_the_same_slots_is_seen():
    cache = SlotAnswerCache()
    plain = wire_answer(slot(2, 10), slot(3, 10, professional="Dr. Juan Pérez"))
    cache.parse("c1", plain)
    assert "especialidad" not in texts(first_reply(cache.parse("c1", plain)))
    # The same slots, now with their specialties: the patient is asked which one.
    plain["slots"][0]["specialty"] = "Traumatología"
    plain["slots"][1]["specialty"] = "Pediatría"
    reply = first_reply(cache.parse("c1", plain), lead="L2")
    assert "¿Qué especialidad necesitas?" in texts(reply)
    assert buttons(reply) == ["Pediatría", "Traumatología", "Cualquiera"]


def test_a_name_is_read_against_the_clinics_staff_of_the_moment():
    cache = SlotAnswerCache()
    with_soto = cache.parse("c1", wire_answer(slot(2, 10), slot(3, 11, professional="Dr. Juan Pérez")))
    assert "Soto" in texts(first_reply(with_soto, "quiero hora con la dra zoto"))
    # Dra. Soto left the clinic: the same words, at the same clinic, no longer name anyone.
    without = cache.parse("c1", wire_answer(slot(3, 11, professional="Dr. Juan Pérez")))
    reply = first_reply(without, "quiero hora con la dra zoto", lead="L2")
    assert "zoto" in texts(reply) and "Soto" not in texts(reply)


def test_tomorrow_is_read_from_the_day_of_the_turn():
    answer = SlotAnswerCache().parse("c1", wire_answer(*(slot(d, h) for d in (2, 3, 4) for h in (10, 11))))
    late = datetime(2026, 12, 2, 2, 50, tzinfo=UTC)  # Tuesday 1st, 23:50 at the clinic (-03:00)
    assert "Mié 2 dic" in texts(first_reply(answer, "mañana", now=late))
    past_midnight = late + timedelta(minutes=20)  # Wednesday 2nd, 00:10
    assert "Jue 3 dic" in texts(first_reply(answer, "mañana", lead="L2", now=past_midnight))


def test_slots_that_passed_leave_the_menu():
    answer = SlotAnswerCache().parse("c1", wire_answer(slot(2, 10), slot(3, 10), slot(4, 10), slot(5, 10)))
    assert buttons(first_reply(answer))[0] == "Mié 2 dic"
    after_wednesday_slot = datetime(2026, 12, 2, 13, 1, tzinfo=UTC)  # Wednesday 10:01 at the clinic
    assert buttons(first_reply(answer, lead="L2", now=after_wednesday_slot))[0] == "Jue 3 dic"


def test_every_reply_from_the_caches_is_the_fresh_reply():
    answer = SlotAnswerCache().parse(
        "c1",
        wire_answer(*(slot(d, h, m, p) for d in (2, 3, 4, 7, 9) for h, m in ((9, 0), (10, 30), (16, 0))
                      for p in ("Dra. Ana Soto", "Dr. Juan Pérez"))),
    )
    messages = ["Hola", "Mié 2 dic", "Más horas", "volver", "2", "mañana a las 10:30", "no", "otro día",
                "el jueves en la tarde", "con la dra soto", "cualquier hora", "1"]
    for warm_first in (True, False):  # whether the caches already hold this turn's work or not
        chat = Chat(answer)
        if warm_first:
            Chat(answer, lead_id="warm").say("Hola")
        for message in messages:
            turn = chat.turn(message)
            cached = decide(chat.state, turn, ES, answer)
            again = decide(chat.state, turn, ES, answer)
            assert again == cached
            assert fresh_reply(chat.state, turn, answer) == cached, message
            if not isinstance(cached, Reply) or cached.state is None:
                break
            chat.state = cached.state
            chat.now += timedelta(minutes=1)


def test_clinics_with_the_same_free_days_each_read_their_own_days_menu():
    """A days menu is laid out once for every clinic with the same free days: each still reads its own language,
    greeting, professional and intro, exactly as a fresh conversation would say them."""
    cache = SlotAnswerCache()
    days = (2, 3, 4, 7, 9, 10, 11, 14, 15)
    soto = cache.parse("c1", wire_answer(*(slot(d, 10) for d in days)))
    perez = cache.parse("c2", wire_answer(*(slot(d, 11, professional="Dr. Juan Pérez") for d in days)))
    both = cache.parse("c3", wire_answer(*(slot(d, h, professional=p) for d in days
                                         for h, p in ((9, "Dra. Ana Soto"), (12, "Dr. Juan Pérez")))))
    turns = [
        (soto, ES, Turn(lead_id="L1", message="Hola", name="Ana Pérez", phone="+56 9 1234 5678", now=NOW)),
        (perez, EN, Turn(lead_id="L2", message="Hi", name="Ann", phone="+56 9 1234 5678", now=NOW)),
        (perez, ES, Turn(lead_id="L3", message="Hola", name="", phone="+56 9 1234 5678", now=NOW)),
        (both, ES, Turn(lead_id="L4", message="Hola", name="Eva", phone="+56 9 1234 5678", now=NOW,
                        professional="Dr. Juan Pérez")),
        (both, ES, Turn(lead_id="L5", message="con la dra soto", name="Eva", phone="+56 9 1234 5678", now=NOW)),
    ]
    replies = [decide(None, turn, clinic, answer) for answer, clinic, turn in turns]
    assert "Mié 2 dic" in buttons(replies[0]) and "Wed 2 Dec" in buttons(replies[1])
    assert "Dr. Juan Pérez" in texts(replies[3]) and "Dra. Ana Soto" in texts(replies[4])
    for (answer, clinic, turn), reply in zip(turns, replies, strict=True):
        clear_caches()
        assert decide(None, turn, clinic, SlotsResult(tuple(list(answer.slots)), answer.age_s)) == reply


def test_an_answer_in_any_order_reads_as_the_same_menus():
    """An agent sends its slots in time order (they are kept as sent); any other order is put in order first."""
    ordered = [slot(d, h, m, p) for d in (2, 3, 4, 7) for h, m in ((9, 0), (10, 30)) for p in ("Dra. Ana Soto",
                                                                                           "Dr. Juan Pérez")]
    shuffled = ordered[5:] + ordered[:5][::-1]
    for message in ("Hola", "el jueves", "el jueves a las 10:30 con el dr pérez"):
        chat_a, chat_b = Chat(SlotsResult(tuple(ordered), 2.0)), Chat(SlotsResult(tuple(shuffled), 2.0))
        first_a, first_b = chat_a.say(message), chat_b.say(message)
        assert first_a == first_b, message
        assert chat_a.say("1") == chat_b.say("1")


def test_clinics_with_the_same_specialties_each_read_their_own_question():
    def answer(clinic: str, hour: int) -> SlotsResult:
        trauma = WireSlot(f"{clinic}-t", f"2026-12-02T{hour}:00:00-03:00", f"2026-12-02T{hour}:30:00-03:00",
                          "Dra. Ana Soto", "Traumatología")
        kids = WireSlot(f"{clinic}-p", f"2026-12-03T{hour}:00:00-03:00", f"2026-12-03T{hour}:30:00-03:00",
                        "Dr. Juan Pérez", "Pediatría")
        return SlotAnswerCache().parse(clinic, wire_answer(trauma, kids))

    turn = Turn(lead_id="L1", message="Hola", name="Ana", phone="+56 9 1234 5678", now=NOW)
    spanish = decide(None, turn, ES, answer("c1", 10))
    english = decide(None, turn, EN, answer("c2", 11))
    assert buttons(spanish) == ["Pediatría", "Traumatología", "Cualquiera"]
    assert "¿Qué especialidad necesitas?" in texts(spanish)
    assert "especialidad" not in texts(english) and buttons(english)[-1] != "Cualquiera"
    for clinic, hour, reply in ((ES, 10, spanish), (EN, 11, english)):
        clear_caches()
        assert decide(None, turn, clinic, answer(f"fresh{hour}", hour)) == reply
