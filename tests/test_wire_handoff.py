"""The follow-up frames (wire.handoff) as plain values: no sockets."""

import json

import pytest

from wire.handoff import Ack, HandoffEvent, kommo_lead_url, kommo_lead_url_or_empty
from wire.messages import ProtocolError, decode

EVENT = HandoffEvent(
    id="fu-1",
    at="2026-12-02T10:00:00+00:00",
    lead_id="123",
    name="Ana Pérez",
    phone="+56 9 1234 5678",
    reason="paused",
    chosen_start="2026-12-03T10:30:00-03:00",
    chosen_professional="Dra. Soto",
    kommo_lead_url="https://clinica.kommo.com/leads/detail/123",
)


def test_event_and_ack_round_trip_through_decode():
    assert decode(json.dumps(EVENT.to_json())) == EVENT
    assert decode(json.dumps(Ack("fu-1").to_json())) == Ack("fu-1")


def test_an_event_is_checked_field_by_field():
    for change in ({"reason": "Drop Table"}, {"at": "yesterday"}, {"phone": "call me"}, {"id": ""},
                   {"kind": "surprise"}, {"chosen_day": "mañana"}):
        with pytest.raises(ProtocolError):
            decode(json.dumps({**EVENT.to_json(), **change}))
    odd = decode(json.dumps({**EVENT.to_json(), "name": "Ana\x00\nPérez" + "x" * 300}))
    assert odd.name.startswith("Ana Pérez") and len(odd.name) == 120
    for said in ("hola", ["a", "b", "c", "d", "e", "f"], [1]):
        with pytest.raises(ProtocolError):
            decode(json.dumps({**EVENT.to_json(), "said": said}))
    told = decode(json.dumps({**EVENT.to_json(), "said": ["necesito\x00 kine", "y" * 300]}))
    assert told.said == ("necesito kine", "y" * 200)
    assert decode(json.dumps(told.to_json())) == told


def test_the_kommo_link_must_be_a_lead_page_on_kommo_or_the_local_stand_in():
    assert kommo_lead_url("https://clinica.kommo.com", "123") == "https://clinica.kommo.com/leads/detail/123"
    assert kommo_lead_url("http://127.0.0.1:8701/clinica", "5") == "http://127.0.0.1:8701/clinica/leads/detail/5"
    for bad in ("https://evil.example/leads/detail/1", "http://clinica.kommo.com/leads/detail/1",
                "https://clinica.kommo.com/settings", "https://clinica.kommo.com/leads/detail/1?x=1",
                "file:///etc/passwd", "https://user:pw@clinica.kommo.com/leads/detail/1"):
        assert kommo_lead_url_or_empty(bad) == "", bad
    assert decode(json.dumps({**EVENT.to_json(), "kommo_lead_url": "https://evil.example/x"})).kommo_lead_url == ""
