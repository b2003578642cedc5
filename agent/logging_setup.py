"""The agent's logs: rotating files in its log folder, and a filter that keeps secrets out of them.

Nothing should ever log a password or a token. If something does anyway (a library printing
request headers, an exception carrying a form's values), the ``SecretRedactor`` on every handler
replaces the secret *values* with ``***`` before the line is written: the registered secrets (the web
app password, the agent token), a token-looking value after ``Bearer `` or ``...token=``, and the value
of a ``password=...`` form field or a ``"password": "..."`` JSON member. Words around them stay:
"refused the user or its password: Usuario o contraseña incorrectos" is what the IT person needs to
read, and it holds no secret.

The files are the user's alone (0600 in a 0700 folder), rotated at 2 MB; the engine deletes those older
than the retention (``agent.retention``).
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import re
import sys
import threading
from pathlib import Path

from agent.paths import AgentPaths
from agent.private_files import FILE_MODE, POSIX_MODES, make_private_dir

LOG_FILE = "agent.log"
MAX_BYTES = 2_000_000
BACKUPS = 5
FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"
MASK = "***"

# A value shaped like a token: 20+ token characters, or 8+ with a digit ("authentication" and "True" are words).
_TOKEN_VALUE = r"(?:(?=[A-Za-z0-9._~+/-]*\d)[A-Za-z0-9._~+/=-]{8,}|[A-Za-z0-9._~+/=-]{20,})"
_PATTERNS = (
    re.compile(r"(?i)(\bbearer\s+)" + _TOKEN_VALUE),
    re.compile(r"(?i)(\b[\w-]*token[\"']?=[\"']?)" + _TOKEN_VALUE),
    # a form field or query parameter (no space around "="): the value is a password, not a word of a sentence
    re.compile(r"(?i)(\b(?:password|passwd|pwd|contraseña|secret|client_secret)=)[^\s\"',;&}]+"),
    # a JSON member ("password": "...", "access_token": "..."): quoted name and value, so never prose
    re.compile(r"(?i)(\"(?:[\w-]*token|password|passwd|contraseña|[\w-]*secret)\"\s*:\s*\")[^\"]+"),
)


class SecretRedactor(logging.Filter):
    """Masks known secret values and anything shaped like one. Safe to share between handlers and threads."""

    def __init__(self) -> None:
        super().__init__()
        self._secrets: frozenset[str] = frozenset()
        self._lock = threading.Lock()

    def add(self, secret: str | None) -> None:
        if secret and len(secret) >= 3:
            with self._lock:
                self._secrets = self._secrets | {secret}

    def redact(self, text: str) -> str:
        for secret in sorted(self._secrets, key=len, reverse=True):
            if secret in text:
                text = text.replace(secret, MASK)
        for pattern in _PATTERNS:
            text = pattern.sub(lambda m: m.group(1) + MASK, text)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is logging's problem, not ours to hide
            return True
        clean = self.redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


REDACTOR = SecretRedactor()


def register_secret(secret: str | None) -> None:
    """Make sure this value never reaches a log line, whoever tries to log it."""
    REDACTOR.add(secret)


def setup_logging(
    paths: AgentPaths | None, *, console: bool = True, level: int = logging.INFO, console_level: int | None = None
) -> Path | None:
    """Log to ``<log folder>/agent.log`` (rotated) and to standard error. Returns the file's path."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "_cita_agent", False)]:
        root.removeHandler(handler)
        handler.close()
    formatter = logging.Formatter(FORMAT)
    log_file = None
    if paths is not None:
        make_private_dir(paths.log_dir)
        log_file = paths.log_dir / LOG_FILE
        file_handler = PrivateRotatingFileHandler(
            log_file, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8"
        )
        _install(root, file_handler, formatter, level)
    if console:
        _install(root, logging.StreamHandler(sys.stderr), formatter, console_level or level)
    root.setLevel(min(level, console_level or level))
    for noisy in ("websockets", "asyncio", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return log_file


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating log file created 0600 whatever the umask (a rotated file keeps its mode when renamed)."""

    def _open(self):  # noqa: ANN202 - logging's own signature
        descriptor = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, FILE_MODE)
        if POSIX_MODES:
            os.fchmod(descriptor, FILE_MODE)
        os.close(descriptor)
        return super()._open()


def roll_over_log(path: Path) -> bool:
    """Start a new file now if this process writes ``path`` (the retention purge needs the old lines in a
    file of their own). False when no handler here writes it."""
    target = os.path.abspath(path)
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.handlers.RotatingFileHandler) and handler.baseFilename == target:
            handler.acquire()
            try:
                handler.doRollover()
            finally:
                handler.release()
            return True
    return False


def _install(root: logging.Logger, handler: logging.Handler, formatter: logging.Formatter, level: int) -> None:
    handler.setFormatter(formatter)
    handler.setLevel(level)
    handler.addFilter(REDACTOR)
    handler._cita_agent = True  # type: ignore[attr-defined]
    root.addHandler(handler)
