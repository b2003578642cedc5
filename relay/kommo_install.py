"""Exchanging a clinic's Kommo authorization code for its tokens, and storing them before anything uses them.

Used by `cita-relay set-kommo-oauth --auth-code-stdin` and by the integration's redirect URI
(``GET /kommo/oauth/{clinic}``, ``relay.kommo_oauth_endpoint``). The exchange always goes to the clinic's stored
Kommo address, whatever host a request names.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Awaitable, Callable

from relay.http_client import HttpClient, TransportError
from relay.kommo_client import KommoBudget
from relay.kommo_oauth import CodeRefused, TokenGrant, exchange_request, read_grant, refresh_request
from relay.logs import log
from relay.store import Clinic

logger = logging.getLogger("relay.kommo_install")

# (clinic, grant, redirect_uri) -> stored?
TokenWriter = Callable[[str, TokenGrant, str], Awaitable[bool]]


async def exchange_code(
    http: HttpClient,
    clinic: Clinic,
    code: str,
    redirect_uri: str,
    *,
    budget: KommoBudget | None = None,
    timeout_s: float = 15.0,
    clock: Callable[[], float] = time.time,
    refresh: bool = False,
) -> TokenGrant:
    """The tokens for ``code``, or ``CodeRefused`` saying why Kommo would not give them (``refresh``: ``code`` is a
    refresh token given by hand, tried once before it replaces the clinic's working one)."""
    url, body = (refresh_request if refresh else exchange_request)(clinic, code, redirect_uri)
    hold = budget.hold(clinic.kommo_base_url) if budget is not None else contextlib.nullcontext()
    try:
        async with hold:  # type: ignore[attr-defined]
            response = await http.post_json(url, body, timeout=timeout_s)
    except TransportError as exc:
        log(logger, logging.WARNING, "kommo_code_exchange_unreachable", clinic=clinic.name, error=str(exc))
        raise CodeRefused("kommo_unreachable", str(exc)) from exc
    try:
        payload = response.json()
    except ValueError:
        payload = None
    try:
        grant = read_grant(response.status_code, payload, clock())
    except CodeRefused as refused:
        if refresh and refused.reason == "code_expired":  # the token, not a code, was refused
            refused = CodeRefused("refresh_refused", refused.detail)
        log(
            logger,
            logging.WARNING,
            "kommo_code_refused",
            clinic=clinic.name,
            status=response.status_code,
            reason=refused.reason,
            detail=refused.detail,
        )
        raise refused from None
    return grant


async def install_with_code(
    http: HttpClient,
    clinic: Clinic,
    code: str,
    redirect_uri: str,
    write: TokenWriter,
    *,
    budget: KommoBudget | None = None,
    refresh: bool = False,
) -> TokenGrant:
    """Exchange ``code`` (or try the refresh token) and store the tokens (``CodeRefused("store_failed")`` when they
    could not be kept); nothing is stored when Kommo refuses."""
    grant = await exchange_code(http, clinic, code, redirect_uri, budget=budget, refresh=refresh)
    if not await write(clinic.name, grant, redirect_uri):
        log(logger, logging.ERROR, "kommo_install_not_stored", clinic=clinic.name)
        raise CodeRefused("store_failed")
    log(logger, logging.INFO, "kommo_installed", clinic=clinic.name)
    return grant
