"""The free slots, kept in memory and refreshed in the background (after Home Assistant's DataUpdateCoordinator).

A patient's "when can I come?" is answered from here in milliseconds. The cache reads the web
app every ``interval_s`` (and right after a booking, for that day), keeps the last good read and
its age, and backs off when the web app fails. The load it puts on the clinic's web app does not
grow with patient traffic: refreshes are coalesced, and a request never starts one while the
cache is backing off from a failure.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import random
import time
import unicodedata
from bisect import bisect_left
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from agent.portal.base import PortalBusy, PortalError, Slot, days_window
from agent.portal_session import Priority
from wire.messages import MAX_DAYS, ProtocolError, WireSlot

log = logging.getLogger(__name__)

DEFAULT_WINDOW_DAYS = 14
RETRY_FIRST_S = 15.0
RETRY_MAX_S = 600.0
# After the web app was down (not a refused login): probe again soon, and never wait more than 15 s, so a web app
# that came back is noticed within seconds instead of patients being handed off for minutes.
PROBE_FIRST_S = 2.0
PROBE_MAX_S = 15.0

SlotReader = Callable[[int, Priority], Awaitable[list[Slot]]]  # (days, priority) -> free slots


@dataclass(frozen=True)
class CacheView:
    """What the cache can say about a window right now."""

    slots: tuple[Slot, ...]
    age_s: float | None  # seconds since the web app was read; None when it never was
    stale: bool

    @property
    def cold(self) -> bool:
        return self.age_s is None


class SlotCache:
    def __init__(
        self,
        read: SlotReader,
        *,
        interval_s: float,
        clock: Callable[[], datetime],
        monotonic: Callable[[], float] = time.monotonic,
        window_days: int = DEFAULT_WINDOW_DAYS,
        debounce_s: float = 1.0,
        on_refreshed: Callable[[datetime, int], None] | None = None,
        on_changed: Callable[[], None] | None = None,
    ) -> None:
        self._read = read
        self.interval_s = interval_s
        self._clock = clock
        self._mono = monotonic
        self.window_days = window_days
        self._debounce_s = debounce_s
        self._on_refreshed = on_refreshed
        self.on_changed = on_changed  # the slots changed (a read, a booking forgotten): told after each change

        self._slots: tuple[Slot, ...] = ()  # sorted by (start, professional); only ever replaced by ``_keep``
        self._starts: list[int] = []  # each slot's start in UTC microseconds, for bisecting a window
        self._version = 0  # bumped whenever the slots change
        self._last_view: tuple[tuple[int, int, int, str | None], tuple[Slot, ...]] | None = None
        self._read_at: float | None = None  # monotonic time of the last full read
        self._read_days = 0  # how many days that read covered
        self.last_refresh: datetime | None = None  # wall time of the last good read (for people)
        self.failures = 0
        self.last_error: PortalError | None = None
        self._retry_at = 0.0
        self._running: asyncio.Task[bool] | None = None
        self._running_covers: tuple[int, date | None] = (0, None)
        self._wake = asyncio.Event()
        self._suspended_for: set[str] = set()
        self._day_refresh: asyncio.Task[None] | None = None
        self._day_refresh_through: date | None = None
        self._generation = 0  # bumped by forget_all: a read begun before it is not kept

    # -- what is known -------------------------------------------------------

    @property
    def slot_count(self) -> int:
        return len(self._slots)

    def age_s(self) -> float | None:
        return None if self._read_at is None else max(0.0, self._mono() - self._read_at)

    def stale_after_s(self) -> float:
        return self.interval_s * 1.5

    def is_fresh(self, days: int = DEFAULT_WINDOW_DAYS) -> bool:
        age = self.age_s()
        return age is not None and age <= self.stale_after_s() and days <= self._read_days

    def view(self, days: int, professional: str | None = None) -> CacheView:
        """The slots of the next ``days`` days (of one professional if named). While the slots and the window's
        ends in the list stay the same, the very same tuple is handed out (what the answer's JSON is cached on)."""
        now = self._clock()
        slots = self._slots
        chosen: tuple[Slot, ...] = ()
        if slots:
            start, end = days_window(days, now, slots[0].start.tzinfo or UTC)
            low = bisect_left(self._starts, _micros(start))
            high = bisect_left(self._starts, _micros(end), low)
            wanted = _name_key(professional) if professional else None
            key = (self._version, low, high, wanted)
            if self._last_view is not None and self._last_view[0] == key:
                chosen = self._last_view[1]
            else:
                window = slots[low:high]  # the whole tuple itself when every slot is in the window
                chosen = window if wanted is None else tuple(s for s in window if _name_key(s.professional) == wanted)
                self._last_view = (key, chosen)
        age = self.age_s()
        return CacheView(chosen, age, age is None or age > self.stale_after_s() or days > self._read_days)

    def find(self, slot_id: str) -> Slot | None:
        for slot in self._slots:
            if slot.id == slot_id:
                return slot
        return None

    def alternatives(self, near: Slot | None, exclude: str, limit: int = 3) -> tuple[Slot, ...]:
        """The free slots nearest to ``near``: of its specialty (what the patient was choosing among: another one's
        times are no alternative), the same day and professional first, then the same day, then by time."""
        now = self._clock()
        candidates = [s for s in self._slots if s.id != exclude and s.start >= now]
        if near is None:
            return tuple(sorted(candidates, key=lambda s: s.start)[:limit])
        day = near.start.date()

        def closeness(s: Slot) -> tuple[bool, bool, bool, float]:
            return (
                s.specialty != near.specialty,
                s.start.date() != day,
                s.professional != near.professional,
                abs((s.start - near.start).total_seconds()),
            )

        return tuple(sorted(candidates, key=closeness)[:limit])

    def forget(self, slot_id: str, booked: Slot | None = None) -> None:
        """A slot was just booked or found taken: stop offering it (and what overlaps it for that professional)."""
        def overlaps(s: Slot) -> bool:
            return (
                booked is not None and s.professional == booked.professional
                and s.start < booked.end and booked.start < s.end
            )

        self._keep(tuple(s for s in self._slots if s.id != slot_id and not overlaps(s)))

    def forget_all(self) -> None:
        """Another web app (its address, user or driver changed): nothing read from the old one is offered again,
        and the new one is read now (not at the next interval: patients would be offered the old one's times)."""
        self._generation += 1
        self._keep(())
        self._read_at = None
        self._read_days = 0
        self.last_refresh = None
        self.failures = 0
        self.last_error = None
        self._retry_at = 0.0
        self._wake.set()

    def _keep(self, slots: tuple[Slot, ...]) -> None:
        """The slots from now on, sorted by (start, professional), with their bisectable start times."""
        self._slots = tuple(sorted(slots, key=lambda s: (s.start, s.professional)))
        self._starts = [_micros(s.start) for s in self._slots]
        self._version += 1
        self._last_view = None
        if self.on_changed is not None:
            self.on_changed()

    # -- refreshing -----------------------------------------------------------

    async def run(self) -> None:
        """Refresh on the interval, backing off on failure, until cancelled."""
        while True:
            delay = None if self._suspended_for else self._seconds_until_due()
            if delay is None or delay > 0:
                try:
                    async with asyncio.timeout(delay):
                        await self._wake.wait()
                except TimeoutError:
                    pass
                self._wake.clear()
                continue  # what is due may have changed meanwhile
            await self.refresh(Priority.BACKGROUND_READ)

    async def stop(self) -> None:
        """Cancel reads under way (the agent is stopping; ``run`` is cancelled by its owner)."""
        tasks = [t for t in (self._running, self._day_refresh) if t is not None and not t.done()]
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)

    def suspend(self, reason: str, suspended: bool = True) -> None:
        """No background reads while paused or while the web app refuses our login (``reason`` names which)."""
        if suspended:
            self._suspended_for.add(reason)
        else:
            self._suspended_for.discard(reason)
        self._wake.set()

    @property
    def _suspended(self) -> bool:
        return bool(self._suspended_for)

    def poke(self) -> None:
        """Re-check what is due now (after a wake-up from sleep, or when the credentials changed)."""
        self._retry_at = 0.0
        self._wake.set()

    def set_interval(self, interval_s: float) -> None:
        self.interval_s = interval_s
        self._wake.set()

    async def refresh(self, priority: Priority = Priority.REQUESTED_READ, *, through: date | None = None) -> bool:
        """Read the web app now, or join the read already under way. True when the cache holds a new read."""
        days = self.window_days
        running = self._running
        if running is not None and not running.done():
            covered_days, covered_through = self._running_covers
            if covered_through is None and covered_days >= days:
                return await asyncio.shield(running)
            await asyncio.shield(running)  # a narrower read is under way: let it finish, then ours
            running = self._running
            if running is not None and not running.done():
                return await asyncio.shield(running)
        task = asyncio.get_running_loop().create_task(self._read_once(days, priority, through))
        self._running, self._running_covers = task, (days, through)
        return await asyncio.shield(task)

    async def ensure_fresh(self, days: int, deadline: float) -> None:
        """Make the cache fit for a ``days`` request before ``deadline`` (monotonic) if the web app allows it."""
        if days > self.window_days:
            self.window_days = min(MAX_DAYS, days)
        if self.is_fresh(days):
            return
        running = self._running is not None and not self._running.done()
        if not running and self._mono() < self._retry_at:
            return  # backing off from a failure: a patient's request must not hammer a failing web app
        remaining = deadline - self._mono()
        if remaining <= 0:
            return
        try:
            async with asyncio.timeout(remaining):
                await self.refresh(Priority.REQUESTED_READ)
        except TimeoutError:
            pass  # the read goes on in the background; this answer uses what there is

    async def refresh_now(self) -> bool:
        """"Refresh now" (a button, a command): debounced, so several presses make one read."""
        running = self._running
        if running is not None and not running.done():
            return await asyncio.shield(running)
        age = self.age_s()
        if age is not None and age < self._debounce_s and self.last_error is None:
            return True
        return await self.refresh(Priority.REQUESTED_READ)

    def refresh_day_soon(self, day: date) -> None:
        """After a booking: re-read through that day shortly (several bookings in a row make one read)."""
        if self._day_refresh_through is None or day > self._day_refresh_through:
            self._day_refresh_through = day
        if self._day_refresh is None or self._day_refresh.done():
            self._day_refresh = asyncio.get_running_loop().create_task(self._refresh_day_later())

    async def _refresh_day_later(self) -> None:
        await asyncio.sleep(self._debounce_s)
        through, self._day_refresh_through = self._day_refresh_through, None
        if through is not None and not self._suspended:
            await self.refresh(Priority.BACKGROUND_READ, through=through)

    async def _read_once(self, window_days: int, priority: Priority, through: date | None) -> bool:
        now = self._clock()
        days = window_days
        if through is not None and self._read_at is not None:
            # ``through`` is a day of the clinic's calendar: counted from the clinic's today, not the UTC date (in
            # the clinic's evening they differ, and the day just freed was left out of the read).
            local = self._slots[0].start.tzinfo if self._slots else None
            today = now.astimezone(local).date() if local is not None else now.date()
            days = max(1, min(window_days, (through - today).days + 1))
        generation = self._generation
        try:
            slots = await self._read(days, priority)
        except PortalError as exc:
            if generation != self._generation:
                return False  # the web app it read is not the clinic's any more
            self.failures += 1
            self.last_error = exc
            delay = retry_delay(exc, self.failures)
            self._retry_at = self._mono() + delay
            log.warning("Could not read the free slots (%s); trying again in %.0f s", exc, delay)
            return False
        if generation != self._generation:
            return False  # read from the web app the clinic no longer uses
        valid = tuple(sorted(_valid_slots(slots), key=lambda s: (s.start, s.professional)))
        if through is not None and days < window_days and self._read_at is not None:
            # A partial read replaces only its own days; later days keep their older read (and age).
            tz = valid[0].start.tzinfo if valid else now.tzinfo
            _, partial_end = days_window(days, now, tz or UTC)
            self._keep(valid + tuple(s for s in self._slots if s.start >= partial_end))
        else:
            self._keep(valid)
            self._read_at = self._mono()
            self._read_days = days
        self.last_refresh = self._clock()
        if self.failures:
            log.info("The free slots can be read again after %d failed attempts", self.failures)
        self.failures = 0
        self.last_error = None
        self._retry_at = 0.0
        log.debug("Read %d free slots for %d days", len(valid), days)
        if self._on_refreshed is not None:
            self._on_refreshed(self.last_refresh, len(self._slots))
        return True

    def _seconds_until_due(self) -> float | None:
        now = self._mono()
        if self.last_error is not None:
            return max(0.0, self._retry_at - now)
        if self._read_at is None:
            return 0.0
        return max(0.0, self._read_at + self.interval_s - now)


def retry_delay(error: PortalError, failures: int, jitter: float | None = None) -> float:
    """Seconds to wait before reading again after ``failures`` failed reads in a row ending in ``error``.

    A busy web app (rate limit, temporary lockout) is left alone for as long as it asked; a web app that was down is
    probed with backoff capped at PROBE_MAX_S; anything else (a refused login, a changed screen) backs off to minutes.
    """
    spread = (0.8 + 0.4 * random.random()) if jitter is None else jitter
    if isinstance(error, PortalBusy):
        return max(PROBE_FIRST_S, error.retry_after_s)
    if error.code == "portal_down":
        return min(PROBE_MAX_S, PROBE_FIRST_S * 2 ** (failures - 1) * spread)
    return min(RETRY_MAX_S, RETRY_FIRST_S * 2 ** (failures - 1)) * spread


def _valid_slots(slots: list[Slot]) -> list[Slot]:
    """Only what can cross the wire: a driver's oddity must not reach the relay (or break a whole answer)."""
    out = []
    for slot in slots:
        try:
            WireSlot.from_json(slot.to_json())
        except (ProtocolError, ValueError, AttributeError):
            log.warning("Ignoring a slot the web app described oddly: %r", slot)
            continue
        out.append(slot)
    return out


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def _micros(moment: datetime) -> int:
    """An aware time as whole microseconds since the epoch: ordered exactly as the times themselves."""
    return (moment - _EPOCH) // _MICROSECOND


@functools.lru_cache(maxsize=1024)
def _name_key(name: str) -> str:
    """Names compare without case or accents: "dra. soto" is "Dra. Soto"."""
    decomposed = unicodedata.normalize("NFKD", name.strip().casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))
