"""The answer the agent keeps standing at the relay (agent/slot_watch.py, wire.messages.SlotsUpdate): sent after a
question asked with ``watch``, again when the slots change, as its fingerprint alone when the relay holds it, and
withdrawn while the clinic paused; only on the connection it was asked on."""

from __future__ import annotations

from datetime import datetime

from agent_testkit import CLINIC_TZ, FakePortal

from agent.booking import BookingDesk
from agent.journal import BookingJournal
from agent.portal_session import PortalSession
from agent.requests import RequestHandler
from agent.slot_cache import SlotCache
from wire.messages import SlotsArgs, SlotsResult, SlotsUnchanged, SlotsUpdate, decode, slots_request


class Parts:
    def __init__(self, tmp_path) -> None:
        self.mono = 1000.0
        self.connection = 1
        self.paused = False
        self.told: list = []
        self.portal = FakePortal()
        session = PortalSession(self.portal.driver)
        self.cache = SlotCache(
            lambda days, prio: session.call(prio, "read", lambda d: d.free_slots(days)),
            interval_s=300, clock=lambda: datetime.now(CLINIC_TZ), monotonic=lambda: self.mono, debounce_s=0.05,
        )
        desk = BookingDesk(BookingJournal(tmp_path / "j.sqlite3"), session, self.cache, emit=lambda e: None,
                           is_paused=lambda: self.paused)
        self.handler = RequestHandler(self.cache, desk, session, is_paused=lambda: self.paused, emit=lambda e: None,
                                      monotonic=lambda: self.mono, connection=lambda: self.connection,
                                      tell=self.told.append)
        self.cache.on_changed = self.handler.slots_changed

    async def ask(self, watch: bool = True):
        return await self.handler.handle(slots_request("r1", SlotsArgs(days=14, watch=watch), 8.0))

    def update(self) -> SlotsUpdate:
        """The frame the relay would receive now: made as RelayLink.tell makes it, just before it goes."""
        made = self.told[-1]()
        frame = decode(made)
        assert isinstance(frame, SlotsUpdate)
        return frame


async def test_a_question_asked_with_watch_is_followed_by_the_whole_answer_then_its_fingerprint(tmp_path):
    parts = Parts(tmp_path)
    assert await parts.cache.refresh()
    answer = await parts.ask()
    assert parts.told, "no update after a question asked with watch"

    first = parts.update()
    assert (first.days, first.professional) == (14, None)
    standing = SlotsResult.from_json(first.result)
    assert standing.slots == answer.slots_result().slots
    assert 440 < first.fresh_s <= 450  # 1.5 refresh intervals of 300 s, less the answer's age

    parts.mono += 60
    assert await parts.cache.refresh()  # a read that found the same slots: renewed, as its fingerprint alone
    again = parts.update()
    assert SlotsUnchanged.from_json(again.result) == SlotsUnchanged(first.result["fingerprint"], 0.0)
    assert again.fresh_s == 450

    taken = standing.slots[0]
    parts.cache.forget(taken.id)  # booked: the whole answer again, without that slot
    changed = SlotsResult.from_json(parts.update().result)
    assert taken.id not in {s.id for s in changed.slots} and len(changed.slots) == len(standing.slots) - 1


async def test_no_answer_stands_while_paused_nor_on_a_later_connection_nor_unless_asked(tmp_path):
    parts = Parts(tmp_path)
    assert await parts.cache.refresh()
    await parts.ask(watch=False)
    assert not parts.told  # an older relay, which never asks with watch, hears nothing new

    await parts.ask()
    parts.paused = True
    parts.handler.slots_changed()
    assert parts.update().result is None  # the relay asks, and hears "paused"

    parts.paused = False
    parts.handler.slots_changed()
    assert "fingerprint" in parts.update().result  # the whole answer: the relay dropped it while paused

    parts.connection = 2  # the link reconnected: that relay has asked nothing yet
    assert parts.handler.slots_update() is None
    parts.told.clear()
    parts.handler.slots_changed()
    assert not parts.told


async def test_a_stale_cache_withdraws_the_standing_answer(tmp_path):
    parts = Parts(tmp_path)
    assert await parts.cache.refresh()
    await parts.ask()
    parts.mono += 1000  # past 1.5 refresh intervals, unread: the relay must ask (and the agent read first)
    assert parts.update().result is None
