"""The state the core stores, its expiry, and deterministic ids."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from conversation_kit import NOW, Chat, agenda

from relay.conversation import ConversationState, conversation_id, idempotency_key


def test_state_survives_json_and_a_store():
    chat = Chat(agenda([2, 3], [(9, 0), (9, 30)], ("Dra. Ana Soto", "Dr. Juan Rojas")))
    chat.say("hola")
    chat.say("con Soto")
    chat.say("mañana")
    stored = json.loads(json.dumps(chat.state.to_json()))
    assert ConversationState.from_json(stored) == chat.state


def test_expiry_is_thirty_minutes_of_silence():
    state = ConversationState(conversation_id="c", lead_id="1", last_seen=NOW)
    assert not state.expired(NOW + timedelta(minutes=30))
    assert state.expired(NOW + timedelta(minutes=30, seconds=1))
    assert not state.seen(NOW + timedelta(minutes=29)).expired(NOW + timedelta(minutes=58))


def test_ids_are_deterministic_and_fit_the_wire():
    began = datetime(2026, 12, 1, 12, 0, 5, tzinfo=UTC)
    assert conversation_id("123", began) == conversation_id("123", began)
    assert conversation_id("123", began).startswith("123.") and conversation_id("123", began).endswith(".1796126405")
    assert conversation_id("lead/é 9", began).startswith("lead9.")
    assert conversation_id("", began).startswith("lead.")
    # Distinct leads never share an id: punctuation that the readable prefix drops, or a long common prefix.
    assert conversation_id("a-1", began) != conversation_id("a1", began)
    assert conversation_id("7" * 60 + "1", began) != conversation_id("7" * 60 + "2", began)
    key = idempotency_key("123.1796126405", "slot-1")
    assert key == idempotency_key("123.1796126405", "slot-1")
    assert key != idempotency_key("123.1796126405", "slot-2") != idempotency_key("124.1796126405", "slot-1")
    assert key.startswith("cb1.") and len(key) <= 200
