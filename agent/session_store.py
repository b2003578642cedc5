"""The clinic web app's logged-in session (cookies and storage), kept between runs so a restart costs no login.

The session is a bearer secret (whoever has its cookies is logged in as the clinic), too big for the keyring
(Windows caps a secret at 2,560 bytes): it is kept in a private file, encrypted (Fernet: AES-128-CBC with an
HMAC-SHA256 check), with the key alone in the OS keyring. A file that cannot be read back — another key, another
web app or user, tampered with, too old — is deleted without a word and the agent logs in as usual.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken

from agent.private_files import write_private_bytes
from agent.secrets import PORTAL_SESSION_KEY, KeyringUnavailable, SecretStore

log = logging.getLogger(__name__)

FORMAT = 1
MAX_AGE_S = 14 * 24 * 3600  # an older session is not worth trying (web apps end them much sooner)


class WebSessionStore:
    """``load``/``save``/``discard`` one session, bound to ``owner()``: the web app's address and user."""

    def __init__(self, path: Path, secrets: SecretStore, owner: Callable[[], tuple[str, str]]) -> None:
        self.path = path
        self._secrets = secrets
        self._owner = owner

    def load(self) -> dict[str, Any] | None:
        """The stored session when it is ours and readable; otherwise None (and the file is gone)."""
        try:
            sealed = self.path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            log.warning("Cannot read the stored web app session (%s); logging in instead", exc.strerror)
            return None
        try:
            key = self._secrets.get(PORTAL_SESSION_KEY)
        except KeyringUnavailable:
            return None  # the file stays: the keyring may be back next time
        state = _open(sealed, key, self._owner()) if key else None
        if state is None:
            log.info("The stored web app session could not be used; logging in as usual")
            self.discard()
        return state

    def save(self, state: dict[str, Any]) -> None:
        """Seal and write the session (a key is made and put in the keyring the first time)."""
        key = self._secrets.get(PORTAL_SESSION_KEY)
        if not key:
            key = Fernet.generate_key().decode("ascii")
            self._secrets.set(PORTAL_SESSION_KEY, key)
        url, user = self._owner()
        plain = json.dumps({"format": FORMAT, "url": url, "user": user, "state": state}, separators=(",", ":"))
        write_private_bytes(self.path, Fernet(key.encode("ascii")).encrypt(plain.encode("utf-8")))

    def discard(self) -> None:
        try:
            self.path.unlink()
        except FileNotFoundError:
            pass
        except OSError as exc:
            log.warning("Cannot delete the stored web app session: %s", exc.strerror)


def forget_web_session(path: Path, secrets: SecretStore) -> None:
    """`cita-agent forget-secrets`: the stored session and its key, both gone. Raises KeyringUnavailable."""
    WebSessionStore(path, secrets, lambda: ("", "")).discard()
    secrets.delete(PORTAL_SESSION_KEY)


def _open(sealed: bytes, key: str, owner: tuple[str, str]) -> dict[str, Any] | None:
    try:
        plain = Fernet(key.encode("ascii")).decrypt(sealed, ttl=MAX_AGE_S)
        content = json.loads(plain)
    except (InvalidToken, ValueError, UnicodeError):
        return None
    if not isinstance(content, dict) or content.get("format") != FORMAT:
        return None
    if (content.get("url"), content.get("user")) != owner:
        return None  # another web app or user: its cookies are no use here
    state = content.get("state")
    if not isinstance(state, dict) or not isinstance(state.get("cookies", []), list):
        return None
    return state
