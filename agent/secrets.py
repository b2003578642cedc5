"""The agent's secrets, only in the OS keyring: the clinic web app's password, the relay's agent token, and the
key that seals the stored web app session (agent/session_store.py).

Any backend `keyring` selects works (Windows Credential Manager, macOS Keychain, SecretService,
or the one named by PYTHON_KEYRING_BACKEND). Only small values go here (Windows caps a secret
at 2,560 bytes): never a browser session.
"""

from __future__ import annotations

import keyring
import keyring.errors

PORTAL_PASSWORD = "portal-password"
RELAY_TOKEN = "relay-token"
PORTAL_SESSION_KEY = "portal-session-key"

HOW_TO_FIX = (
    "No secure password store (keyring) is available on this computer. "
    "On Windows and macOS it is built in; on Linux install and unlock GNOME Keyring or KWallet "
    "(for example `apt install gnome-keyring` and log in to a desktop session), "
    "or choose a backend with the PYTHON_KEYRING_BACKEND environment variable."
)


HOW_TO_FIX_ES = (
    "Este equipo no tiene un almacén seguro de contraseñas (llavero) disponible. En Windows y macOS viene con el"
    " sistema; en Linux instale y desbloquee GNOME Keyring o KWallet (por ejemplo `apt install gnome-keyring` e"
    " inicie una sesión de escritorio), o elija uno con la variable de entorno PYTHON_KEYRING_BACKEND."
)


class KeyringUnavailable(RuntimeError):
    """The OS keyring cannot be used; the message says how to fix it (``str()`` English, ``text("es")`` Spanish)."""

    def text(self, language: str) -> str:
        message = str(self)
        return message.replace(HOW_TO_FIX, HOW_TO_FIX_ES, 1) if language == "es" else message


class SecretStore:
    """Reads and writes the agent's two secrets under one keyring service name."""

    def __init__(self, service: str) -> None:
        self.service = service

    def get(self, name: str) -> str | None:
        try:
            return keyring.get_password(self.service, name)
        except keyring.errors.KeyringError as exc:
            raise KeyringUnavailable(f"{HOW_TO_FIX} ({type(exc).__name__})") from None

    def set(self, name: str, value: str) -> None:
        if not value:
            raise ValueError(f"{name} must not be empty")
        try:
            keyring.set_password(self.service, name, value)
        except keyring.errors.KeyringError as exc:
            raise KeyringUnavailable(f"{HOW_TO_FIX} ({type(exc).__name__})") from None

    def delete(self, name: str) -> None:
        try:
            keyring.delete_password(self.service, name)
        except keyring.errors.PasswordDeleteError:
            pass
        except keyring.errors.KeyringError as exc:
            raise KeyringUnavailable(f"{HOW_TO_FIX} ({type(exc).__name__})") from None

    def has(self, name: str) -> bool:
        return bool(self.get(name))

    def backend_name(self) -> str:
        backend = keyring.get_keyring()
        return f"{type(backend).__module__}.{type(backend).__name__}"
