"""``GET /kommo/oauth/{clinic}``: the integration's redirect URI. Installing the integration in Kommo sends a fresh
authorization code here (``?code=…&referer=<subdomain>.kommo.com&state=…``); the relay exchanges it at the clinic's
own Kommo, stores the tokens and shows the admin a page that says what happened, in Spanish and English.

The ``state`` must be the clinic's (``relay.kommo_oauth.install_state``, in the link `cita-relay kommo-install-link`
prints) and the ``referer`` the clinic's own account; the code itself is never logged or shown.
"""

from __future__ import annotations

import html
import logging
import re

from starlette.requests import Request
from starlette.responses import HTMLResponse

from relay.http_client import HttpClient
from relay.kommo_client import KommoBudget
from relay.kommo_install import install_with_code
from relay.kommo_oauth import CodeRefused, TokenGrant, redirect_uri, referer_matches, refusal_text, state_matches
from relay.logs import log
from relay.settings import RelaySettings
from relay.store import CLINIC_NAME_RE, RelayStore

logger = logging.getLogger("relay.kommo_oauth")

_DONE = {
    "es": (
        "Cita Bridge quedó conectado con Kommo",
        "Listo: {clinic} ya puede responder en WhatsApp. Puedes cerrar"
        " esta página y seguir con el paso 3 de la guía (armar el bot).",
    ),
    "en": (
        "Cita Bridge is connected to Kommo",
        "Done: {clinic} can now answer on WhatsApp. You can close this page"
        " and go on with step 3 of the guide (build the bot).",
    ),
}
_FAILED = {"es": "No se pudo conectar Cita Bridge con Kommo", "en": "Cita Bridge could not connect to Kommo"}
_STATUS = {
    "unknown_clinic": 404,
    "no_code": 400,
    "bad_state": 403,
    "no_state": 403,
    "wrong_account": 403,
    "code_expired": 400,
    "client_rejected": 400,
    "redirect_mismatch": 400,
    "kommo_unreachable": 502,
    "kommo_error": 502,
    "store_failed": 500,
}


class KommoOAuthEndpoint:
    def __init__(
        self, store: RelayStore, http: HttpClient, settings: RelaySettings, budget: KommoBudget | None = None
    ) -> None:
        self._store = store
        self._http = http
        self._settings = settings
        self._budget = budget

    async def handle(self, request: Request) -> HTMLResponse:
        name = request.path_params["clinic"]
        query = request.query_params
        clinic = await self._store.get_clinic(name) if CLINIC_NAME_RE.match(name) else None
        if clinic is None:
            return self._refused("unknown_clinic", "es", name if CLINIC_NAME_RE.match(name) else "?")
        language = clinic.language
        code = query.get("code", "").strip()
        if not code or query.get("error"):
            return self._refused("no_code", language, name)
        if not state_matches(clinic, query.get("state", "")):  # none at all: installed from Kommo, not the link
            return self._refused("bad_state" if query.get("state") else "no_state", language, name)
        if not referer_matches(clinic, query.get("referer", "")):
            return self._refused("wrong_account", language, name)

        async def write(clinic_name: str, grant: TokenGrant, redirect: str) -> bool:
            return await self._store.install_oauth_tokens(
                clinic_name,
                access_token=grant.access_token,
                refresh_token=grant.refresh_token,
                access_expires_at=grant.expires_at,
                redirect_uri=redirect,
            )

        redirect = redirect_uri(self._settings.public_base_url, clinic.name)
        try:
            await install_with_code(self._http, clinic, code, redirect, write, budget=self._budget)
        except CodeRefused as refused:
            return self._refused(refused.reason, language, name)
        shown = clinic.name_for_patients
        return _page(200, [(lang, _DONE[lang][0], _DONE[lang][1].format(clinic=shown)) for lang in _order(language)])

    def _refused(self, reason: str, language: str, clinic: str) -> HTMLResponse:
        log(logger, logging.WARNING, "kommo_install_refused", clinic=clinic, reason=reason)
        return _page(
            _STATUS.get(reason, 400), [(lang, _FAILED[lang], refusal_text(reason, lang)) for lang in _order(language)]
        )


def _with_code(text: str) -> str:
    """Escaped text, with `commands` set as code."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text))


def _order(language: str) -> list[str]:
    return [language, *(lang for lang in ("es", "en") if lang != language)]


def _page(status: int, sections: list[tuple[str, str, str]]) -> HTMLResponse:
    ok = status == 200
    colour = "#0e7c66" if ok else "#b3261e"
    parts = []
    for lang, title, text in sections:
        parts.append(f'<section lang="{lang}"><h1>{html.escape(title)}</h1><p>{_with_code(text)}</p></section>')
    body = (
        '<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>{title}</title><style>"
        "body{{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#1f1f1f}}"
        "h1{{color:{colour};font-size:1.4rem}}section+section{{border-top:1px solid #ddd;margin-top:2rem;"
        "color:#555}}</style></head><body>{sections}</body></html>"
    ).format(lang=sections[0][0], title=html.escape(sections[0][1]), colour=colour, sections="".join(parts))
    headers = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Content-Type-Options": "nosniff"}
    return HTMLResponse(body, status, headers=headers)
