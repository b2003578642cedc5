"""How one stand-in clinic web app is set up: the flags of `cita-demo portal`, as one value."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

# The stand-in's demo account. Not a secret: anyone running the demo may use it.
DEFAULT_STAFF_USER = "recepcion"
DEFAULT_STAFF_PASSWORD = "aromos-demo-2026"


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class PortalSettings:
    """Settings of ``create_portal_app``. Staff log in with ``staff_user``/``staff_password``.

    ``admin_token`` (None: no admin interface) is what `X-Admin-Token` must carry on `/_admin/...`.
    ``clock`` is the clinic's "now" (tests may freeze it; sessions and the lock use a monotonic
    clock and are not affected).
    """

    seed: int = 1
    staff_user: str = DEFAULT_STAFF_USER
    staff_password: str = field(default=DEFAULT_STAFF_PASSWORD, repr=False)
    admin_token: str | None = field(default=None, repr=False)
    session_minutes: float = 30.0
    latency_ms: int = 0
    fail_rate: float = 0.0
    timezone: str = "America/Santiago"
    clinic_name: str = "Centro Médico Los Aromos"
    language: str = "es"  # the language its specialties are named in ("es" or "en"); its staff pages stay Spanish
    max_failed_logins: int = 5
    lock_minutes: float = 15.0
    otp: bool = False  # after the password, a "Código de verificación" screen (the code: GET /_admin/otp)
    must_change_password: bool = False  # after the password (and code), "Debe cambiar su contraseña" once
    clock: Callable[[], datetime] = field(default=utc_now, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not 0.0 <= self.fail_rate <= 1.0:
            raise ValueError("fail_rate must be between 0 and 1")
        if self.session_minutes <= 0:
            raise ValueError("session_minutes must be positive")
        if self.latency_ms < 0:
            raise ValueError("latency_ms must not be negative")
