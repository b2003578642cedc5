"""One Kommo account as the stand-in sees it: its integration's keys and the tokens it has handed out.

Pure bookkeeping (the caller passes the time), so token rotation is tested without a server.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass, field

AUTH_CODE_LIFETIME_S = 20 * 60


@dataclass(frozen=True)
class TokenGrant:
    """What ``POST /oauth2/access_token`` answers on success."""

    access_token: str
    refresh_token: str
    expires_in: int

    def as_json(self) -> dict[str, object]:
        return {
            "token_type": "Bearer",
            "expires_in": self.expires_in,
            "access_token": self.access_token,
            "refresh_token": self.refresh_token,
        }


class TokenRefusal(Exception):
    """A refused token request: ``status`` and ``hint`` go back to the caller as Kommo would send them."""

    def __init__(self, status: int, hint: str) -> None:
        super().__init__(hint)
        self.status = status
        self.hint = hint


@dataclass
class KommoAccount:
    subdomain: str
    client_id: str
    client_secret: str
    account_id: int
    long_lived_token: str | None = None
    access_token_ttl_s: int = 86400
    # Refresh tokens are single-use: using one removes it and issues the next (rotation).
    _refresh_tokens: set[str] = field(default_factory=set, repr=False)
    _used_refresh_tokens: set[str] = field(default_factory=set, repr=False)
    _access_tokens: dict[str, float] = field(default_factory=dict, repr=False)  # token -> expires at
    # Authorization codes: one use, 20 minutes (KOMMO.md §2). code -> expires at; spent ones are remembered.
    _codes: dict[str, float] = field(default_factory=dict, repr=False)
    _used_codes: set[str] = field(default_factory=set, repr=False)
    refreshes: int = 0
    code_exchanges: int = 0

    def issue_refresh_token(self) -> str:
        token = "rt-" + secrets.token_urlsafe(24)
        self._refresh_tokens.add(token)
        return token

    def issue_authorization_code(self, now: float, lifetime_s: float = AUTH_CODE_LIFETIME_S) -> str:
        """A code as Kommo shows it under the integration's keys (or sends to the redirect URI on install)."""
        code = "def5" + secrets.token_hex(40)
        self._codes[code] = now + lifetime_s
        return code

    def exchange_code(self, *, client_id: str, client_secret: str, code: str, now: float) -> TokenGrant:
        self._check_client(client_id, client_secret)
        if code in self._used_codes:
            raise TokenRefusal(400, "Authorization code has been revoked (it was already used)")
        expires_at = self._codes.get(code)
        if expires_at is None:
            raise TokenRefusal(400, "Cannot decrypt the authorization code (unknown code)")
        del self._codes[code]
        self._used_codes.add(code)
        if now >= expires_at:
            raise TokenRefusal(400, "Authorization code has expired")
        self.code_exchanges += 1
        return self._grant(now)

    def _check_client(self, client_id: str, client_secret: str) -> None:
        if not hmac.compare_digest(client_id, self.client_id) or not hmac.compare_digest(
            client_secret, self.client_secret
        ):
            raise TokenRefusal(401, "Client authentication failed")

    def _grant(self, now: float) -> TokenGrant:
        access = "at-" + secrets.token_urlsafe(24)
        self._access_tokens = {t: exp for t, exp in self._access_tokens.items() if exp > now}
        self._access_tokens[access] = now + self.access_token_ttl_s
        return TokenGrant(
            access_token=access, refresh_token=self.issue_refresh_token(), expires_in=self.access_token_ttl_s
        )

    def refresh(self, *, client_id: str, client_secret: str, refresh_token: str, now: float) -> TokenGrant:
        self._check_client(client_id, client_secret)
        if refresh_token in self._used_refresh_tokens:
            raise TokenRefusal(400, "Token has been revoked (this refresh token was already used)")
        if refresh_token not in self._refresh_tokens:
            raise TokenRefusal(400, "Cannot decrypt the refresh token (unknown refresh token)")
        self._refresh_tokens.discard(refresh_token)
        self._used_refresh_tokens.add(refresh_token)
        self.refreshes += 1
        return self._grant(now)

    def authorizes(self, bearer: str, now: float) -> bool:
        """Whether ``bearer`` may call the API now: the long-lived token, or an access token not yet expired."""
        if not bearer:
            return False
        if self.long_lived_token and hmac.compare_digest(bearer, self.long_lived_token):
            return True
        expires_at = self._access_tokens.get(bearer)
        return expires_at is not None and now < expires_at

    def expire_access_tokens(self) -> None:
        self._access_tokens.clear()
