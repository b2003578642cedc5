"""Structured log lines an operator can act on: ``event=... clinic=... lead=...`` (or one JSON object a line).

Callers pass fields, never free text with secrets in it: tokens and passwords are never given to ``log``;
phone numbers go through ``mask_phone`` (only the last 3 digits survive). What the relay does not write itself
— uvicorn's access log prints each request's path *with its query string*, and a client may put a token there
(``/agent?token=...``, an OAuth ``?code=...``) — goes through ``QueryStringRedactor``: every query value and
every ``Bearer`` value becomes ``***`` before the line is written.
"""

from __future__ import annotations

import json
import logging
import math
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
    # A line per continuation at the default level: the common plain values skip json (what it would write).
    if value is True or value is False:
        return "true" if value else "false"
    kind = type(value)
    if kind is int or (kind is float and math.isfinite(value)):
        return repr(value)
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    if text and _SAFE_VALUE.match(text):
        return text
    return json.dumps(text, ensure_ascii=False)


class KeyValueFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__()
        self._second = -1
        self._second_text = ""

    def format(self, record: logging.LogRecord) -> str:
        second = int(record.created)
        if second != self._second:  # the date and time to the second, made once a second
            self._second_text = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
            self._second = second
        stamp = f"{self._second_text}.{int(record.msecs):03d}Z"
        parts = [f"ts={stamp}", f"level={record.levelname.lower()}", f"logger={record.name}"]
        parts.append(f"event={_kv_value(record.getMessage())}")
        for key, value in getattr(record, _FIELDS_ATTR, {}).items():
            if value is not None:
                parts.append(f"{key}={_kv_value(value)}")
        if record.exc_info:
            parts.append(f"exc={_kv_value(record.exc_text or self.formatException(record.exc_info))}")
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
            out["exc"] = record.exc_text or self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False, default=str)


MASK = "***"
# A query string's value: after "?" or "&" and "name=", up to the next separator or the end of the URL.
_QUERY_VALUE = re.compile(r"([?&][^=&#\s\"'?]+=)[^&#\s\"']+")
_BEARER_VALUE = re.compile(r"(?i)(\bbearer\s+)[A-Za-z0-9._~+/=-]+")


def redact_query_values(text: str) -> str:
    """``GET /agent?token=abc&x=1`` -> ``GET /agent?token=***&x=***``; a Bearer header's value the same."""
    if "=" in text:
        text = _QUERY_VALUE.sub(lambda m: m.group(1) + MASK, text)
    return _BEARER_VALUE.sub(lambda m: m.group(1) + MASK, text) if "earer" in text else text


class QueryStringRedactor(logging.Filter):
    """On the relay's log handler: no query value or bearer token in any line, whoever logged it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is logging's problem, not ours to hide
            return True
        clean = redact_query_values(message)
        if clean != message:
            record.msg, record.args = clean, None
        fields = getattr(record, _FIELDS_ATTR, None)
        if fields:
            setattr(record, _FIELDS_ATTR, {
                key: redact_query_values(value) if isinstance(value, str) else value for key, value in fields.items()
            })
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_query_values(record.exc_text)
        return True


class _DenialNoise(logging.Filter):
    """uvicorn's websockets-sansio logs an error after every HTTP denial of a websocket handshake (the relay's
    401/403 to an agent with a bad token), although the denial was sent: that line would only mislead."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != "ASGI callable returned without completing handshake."


def configure_logging(level: str = "info", fmt: str = "kv") -> None:
    """Route the relay's and uvicorn's logs to stderr in one format."""
    # No line shows the thread, the process or the calling function: not gathering them for every record saves a
    # getpid() system call and a walk up the stack per line (logging's documented switches; _srcfile = None is the
    # one its source names for skipping findCaller).
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    logging._srcfile = None  # noqa: SLF001
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else KeyValueFormatter())
    handler.addFilter(QueryStringRedactor())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    logging.getLogger("uvicorn.error").addFilter(_DenialNoise())
