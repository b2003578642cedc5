"""A widget_request token checked as PyJWT would check it (HS256 only), at a fraction of its cost per token.

PyJWT's ``jwt.decode`` spends most of its time on generic work the relay does not need: every character of each
segment looked up in a Python set, option dictionaries merged, a key object prepared. Here: one regular expression
per segment, ``hmac`` in C and orjson. The rules are PyJWT 2.x's, and the reasons the same words ``verify_token``
logs: a segment must be canonical unpadded (or correctly padded) base64url; the header a JSON object whose ``alg``
is HS256 and with no ``crit``; the payload a JSON object; ``exp`` and ``jti`` present; ``iat``, ``nbf``, ``exp``
integers (``int()`` of them) within the leeway; ``jti`` and ``sub``, when present, strings.
"""

from __future__ import annotations

import binascii
import functools
import hashlib
import hmac
import time
from typing import Any

from wire import json_text

_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
# The last character of a canonical segment leaves its unused bits zero: with 2 characters over a 3-byte group,
# its low 4 bits; with 3, its low 2 bits (the one value base64url encodes that way, so a re-encoding is the same).
_CANONICAL_LAST = {
    2: frozenset(c for i, c in enumerate(_ALPHABET) if i % 16 == 0),
    3: frozenset(c for i, c in enumerate(_ALPHABET) if i % 4 == 0),
}
_TO_STANDARD = bytes.maketrans(b"-_", b"+/")
_PADDING = ("", "", "==", "=")


class TokenRejected(Exception):
    """``reason``: the words ``verify_token`` logs (never the token)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _segment(raw: str) -> bytes:
    stripped = raw.rstrip("=")
    size = len(stripped)
    rest = size % 4
    padding = len(raw) - size
    if (padding and (padding > 2 or len(raw) % 4 != 0)) or rest == 1:
        raise TokenRejected("malformed token")
    # base64url only: "+" and "/" would pass for "-" and "_" once translated; the rest is the strict decoder's.
    if "+" in stripped or "/" in stripped or (rest and stripped[-1] not in _CANONICAL_LAST[rest]):
        raise TokenRejected("malformed token")  # the last test: one encoding per value
    try:
        data = (stripped + _PADDING[rest]).encode("ascii").translate(_TO_STANDARD)
        return binascii.a2b_base64(data, strict_mode=True)
    except (binascii.Error, ValueError):  # UnicodeEncodeError is a ValueError
        raise TokenRejected("malformed token") from None


def _json_object(raw: bytes) -> dict[str, Any]:
    try:
        value = json_text.loads(raw)
    except ValueError:
        raise TokenRejected("malformed token") from None
    if not isinstance(value, dict):
        raise TokenRejected("malformed token")
    return value


def _integer(value: Any, reason: str) -> int:
    try:
        return int(value)
    except (ValueError, TypeError, OverflowError):
        raise TokenRejected(reason) from None


_IPAD = bytes(x ^ 0x36 for x in range(256))
_OPAD = bytes(x ^ 0x5C for x in range(256))


@functools.lru_cache(maxsize=4096)  # a clinic's secret: the same key on every widget_request
def _keyed(secret: bytes) -> tuple[Any, Any]:
    """HMAC-SHA256's inner and outer hashes with ``secret`` already absorbed (RFC 2104), to be copied per token."""
    key = (hashlib.sha256(secret).digest() if len(secret) > 64 else secret).ljust(64, b"\0")
    return hashlib.sha256(key.translate(_IPAD)), hashlib.sha256(key.translate(_OPAD))


def _hmac_sha256(secret: bytes, message: bytes) -> bytes:
    """``hmac.digest(secret, message, "sha256")``, without setting the key up again for every token."""
    inner_keyed, outer_keyed = _keyed(secret)
    inner = inner_keyed.copy()
    inner.update(message)
    outer = outer_keyed.copy()
    outer.update(inner.digest())
    return outer.digest()


@functools.lru_cache(maxsize=256)  # Kommo signs every token with the same header: checked once
def _header_verdict(raw: str) -> tuple[bool, str | None]:
    """(malformed, the reason to refuse it once the other segments decoded) for a header segment."""
    try:
        header = _json_object(_segment(raw))
    except TokenRejected:
        return True, None
    if header.get("alg") != "HS256":
        return False, "algorithm not allowed (HS256 only)"
    if "crit" in header or header.get("b64") is False:  # extensions PyJWT refuses here too
        return False, "invalid token"
    if "kid" in header and not isinstance(header["kid"], str):
        return False, "invalid token"
    return False, None


def decode_hs256(token: str, secret: bytes, *, leeway_s: float, now: float | None = None) -> dict[str, Any]:
    """The claims of ``token`` if it is signed HS256 with ``secret`` and valid now (within ``leeway_s``)."""
    parts = token.split(".")
    if len(parts) != 3:
        raise TokenRejected("malformed token")
    malformed, refused = _header_verdict(parts[0])
    if malformed:
        raise TokenRejected("malformed token")
    payload_raw = _segment(parts[1])
    signature = _segment(parts[2])
    if refused is not None:
        raise TokenRejected(refused)
    # The segments are ASCII (checked above): the signing input is the token up to its last dot.
    expected = _hmac_sha256(secret, token[: len(parts[0]) + len(parts[1]) + 1].encode("ascii"))
    if not hmac.compare_digest(expected, signature):
        raise TokenRejected("bad signature (not signed with this clinic's client secret)")
    claims = _json_object(payload_raw)
    for required in ("exp", "jti"):
        if claims.get(required) is None:
            raise TokenRejected("token misses a required claim")
    moment = time.time() if now is None else now
    if "iat" in claims and _integer(claims["iat"], "token issued in the future") > moment + leeway_s:
        raise TokenRejected("token not yet valid")
    if "nbf" in claims and _integer(claims["nbf"], "malformed token") > moment + leeway_s:
        raise TokenRejected("token not yet valid")
    if _integer(claims["exp"], "malformed token") <= moment - leeway_s:
        raise TokenRejected("token expired")
    if "sub" in claims and not isinstance(claims["sub"], str):
        raise TokenRejected("invalid token")
    if not isinstance(claims["jti"], str):
        raise TokenRejected("invalid token")
    return claims
