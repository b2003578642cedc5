"""The stand-in's extra login steps: a verification code "sent by SMS" (``--otp``) and a forced password change
(``--must-change-password``), between a right password and the agenda — what real back-offices add.

A right password opens a *pending* login (its own cookie), not a session; the pending login asks for the code,
then (if asked to) for a new password, and only then becomes a staff session. The code of the latest pending
login is what ``GET /_admin/otp`` returns, as a phone would have shown it to the receptionist.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

CODE_LIFETIME_S = 300.0
MAX_CODE_ATTEMPTS = 3
CODE = "code"
NEW_PASSWORD = "new_password"


@dataclass
class PendingLogin:
    id: str
    user: str
    steps: list[str]  # what is still asked, in order
    code: str = ""
    code_sent_at: float = 0.0
    wrong_codes: int = 0
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(18))

    @property
    def step(self) -> str:
        return self.steps[0] if self.steps else ""


@dataclass
class LoginCounts:
    """What the portal saw, for tests: a restart of the agent that reuses its session costs no password login."""

    password_ok: int = 0
    password_wrong: int = 0
    codes_sent: int = 0
    codes_ok: int = 0
    codes_wrong: int = 0
    passwords_changed: int = 0
    sessions_opened: int = 0

    def to_json(self) -> dict[str, int]:
        return dict(self.__dict__)


class PendingLogins:
    """Pending logins by cookie value; ``steps_for(user)`` says what a right password leads to."""

    def __init__(self, otp: bool, must_change_password: bool, clock: Callable[[], float] = time.monotonic) -> None:
        self.otp = otp
        self.must_change_password = must_change_password
        self.password_changed = False
        self._clock = clock
        self._pending: dict[str, PendingLogin] = {}
        self.last_code = ""
        self.last_code_user = ""

    def steps_for(self) -> list[str]:
        steps = [CODE] if self.otp else []
        if self.must_change_password and not self.password_changed:
            steps.append(NEW_PASSWORD)
        return steps

    def open(self, user: str, counts: LoginCounts) -> PendingLogin | None:
        """After a right password: a pending login, or None when nothing more is asked (open a session)."""
        steps = self.steps_for()
        if not steps:
            return None
        pending = PendingLogin(secrets.token_urlsafe(24), user, steps)
        self._pending[pending.id] = pending
        if pending.step == CODE:
            self.send_code(pending, counts)
        return pending

    def send_code(self, pending: PendingLogin, counts: LoginCounts) -> None:
        pending.code = f"{secrets.randbelow(1_000_000):06d}"
        pending.code_sent_at = self._clock()
        pending.wrong_codes = 0
        self.last_code, self.last_code_user = pending.code, pending.user
        counts.codes_sent += 1
        log.info("(SMS simulado) código de verificación de %s: %s", pending.user, pending.code)

    def get(self, pending_id: str | None) -> PendingLogin | None:
        pending = self._pending.get(pending_id or "")
        if pending is None:
            return None
        if pending.step == CODE and self._clock() - pending.code_sent_at > CODE_LIFETIME_S:
            del self._pending[pending.id]
            return None
        return pending

    def drop(self, pending_id: str | None) -> None:
        self._pending.pop(pending_id or "", None)

    def check_code(self, pending: PendingLogin, code: str, counts: LoginCounts) -> int:
        """-1 when right (the step is done); else the attempts left (0: this pending login is over)."""
        if code.strip() and secrets.compare_digest(code.strip(), pending.code):
            counts.codes_ok += 1
            pending.steps.pop(0)
            return -1
        counts.codes_wrong += 1
        pending.wrong_codes += 1
        left = MAX_CODE_ATTEMPTS - pending.wrong_codes
        if left <= 0:
            self.drop(pending.id)
        return max(0, left)

    def done(self, pending: PendingLogin) -> bool:
        if pending.steps:
            return False
        self.drop(pending.id)
        return True
