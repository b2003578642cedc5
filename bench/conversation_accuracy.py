"""How well the conversation reads patients' messages: the corpus's accuracy by intent and by language.

    .venv/bin/python bench/conversation_accuracy.py [--corpus PATH]

Reads every message of tests/relay_conversation/corpus_patients.txt with the relay's pure conversation code
(the same reading the first message of a conversation gets), compares it with the expected reading, prints the
accuracy by intent and by language, every miss, and the reading cost per message. Exits 1 below the 97 % target.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "relay_conversation"))

from corpus_kit import CORPUS, describe, load, reading_of, score  # noqa: E402

TARGET = 0.97


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    args = parser.parse_args()
    examples = load(args.corpus)
    started = time.perf_counter()
    result = score(examples)
    elapsed = time.perf_counter() - started
    print(f"corpus: {len(examples)} messages ({args.corpus.name})")
    for key in ("intent", "lang"):
        print(f"\nby {'intent' if key == 'intent' else 'language'}:")
        for group, (right, total) in result.by(key).items():
            print(f"  {group:<12} {right:>4}/{total:<4} {right / total:7.1%}")
    print(f"\noverall: {len(examples) - len(result.misses)}/{len(examples)} = {result.accuracy:.1%} "
          f"(target {TARGET:.0%})")
    print(f"misses ({len(result.misses)}):")
    for example, got in result.misses:
        print(f"  line {example.line} [{example.lang}] {example.message!r}")
        print(f"      expected {describe(example.expected)}")
        print(f"      read     {describe(got)}")
    started = time.perf_counter()
    for example in examples:
        reading_of(example.message)
    per_message = (time.perf_counter() - started) / max(len(examples), 1)
    print(f"\nreading cost: {per_message * 1e6:.0f} µs per message (scoring pass {elapsed:.2f} s)")
    return 0 if result.accuracy >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
