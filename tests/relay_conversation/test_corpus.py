"""The patient-message corpus read by the pure conversation code: at least 400 messages, at least 97 % right."""

from __future__ import annotations

from corpus_kit import describe, load, score

TARGET = 0.97


def test_the_corpus_is_large_and_varied():
    examples = load()
    assert len(examples) >= 400
    assert {e.lang for e in examples} >= {"es-cl", "es-ar", "es-mx", "es-es", "en"}
    assert {e.intent for e in examples} >= {"book", "cancel", "reschedule", "my_bookings", "person", "stop", "none"}


def test_the_corpus_is_read_right():
    result = score(load())
    misses = "\n".join(
        f"line {e.line} [{e.lang}] {e.message!r}: expected {describe(e.expected)}, read {describe(got)}"
        for e, got in result.misses
    )
    assert result.accuracy >= TARGET, f"{result.accuracy:.1%} right; misses:\n{misses}"
