"""The agent's slots answer prepared once for every turn that sees it: in menu order, and per filter.

An agent answers from its cache, so the relay hands the conversation the same slots (the same tuple object:
relay/slot_answers.py) turn after turn, for every patient of a clinic. What a turn derives from them — which
are still ahead, the clinic's offset, its specialties and professionals, the slots a patient's filters leave,
their days — is the same for each of those turns, so it is worked out once per answer and kept beside it.

Only a tuple is prepared (it cannot change under the cache); the cache is keyed by the tuple's identity and holds
the tuple itself, so an entry never answers for another object. A changed answer is a new tuple: a new entry.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from datetime import date, datetime, tzinfo
from typing import Any, TypeVar

from relay.conversation.menus import clinic_zone, clock, fold, free_slots, local_day, slot_keys
from relay.conversation.names import name_words
from relay.conversation.specialties import specialty_key
from wire.messages import WireSlot

MAX_AGENDAS = 2048  # answers kept prepared (a clinic keeps one while its agent's answer does not change)
MAX_VIEWS = 2  # moments kept per answer: time only moves on, past the start of one more slot
MAX_POOLS = 32  # filter combinations kept per view (patients use a handful)
MAX_PAGES = 64  # menu pages kept per view (the first day menu, and the time menus of the days patients pick)

T = TypeVar("T")
# professionals, specialty, service, (from, before), ISO days ruled out, professionals ruled out
Filters = tuple[tuple[str, ...], str, str, tuple[str, str], tuple[str, ...], tuple[str, ...]]
NO_WINDOW = ("", "")
NO_FILTERS: Filters = ((), "", "", NO_WINDOW, (), ())  # a patient who has not said whom, what or when


class View:
    """The free slots ahead at one moment (those after the same cut of the answer), and what derives from them."""

    __slots__ = (
        "free", "zone", "_specialties", "_professionals", "_names", "_staff", "_pools", "_days", "_by_day", "_services",
        "_pages",
    )

    def __init__(self, free: tuple[WireSlot, ...], zone: tzinfo | None) -> None:
        self.free = free
        self.zone = zone  # the clinic's offset, from the earliest slot; None without slots
        self._specialties: dict[str, str] | None = None
        self._professionals: tuple[str, ...] | None = None
        self._names: frozenset[str] | None = None
        self._staff: frozenset[frozenset[str]] | None = None
        self._pools: dict[Filters, tuple[WireSlot, ...]] = {}
        self._days: dict[Filters, tuple[date, ...]] = {}
        self._by_day: dict[Filters, dict[date, tuple[WireSlot, ...]]] = {}
        self._services: dict[Filters, tuple[str, ...]] = {}
        self._pages: dict[Hashable, Any] = {}

    def _survey(self) -> None:
        """One pass over the free slots for what a conversation's first reply asks of them, whatever it shows:
        the specialties, professionals and services (how many: is a question needed first?) and the days."""
        specialties: dict[str, str] = {}
        professionals = set()
        services: dict[str, str] = {}
        days = set()
        for slot in self.free:
            if slot.specialty:
                specialties[specialty_key(slot.specialty)] = slot.specialty
            professionals.add(slot.professional)
            if slot.service:
                services[fold(slot.service)] = slot.service
            days.add(local_day(slot))
        self._specialties = specialties
        self._professionals = tuple(sorted(professionals))
        self._pools.setdefault(NO_FILTERS, self.free)
        self._days.setdefault(NO_FILTERS, tuple(sorted(days)))
        self._services.setdefault(NO_FILTERS, tuple(sorted(services.values(), key=fold)))

    @property
    def specialties(self) -> dict[str, str]:
        """Specialty key -> the clinic's own name (the last slot naming it wins, as a dict comprehension does)."""
        if self._specialties is None:
            self._survey()
        return self._specialties  # type: ignore[return-value]

    @property
    def professionals(self) -> tuple[str, ...]:
        """Every professional with a free slot, sorted."""
        if self._professionals is None:
            self._survey()
        return self._professionals  # type: ignore[return-value]

    @property
    def names(self) -> frozenset[str]:
        """The words of the professionals' names (what a misspelt name is corrected towards)."""
        if self._names is None:
            self._names = frozenset().union(*self.staff)
        return self._names

    @property
    def staff(self) -> frozenset[frozenset[str]]:
        """The words of each professional's name, a set per professional."""
        if self._staff is None:
            self._staff = frozenset(name_words(p) for p in self.professionals)
        return self._staff

    def pool(self, filters: Filters) -> tuple[WireSlot, ...]:
        """The free slots a patient's filters allow, in menu order."""
        found = self._pools.get(filters)
        if found is None:
            found = _filtered(self.free, filters)
            if len(self._pools) >= MAX_POOLS:
                self._pools.clear()
                self._days.clear()
                self._by_day.clear()
                self._services.clear()
            self._pools[filters] = found
        return found

    def days(self, filters: Filters) -> tuple[date, ...]:
        """The days of ``pool(filters)``, in order."""
        found = self._days.get(filters)
        if found is None and filters == NO_FILTERS and self._specialties is None:
            self._survey()
            return self._days[filters]
        if found is None:
            found = tuple(sorted({local_day(s) for s in self.pool(filters)}))
            self._days[filters] = found
        return found

    def on_day(self, filters: Filters, day: date) -> tuple[WireSlot, ...]:
        """The slots of ``pool(filters)`` on ``day``, in order (a time menu's, what typed times are read against)."""
        by_day = self._by_day.get(filters)
        if by_day is None:
            grouped: dict[date, list[WireSlot]] = {}
            for slot in self.pool(filters):
                grouped.setdefault(local_day(slot), []).append(slot)
            by_day = self._by_day[filters] = {d: tuple(slots) for d, slots in grouped.items()}
        return by_day.get(day, ())

    def services(self, filters: Filters) -> tuple[str, ...]:
        """The services of ``pool(filters)`` as the clinic names them (the last slot's spelling), in order of name."""
        found = self._services.get(filters)
        if found is None and filters == NO_FILTERS and self._specialties is None:
            self._survey()
            return self._services[filters]
        if found is None:
            names = {fold(s.service): s.service for s in self.pool(filters) if s.service}
            found = tuple(sorted(names.values(), key=fold))
            self._services[filters] = found
        return found


    def page(self, key: Hashable, build: Callable[[], T]) -> T:
        """The menu page ``key`` names, built once (pages.py: what every patient with the same filters sees)."""
        found = self._pages.get(key)
        if found is None:
            found = build()
            if len(self._pages) >= MAX_PAGES:
                self._pages.clear()
            self._pages[key] = found
        return found  # type: ignore[no-any-return]


def _filtered(free: tuple[WireSlot, ...], filters: Filters) -> tuple[WireSlot, ...]:
    professionals, specialty, service, (start, end), skip_days, not_wanted = filters
    slots: Sequence[WireSlot] = free
    if professionals:
        slots = [s for s in slots if s.professional in professionals]
    if not_wanted:
        slots = [s for s in slots if s.professional not in not_wanted]
    if specialty:
        slots = [s for s in slots if s.specialty and specialty_key(s.specialty) == specialty]
    if service:
        wanted = fold(service)
        slots = [s for s in slots if fold(s.service) == wanted]
    if start or end:
        slots = [s for s in slots if (not start or clock(s) >= start) and (not end or clock(s) < end)]
    if skip_days:  # ISO days, and "YYYY-MM-DDTHH:MM" for one time of a day ("a las 12 no puedo")
        slots = [s for s in slots if not _ruled_out(s, skip_days)]
    return tuple(slots)


def _ruled_out(slot: WireSlot, skip_days: tuple[str, ...]) -> bool:
    day = local_day(slot).isoformat()
    return day in skip_days or f"{day}T{clock(slot)}" in skip_days


class Agenda:
    """One slots answer in menu order; a ``View`` per moment, shared by every turn that sees the same slots ahead."""

    __slots__ = ("slots", "_ordered", "_stamps", "_views")

    def __init__(self, slots: tuple[WireSlot, ...]) -> None:
        self.slots = slots
        self._views: dict[int, View] = {}
        # With a repeated slot id, which copy is free depends on the moment: worked out per turn (never in practice).
        if len({s.id for s in slots}) != len(slots):
            self._ordered: tuple[WireSlot, ...] | None = None
            self._stamps: list[float] = []
            return
        keys = slot_keys(slots)
        if all(a < b for a, b in zip(keys, keys[1:], strict=False)):  # an agent sends them in order: kept as sent
            self._ordered = slots
        else:
            order = sorted(range(len(keys)), key=keys.__getitem__)
            self._ordered = tuple(slots[i] for i in order)
            keys = [keys[i] for i in order]
        self._stamps = [key[0] for key in keys]

    def view(self, now: datetime) -> View:
        if self._ordered is None:
            free = free_slots(self.slots, now)
            return View(free, clinic_zone(free) or clinic_zone(self.slots))
        cut = bisect_right(self._stamps, now.timestamp())  # the slots after it are still ahead
        view = self._views.get(cut)
        if view is None:
            free = self._ordered[cut:]
            zone = clinic_zone(free[:1] or self._ordered[:1])  # the earliest slot's
            if len(self._views) >= MAX_VIEWS:
                self._views.clear()
            view = self._views[cut] = View(free, zone)
        return view


_AGENDAS: OrderedDict[int, Agenda] = OrderedDict()


def agenda(slots: Sequence[WireSlot]) -> Agenda:
    """The prepared agenda of a slots answer (the same one for the same tuple)."""
    if type(slots) is not tuple:  # noqa: E721 - a list could change after it was prepared
        return Agenda(tuple(slots))
    key = id(slots)  # the entry holds the tuple: no other object can have its id while it is kept
    found = _AGENDAS.get(key)
    if found is not None and found.slots is slots:
        _AGENDAS.move_to_end(key)
        return found
    found = _AGENDAS[key] = Agenda(slots)
    _AGENDAS.move_to_end(key)  # (one thread: the relay's event loop runs every turn)
    while len(_AGENDAS) > MAX_AGENDAS:
        _AGENDAS.popitem(last=False)
    return found


MAX_SHARED_PAGES = 1024  # menu pages that depend on no clinic's slots, only on what they show (days, language…)
_SHARED_PAGES: dict[Hashable, Any] = {}


def shared_page(key: Hashable, build: Callable[[], T]) -> T:
    """The menu page ``key`` names for every clinic: ``key`` holds all it depends on (pages.py: the days menu of the
    same free days, in the same language, after the same paragraphs, looks the same in every clinic)."""
    found = _SHARED_PAGES.get(key)
    if found is None:
        if len(_SHARED_PAGES) >= MAX_SHARED_PAGES:
            _SHARED_PAGES.clear()
        found = _SHARED_PAGES[key] = build()
    return found  # type: ignore[no-any-return]


def forget() -> None:
    """Drop every prepared answer (and with it every view and menu page), and every shared page."""
    _AGENDAS.clear()
    _SHARED_PAGES.clear()
