"""The slots answer this agent keeps standing at the relay (wire.messages.SlotsUpdate).

A relay that asks ``slots`` with ``watch`` wants the answer kept up to date on that connection: the agent sends it
when it changes (a read of the web app, a booking, a pause, the login refused) and after each read, with how long
it stands (``fresh_s``: until the cache would be read again before answering). The relay then answers a patient's
question from it, with no round trip to this PC. When no answer stands (paused, the web app not logged in, no fresh
read) the update says so and the relay asks, as before, and hears why.

This module keeps what was asked, on which connection, and what the relay holds from these updates (so that an
unchanged answer goes as its fingerprint alone); ``RequestHandler.slots_update`` makes the frame.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from wire.messages import SlotsArgs


@dataclass(frozen=True)
class _Watched:
    asked: SlotsArgs  # days and professional: the question whose answer stands
    connection: int  # the link's connection it was asked on (RelayLink.connections)


class SlotWatch:
    def __init__(self, connection: Callable[[], int]) -> None:
        self._connection = connection
        self._watched: _Watched | None = None
        self.held = ""  # the fingerprint of the last full answer sent in an update on that connection

    def watch(self, args: SlotsArgs) -> bool:
        """The relay asked ``args``: True when it asked with ``watch`` and an update should follow. A relay asks only
        when no answer of ours stands there (none yet, a new connection, a pause, a stale one), so the next update
        is the whole answer, not its fingerprint."""
        if not args.watch or args.specialty or args.service:
            return False
        self._watched = _Watched(SlotsArgs(days=args.days, professional=args.professional), self._connection())
        self.held = ""
        return True

    def asked(self) -> SlotsArgs | None:
        """The question watched on the connection open now (None: none, or asked on an earlier connection)."""
        watched = self._watched
        if watched is None or watched.connection != self._connection():
            return None
        return watched.asked
