"""Compact JSON text for the hot paths (wire frames, the relay's stored values, Kommo bodies).

orjson when it is installed (it is a dependency of both sides): several times faster than the standard
library on both ways, and stricter (no NaN, no lone surrogates) — values both sides refuse anyway. The
standard library is the fallback, with the same output shape: no spaces, non-ASCII kept as UTF-8.
"""

from __future__ import annotations

import json
from typing import Any

try:
    import orjson
except ImportError:  # pragma: no cover - a bundle built without it still works, only slower
    orjson = None  # type: ignore[assignment]


# orjson refuses a lone surrogate (escaped or not) while parsing; the standard library lets it through.
REFUSES_SURROGATES = orjson is not None


def dumps(value: Any) -> str:
    """``value`` as compact JSON text (``TypeError`` for what JSON cannot hold)."""
    if orjson is not None:
        return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode("utf-8")
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def dumps_bytes(value: Any) -> bytes:
    """``value`` as compact JSON, UTF-8 encoded (what goes on a socket)."""
    if orjson is not None:
        return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS)
    return dumps(value).encode("utf-8")


def loads(text: str | bytes | bytearray | memoryview) -> Any:
    """Parse JSON text; anything malformed raises ``ValueError``."""
    if orjson is not None:
        return orjson.loads(text)  # orjson.JSONDecodeError is a ValueError
    return json.loads(text)
