"""The conversation's CPU per turn, in-process: the slots answer's parse and ``decide``, over a realistic mix.

    .venv/bin/python bench/conversation_cpu.py [--clinics 50] [--conversations 1500] [--against REF] [--repeat 3]

Each of ``--clinics`` clinics answers with 40 free slots over the next ten days (two professionals; some clinics
with two specialties, some with six professionals). Patients write a first message (the corpus files of
tests/relay_conversation, and the few greetings most patients send), then tap buttons, type a list number, a day
or a time, "sí", "más"… until the conversation books, hands off or reaches 6 turns. Every turn parses the
agent's slots answer as the relay does (``SlotAnswerCache.parse`` of the decoded JSON) and calls ``decide``.

The first fifth of the conversations warms up (untimed); the rest are timed. Printed: µs per turn for the parse and
for ``decide``, and a digest of every reply: the same digest on two versions means the same replies, turn for turn.

Two more figures, for the turns the mix above shares out of sight (every turn of a clinic sees one prepared answer):
"first turn on a new answer" is a new lead's "Hola" on a clinic's answer never seen before (a new slots tuple: the
clinic's slots change after each booking, and a relay serving many clinics sees each one's answer a few times),
"'Hola' on a prepared answer" the next new lead's "Hola" on that same answer. Each clinic is seen once before
(untimed), so the clinic's own sentences are not new; each round drops another slot (a booking took it). Clinic i
has no free slot on the days given by the bits of i: few clinics share the same free days.
``--against REF`` runs the same mix on the git revision REF (its relay/ and wire/ extracted to a temporary
directory), alternating with this tree ``--repeat`` times, and prints both figures and the ratio.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

ROOT = Path(os.environ.get("CITA_BENCH_ROOT") or Path(__file__).resolve().parent.parent)
sys.path.insert(0, str(ROOT))

from relay.conversation import AgentStep, Book, ClinicProfile, ConversationState, Reply, Turn, decide  # noqa: E402
from relay.conversation.evolve import evolve  # noqa: E402
from relay.slot_answers import SlotAnswerCache  # noqa: E402
from wire.messages import SlotsResult  # noqa: E402

CORPORA = sorted((Path(__file__).resolve().parent.parent / "tests" / "relay_conversation").glob("corpus_*.txt"))
CLINIC_TZ = timezone(timedelta(hours=-3))
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)  # Tuesday 09:00 in the clinics
SLOTS = 40
MAX_TURNS = 6
# What most patients write first, besides the corpus's varied messages.
GREETINGS = ("Hola", "hola", "Hola buenas tardes", "Buenas", "hola, quiero una hora", "Quiero agendar", "Hi")
# What they type on a menu, besides tapping a button or typing a list number.
TYPED = (
    "mañana", "el jueves en la tarde", "a las 10", "sí", "si", "otra hora", "más", "volver", "mañana a las 11",
    "con la dra soto", "el viernes", "1", "2", "ok", "gracias", "en la mañana", "después de las 4", "Sí",
)


def corpus_messages() -> list[str]:
    out = []
    for path in CORPORA:
        for raw in path.read_text(encoding="utf-8").splitlines():
            if raw.strip() and not raw.lstrip().startswith("#") and raw.count("|") >= 2:
                out.append(raw.split("|", 2)[2].strip())
    return out


def answer_json(index: int) -> str:
    """Clinic ``index``'s answer: 40 free half-hours over ten days, professionals and specialties by kind."""
    kind = index % 4
    if kind == 3:
        staff = [("Dra. Ana Soto", ""), ("Dr. Andrés Rojas", ""), ("Dr. Juan Pérez", ""),
                 ("Dra. Camila Fuentes", ""), ("Klga. Paula Díaz", ""), ("Ps. Martín Vidal", "")]
    elif kind == 2:
        staff = [("Dra. Ana Soto", "Traumatología"), ("Dr. Juan Pérez", "Pediatría")]
    else:
        staff = [("Dra. Soto", ""), ("Dr. Pérez", "")]
    today = NOW.astimezone(CLINIC_TZ).date()
    slots = []
    for i in range(SLOTS):
        day = today + timedelta(days=1 + i // 4)
        start = datetime(day.year, day.month, day.day, 9 + (i % 4) * 2, 30 * (index % 2), tzinfo=CLINIC_TZ)
        who, specialty = staff[i % len(staff)]
        slot: dict[str, Any] = {"id": f"c{index}-s{i}", "start": start.isoformat(),
                                "end": (start + timedelta(minutes=30)).isoformat(), "professional": who}
        if specialty:
            slot["specialty"] = specialty
        slots.append(slot)
    return json.dumps({"slots": slots, "age_s": 3.0}, ensure_ascii=False, separators=(",", ":"))


def _buttons(reply: Reply) -> list[str]:
    for handler in reply.continuation["execute_handlers"]:
        if handler["params"].get("type") == "buttons":
            return list(handler["params"]["buttons"])
    return []


def next_message(rng: random.Random, reply: Reply, corpus: list[str]) -> str:
    roll = rng.random()
    buttons = _buttons(reply)
    numbered = [o.number for o in reply.state.options if o.number] if reply.state else []
    if roll < 0.45 and buttons:
        return rng.choice(buttons)
    if roll < 0.65 and numbered:
        return str(rng.choice(numbered))
    if roll < 0.9:
        return rng.choice(TYPED)
    return rng.choice(corpus)


Step = tuple[ConversationState | None, Turn, ClinicProfile, str, str]  # state, turn, clinic, clinic key, answer


def script(conversations: int, clinics: int, seed: int) -> list[Step]:
    """Every turn's input, by playing the mix once (the replies decide the next message)."""
    rng = random.Random(seed)
    corpus = corpus_messages()
    answers = [answer_json(i) for i in range(clinics)]
    profiles = [ClinicProfile(name=f"Clínica {i}", language="en" if i % 5 == 4 else "es") for i in range(clinics)]
    cache = SlotAnswerCache()
    steps: list[Step] = []
    for conversation in range(conversations):
        index = rng.randrange(clinics)
        state: ConversationState | None = None
        message = rng.choice(GREETINGS) if rng.random() < 0.5 else rng.choice(corpus)
        for turn_number in range(MAX_TURNS):
            now = NOW + timedelta(seconds=conversation * 5 + turn_number * 20)
            turn = Turn(lead_id=f"L{conversation}", message=message, name="Ana Pérez", phone="+56 9 1234 5678",
                        now=now)
            steps.append((state, turn, profiles[index], f"clinic-{index}", answers[index]))
            result = decide(state, turn, profiles[index], cache.parse(f"clinic-{index}", json.loads(answers[index])))
            if isinstance(result, Book | AgentStep) or result.state is None:
                break
            state = result.state
            message = next_message(rng, result, corpus)
    return steps


def run(steps: list[Step], warmup: int) -> tuple[float, float, str, int]:
    """(µs per turn parsing, µs per turn deciding, digest of every reply, timed turns)."""
    cache = SlotAnswerCache()
    digest = hashlib.sha256()
    parse_s = decide_s = 0.0
    timed = 0
    clock = time.process_time  # CPU time: the machine is shared
    for number, (state, turn, profile, key, answer) in enumerate(steps):
        raw = json.loads(answer)  # the frame's decoding is not the conversation's
        started = clock()
        slots = cache.parse(key, raw)
        parsed = clock()
        result = decide(state, turn, profile, slots)
        done = clock()
        if number >= warmup:
            parse_s += parsed - started
            decide_s += done - parsed
            timed += 1
        digest.update(json.dumps(_outcome(result), sort_keys=True, ensure_ascii=False, default=str).encode())
    return parse_s / timed * 1e6, decide_s / timed * 1e6, digest.hexdigest()[:16], timed


def _outcome(result: Reply | Book | AgentStep) -> Any:
    if isinstance(result, Reply):
        return [result.continuation, result.state.to_json() if result.state else None, result.status]
    if isinstance(result, Book):
        return ["book", result.state.to_json(), result.slot.to_json(), result.idempotency_key]
    return ["step", result.op, result.state.to_json(), repr(result.args)]


_NEW = iter(range(10**9))


def cold_parse(repeat: int = 200) -> float:
    """µs for SlotsResult.from_json of a 40-slot answer never seen before (new slot ids each time)."""
    answers = [json.loads(answer_json(2).replace('"c2-s', f'"new{next(_NEW)}-s')) for _ in range(repeat)]
    started = time.process_time()
    for raw in answers:
        SlotsResult.from_json(raw)
    return (time.process_time() - started) / repeat * 1e6


def first_turns(clinics: int, rounds: int = 4) -> tuple[float, float, str]:
    """(µs for a new lead's "Hola" on a clinic's new answer, µs for the next one on that answer, digest of both)."""
    profiles = [ClinicProfile(name=f"Clínica {i}", language="en" if i % 5 == 4 else "es") for i in range(clinics)]
    answers = [json.loads(answer_json(i)) for i in range(clinics)]
    digest = hashlib.sha256()
    first_s = again_s = 0.0
    timed = 0
    clock = time.process_time
    for round_number in range(rounds + 1):  # round 0: each clinic seen once, untimed
        for index, answer in enumerate(answers):
            # Its own free days (clinic i lacks the days of the bits of i), less another slot each round.
            kept = [s for n, s in enumerate(answer["slots"]) if n != round_number and not (index >> n // 4) & 1]
            raw = {**answer, "slots": kept}
            slots = SlotsResult.from_json(raw)  # a new tuple: nothing prepared for it yet
            now = NOW + timedelta(minutes=round_number * 7, seconds=index)
            first = Turn(lead_id=f"F{round_number}-{index}", message="Hola", name="Ana Pérez", phone="+56 9 1234 5678",
                         now=now)
            again = evolve(first, lead_id=f"G{round_number}-{index}", now=now + timedelta(seconds=1))
            started = clock()
            one = decide(None, first, profiles[index], slots)
            middle = clock()
            two = decide(None, again, profiles[index], slots)
            done = clock()
            if round_number:
                first_s += middle - started
                again_s += done - middle
                timed += 1
            for result in (one, two):
                digest.update(json.dumps(_outcome(result), sort_keys=True, ensure_ascii=False, default=str).encode())
    return first_s / timed * 1e6, again_s / timed * 1e6, digest.hexdigest()[:16]


def measure(args: argparse.Namespace) -> dict[str, Any]:
    steps = script(args.conversations, args.clinics, args.seed)
    warmup = len(steps) // 5
    parse_us, decide_us, digest, timed = run(steps, warmup)
    first_us, hola_us, first_digest = first_turns(args.first_clinics)
    return {"parse_us": parse_us, "decide_us": decide_us, "digest": digest, "turns": timed,
            "cold_parse_us": cold_parse(), "first_us": first_us, "hola_us": hola_us, "first_digest": first_digest}


def extract(ref: str, into: Path) -> None:
    """relay/ and wire/ of git revision ``ref`` under ``into``."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref, "relay", "wire"], check=True,
                             capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)


def child(args: argparse.Namespace, root: Path | None) -> dict[str, Any]:
    env = dict(os.environ)
    if root is not None:
        env["CITA_BENCH_ROOT"] = str(root)
    command = [sys.executable, __file__, "--json", "--clinics", str(args.clinics),
               "--conversations", str(args.conversations), "--seed", str(args.seed),
               "--first-clinics", str(args.first_clinics)]
    out = subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def show(name: str, figures: dict[str, Any]) -> None:
    total = figures["parse_us"] + figures["decide_us"]
    print(f"{name:<10} parse {figures['parse_us']:7.1f} µs  decide {figures['decide_us']:7.1f} µs  "
          f"= {total:7.1f} µs per turn  ({figures['turns']} turns; cold 40-slot parse "
          f"{figures['cold_parse_us']:.0f} µs; replies digest {figures['digest']})")
    print(f"{'':<10} first turn on a new answer {figures['first_us']:7.1f} µs  'Hola' on a prepared answer "
          f"{figures['hola_us']:7.1f} µs  (decide only; replies digest {figures['first_digest']})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clinics", type=int, default=50)
    parser.add_argument("--conversations", type=int, default=1500)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--first-clinics", type=int, default=300, help="clinics for the first-turn figures (300)")
    parser.add_argument("--against", metavar="REF", help="also measure git revision REF (e.g. main), alternating")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each side with --against (3)")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.json:
        print(json.dumps(measure(args)))
        return 0
    print(f"load average {os.getloadavg()[0]:.2f}; {args.clinics} clinics, {SLOTS} slots each, "
          f"{args.conversations} conversations")
    if not args.against:
        show("this tree", measure(args))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        extract(args.against, Path(tmp))
        runs: dict[str, list[dict[str, Any]]] = {args.against: [], "this tree": []}
        for _ in range(args.repeat):  # alternated: both sides see the same machine load
            runs[args.against].append(child(args, Path(tmp)))
            runs["this tree"].append(child(args, None))
    medians = {}
    for name, results in runs.items():
        keys = ("parse_us", "decide_us", "cold_parse_us", "first_us", "hola_us")
        best = {k: statistics.median(r[k] for r in results) for k in keys}
        medians[name] = {**best, "digest": results[0]["digest"], "turns": results[0]["turns"],
                         "first_digest": results[0]["first_digest"]}
        show(name, medians[name])
    before, after = medians[args.against], medians["this tree"]
    ratio = (before["parse_us"] + before["decide_us"]) / (after["parse_us"] + after["decide_us"])
    identical = before["digest"] == after["digest"] and before["first_digest"] == after["first_digest"]
    same = "same replies" if identical else "REPLIES DIFFER"
    print(f"this tree is {ratio:.1f}x faster per turn than {args.against}, "
          f"{before['first_us'] / after['first_us']:.1f}x on a first turn on a new answer, "
          f"{before['hola_us'] / after['hola_us']:.1f}x on a 'Hola' on a prepared answer ({same}); "
          f"load average {os.getloadavg()[0]:.2f}")
    return 0 if identical else 1


if __name__ == "__main__":
    sys.exit(main())
