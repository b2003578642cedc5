"""Reading a continuation the stand-in Kommo received: its status, data, buttons and texts (any test folder imports
it: the root conftest's folder is on the path)."""

from __future__ import annotations

from typing import Any

from demo.kommo import RecordedContinuation


def status(reply: RecordedContinuation) -> str:
    return str(reply.body.get("data", {}).get("status", ""))


def data(reply: RecordedContinuation) -> dict[str, Any]:
    return dict(reply.body.get("data", {}))


def buttons(reply: RecordedContinuation) -> list[str]:
    out: list[str] = []
    for handler in reply.body.get("execute_handlers", []):
        params = handler.get("params", {})
        if handler.get("handler") == "show" and params.get("type") == "buttons":
            out.extend(params.get("buttons", []))
    return out


def texts(reply: RecordedContinuation) -> str:
    parts = []
    for handler in reply.body.get("execute_handlers", []):
        params = handler.get("params", {})
        if handler.get("handler") == "show":
            parts.append(str(params.get("value", "")))
    return " ".join(parts)
