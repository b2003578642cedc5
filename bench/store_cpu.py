"""The SQLite store's CPU and write-ahead-log bytes per turn, in-process: the store calls one accepted widget_request
makes, as ``relay/kommo_endpoint.py`` and ``relay/turns.py`` make them.

    .venv/bin/python bench/store_cpu.py [--clinics 1000] [--warm 20000] [--turns 6000] [--against REF] [--repeat 3]

A turn: ``claim_turn`` (the revision read, three delivery keys — jti, jti+lead, message — and the pending turn, one
commit), ``load_conversation``, ``settle_reply`` (a ~1.5 KB reply and a ~0.6 KB conversation, one commit),
``finish_turn`` (deleted in the next transaction). Each turn is a new lead of one of ``--clinics`` clinics (as
bench/relay_load.py sends them: every request a new conversation); ``--returning`` makes half of them a lead's
second turn. ``--warm`` turns fill the file first (untimed: the key index is many pages deep, as after minutes of
traffic). The timed turns are followed every 500 turns by a checkpoint into the database file (as the relay's
checkpoint thread does every 2 s), inside the timed CPU.

Printed: CPU µs per turn (``time.process_time``: this process, checkpoints included), WAL bytes and frames per
turn (the frames the checkpoints found), and the file's size. ``--against REF`` runs the same turns on git
revision REF's store (its relay/ and wire/ extracted to a temporary directory), alternating with this tree
``--repeat`` times, and prints both medians and the ratio. The load average is printed beside the figures:
the CPU figure is per turn, but a busy machine still inflates it a little (caches, frequency).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(os.environ.get("CITA_BENCH_ROOT") or Path(__file__).resolve().parent.parent)
sys.path.insert(0, str(ROOT))

from relay.store import ClinicDetails, PendingTurn, SqliteStore  # noqa: E402

RETURN_URL = "https://clinica-{n}.kommo.com/api/v4/salesbot/1234/continue/5678"
CHECKPOINT_EVERY = 500
JTI_MEMORY_S = 3600.0
DUPLICATE_WINDOW_S = 5.0
IDLE_S = 3600.0


def reply_for(n: int) -> dict[str, Any]:
    """About the size of a day menu's continuation."""
    days = [f"{d} - Jueves {d} de diciembre, 4 horas libres" for d in range(1, 9)]
    return {
        "data": {"status": "choose_day", "message": f"Hola Ana {n}, ¿qué día te acomoda?\n" + "\n".join(days),
                 "options": [str(d) for d in range(1, 9)]},
        "execute_handlers": [{"handler": "buttons", "params": {"type": "inline", "value": days}}],
    }


def state_for(n: int) -> dict[str, Any]:
    return {
        "v": 3, "stage": "day", "lang": "es", "patient": {"name": f"Ana Pérez {n}", "phone": "+56 9 1234 5678"},
        "offered": [f"2026-12-{d:02d}" for d in range(1, 9)], "asked_at": 1764600000.0 + n,
        "slots": [{"start": f"2026-12-03T{h:02d}:00", "professional": "Dra. Soto"} for h in range(9, 17)],
    }


class Turns:
    """The store calls of one accepted widget_request after another (their inputs made beforehand, untimed)."""

    def __init__(self, store: SqliteStore, clinics: int, returning: bool, seed: int) -> None:
        self.store = store
        self.clinics = clinics
        self.returning = returning
        self.random = random.Random(seed)
        self.count = 0
        self.leads: list[tuple[str, str]] = []

    def prepare(self, count: int) -> list[tuple[Any, ...]]:
        items = []
        for _ in range(count):
            self.count += 1
            n, now = self.count, time.time()
            if self.returning and self.leads and n % 2 == 0:
                clinic, lead = self.leads[self.random.randrange(len(self.leads))]
            else:
                clinic, lead = f"clinica-{self.random.randrange(self.clinics)}", f"{10_000_000 + n}"
                self.leads.append((clinic, lead))
                if len(self.leads) > 5000:
                    self.leads = self.leads[-2500:]
            jti = str(uuid.UUID(int=self.random.getrandbits(128)))
            hexes = [f"{self.random.getrandbits(128):032x}" for _ in range(2)]
            keys = [(f"jti:{jti}", now + JTI_MEMORY_S), (f"jtilead:{hexes[0]}", now + JTI_MEMORY_S),
                    (f"msg:{hexes[1]}", now + DUPLICATE_WINDOW_S)]
            url = RETURN_URL.format(n=n)
            turn = PendingTurn(clinic=clinic, turn_id=keys[0][0], keys=tuple(k for k, _ in keys), lead_id=lead,
                               message="Hola", name="Ana Pérez", phone="+56 9 1234 5678", received_at=now,
                               return_url=url)
            items.append((clinic, lead, keys, turn, url, now, reply_for(n), state_for(n)))
        return items

    async def run(self, items: list[tuple[Any, ...]]) -> None:
        store = self.store
        for clinic, lead, keys, turn, url, now, reply, state in items:
            made = (keys, turn)
            _, _, prior = await store.claim_turn(clinic, lead, lambda _revision, made=made: made, url, now)
            assert prior is None
            await store.load_conversation(clinic, lead)
            await store.settle_reply(clinic, [k for k, _ in keys], reply, lead, state, now)
            # Deleted by the next claim's transaction, as under load (the 20 ms timer finds them gone).
            await store.finish_turn(clinic, turn.turn_id)


def checkpoint(store: SqliteStore) -> tuple[int, int]:
    """(WAL frames found, page size), every frame copied, as the checkpoint thread leaves it: the next write starts
    the log over (written over, not grown)."""
    store._flush_finished()
    db = store._db
    _, frames, _ = db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    return int(frames), int(db.execute("PRAGMA page_size").fetchone()[0])


async def measure(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "relay.sqlite3"
        store = SqliteStore(path)
        store._db.execute("PRAGMA wal_autocheckpoint=0")  # the checkpoints below stand for the checkpoint thread
        for c in range(args.clinics):
            store.add_clinic(ClinicDetails(name=f"clinica-{c}", kommo_subdomain=f"clinica-{c}",
                                           kommo_client_id="id", kommo_client_secret="secret",
                                           long_lived_token="token"))
        turns = Turns(store, args.clinics, args.returning, args.seed)
        for _ in range(0, args.warm, CHECKPOINT_EVERY):
            await turns.run(turns.prepare(CHECKPOINT_EVERY))
            checkpoint(store)
        frames = 0
        page_size = 4096
        batches = [turns.prepare(CHECKPOINT_EVERY) for _ in range(max(1, args.turns // CHECKPOINT_EVERY))]
        timed = sum(len(batch) for batch in batches)
        cpu0 = time.process_time()
        for batch in batches:
            await turns.run(batch)
            found, page_size = checkpoint(store)
            frames += found
        cpu = time.process_time() - cpu0
        size = path.stat().st_size
        store.close_now()
    return {"cpu_us": cpu / timed * 1e6, "frames": frames / timed,
            "wal_bytes": frames * (page_size + 24) / timed, "file_mb": size / 1e6, "turns": timed}


def extract(ref: str, into: Path) -> None:
    """relay/ and wire/ of git revision ``ref`` under ``into``."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref, "relay", "wire"], check=True,
                             capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)


def child(args: argparse.Namespace, root: Path | None) -> dict[str, Any]:
    env = dict(os.environ)
    if root is not None:
        env["CITA_BENCH_ROOT"] = str(root)
    command = [sys.executable, __file__, "--json", "--clinics", str(args.clinics), "--warm", str(args.warm),
               "--turns", str(args.turns), "--seed", str(args.seed), *(["--returning"] if args.returning else [])]
    out = subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def show(name: str, figures: dict[str, Any]) -> None:
    print(f"{name:<10} {figures['cpu_us']:7.0f} µs CPU per turn  {figures['wal_bytes'] / 1024:6.1f} KB WAL per turn "
          f"({figures['frames']:.1f} pages)  file {figures['file_mb']:.0f} MB  ({figures['turns']} turns)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clinics", type=int, default=1000)
    parser.add_argument("--warm", type=int, default=20000, help="untimed turns first (20000)")
    parser.add_argument("--turns", type=int, default=6000, help="timed turns (6000)")
    parser.add_argument("--returning", action="store_true", help="half the turns are a lead's second turn")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--against", metavar="REF", help="also measure git revision REF (e.g. main), alternating")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each side with --against (3)")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.json:
        print(json.dumps(asyncio.run(measure(args))))
        return 0
    print(f"load average {os.getloadavg()[0]:.2f}; {args.clinics} clinics, {args.warm} turns before, "
          f"{args.turns} timed{', half returning leads' if args.returning else ', each a new lead'}")
    if not args.against:
        show("this tree", asyncio.run(measure(args)))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        extract(args.against, Path(tmp))
        runs: dict[str, list[dict[str, Any]]] = {args.against: [], "this tree": []}
        for _ in range(args.repeat):  # alternated: both sides see the same machine load
            runs[args.against].append(child(args, Path(tmp)))
            runs["this tree"].append(child(args, None))
    medians = {}
    for name, results in runs.items():
        medians[name] = {k: statistics.median(r[k] for r in results) for k in ("cpu_us", "frames", "wal_bytes",
                                                                                "file_mb")}
        medians[name]["turns"] = args.turns
        show(name, medians[name])
    ratio = medians[args.against]["cpu_us"] / medians["this tree"]["cpu_us"]
    print(f"this tree uses {1 / ratio:.2f}x the CPU per turn of {args.against}; load average "
          f"{os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
