"""How well the conversation reads patients' messages: each corpus's accuracy by intent and by language.

    .venv/bin/python bench/conversation_accuracy.py [--corpus PATH ...]

Reads every message of the tuned corpus (tests/relay_conversation/corpus_patients.txt) and of the held-out sets
(corpus_heldout.txt, corpus_heldout_b.txt, corpus_heldout_c.txt) with the relay's pure conversation code (the
same reading the first message of a conversation gets), compares it with the expected reading, and prints for
each set the accuracy by intent and by language, every miss, and the reading cost per message. Exits 1 when a set
is below its floor (the tuned corpus 97 %, a held-out set its floor in corpus_kit.SETS; a --corpus file 97 %).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "relay_conversation"))

from corpus_kit import SETS, describe, load, reading_of, score  # noqa: E402

from relay.conversation.freetext import forget_readings  # noqa: E402

TARGET = 0.97


def report(name: str, path: Path, floor: float) -> bool:
    """Print one set's figures; True when it reaches ``floor``."""
    examples = load(path)
    result = score(examples)
    print(f"== {name}: {len(examples)} messages ({path.name})")
    for key in ("intent", "lang"):
        print(f"  by {'intent' if key == 'intent' else 'language'}:")
        for group, (right, total) in result.by(key).items():
            print(f"    {group:<12} {right:>4}/{total:<4} {right / total:7.1%}")
    print(f"  overall: {len(examples) - len(result.misses)}/{len(examples)} = {result.accuracy:.1%} "
          f"(floor {floor:.0%})")
    print(f"  misses ({len(result.misses)}):")
    for example, got in result.misses:
        print(f"    line {example.line} [{example.lang}] {example.message!r}")
        print(f"        expected {describe(example.expected)}")
        print(f"        read     {describe(got)}")
    forget_readings()  # a fresh reading's cost, not the memoized one's (freetext.read keeps what it read)
    started = time.perf_counter()
    for example in examples:
        reading_of(example.message)
    per_message = (time.perf_counter() - started) / max(len(examples), 1)
    print(f"  reading cost: {per_message * 1e6:.0f} µs per message\n")
    return result.accuracy >= floor


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, action="append", help="a corpus file (default: every set)")
    args = parser.parse_args()
    sets = {p.stem: (p, TARGET) for p in args.corpus} if args.corpus else SETS
    passed = [report(name, path, floor) for name, (path, floor) in sets.items()]
    return 0 if all(passed) else 1


if __name__ == "__main__":
    sys.exit(main())
