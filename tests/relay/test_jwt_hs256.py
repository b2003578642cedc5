"""The relay's own HS256 check accepts and refuses exactly the tokens PyJWT does, for the same reasons."""

from __future__ import annotations

import base64
import json
import time

import jwt
import pytest

from relay.jwt_hs256 import TokenRejected, decode_hs256

SECRET = "s3cret-of-the-clinic-" * 4
NOW = time.time()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _forged(header: dict, claims: dict, secret: str = SECRET) -> str:
    import hashlib
    import hmac

    signing = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
    signature = hmac.new(secret.encode(), signing.encode(), hashlib.sha256).digest()
    return f"{signing}.{_b64(signature)}"


GOOD = {"exp": int(NOW) + 600, "jti": "j1", "iat": int(NOW), "iss": "https://x.kommo.com"}
CASES = {
    "good": jwt.encode(GOOD, SECRET, algorithm="HS256"),
    "expired": jwt.encode({**GOOD, "exp": int(NOW) - 3600}, SECRET, algorithm="HS256"),
    "within leeway": jwt.encode({**GOOD, "exp": int(NOW) - 10}, SECRET, algorithm="HS256"),
    "future iat": jwt.encode({**GOOD, "iat": int(NOW) + 3600}, SECRET, algorithm="HS256"),
    "future nbf": jwt.encode({**GOOD, "nbf": int(NOW) + 3600}, SECRET, algorithm="HS256"),
    "string iat": jwt.encode({**GOOD, "iat": "soon"}, SECRET, algorithm="HS256"),
    "string exp": jwt.encode({**GOOD, "exp": "later"}, SECRET, algorithm="HS256"),
    "numeric string exp": jwt.encode({**GOOD, "exp": str(int(NOW) + 600)}, SECRET, algorithm="HS256"),
    "float exp": jwt.encode({**GOOD, "exp": NOW + 600.5}, SECRET, algorithm="HS256"),
    "no exp": jwt.encode({"jti": "j"}, SECRET, algorithm="HS256"),
    "no jti": jwt.encode({"exp": int(NOW) + 600}, SECRET, algorithm="HS256"),
    "null jti": jwt.encode({**GOOD, "jti": None}, SECRET, algorithm="HS256"),
    "integer jti": jwt.encode({**GOOD, "jti": 7}, SECRET, algorithm="HS256"),
    "integer sub": jwt.encode({**GOOD, "sub": 7}, SECRET, algorithm="HS256"),
    "other secret": jwt.encode(GOOD, "another-secret-entirely-0123456789", algorithm="HS256"),
    "HS512": jwt.encode(GOOD, SECRET, algorithm="HS512"),
    "alg none": _forged({"alg": "none", "typ": "JWT"}, GOOD),
    "no alg": _forged({"typ": "JWT"}, GOOD),
    "crit": _forged({"alg": "HS256", "crit": ["exp"]}, GOOD),
    "kid number": _forged({"alg": "HS256", "kid": 3}, GOOD),
    "payload a list": _forged({"alg": "HS256"}, [1, 2]),  # type: ignore[arg-type]
    "two segments": "a.b",
    "four segments": jwt.encode(GOOD, SECRET, algorithm="HS256") + ".x",
    "bad base64": "a.b.c",
    "padding": jwt.encode(GOOD, SECRET, algorithm="HS256").replace(".", "=.", 1),
    "empty": "",
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_same_verdict_as_pyjwt(name):
    token = CASES[name]
    try:
        expected = jwt.decode(
            token,
            SECRET,
            algorithms=["HS256"],
            leeway=60,
            options={"require": ["exp", "jti"], "verify_aud": False, "verify_iss": False},
        )
    except jwt.PyJWTError:
        expected = None
    try:
        got = decode_hs256(token, SECRET.encode(), leeway_s=60)
    except TokenRejected:
        got = None
    assert got == expected


def _resegment(token: str, index: int, segment: str) -> str:
    parts = token.split(".")
    parts[index] = segment
    return ".".join(parts)


@pytest.mark.parametrize(
    "change",
    [
        # unused bits set in the last character (B and C: 1 and 2 of 64)
        lambda s: s[:-1] + ("C" if s[-1] == "B" else "B") if len(s) % 4 in (2, 3) else s + "=",
        lambda s: s.replace("-", "+").replace("_", "/") + "+",  # standard base64's alphabet
        lambda s: s + "\n",
        lambda s: s + "===",
        lambda s: s[:4] + "=" + s[4:],
        lambda s: s + "é",
    ],
)
def test_a_segment_in_any_other_encoding_is_refused(change):
    """One base64url encoding per value: a signature or payload written another way is a malformed token."""
    good = CASES["good"]
    assert decode_hs256(good, SECRET.encode(), leeway_s=60, now=NOW)["jti"] == "j1"
    for index in (1, 2):
        segment = good.split(".")[index]
        with pytest.raises(TokenRejected, match="malformed token"):
            decode_hs256(_resegment(good, index, change(segment)), SECRET.encode(), leeway_s=60, now=NOW)


def test_the_header_verdict_is_the_same_every_time():
    """The header check is remembered per header segment: a refused header stays refused, for the same reason."""
    for _ in range(3):
        with pytest.raises(TokenRejected, match="algorithm not allowed"):
            decode_hs256(CASES["alg none"], SECRET.encode(), leeway_s=60, now=NOW)
        with pytest.raises(TokenRejected, match="invalid token"):
            decode_hs256(CASES["crit"], SECRET.encode(), leeway_s=60, now=NOW)
        assert decode_hs256(CASES["good"], SECRET.encode(), leeway_s=60, now=NOW)["jti"] == "j1"
