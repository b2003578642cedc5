""""Same slots as before" across two instances sharing Redis: Kommo calls instance A, the agent is on B, so each
slots question (with A's ``known``) and its "unchanged" answer are forwarded through Redis; the patient sees what
one relay would show, and A never uses an answer the agent did not confirm."""

from __future__ import annotations

# Collected here again, with this folder's fixtures: `relay` and `make_relay` are a RelayPair.
from test_agent_same_answer import (  # noqa: F401
    test_a_changed_answer_is_never_replaced_by_the_held_one,
    test_an_older_agent_that_ignores_known_is_answered_from_its_full_answer,
    test_an_unchanged_answer_shows_the_patient_what_the_full_one_showed,
    test_unchanged_when_nothing_was_known_is_not_an_answer,
)
