"""The last slots answer of each clinic's agent, validated once, and "same as before".

An agent answers "which slots are free?" from its cache, so most answers repeat the previous one slot for slot
(only ``age_s`` moves). Checking forty slots field by field costs more than the rest of a turn's decision; an
answer whose slots equal, value for value, the ones validated last time is that same valid answer.

An agent that gives its answer a ``fingerprint`` need not send it again: the relay asks with ``known`` (the
fingerprint of the answer it holds, ``known``) and the agent answers "unchanged" while its answer still has it
(wire.messages.SlotsUnchanged). The held answer is used only when the agent named its very fingerprint; when it is
no longer held (restarted, evicted, replaced by a newer answer meanwhile) ``parse`` says so and the relay asks again
in full.

An agent asked with ``watch`` keeps its answer standing here (``StandingAnswer``): it sends it again when it changes
and after each read of the web app, and the relay answers from it until it goes stale, with no round trip at all.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, replace
from typing import Any

from wire.messages import ProtocolError, SlotsResult, SlotsUnchanged, SlotsUpdate, answer_fingerprint

SLOT_DAYS = 14  # the days a patient's question is answered from (the relay asks the agent for these)


@dataclass(frozen=True)
class _Held:
    slots_json: list[dict[str, Any]]  # the answer's slots as the wire carries them (what they read back from)
    answer: SlotsResult
    fingerprint: str  # the agent's digest of this answer ("" from an agent that gives none)


class SlotAnswerCache:
    def __init__(self, max_clinics: int = 2048) -> None:
        self._max = max_clinics
        self._last: OrderedDict[str, _Held] = OrderedDict()

    def checks_bookings(self, clinic: str) -> bool:
        """Whether the clinic's agent, in its last answer, said it can tell a patient's appointments (looked up in
        the web app, or known to it) before a booking."""
        held = self._last.get(clinic)
        return held is not None and held.answer.checks_bookings

    def known(self, clinic: str) -> str | None:
        """The fingerprint to ask with (``SlotsArgs.known``): that of the answer held for the clinic, if any."""
        held = self._last.get(clinic)
        return held.fingerprint if held is not None and held.fingerprint else None

    def parse(self, clinic: str, result: Any) -> SlotsResult | None:
        """``result`` as a ``SlotsResult``; ``ProtocolError`` when it does not follow the wire protocol; None when it
        is "unchanged" from an answer this relay does not hold (ask again without ``known``).

        A repeated answer keeps the very slots tuple of the first one: the conversation prepares an answer once per
        tuple (relay/conversation/agenda.py), so every turn that sees the same slots shares that work.
        """
        held = self._last.get(clinic)
        unchanged = SlotsUnchanged.from_json(result)
        if unchanged is not None:
            if held is None or not held.fingerprint or held.fingerprint != unchanged.fingerprint:
                return None
            self._last.move_to_end(clinic)
            answer = held.answer
            return replace(answer, age_s=unchanged.age_s)
        # Equal, value for value, to the kept slots as the wire writes them (an agent writes them so): the same slots.
        if held is not None and isinstance(result, dict) and result.get("slots") == held.slots_json:
            rest = SlotsResult.from_json({**result, "slots": []})  # age_s, services etc.: small, read anew
            parsed = replace(rest, slots=held.answer.slots)
            slots_json = held.slots_json
        else:
            parsed = SlotsResult.from_json(result)
            slots_json = [s.to_json() for s in parsed.slots]
        self._last[clinic] = _Held(slots_json, parsed, answer_fingerprint(result))
        self._last.move_to_end(clinic)
        while len(self._last) > self._max:
            self._last.popitem(last=False)
        return parsed


@dataclass
class StandingAnswer:
    """An agent's slots answer kept standing by its ``slots_update`` frames (wire.messages.SlotsUpdate): a patient's
    question is answered from it, without a round trip to the agent, until ``fresh_until``."""

    result: dict[str, Any] | None  # the full answer as the wire carried it, until checked at its first use
    fingerprint: str
    age_s: float  # the answer's age when its last update arrived
    received_at: float  # monotonic time of that update
    fresh_until: float  # monotonic: past it the relay asks the agent
    parsed: SlotsResult | None = None  # the checked answer, kept after its first use (``result`` let go then)

    def age_at(self, now: float) -> float:
        return self.age_s + max(0.0, now - self.received_at)


def standing_after(
    standing: StandingAnswer | None, update: SlotsUpdate, now: float, days: int
) -> StandingAnswer | None:
    """The answer that stands after ``update``: a full answer replaces it, "unchanged" renews it (when it names its
    fingerprint), anything else — no answer, another question's answer, an "unchanged" of an answer not held, a
    frame that does not read — leaves none, and the relay asks the agent."""
    if update.result is None or update.days != days or update.professional is not None:
        return None
    try:
        unchanged = SlotsUnchanged.from_json(update.result)
        if unchanged is not None:
            if standing is None or standing.fingerprint != unchanged.fingerprint:
                return None
            return replace(standing, age_s=unchanged.age_s, received_at=now, fresh_until=now + update.fresh_s)
        fingerprint = answer_fingerprint(update.result)
        age = update.result.get("age_s", 0.0)
        if not fingerprint or isinstance(age, bool) or not isinstance(age, int | float) or not 0 <= age < 1e9:
            return None
    except ProtocolError:
        return None
    return StandingAnswer(update.result, fingerprint, float(age), now, now + update.fresh_s)
