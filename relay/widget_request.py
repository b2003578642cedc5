"""Kommo's widget_request as plain values, with no I/O: body parsing, JWT check, return_url check.

Every refusal is a ``Refusal`` with the HTTP status and a short reason Kommo's admin (or a curious
attacker) can read: it never echoes a secret back.
"""

from __future__ import annotations

import functools
import json
import re
import time
from collections.abc import Mapping
from typing import Any, NamedTuple
from urllib.parse import parse_qsl, unquote, urlsplit

from relay.jwt_hs256 import TokenRejected, decode_hs256
from wire.messages import ProtocolError, checked_json, first_phone, has_control_characters

# Account webhooks (Settings -> Integrations -> Web hooks) carry keys like leads[status][0][id].
_WEBHOOK_ROOTS = ("leads", "contacts", "companies", "customers", "message", "unsorted", "talk", "task", "account")
_BOT_PATHS = ("/api/v4/salesbot/", "/api/v4/marketingbot/")
_DATA_KEY = re.compile(r"^data\[([A-Za-z0-9_]+)\]$")

MAX_LEAD_ID_CHARS = 64
_LEAD_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]*")  # Kommo's are numbers; no spaces, braces or other text
MAX_MESSAGE_CHARS = 1000
MAX_NAME_CHARS = 120
MAX_PHONE_CHARS = 40
# A widget_request nests three levels (body, data, a value); a little room, no more.
MAX_BODY_DEPTH = 6
MAX_PRESET_CHARS = 80  # optional specialty / service / professional, filled by earlier bot steps
MAX_EMAIL_CHARS = 254


class Refusal(Exception):
    def __init__(self, status: int, error: str, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.error = error
        self.detail = detail

    def as_json(self) -> dict[str, str]:
        return {"error": self.error, "detail": self.detail}


class WidgetRequest(NamedTuple):  # immutable, and built on every widget_request at a tuple's cost
    token: str
    return_url: str
    lead_id: str
    message: str
    name: str
    phone: str
    specialty: str = ""  # optional data keys: what earlier bot steps already asked
    service: str = ""
    professional: str = ""
    email: str = ""  # optional patient fields a clinic's web app may require (checked by the conversation)
    national_id: str = ""
    birth_date: str = ""
    unknown_keys: tuple[str, ...] = ()  # data keys the relay does not read (a typo in the bot's step?): logged


DATA_KEYS = frozenset(
    {"lead_id", "message", "name", "phone", "specialty", "service", "professional", "email", "national_id",
     "birth_date"}
)


ACCOUNT_WEBHOOK_DETAIL = (
    "This URL receives Kommo's Salesbot widget_request step (JSON with token, data and return_url). "
    "It looks like an account webhook (Settings > Integrations > Web hooks): point those elsewhere."
)


@functools.lru_cache(maxsize=64)  # the few Content-Types senders use
def _media_type(content_type: str) -> str:
    return content_type.split(";")[0].strip().lower()


def parse_body(raw: bytes, content_type: str) -> dict[str, Any]:
    """The body as a dict: JSON, or form-encoded (``data[lead_id]=...`` or ``data=<json>``)."""
    kind = _media_type(content_type) if len(content_type) <= 200 else content_type.split(";")[0].strip().lower()
    if kind == "application/x-www-form-urlencoded":
        return _form(raw)
    if kind in ("", "application/json", "text/plain") or kind.endswith("+json"):
        try:
            parsed = checked_json(raw.decode(json.detect_encoding(raw)), MAX_BODY_DEPTH)
        except UnicodeDecodeError:
            if not kind:
                return _form(raw)
            raise Refusal(400, "malformed_body", "the body is not UTF-8") from None
        except ProtocolError as exc:
            if not kind and str(exc).startswith("not JSON"):  # no content type at all: maybe a form
                return _form(raw)
            raise Refusal(400, "malformed_body", f"the body is not acceptable JSON: {exc}") from None
        if not isinstance(parsed, dict):
            raise Refusal(400, "malformed_body", "the body must be a JSON object")
        return parsed
    raise Refusal(415, "unsupported_media_type", "send application/json or application/x-www-form-urlencoded")


def _form(raw: bytes) -> dict[str, Any]:
    try:
        pairs = parse_qsl(raw.decode("utf-8"), keep_blank_values=True, strict_parsing=False, max_num_fields=200)
    except (UnicodeDecodeError, ValueError):
        raise Refusal(400, "malformed_body", "the form body could not be decoded") from None
    out: dict[str, Any] = {}
    data: dict[str, str] = {}
    for key, value in pairs:
        match = _DATA_KEY.match(key)
        if match:
            data[match.group(1)] = value
        else:
            out[key] = value
    if isinstance(out.get("data"), str):
        try:
            decoded = checked_json(out["data"], MAX_BODY_DEPTH - 1)
        except ProtocolError as exc:
            raise Refusal(400, "malformed_body", f"the form field data is not acceptable JSON: {exc}") from None
        out["data"] = decoded
    elif data:
        out["data"] = data
    return out


def looks_like_account_webhook(body: Mapping[str, Any]) -> bool:
    if "token" in body:
        return False
    return any(key.split("[", 1)[0] in _WEBHOOK_ROOTS and "[" in key for key in body) or (
        "return_url" not in body and any(key in _WEBHOOK_ROOTS for key in body)
    )


def _text(value: Any, limit: int) -> str:
    if type(value) is str:
        return value.strip()[:limit]
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise Refusal(400, "malformed_body", "data values must be strings")
    return str(value).strip()[:limit]


def _free_text(value: Any, limit: int) -> str:
    """The patient's message: a control character (never typed on a phone) becomes a space, line breaks stay."""
    text = _text(value, limit)
    if has_control_characters(text, allow_whitespace=True):
        text = "".join(" " if has_control_characters(c, allow_whitespace=True) else c for c in text).strip()
    return text


def _machine_text(value: Any, field: str) -> str:
    if not isinstance(value, str) or has_control_characters(value):
        raise Refusal(400, "malformed_body", f"{field} must be a string with no control characters")
    return value


def widget_request(body: Mapping[str, Any]) -> WidgetRequest:
    """The fields the relay needs, or a Refusal (account webhook, missing token, missing pieces)."""
    if looks_like_account_webhook(body):
        raise Refusal(422, "account_webhook", ACCOUNT_WEBHOOK_DETAIL)
    token = body.get("token")
    if not isinstance(token, str) or not token:
        raise Refusal(401, "missing_token", "no widget_request token in the body")
    _machine_text(token, "token")
    return_url = body.get("return_url")
    if not isinstance(return_url, str) or not return_url:
        raise Refusal(400, "missing_return_url", "no return_url in the body")
    if not deliverable_url(return_url):
        raise Refusal(
            400, "malformed_return_url", "return_url must be a plain URL: no spaces, line breaks or non-ASCII"
        )
    data = body.get("data")
    if not isinstance(data, dict):
        raise Refusal(400, "missing_data", "no data object in the body (lead_id, message, name, phone)")
    lead_id = _text(data.get("lead_id"), MAX_LEAD_ID_CHARS + 1)
    if len(lead_id) > MAX_LEAD_ID_CHARS or not _LEAD_ID.fullmatch(lead_id):
        # Empty, or a placeholder Kommo did not fill ("{{lead_id}}" misspelt arrives as it is): taken as an id, it
        # would be one conversation for every patient
        raise Refusal(400, "missing_lead_id", "data.lead_id must be the lead's id ({{lead.id}})")
    return WidgetRequest(
        token=token,
        return_url=return_url.strip(),
        lead_id=lead_id,
        message=_free_text(data.get("message"), MAX_MESSAGE_CHARS),
        name=_text(data.get("name"), MAX_NAME_CHARS),
        phone=first_phone(_text(data.get("phone"), MAX_PHONE_CHARS)),  # one number, when the field holds two
        specialty=_preset(data.get("specialty")),
        service=_preset(data.get("service")),
        professional=_preset(data.get("professional")),
        email=_preset(data.get("email"), MAX_EMAIL_CHARS),
        national_id=_preset(data.get("national_id")),
        birth_date=_preset(data.get("birth_date")),
        unknown_keys=() if data.keys() <= DATA_KEYS else _unknown_keys(data),
    )


def _unknown_keys(data: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(sorted(str(key)[:40] for key in data if key not in DATA_KEYS))[:10]


def _preset(value: Any, limit: int = MAX_PRESET_CHARS) -> str:
    """An optional data key: an unfilled Kommo placeholder ("{{lead.cf...}}") or control characters count as unset."""
    if value is None:
        return ""
    text = _text(value, limit)
    return "" if "{{" in text or _BELOW_SPACE.search(text) else text


@functools.lru_cache(maxsize=4096)
def _secret_bytes(secret: str) -> bytes:
    return secret.encode("utf-8")


MAX_JTI_CHARS = 200


def verify_token(
    token: str, secret: str, *, base_url: str, leeway_s: float, memory_s: float | None = None, now: float | None = None
) -> dict[str, Any]:
    """The claims of a widget_request JWT signed HS256 with the clinic's client secret, or a 401 Refusal.

    ``jti`` is required (it is how a repeat is told from a replay); with ``memory_s``, a token that would still
    be valid after the relay forgot its ``jti`` (``exp`` further ahead than that) is refused.
    """
    try:
        claims = decode_hs256(token, _secret_bytes(secret), leeway_s=leeway_s, now=now)
    except TokenRejected as rejected:
        raise Refusal(401, "invalid_token", rejected.reason) from None
    jti: str = claims["jti"]  # decode_hs256 refused a missing or non-string jti (PyJWT's rule)
    if not 0 < len(jti) <= MAX_JTI_CHARS or has_control_characters(jti):
        raise Refusal(401, "invalid_token", "token has no usable jti")
    exp = claims["exp"]
    if memory_s is not None and isinstance(exp, int | float):
        if float(exp) - (time.time() if now is None else now) > memory_s:
            raise Refusal(401, "invalid_token", "token lives longer than the relay remembers its jti")
    issuer = claims.get("iss")
    # A public integration shares one secret across accounts: a token says which account issued it.
    if isinstance(issuer, str) and issuer and not _same_host(issuer, base_url):
        raise Refusal(401, "invalid_token", "token issued by another Kommo account")
    return claims


@functools.lru_cache(maxsize=1024)  # an account's issuer and base URL: the same pair on every widget_request
def _same_host(url_a: str, url_b: str) -> bool:
    a, b = urlsplit(url_a), urlsplit(url_b)
    return (a.hostname or "").lower() == (b.hostname or "").lower() and _port(a) == _port(b)


def _port(parts: Any) -> int | None:
    try:
        return parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    except ValueError:
        return None


_PRINTABLE_ASCII = re.compile(r"[!-~]+")  # 33..126: no space, no control character, nothing beyond ASCII
_BELOW_SPACE = re.compile(r"[\x00-\x1f]")


def deliverable_url(url: str) -> bool:
    """Whether ``url`` can go on an HTTP request line exactly as given: printable ASCII, no space."""
    return _PRINTABLE_ASCII.fullmatch(url) is not None


_PLAIN_HOST = re.compile(r"[a-z0-9.-]+")
_PLAIN_PATH = re.compile(r"(?:/[A-Za-z0-9_-][A-Za-z0-9_.-]*)*")
# After a clinic's bot prefix, a return_url of these characters only needs no other reading (no query, fragment,
# escape, user info or dot segment can hide in it).
_PLAIN_REST = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9_.-]*(?:/[A-Za-z0-9_-][A-Za-z0-9_.-]*)*/?")


@functools.lru_cache(maxsize=4096)  # a clinic's base URL: the same one on every widget_request
def _plain_prefixes(base_url: str) -> tuple[str, ...]:
    """The continue-URL prefixes on ``base_url`` (scheme, host, port as written there, path, a bot path) that a
    return_url may start with and pass ``return_url_allowed`` at a glance; () when the base URL is unusual."""
    try:
        base = urlsplit(base_url)
        port = base.port
    except ValueError:
        return ()
    host = base.hostname or ""
    if base.scheme not in ("http", "https") or not _PLAIN_HOST.fullmatch(host) or base.username or base.password:
        return ()
    path = base.path.rstrip("/")
    if not _PLAIN_PATH.fullmatch(path) or "/./" in path + "/" or "/../" in path + "/":
        return ()
    origin = f"{base.scheme}://{host}" + (f":{port}" if port is not None else "")
    return tuple(origin + path + bot for bot in _BOT_PATHS)


def return_url_allowed(return_url: str, base_url: str) -> bool:
    """Whether ``return_url`` is a Salesbot/Marketingbot continue URL on the clinic's own Kommo account URL.

    Scheme, host, port and path prefix must all equal the clinic's base URL: the relay sends the clinic's
    bearer token there, so a URL taken from the request body must never point anywhere else.
    """
    for prefix in _plain_prefixes(base_url):  # the usual case, without parsing the URL
        if return_url.startswith(prefix):
            rest = return_url[len(prefix) :]
            if _PLAIN_REST.fullmatch(rest) and "/./" not in "/" + rest + "/" and "/../" not in "/" + rest + "/":
                return True
    return _return_url_allowed(return_url, base_url)


def _return_url_allowed(return_url: str, base_url: str) -> bool:
    try:
        target, base = urlsplit(return_url), urlsplit(base_url)
        target_port, base_port = _port(target), _port(base)
    except ValueError:
        return False
    if target.username or target.password or target.fragment:
        return False
    if target.scheme != base.scheme or (target.hostname or "") != (base.hostname or "").lower():
        return False
    if target_port is None or target_port != base_port:
        return False
    path = target.path
    if unquote(path) != path or "/../" in path or "/./" in path or "\\" in path:
        return False
    prefix = base.path.rstrip("/")
    if not path.startswith(prefix + "/"):
        return False
    rest = path[len(prefix) :]
    return any(rest.startswith(bot) and len(rest) > len(bot) for bot in _BOT_PATHS)
