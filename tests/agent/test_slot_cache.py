"""The slot cache and the portal session's queue, without a relay: stale and cold answers, coalescing, priority."""

from __future__ import annotations

import asyncio
from datetime import datetime

from agent_testkit import CLINIC_TZ, FakePortal

from agent.booking import BookingDesk
from agent.journal import BookingJournal
from agent.portal_session import PortalSession, Priority, PriorityLock
from agent.requests import RequestHandler
from agent.slot_cache import SlotCache
from wire.messages import SlotsArgs, slots_request


class Parts:
    """The engine's pieces wired as the engine wires them, with a hand-turned monotonic clock."""

    def __init__(self, tmp_path, portal: FakePortal) -> None:
        self.mono = 1000.0
        self.portal = portal
        self.session = PortalSession(portal.driver)
        self.cache = SlotCache(
            lambda days, prio: self.session.call(prio, "read", lambda d: d.free_slots(days)),
            interval_s=300, clock=lambda: datetime.now(CLINIC_TZ), monotonic=lambda: self.mono, debounce_s=0.05,
        )
        self.events = []
        desk = BookingDesk(BookingJournal(tmp_path / "j.sqlite3"), self.session, self.cache,
                           emit=self.events.append, is_paused=lambda: False)
        self.handler = RequestHandler(self.cache, desk, self.session, is_paused=lambda: False,
                                      emit=self.events.append, monotonic=lambda: self.mono)

    async def ask(self, days: int = 14, timeout_s: float = 8.0):
        return await self.handler.handle(slots_request("r1", SlotsArgs(days=days), timeout_s))


async def test_a_stale_cache_that_cannot_be_read_is_answered_with_its_age(tmp_path):
    parts = Parts(tmp_path, FakePortal())
    assert await parts.cache.refresh()
    parts.mono += 1000  # 1000 s later: older than 1.5 refresh intervals
    parts.portal.down = True

    answer = await parts.ask()
    again = await parts.ask()

    assert answer.ok and answer.slots_result().slots
    assert answer.slots_result().age_s == 1000
    assert again.ok and again.slots_result().age_s == 1000
    # One attempt to read the failing web app, not one per patient: the second request found the cache backing off.
    assert parts.portal.login_attempts == 1 and parts.portal.reads == 1


async def test_a_stale_cache_is_read_again_within_the_deadline_when_the_web_app_answers(tmp_path):
    parts = Parts(tmp_path, FakePortal())
    await parts.cache.refresh()
    parts.mono += 1000

    answers = await asyncio.gather(*(parts.ask() for _ in range(10)))

    assert all(a.ok and a.slots_result().age_s == 0 for a in answers)
    assert parts.portal.reads == 2  # ten stale requests, one read


async def test_a_cold_cache_with_a_failing_web_app_says_so(tmp_path):
    parts = Parts(tmp_path, FakePortal(down=True))
    answer = await parts.ask()
    assert not answer.ok and answer.error.code == "portal_down"


async def test_asking_for_more_days_than_cached_widens_the_window(tmp_path):
    parts = Parts(tmp_path, FakePortal())
    await parts.cache.refresh()
    fourteen = (await parts.ask(14)).slots_result().slots
    twenty = (await parts.ask(20)).slots_result().slots
    assert len(twenty) > len(fourteen)
    assert parts.cache.window_days == 20 and parts.portal.reads == 2


async def test_a_day_refresh_replaces_only_that_part_of_the_cache(tmp_path):
    portal = FakePortal()
    parts = Parts(tmp_path, portal)
    await parts.cache.refresh()
    cached = parts.cache.view(14).slots
    near, far = cached[0], cached[-1]
    portal.take(near.id)
    portal.take(far.id)

    parts.cache.refresh_day_soon(near.start.date())
    await asyncio.sleep(0.2)  # the debounce (0.05 s) then one read
    after = {s.id for s in parts.cache.view(14).slots}

    assert near.id not in after  # that day was read again
    assert far.id in after  # later days kept their earlier read
    assert parts.portal.reads == 2


async def test_alternatives_prefer_the_same_day_and_professional(tmp_path):
    portal = FakePortal()
    parts = Parts(tmp_path, portal)
    await parts.cache.refresh()
    taken = parts.cache.view(14).slots[10]
    alternatives = parts.cache.alternatives(taken, exclude=taken.id, limit=5)
    assert taken.id not in {a.id for a in alternatives}
    assert alternatives[0].start.date() == taken.start.date()
    assert alternatives[0].professional == taken.professional
    assert abs(alternatives[0].start - taken.start) == abs(alternatives[0].end - taken.end)


async def test_alternatives_are_of_the_taken_slot_s_specialty_before_anything_nearer(tmp_path):
    """A kinesiology time taken: the nearest times were another specialty's the same morning — the relay (rightly)
    dropped them, and the patient heard "¿Vemos otros días?" with the kinesiologist free the next morning."""
    from datetime import time, timedelta

    from agent.portal.base import Slot

    portal = FakePortal()
    tomorrow = (datetime.now(CLINIC_TZ) + timedelta(days=1)).date()

    def at(day_offset: int, hour: int, minute: int, who: str, specialty: str) -> Slot:
        start = datetime.combine(tomorrow + timedelta(days=day_offset), time(hour, minute), tzinfo=CLINIC_TZ)
        return Slot(f"{specialty[:4].lower()}-{start:%d%H%M}", start, start + timedelta(minutes=30), who,
                    specialty=specialty)

    kine = "Klga. Paula Méndez"
    portal.slots = [at(0, 10, 0, kine, "Kinesiología"), *(at(0, 10, m, "Dra. Soto", "Medicina general")
                                                          for m in (30, 45)), at(0, 11, 0, "Dra. Soto", "Medicina general"),
                    at(1, 9, 0, kine, "Kinesiología"), at(1, 9, 30, kine, "Kinesiología")]
    parts = Parts(tmp_path, portal)
    await parts.cache.refresh()
    taken = portal.slots[0]
    alternatives = parts.cache.alternatives(taken, exclude=taken.id, limit=3)
    assert [a.id for a in alternatives][:2] == [portal.slots[4].id, portal.slots[5].id]


async def test_bookings_go_ahead_of_queued_reads():
    lock = PriorityLock()
    order = []

    async def use(name, priority):
        async with lock.hold(priority):
            order.append(name)

    async with lock.hold(Priority.BACKGROUND_READ):
        waiters = [
            asyncio.create_task(use("background", Priority.BACKGROUND_READ)),
            asyncio.create_task(use("requested", Priority.REQUESTED_READ)),
            asyncio.create_task(use("booking-1", Priority.BOOKING)),
            asyncio.create_task(use("booking-2", Priority.BOOKING)),
        ]
        await asyncio.sleep(0.01)
        cancelled = asyncio.create_task(use("gave-up", Priority.BOOKING))
        await asyncio.sleep(0.01)
        cancelled.cancel()
    await asyncio.gather(*waiters)
    assert order == ["booking-1", "booking-2", "requested", "background"]
    assert not lock.locked()


async def test_one_browser_for_many_operations_and_a_fresh_one_after_a_crash(tmp_path):
    portal = FakePortal()
    session = PortalSession(portal.driver)
    for _ in range(3):
        await session.call(Priority.BACKGROUND_READ, "read", lambda d: d.free_slots(3))
    assert (portal.starts, portal.logins) == (1, 1)

    async def crash(driver):
        raise RuntimeError("Target page, context or browser has been closed")

    try:
        await session.call(Priority.BOOKING, "crash", crash)
    except Exception as exc:
        assert exc.code == "portal_down"
    assert session.health == "down"
    await session.call(Priority.BACKGROUND_READ, "read", lambda d: d.free_slots(3))
    assert (portal.starts, portal.logins, session.health) == (2, 2, "ok")
    await session.close()
    await session.close()
    assert portal.closes == 2
