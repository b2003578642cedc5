"""The stand-in Kommo: signs widget_requests, serves return URLs, enforces KOMMO.md's limits, records it all."""

from demo.kommo.recording import RecordedContinuation
from demo.kommo.rules import continuation_violation
from demo.kommo.server import RelayRefused, RelayUnreachable, StandInKommo, new_secret
from demo.kommo.widget import form_encoded

__all__ = [
    "RecordedContinuation",
    "RelayRefused",
    "RelayUnreachable",
    "StandInKommo",
    "continuation_violation",
    "form_encoded",
    "new_secret",
]
