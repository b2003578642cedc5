"""Installing a clinic's Kommo integration with OAuth, as pure code: the authorization-code exchange's request and
how to read its answer, the ``state`` that ties an install to one clinic, and what the operator or admin reads.

Kommo hands out an authorization code (one use, 20 minutes) either to the admin, under the integration's keys,
or to the integration's redirect URI on install (``?code=…&referer=<subdomain>.kommo.com&state=…``). It is
exchanged at the clinic's own Kommo (never at the host a request names) for an access token and a refresh token
(KOMMO.md §2). The I/O lives in ``relay.kommo_install``.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

from relay.store import Clinic

STATE_CONTEXT = b"cita-bridge kommo install v1\n"
KOMMO_OAUTH_PAGE = "https://www.kommo.com/oauth"


@dataclass(frozen=True)
class TokenGrant:
    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    expires_at: float


class CodeRefused(Exception):
    """Kommo did not exchange the code. ``reason``: ``code_expired`` (used, expired or mistyped: Kommo does not
    say which), ``client_rejected`` (the client id or secret the relay holds is wrong), ``redirect_mismatch``,
    ``kommo_unreachable`` or ``kommo_error``; ``detail`` is Kommo's own words, for the log."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


def install_state(clinic: Clinic) -> str:
    """The ``state`` of an install link: only someone holding the clinic's client secret can make it."""
    message = STATE_CONTEXT + clinic.name.encode("utf-8")
    return hmac.new(clinic.kommo_client_secret.encode("utf-8"), message, hashlib.sha256).hexdigest()[:40]


def state_matches(clinic: Clinic, state: str) -> bool:
    return hmac.compare_digest(install_state(clinic).encode("ascii"), state.strip().encode("utf-8", "replace"))


def redirect_uri(public_url: str, clinic_name: str) -> str:
    """What the admin types as the integration's redirect URI: the relay's ``/kommo/oauth/<clinic>``."""
    return f"{public_url.rstrip('/')}/kommo/oauth/{clinic_name}"


def install_link(clinic: Clinic) -> str:
    """Kommo's page that asks the admin to allow the integration, then sends a code (and the state) to the
    integration's redirect URI."""
    return f"{KOMMO_OAUTH_PAGE}?{urlencode({'client_id': clinic.kommo_client_id, 'state': install_state(clinic)})}"


KOMMO_DOMAINS = ("kommo.com", "amocrm.com", "amocrm.ru")


def referer_matches(clinic: Clinic, referer: str) -> bool:
    """Kommo names the account (``clinicasol.kommo.com``) that sent a code: it must be the clinic's own."""
    value = referer.strip().lower()
    host = urlsplit(value if "//" in value else f"//{value}").hostname or ""
    own = {f"{clinic.kommo_subdomain}.{domain}" for domain in KOMMO_DOMAINS}
    own.add((urlsplit(clinic.kommo_base_url).hostname or "").lower())
    return host in own


def exchange_request(clinic: Clinic, code: str, redirect: str) -> tuple[str, dict[str, str]]:
    """(URL, JSON body) of the exchange: always the clinic's stored Kommo address."""
    return _grant_request(clinic, {"grant_type": "authorization_code", "code": code.strip()}, redirect)


def refresh_request(clinic: Clinic, refresh_token: str, redirect: str) -> tuple[str, dict[str, str]]:
    """(URL, JSON body) of a refresh: what `set-kommo-oauth` tries before storing a refresh token given by hand."""
    return _grant_request(clinic, {"grant_type": "refresh_token", "refresh_token": refresh_token.strip()}, redirect)


def _grant_request(clinic: Clinic, grant: dict[str, str], redirect: str) -> tuple[str, dict[str, str]]:
    body = {"client_id": clinic.kommo_client_id, "client_secret": clinic.kommo_client_secret, **grant,
            "redirect_uri": redirect}
    return f"{clinic.kommo_base_url}/oauth2/access_token", body


def read_grant(status: int, payload: Any, now: float) -> TokenGrant:
    """Kommo's answer to the exchange, or ``CodeRefused`` saying why not."""
    detail = _detail(payload)
    if status == 200:
        try:
            access, refresh = str(payload["access_token"]), str(payload["refresh_token"])
            expires_at = now + float(payload.get("expires_in", 86400))
        except (KeyError, TypeError, ValueError):
            raise CodeRefused("kommo_error", "the answer has no access_token/refresh_token") from None
        if not access or not refresh:
            raise CodeRefused("kommo_error", "the answer has an empty token")
        return TokenGrant(access, refresh, expires_at)
    lowered = detail.lower()
    if status == 401 or "client" in lowered:
        raise CodeRefused("client_rejected", detail)
    if "redirect" in lowered:
        raise CodeRefused("redirect_mismatch", detail)
    if status in (400, 403):
        raise CodeRefused("code_expired", detail)
    raise CodeRefused("kommo_error", f"HTTP {status}: {detail}")


def _detail(payload: Any) -> str:
    if isinstance(payload, dict):
        for key in ("hint", "detail", "title", "message"):
            if isinstance(payload.get(key), str) and payload[key]:
                return payload[key][:200]
    return ""


_REFUSALS: dict[str, dict[str, str]] = {
    "code_expired": {
        "es": "Kommo no aceptó el código (ya se usó o venció): el código dura 20 minutos;"
        " copia uno nuevo en Kommo → Integraciones → Claves y vuelve a intentarlo.",
        "en": "Kommo did not accept the code (already used or expired): a code lasts 20 minutes;"
        " copy a new one in Kommo → Integrations → Keys and try again.",
    },
    "client_rejected": {
        "es": "Kommo rechazó el ID de integración o la clave secreta guardados para esta clínica:"
        " revísalos en Kommo → Integraciones → Claves y guárdalos otra vez con `cita-relay set-kommo-secret"
        " CLINICA --kommo-secret-stdin --kommo-client-id ID` (luego, un código nuevo).",
        "en": "Kommo refused the integration ID or secret key stored for this clinic:"
        " check them in Kommo → Integrations → Keys and store them again with `cita-relay set-kommo-secret"
        " CLINIC --kommo-secret-stdin --kommo-client-id ID` (then a new code).",
    },
    "refresh_refused": {
        "es": "Kommo no aceptó ese refresh token (revocado, vencido o mal copiado): no se guardó nada y la clínica"
        " sigue con su token anterior. Autoriza de nuevo con `cita-relay kommo-install-link`.",
        "en": "Kommo did not accept that refresh token (revoked, expired or mis-copied): nothing was stored and the"
        " clinic keeps its previous token. Authorize again with `cita-relay kommo-install-link`.",
    },
    "redirect_mismatch": {
        "es": "La URL de redirección no es la de la integración en Kommo: usa exactamente la que muestra"
        " `cita-relay kommo-install-link`.",
        "en": "The redirect URI is not the integration's in Kommo: use exactly the one"
        " `cita-relay kommo-install-link` prints.",
    },
    "kommo_unreachable": {
        "es": "No se pudo llegar a Kommo; revisa la conexión a internet del relay y vuelve a intentarlo"
        " (el código dura 20 minutos).",
        "en": "Kommo could not be reached; check the relay's internet connection and try again"
        " (a code lasts 20 minutes).",
    },
    "kommo_error": {
        "es": "Kommo respondió con un error; espera un minuto y vuelve a intentarlo con un código nuevo.",
        "en": "Kommo answered with an error; wait a minute and try again with a new code.",
    },
    "no_state": {
        "es": "Kommo envió el código sin el enlace de instalación de esta clínica (la integración se instaló desde"
        " Kommo, no desde el enlace). Pide a quien opera el relay el enlace de `cita-relay kommo-install-link` y"
        " ábrelo, o copia el código de Kommo → Integraciones → Claves y envíaselo (`cita-relay set-kommo-oauth"
        " --auth-code-stdin`; el código dura 20 minutos).",
        "en": "Kommo sent the code without this clinic's install link (the integration was installed from Kommo, not"
        " from the link). Ask your relay operator for the link `cita-relay kommo-install-link` prints and open it,"
        " or copy the code from Kommo → Integrations → Keys and send it to them (`cita-relay set-kommo-oauth"
        " --auth-code-stdin`; a code lasts 20 minutes).",
    },
    "bad_state": {
        "es": "Este enlace de instalación no es el de esta clínica. Pide a quien opera el relay el enlace de"
        " `cita-relay kommo-install-link`, o pega el código con `cita-relay set-kommo-oauth --auth-code-stdin`.",
        "en": "This install link is not this clinic's. Ask your relay operator for the link"
        " `cita-relay kommo-install-link` prints, or paste the code with"
        " `cita-relay set-kommo-oauth --auth-code-stdin`.",
    },
    "wrong_account": {
        "es": "El código viene de otra cuenta de Kommo que la registrada para esta clínica.",
        "en": "The code comes from another Kommo account than the one registered for this clinic.",
    },
    "no_code": {
        "es": "Kommo no envió ningún código. Vuelve a instalar la integración, o pega el código a mano.",
        "en": "Kommo sent no code. Install the integration again, or paste the code by hand.",
    },
    "no_code_stdin": {
        "es": "No llegó ningún código por la entrada estándar: pega el código de Kommo → Integraciones → Claves"
        " (una línea) cuando el comando lo pida, o con `echo CODIGO | cita-relay set-kommo-oauth …`.",
        "en": "No code came in on standard input: paste the code from Kommo → Integrations → Keys (one line)"
        " when the command asks, or with `echo CODE | cita-relay set-kommo-oauth …`.",
    },
    "unknown_clinic": {
        "es": "Esta dirección no corresponde a ninguna clínica del relay: revisa la URL de redirección.",
        "en": "No clinic of this relay has this address: check the redirect URI.",
    },
    "store_failed": {
        "es": "Kommo entregó las claves pero el relay no pudo guardarlas; avisa a quien opera el relay.",
        "en": "Kommo gave the keys but the relay could not store them; tell your relay operator.",
    },
}


_WHERE_TRIED = {
    "es": " (se intentó en {url}; si esa no es la cuenta de la clínica, corrígela con `cita-relay set-kommo-account"
    " {clinic} --kommo-subdomain SUBDOMINIO`)",
    "en": " (tried at {url}; if that is not the clinic's account, set it right with `cita-relay set-kommo-account"
    " {clinic} --kommo-subdomain SUBDOMAIN`)",
}


def refusal_where(reason: str, language: str, url: str, clinic: str) -> str:
    """The Kommo address tried, for the refusals a wrong address gives (an error page, nobody answering)."""
    if reason not in ("kommo_error", "kommo_unreachable"):
        return ""
    return _WHERE_TRIED.get(language, _WHERE_TRIED["en"]).format(url=url, clinic=clinic)


def refusal_text(reason: str, language: str) -> str:
    texts = _REFUSALS.get(reason, _REFUSALS["kommo_error"])
    return texts.get(language, texts["en"])
