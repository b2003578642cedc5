"""Structured log lines an operator can act on: ``event=... clinic=... lead=...`` (or one JSON object a line).

Callers pass fields, never free text with secrets in it: tokens and passwords are never given to ``log``;
phone numbers go through ``mask_phone`` (only the last 3 digits survive).
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
from typing import Any

_SAFE_VALUE = re.compile(r"^[A-Za-z0-9._:/@+*\-]+$")
_FIELDS_ATTR = "relay_fields"


def mask_phone(phone: str) -> str:
    digits = re.sub(r"\D", "", phone or "")
    if not digits:
        return ""
    return "*" * max(len(digits) - 3, 0) + digits[-3:]


def log(logger: logging.Logger, level: int, event: str, **fields: Any) -> None:
    if logger.isEnabledFor(level):
        logger.log(level, event, extra={_FIELDS_ATTR: fields})


def _kv_value(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    if text and _SAFE_VALUE.match(text):
        return text
    return json.dumps(text, ensure_ascii=False)


class KeyValueFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z"
        parts = [f"ts={stamp}", f"level={record.levelname.lower()}", f"logger={record.name}"]
        parts.append(f"event={_kv_value(record.getMessage())}")
        for key, value in getattr(record, _FIELDS_ATTR, {}).items():
            if value is not None:
                parts.append(f"{key}={_kv_value(value)}")
        if record.exc_info:
            parts.append(f"exc={_kv_value(self.formatException(record.exc_info))}")
        return " ".join(parts)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": round(record.created, 3),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
        }
        out.update({k: v for k, v in getattr(record, _FIELDS_ATTR, {}).items() if v is not None})
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False, default=str)


class _DenialNoise(logging.Filter):
    """uvicorn's websockets-sansio logs an error after every HTTP denial of a websocket handshake (the relay's
    401/403 to an agent with a bad token), although the denial was sent: that line would only mislead."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != "ASGI callable returned without completing handshake."


def configure_logging(level: str = "info", fmt: str = "kv") -> None:
    """Route the relay's and uvicorn's logs to stderr in one format."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else KeyValueFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    logging.getLogger("uvicorn.error").addFilter(_DenialNoise())
