"""The widget_request Kommo's Salesbot sends: a JWT signed HS256 with the integration's client_secret."""

from __future__ import annotations

from urllib.parse import urlencode

import jwt


def sign_widget_token(
    *,
    secret: str,
    issuer: str,
    client_id: str,
    jti: str,
    account_id: int,
    subdomain: str,
    now: float,
    lifetime_s: int,
) -> str:
    """A token with the claims seen on Kommo's own (KOMMO.md §1)."""
    issued = int(now)
    claims = {
        "iss": issuer,
        "aud": client_id,
        "jti": jti,
        "iat": issued,
        "nbf": issued,
        "exp": issued + int(lifetime_s),
        "account_id": account_id,
        "subdomain": subdomain,
    }
    return jwt.encode(claims, secret, algorithm="HS256")


def return_url(account_base_url: str, bot_id: str, continue_id: str, *, bot_kind: str = "salesbot") -> str:
    return f"{account_base_url}/api/v4/{bot_kind}/{bot_id}/continue/{continue_id}"


def form_encoded(body: dict) -> str:
    """The same widget_request as ``application/x-www-form-urlencoded`` (Kommo may send either, KOMMO.md §1).

    Nested objects become PHP-style keys, as Kommo writes them: ``data[lead_id]=123``.
    """
    pairs: list[tuple[str, str]] = []
    for key, value in body.items():
        if isinstance(value, dict):
            pairs += [(f"{key}[{inner}]", str(item)) for inner, item in value.items()]
        else:
            pairs.append((key, str(value)))
    return urlencode(pairs)
