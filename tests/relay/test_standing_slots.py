"""The slots answer an agent keeps standing at the relay (relay.slot_answers.StandingAnswer, kept by the
LocalAgentDirectory from the agent's slots_update frames): used while fresh, renewed by its fingerprint, and dropped
whenever it may no longer be what the agent would answer."""

from __future__ import annotations

from relay.agents import LocalAgentDirectory
from wire.messages import SlotsUpdate, Status

SLOT = {"id": "s1", "start": "2026-12-07T10:00:00-03:00", "end": "2026-12-07T10:30:00-03:00",
        "professional": "Dra. Soto"}
FULL = {"slots": [SLOT], "age_s": 2.0, "fingerprint": "a1b2c3d4e5f6a1b2c3d4e5f6"}


class Link:
    async def send_text(self, text: str) -> None:
        pass

    async def close(self, code: int, reason: str) -> None:
        pass


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def connected(clock: Clock):
    directory = LocalAgentDirectory(monotonic=clock)
    connection = directory.attach("c1", Link())
    directory.on_status(connection, Status(paused=False, portal="ok"))
    return directory, connection


def test_a_full_answer_stands_until_fresh_s_and_an_unchanged_one_renews_it():
    clock = Clock()
    directory, connection = connected(clock)
    assert directory.standing_slots("c1") is None
    directory.on_slots_update(connection, SlotsUpdate(14, None, FULL, fresh_s=60))
    standing = directory.standing_slots("c1")
    assert standing is not None and standing.result is FULL

    clock.now += 50
    assert directory.standing_slots("c1").age_at(clock.now) == 52.0
    directory.on_slots_update(connection, SlotsUpdate(14, None, {"unchanged": FULL["fingerprint"], "age_s": 1.0},
                                                      fresh_s=60))
    clock.now += 50
    assert directory.standing_slots("c1").fingerprint == FULL["fingerprint"]  # renewed: 50 s ago, it came 100 s ago
    clock.now += 11
    assert directory.standing_slots("c1") is None  # 61 s after the renewal: the relay asks


def test_what_leaves_no_answer_standing():
    clock = Clock()
    for update in (
        SlotsUpdate(14, None, None, fresh_s=60),  # the agent withdrew it
        SlotsUpdate(14, None, {"unchanged": "ffffffffffffffffffffffff", "age_s": 1.0}, fresh_s=60),  # not held
        SlotsUpdate(7, None, FULL, fresh_s=60),  # another question's answer
        SlotsUpdate(14, "Dra. Soto", FULL, fresh_s=60),
        SlotsUpdate(14, None, {"slots": [SLOT], "age_s": 2.0}, fresh_s=60),  # no fingerprint to renew it by
        SlotsUpdate(14, None, {"slots": [SLOT], "age_s": -1, "fingerprint": FULL["fingerprint"]}, fresh_s=60),
    ):
        directory, connection = connected(clock)
        directory.on_slots_update(connection, SlotsUpdate(14, None, FULL, fresh_s=60))
        directory.on_slots_update(connection, update)
        assert directory.standing_slots("c1") is None, update


async def test_a_pause_a_new_web_app_state_or_a_lost_connection_drops_it():
    clock = Clock()
    for change in ("paused", "portal", "drift", "gone", "replaced"):
        directory, connection = connected(clock)
        directory.on_slots_update(connection, SlotsUpdate(14, None, FULL, fresh_s=60))
        if change == "paused":
            directory.on_status(connection, Status(paused=True, portal="ok"))
        elif change == "portal":
            directory.on_status(connection, Status(paused=False, portal="down"))
        elif change == "drift":
            directory.on_status(connection, Status(paused=False, portal="ok", portal_changed="La agenda cambió"))
        elif change == "gone":
            directory.detach(connection)
        else:
            newer = directory.attach("c1", Link())
            directory.on_status(newer, Status(paused=False, portal="ok"))
            directory.on_slots_update(connection, SlotsUpdate(14, None, FULL, fresh_s=60))  # from the old one: not kept
        assert directory.standing_slots("c1") is None, change
        if change == "paused":  # resumed: still none until the agent's next update
            directory.on_status(connection, Status(paused=False, portal="ok"))
            assert directory.standing_slots("c1") is None
