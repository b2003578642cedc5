"""The warm "when can I come?" answer: the same frame as before, made without re-encoding the unchanged slots, and
the relay's "does this phone already have an appointment?" answered from memory while the journal is unchanged."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from agent_testkit import CLINIC_TZ, FakePortal, make_slots
from test_slot_cache import Parts

from agent.journal import BookingJournal
from agent.portal.base import Slot
from agent.slot_answer import DriverFacts, SlotListJson
from agent.slot_cache import SlotCache, _name_key
from wire.appointments import MyBookingsArgs
from wire.messages import Request, Response, SlotsArgs, decode, encode, slots_request


def _window(slots: tuple[Slot, ...], days: int, now: datetime, professional: str | None) -> tuple[Slot, ...]:
    """What the cache's view must hold, the slow and obvious way."""
    start = now.astimezone(CLINIC_TZ)
    end = datetime.combine(start.date() + timedelta(days=days), datetime.min.time(), tzinfo=CLINIC_TZ)
    return tuple(
        s for s in sorted(slots, key=lambda s: (s.start, s.professional))
        if start <= s.start < end and (professional is None or _name_key(s.professional) == _name_key(professional))
    )


async def test_the_slots_frame_is_what_encoding_the_answer_would_write(tmp_path):
    parts = Parts(tmp_path, FakePortal())
    with_service = Slot("s-1", datetime(2030, 1, 7, 9, tzinfo=CLINIC_TZ), datetime(2030, 1, 7, 9, 40, tzinfo=CLINIC_TZ),
                        "Dra. Núñez", "Pediatría", "Control sano")
    parts.portal.slots.append(with_service)
    await parts.cache.refresh()
    view = parts.cache.view(14)
    for facts in (None, DriverFacts(), DriverFacts(("email", "birth_date"), True), DriverFacts((), True)):
        for age in (0.0, 12.3456, 301.0):
            expected = encode(Response("r-9", True, SlotListJson().result(view.slots, age, facts))).encode()
            assert SlotListJson().frame("r-9", view.slots, age, facts) == expected

    kept = SlotListJson()
    first = kept.frame("a-1", view.slots, 1.0, DriverFacts((), True))
    again = kept.frame("a-2", parts.cache.view(14).slots, 2.5, DriverFacts((), True))
    answer = decode(again)
    assert isinstance(answer, Response) and answer.id == "a-2" and answer.ok
    assert answer.slots_result().age_s == 2.5 and answer.slots_result().finds_bookings
    assert answer.slots_result().slots == decode(first).slots_result().slots  # type: ignore[union-attr]


async def test_a_slots_request_is_answered_with_the_frame_and_the_slots_of_the_window(tmp_path):
    parts = Parts(tmp_path, FakePortal())
    await parts.cache.refresh()
    now = datetime.now(CLINIC_TZ)

    for days, professional in ((14, None), (3, None), (1, None), (14, "dra. nunez"), (7, "DR. ROJAS"), (14, "Nadie")):
        sent = await parts.handler.handle_text(encode(slots_request("q1", SlotsArgs(days, professional), 8.0)))
        answer = decode(sent)  # type: ignore[arg-type]
        assert isinstance(answer, Response) and answer.ok and answer.id == "q1"
        got = [s.id for s in answer.slots_result().slots]
        assert got == [s.id for s in _window(tuple(parts.portal.free()), days, now, professional)]


async def test_the_window_follows_every_change_of_the_slots(tmp_path):
    portal = FakePortal()
    parts = Parts(tmp_path, portal)
    await parts.cache.refresh()
    first = parts.cache.view(14).slots
    assert parts.cache.view(14).slots is first  # unchanged: the very same run of slots (its JSON is kept)

    booked = first[4]
    parts.cache.forget(booked.id, booked)
    after_forget = parts.cache.view(14).slots
    assert booked.id not in {s.id for s in after_forget} and len(after_forget) == len(first) - 1

    portal.take(first[0].id)
    portal.slots.append(Slot("late", first[0].start + timedelta(minutes=5), first[0].end, "Dr. Nuevo"))
    parts.cache.refresh_day_soon(first[0].start.date())
    await parts.cache._refresh_day_later()
    refreshed = parts.cache.view(14).slots
    assert first[0].id not in {s.id for s in refreshed} and "late" in {s.id for s in refreshed}
    assert list(refreshed) == sorted(refreshed, key=lambda s: (s.start, s.professional))


async def test_a_window_bound_is_exact_to_the_microsecond():
    now = datetime(2030, 3, 4, 10, 0, tzinfo=CLINIC_TZ)
    midnight = datetime(2030, 3, 5, 0, 0, tzinfo=CLINIC_TZ)
    edge = [
        Slot("at-now", now, now + timedelta(minutes=20), "A"),
        Slot("just-before", now - timedelta(microseconds=1), now + timedelta(minutes=20), "A"),
        Slot("last", midnight - timedelta(microseconds=1), midnight + timedelta(minutes=20), "A"),
        Slot("at-midnight", midnight, midnight + timedelta(minutes=20), "A"),
    ]

    async def read(days, priority):
        return edge

    cache = SlotCache(read, interval_s=300, clock=lambda: now)
    await cache.refresh()
    assert [s.id for s in cache.view(1).slots] == ["at-now", "last"]
    assert [s.id for s in cache.view(2).slots] == ["at-now", "last", "at-midnight"]


async def test_known_bookings_are_answered_from_memory_until_the_journal_changes(tmp_path):
    parts = Parts(tmp_path, FakePortal())
    journal: BookingJournal = parts.handler._desk.journal  # type: ignore[attr-defined]
    phone = "+56 9 8765 4321"
    ahead = (datetime.now(CLINIC_TZ) + timedelta(days=3)).replace(microsecond=0)

    async def known() -> list[str]:
        frame = Request(id="m1", op="my_bookings", timeout_s=8.0, args=MyBookingsArgs(phone=phone, known_only=True))
        answer = decode(await parts.handler.handle_text(encode(frame)))  # type: ignore[arg-type]
        assert isinstance(answer, Response) and answer.ok
        return [b["booking_id"] for b in answer.result["bookings"]]  # type: ignore[index]

    async def whose() -> list[str]:
        frame = Request(id="m2", op="my_bookings", timeout_s=8.0, args=MyBookingsArgs(phone=phone, known_only=True))
        answer = decode(await parts.handler.handle_text(encode(frame)))  # type: ignore[arg-type]
        return [b.get("patient", "") for b in answer.result["bookings"]]  # type: ignore[union-attr,index]

    assert await known() == []
    assert journal.upcoming_known("56987654321") == []  # read once: from memory now

    journal.begin("k1", "s1", "Ana", phone, start=ahead.isoformat())
    assert journal.upcoming_known("56987654321") is None  # written since: read again
    journal.mark_booked("k1", "B1", ahead.isoformat(), (ahead + timedelta(minutes=30)).isoformat(), "Dra. Soto")
    assert await known() == ["B1"]
    assert await whose() == ["Ana"]  # whose name it is under: one phone books for a family

    # Another journal on the same file (another process) writes: noticed too.
    other = BookingJournal(journal.path)
    other.record_cancel("c1", "B1", "Ana", phone)
    assert journal.upcoming_known("56987654321") is None
    assert await known() == []

    past = (datetime.now(CLINIC_TZ) - timedelta(days=1)).isoformat()
    journal.begin("k2", "s2", "Ana", phone, start=past)
    journal.mark_booked("k2", "B2", past, past, "Dra. Soto")
    journal.begin("k3", "s3", "Ana", phone, start=(ahead + timedelta(days=2)).isoformat())
    journal.mark_booked("k3", "B3", (ahead + timedelta(days=2)).isoformat(), "", "Dr. Rojas")
    journal.begin("k4", "s4", "Ana", phone, start=(ahead + timedelta(days=1)).isoformat())
    journal.mark_booked("k4", "B4", (ahead + timedelta(days=1)).isoformat(), "", "Dr. Rojas")
    assert await known() == ["B4", "B3"]  # soonest first; the past one and the cancelled one left out
    assert [e.booking_id for e in journal.upcoming_known("56987654321") or []] == ["B4", "B3"]
    assert journal.upcoming_for("") == [] and journal.upcoming_known("") == []


def test_the_phone_index_matches_a_fresh_read(tmp_path):
    journal = BookingJournal(tmp_path / "j.sqlite3")
    start = datetime.now(CLINIC_TZ) + timedelta(days=2)
    for index, slot in enumerate(make_slots(start, days=2)[:12]):
        phone = f"+56 9 0000 00{index % 3:02d}"
        journal.begin(f"k{index}", slot.id, "P", phone, start=slot.start.isoformat())
        journal.mark_booked(f"k{index}", f"B{index}", slot.start.isoformat(), slot.end.isoformat(), slot.professional)
    journal.record_move("k5", from_booking="B2", from_start="", from_professional="", old_cancelled=True)
    for ending in ("00", "01", "02"):
        digits = "5690000" + "00" + ending
        fresh = BookingJournal(journal.path).upcoming_for(digits)
        assert journal.upcoming_for(digits) == fresh
        assert journal.upcoming_known(digits) == fresh
    assert "B2" not in {e.booking_id for e in journal.upcoming_known("569000000" + "02") or []}


async def test_the_window_hears_of_a_served_request_only_once_the_answer_is_on_its_way(tmp_path):
    parts = Parts(tmp_path, FakePortal())
    await parts.cache.refresh()
    parts.events.clear()

    sent = await parts.handler.handle_text(encode(slots_request("q7", SlotsArgs(14), 8.0)))
    assert sent is not None and parts.events == []  # the link writes the answer before it yields to the loop
    await asyncio.sleep(0)
    assert [(e.op, e.ok) for e in parts.events] == [("slots", True)]
