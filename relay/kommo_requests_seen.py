"""What this relay last heard from each clinic's Kommo bot: the last widget_request it accepted, the last it
refused and why. `cita-relay check-clinic` shows it, so a Kommo admin sees "every message is refused: the client
secret stored is not the integration's" instead of "all set" while patients get silence.

The last accepted one also says what the bot's step sent wrong, if anything: no ``message`` key (misspelt) or
an unfilled ``{{…}}`` in it, so every patient is answered "Perdona, no te entendí"; no phone; a name left as
``{{…}}``.

In memory, per instance, since it started. A request to a name that is no clinic here is remembered apart (the
last MAX_UNKNOWN names, each a plain name): `check-clinic clinica-sol` then says "a message came to
…/kommo/clinica_sol, which is no clinic: fix the bot's URL", where it would otherwise wait for a first message.
"""

from __future__ import annotations

import difflib
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

MAX_CLINICS = 10_000
MAX_UNKNOWN = 100
_PLAIN_NAME = re.compile(r"^[A-Za-z0-9._-]{1,64}$")  # shown to an admin: nothing else is ever kept
# What the bot's step sent instead of the patient's text: the relay never reads what the patient wrote.
MISSING_MESSAGE = "missing_message"  # no "message" key in data ("messge": a typo in the step)
UNFILLED_MESSAGE = "unfilled_message"  # "message" arrived as a placeholder Kommo did not fill ("{{message}}")
EMPTY_MESSAGE = "empty_message"  # "message" arrived empty: a step whose value is blank (or a sticker with no text)
_UNFILLED = re.compile(r"\{\{[^{}]*\}\}")  # the whole value one placeholder: a patient's own text never is


def message_problem(data: Mapping[str, Any], message: str) -> str:
    """MISSING_MESSAGE, UNFILLED_MESSAGE or EMPTY_MESSAGE when the step's ``message`` is not Kommo's
    ``{{message_text}}`` (or the patient sent no text); else ""."""
    if "message" not in data:
        return MISSING_MESSAGE
    if message.startswith("{{") and _UNFILLED.fullmatch(message):
        return UNFILLED_MESSAGE
    if not message.strip():
        return EMPTY_MESSAGE
    return ""


@dataclass
class _Seen:
    accepted_at: float = 0.0
    refused_at: float = 0.0
    error: str = ""
    detail: str = ""
    # What the last accepted one lacked: "missing_message", "unfilled_message" (the patient is never understood),
    # "missing_phone", "unreadable_name" (the patient cannot book).
    problem: str = ""


class KommoRequestsSeen:
    def __init__(self) -> None:
        self._clinics: dict[str, _Seen] = {}
        self._unknown: dict[str, float] = {}  # a name that is no clinic here -> when a request last came to it

    def accepted(self, clinic: str, now: float, problem: str = "") -> None:
        """``problem``: the request came without the patient's text (``message_problem``) or without what a
        booking needs (its phone, or a name left as "{{…}}")."""
        seen = self._clinics.get(clinic)
        if seen is None:
            seen = self._add(clinic)
        seen.accepted_at = now
        if seen.problem != problem:
            seen.problem = problem

    def refused(self, clinic: str, error: str, detail: str, now: float | None = None) -> None:
        seen = self._clinics.get(clinic) or self._add(clinic)
        seen.refused_at, seen.error, seen.detail = now or time.time(), error, detail[:200]

    def unknown(self, name: str, now: float | None = None) -> None:
        """A request came to a name that is no clinic here (a typo in the bot's URL, or a scanner)."""
        if not _PLAIN_NAME.match(name):
            return
        self._unknown.pop(name, None)
        if len(self._unknown) >= MAX_UNKNOWN:
            self._unknown.pop(next(iter(self._unknown)))
        self._unknown[name] = now or time.time()

    def report(self, clinic: str, now: float | None = None, subdomain: str = "") -> dict[str, Any]:
        """Seconds since the last accepted and the last refused one (None: none since the relay started), and
        requests to names close to this clinic's that are no clinic ("clinica_sol" for "clinica-sol"), or to its
        Kommo subdomain ("…/kommo/clinicasol" for the clinic "clinica-sol" on clinicasol.kommo.com)."""
        seen = self._clinics.get(clinic) or _Seen()
        now = now or time.time()
        near = set(difflib.get_close_matches(clinic.casefold(), [n.casefold() for n in self._unknown], n=3,
                                             cutoff=0.75))
        if subdomain:
            near.add(subdomain.casefold())
        # Which came last, said apart: two requests within a second read as "0 s ago" both
        misaddressed = [
            {"name": name, "s_ago": round(now - at), "after_accepted": at > seen.accepted_at}
            for name, at in self._unknown.items() if name.casefold() in near
        ]
        return {
            "accepted_s_ago": round(now - seen.accepted_at) if seen.accepted_at else None,
            "refused_s_ago": round(now - seen.refused_at) if seen.refused_at else None,
            "refused_last": bool(seen.refused_at) and seen.refused_at >= seen.accepted_at,
            "refused_error": seen.error,
            "refused_detail": seen.detail,
            "accepted_problem": seen.problem,
            "misaddressed": sorted(misaddressed, key=lambda m: m["s_ago"]),
        }

    def _add(self, clinic: str) -> _Seen:
        if len(self._clinics) >= MAX_CLINICS:
            self._clinics.clear()
        seen = self._clinics[clinic] = _Seen()
        return seen
