"""What the relay keeps: clinics (with hashed agent tokens), Kommo credentials and OAuth tokens, live
conversations, and the keys that recognise a repeated delivery.

``RelayStore`` is the interface the running relay uses (async), ``ClinicAdmin`` the one the `cita-relay`
commands use. ``SqliteStore`` is the embedded default: one SQLite file in the data folder, in WAL mode so the
CLI can add a clinic while the relay serves. Several relay instances share ``relay.cluster.store`` (Redis)
instead; both check a new clinic with ``checked_new_clinic``.

The SQLite calls run on the event loop: they are local, small and never fsync on an ordinary commit
(WAL + synchronous=NORMAL, checkpoints in a thread of their own); only a refresh-token rotation — once a
day per clinic — is written with a full sync.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
import re
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

from relay.log_throttle import EventThrottle
from wire.json_text import dumps as _dumps
from wire.json_text import loads as _loads

logger = logging.getLogger("relay.store")
# Step 0 is the bot's first call to the relay; the replies go back to the step that waits for the patient's answer
_BOT_STEP_RANGE = ("the bot question step must be 1 to 1000: the step that waits for the patient's answer and calls"
                   " the relay again (step 0 is the bot's first call)")
_checkpoint_failures = EventThrottle(burst=1, per_s=300.0)

CLINIC_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
SUBDOMAIN_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
LANGUAGES = ("es", "en")
MAX_DISPLAY_NAME = 100
# Booking outcomes an agent reported: what a patient who writes again is told even while the agent is away.
OUTCOME_RETENTION_S = 7 * 24 * 3600.0
CONVERSATION_STARTS_KEPT_S = 24 * 3600.0  # `cita-relay list-clinics` counts the last 24 hours
FINISH_DELAY_S = 0.02  # the longest a finished turn waits for the next transaction to be deleted in
# How long a look at the file's data_version holds: a clinic or its Kommo tokens changed by the CLI (another
# connection) are seen within this, and under load most turns skip the look (a read, with its locks, of its own).
CACHE_RECHECK_S = 0.05


class StoreError(ValueError):
    """A value the store refuses (bad clinic name, duplicate clinic...): the message is for the operator."""


class StoreUnavailable(Exception):
    """The store cannot be reached right now (a shared store's server is down): retry later, nothing was lost."""


def store_write_problem(exc: sqlite3.Error) -> str:
    """Why SQLite cannot write, in an operator's words ("" for any other error): disk full, read-only, no access."""
    said = str(exc).lower()
    if "disk is full" in said or "database or disk is full" in said:
        return "disk full"
    if "readonly" in said or "read-only" in said:
        return "read-only (file system, or the folder is not the relay user's)"
    if "unable to open" in said:
        return "cannot open the database file (missing folder, or not the relay user's)"
    if "disk i/o error" in said:  # what a write refused by the file system itself looks like (EROFS, EIO, EPERM)
        return "disk I/O error (the file system failed or turned read-only, or a file in the folder is immutable)"
    return ""


@dataclass(frozen=True)
class Clinic:
    name: str
    kommo_subdomain: str
    kommo_base_url: str  # e.g. https://clinica.kommo.com, no trailing slash
    kommo_client_id: str
    kommo_client_secret: str = field(repr=False)
    language: str = "es"
    address: str = ""
    bot_question_step: int = 1
    display_name: str = ""  # "" = the name: what patients read as the clinic's name

    @property
    def name_for_patients(self) -> str:
        return self.display_name or self.name


@dataclass(frozen=True)
class KommoTokens:
    """A clinic's bearer for Kommo: a long-lived token, or OAuth access/refresh tokens that rotate."""

    long_lived_token: str | None = field(default=None, repr=False)
    access_token: str | None = field(default=None, repr=False)
    refresh_token: str | None = field(default=None, repr=False)
    access_expires_at: float | None = None
    redirect_uri: str = ""

    @property
    def uses_oauth(self) -> bool:
        return not self.long_lived_token and bool(self.refresh_token)


@dataclass(frozen=True)
class ClinicSummary:
    """What `list-clinics` shows: no secret."""

    name: str
    kommo_subdomain: str
    kommo_base_url: str
    language: str
    address: str
    kommo_auth: str  # "long-lived token" | "oauth" | "none"
    created_at: float
    display_name: str = ""  # what patients read (the name when none was given)
    bot_question_step: int = 1  # the Salesbot step the relay's replies send the bot back to


@dataclass(frozen=True)
class PriorDelivery:
    """The first delivery of a repeated widget_request: where it was answered and with what."""

    return_url: str
    reply: dict[str, Any] | None  # None while the first is still being worked on (or if it never finished)
    # The first delivery's turn id (its first key, remembered as long as its token): what finds it again once the
    # repeat window of the key the repeat matched (lead + message) ran out. "" when not known.
    turn_id: str = ""


# The optional widget_request data keys a turn carries (relay.conversation.model.Turn's fields of the same names).
TURN_EXTRAS = ("specialty", "service", "professional", "email", "national_id", "birth_date")


@dataclass(frozen=True)
class PendingTurn:
    """An accepted widget_request whose continuation has not gone out yet: what a restarted relay re-runs.

    Written in the same step that claims its delivery, before Kommo gets its 200; gone once the continuation
    was delivered (or given up on). ``reply`` is set as soon as the conversation decided, so a re-run sends
    that reply rather than deciding twice.
    """

    clinic: str
    turn_id: str  # its first delivery key
    keys: tuple[str, ...]  # every delivery key (the reply is recorded under each)
    lead_id: str
    message: str
    name: str = field(repr=False)
    phone: str = field(repr=False)
    received_at: float  # time.time()
    return_url: str = field(repr=False)
    owner: str = ""  # the relay instance working on it ("" with one process)
    reply: dict[str, Any] | None = field(default=None, repr=False)
    # The widget_request's optional data keys that were set (specialty, e-mail…): a resumed turn keeps them.
    extras: dict[str, str] = field(default_factory=dict, repr=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "clinic": self.clinic,
            "turn_id": self.turn_id,
            "keys": list(self.keys),
            "lead_id": self.lead_id,
            "message": self.message,
            "name": self.name,
            "phone": self.phone,
            "received_at": self.received_at,
            "return_url": self.return_url,
            **({"extras": self.extras} if self.extras else {}),
        }

    @classmethod
    def from_json(cls, obj: dict[str, Any], *, owner: str = "", reply: dict[str, Any] | None = None) -> PendingTurn:
        return cls(
            clinic=str(obj["clinic"]),
            turn_id=str(obj["turn_id"]),
            keys=tuple(str(k) for k in obj["keys"]),
            lead_id=str(obj["lead_id"]),
            message=str(obj["message"]),
            name=str(obj["name"]),
            phone=str(obj["phone"]),
            received_at=float(obj["received_at"]),
            return_url=str(obj["return_url"]),
            owner=owner,
            reply=reply,
            extras={str(k): str(v) for k, v in (obj.get("extras") or {}).items() if k in TURN_EXTRAS},
        )


# The delivery's (key, expires_at) pairs and its pending turn, made from the conversation's revision.
TurnMaker = Callable[[str], tuple[Sequence[tuple[str, float]], PendingTurn]]


class ClinicAdmin(Protocol):
    """What the `cita-relay` commands need from a store (plain calls: a command is one short process)."""

    def add_clinic(self, details: ClinicDetails) -> str: ...

    def set_oauth_tokens(
        self,
        name: str,
        *,
        refresh_token: str,
        redirect_uri: str,
        access_token: str | None = None,
        access_expires_at: float | None = None,
    ) -> None: ...

    def set_kommo_account(self, name: str, subdomain: str, base_url: str | None = None) -> str:
        """Point the clinic at another Kommo address (a subdomain typed wrong); its tokens and conversations stay.
        Return the base URL now stored."""
        ...

    def set_kommo_secret(self, name: str, client_id: str | None, client_secret: str) -> None:
        """Store the integration's client secret (and client id, when given) again: one typed wrong refuses every
        widget_request as not signed by the clinic's integration. Tokens and conversations stay."""
        ...

    def clinic(self, name: str) -> Clinic | None:
        """The clinic's settings and Kommo keys (for a command that talks to its Kommo), or None."""
        ...

    def conversation_counts(self, since: float) -> dict[str, int]:
        """Conversations started since ``since`` (time.time()) per clinic; clinics with none are left out.
        Only the last 24 hours are kept."""
        ...

    def rotate_agent_token(self, name: str) -> str:
        """Give the clinic a new agent token (the old one stops working); return it. Kommo tokens and
        conversations stay."""
        ...

    def update_clinic(self, name: str, changes: ClinicChanges) -> tuple[Clinic, Clinic]:
        """Change what patients and the bot see of a clinic (`cita-relay set-clinic`); return it (before, after).
        Its agent token, Kommo keys and tokens, and conversations stay."""
        ...

    def list_clinics(self) -> list[ClinicSummary]: ...

    def remove_clinic(self, name: str) -> bool: ...

    def close_now(self) -> None: ...


class RelayStore(Protocol):
    """What the running relay needs from its storage."""

    async def get_clinic(self, name: str) -> Clinic | None: ...

    async def clinic_for_agent_token(self, token: str) -> Clinic | None: ...

    async def clinic_names(self) -> list[str]: ...

    async def kommo_tokens(self, clinic: str) -> KommoTokens | None: ...

    async def store_rotated_tokens(
        self, clinic: str, previous_refresh_token: str, access_token: str, refresh_token: str, access_expires_at: float
    ) -> bool:
        """Atomically replace the OAuth tokens if the refresh token is still ``previous_refresh_token``;
        durable before it returns. False when someone else rotated first (reload and use theirs)."""
        ...

    async def install_oauth_tokens(
        self, clinic: str, *, access_token: str, refresh_token: str, access_expires_at: float, redirect_uri: str
    ) -> bool:
        """Switch the clinic to these fresh OAuth tokens (an authorization code was just exchanged), durable before
        it returns. False when there is no such clinic."""
        ...

    async def load_conversation(self, clinic: str, lead_id: str) -> dict[str, Any] | None: ...

    async def conversation_revision(self, clinic: str, lead_id: str) -> str:
        """Changes whenever the lead's conversation is saved or forgotten ("" when there is none)."""
        ...

    async def save_conversation(self, clinic: str, lead_id: str, state: dict[str, Any], now: float) -> None: ...

    async def keep_turn_state(self, clinic: str, lead_id: str, state: dict[str, Any], now: float) -> None:
        """A turn's state kept while its agent acts (the pick before the booking, the cancel before it is done), so
        a restart resumes from it. The revision stays: it says which question the patient is answering, and that
        moves only with the turn's reply — a repeat of this turn arriving meanwhile is still recognised as one."""
        ...

    async def forget_conversation(self, clinic: str, lead_id: str, now: float) -> None:
        """The conversation ended: nothing is loaded any more, but the revision still moves on."""
        ...

    async def claim_delivery(
        self,
        clinic: str,
        keys: Sequence[tuple[str, float]],
        return_url: str,
        now: float,
        turn: PendingTurn | None = None,
    ) -> PriorDelivery | None:
        """Record a delivery under each (key, expires_at) unless one key is already live: then return that one.

        A new delivery's ``turn`` is written with it, in the same step: durable before Kommo hears 200."""
        ...

    async def find_delivery(self, clinic: str, keys: Sequence[str], now: float) -> PriorDelivery | None:
        """The live delivery recorded under the first of ``keys`` that has one."""
        ...

    async def record_reply(self, clinic: str, keys: Sequence[str], reply: dict[str, Any]) -> None:
        """The reply to a delivery, under each of its keys and on its pending turn (``keys[0]``)."""
        ...

    async def settle_reply(
        self,
        clinic: str,
        keys: Sequence[str],
        reply: dict[str, Any],
        lead_id: str,
        state: dict[str, Any] | None,
        now: float,
    ) -> None:
        """``record_reply`` and then ``save_conversation`` (``forget_conversation`` when ``state`` is None) in one
        step: both or neither."""
        ...

    async def finish_turn(self, clinic: str, turn_id: str) -> None:
        """Its continuation went out (or was given up on): a restart does not re-run it."""
        ...

    async def take_unfinished_turns(
        self, owner: str, live_owners: Collection[str], now: float, max_age_s: float
    ) -> list[PendingTurn]:
        """Turns nobody alive is working on, now owned by ``owner``; older than ``max_age_s`` ones are dropped."""
        ...

    async def record_outcome(self, clinic: str, key: str, outcome: dict[str, Any], now: float) -> None:
        """A booking's final outcome as the agent reported it (a wire ``Outcome``), kept for a week."""
        ...

    async def booking_outcome(self, clinic: str, key: str) -> dict[str, Any] | None: ...

    async def purge_expired(self, now: float, conversation_idle_s: float) -> None: ...

    async def check_writable(self) -> bool: ...

    async def close(self) -> None: ...


def hash_agent_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_agent_token() -> str:
    return secrets.token_urlsafe(32)


def default_kommo_base_url(subdomain: str) -> str:
    return f"https://{subdomain}.kommo.com"


def normalise_base_url(url: str) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise StoreError(f"Kommo base URL must be http(s)://host[:port][/path], not {url!r}")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise StoreError("Kommo base URL must not carry a query, a fragment or credentials")
    return url.strip().rstrip("/")


def checked_kommo_account(subdomain: str, base_url: str | None = None) -> tuple[str, str]:
    """(subdomain, base URL) of a clinic's Kommo account as an operator gives it, checked; ``StoreError`` if wrong."""
    subdomain = subdomain.strip()
    if not SUBDOMAIN_RE.match(subdomain):
        raise StoreError("Kommo subdomain must be lowercase letters, digits and '-'")
    return subdomain, normalise_base_url(base_url or default_kommo_base_url(subdomain))


def kommo_auth_label(long_lived: bool, oauth: bool) -> str:
    return "long-lived token" if long_lived else "oauth" if oauth else "none"


@dataclass(frozen=True)
class NewClinic:
    """A clinic about to be stored, already checked: what every store writes for ``add-clinic``."""

    name: str
    agent_token_hash: str
    kommo_subdomain: str
    kommo_base_url: str
    kommo_client_id: str
    kommo_client_secret: str = field(repr=False)
    long_lived_token: str | None = field(repr=False)
    language: str
    address: str
    bot_question_step: int
    created_at: float
    display_name: str = ""


@dataclass(frozen=True)
class ClinicDetails:
    """What an operator gives for a new clinic (`cita-relay add-clinic`), before it is checked."""

    name: str
    kommo_subdomain: str
    kommo_client_id: str
    kommo_client_secret: str = field(repr=False)
    long_lived_token: str | None = field(default=None, repr=False)
    language: str = "es"
    address: str = ""
    kommo_base_url: str | None = None
    bot_question_step: int = 1
    display_name: str = ""


def checked_new_clinic(details: ClinicDetails, *, agent_token: str, now: float) -> NewClinic:
    """The operator's input for a new clinic, checked and normalised; ``StoreError`` says what is wrong."""
    name, kommo_subdomain, language = details.name, details.kommo_subdomain, details.language
    kommo_client_id, kommo_client_secret = details.kommo_client_id, details.kommo_client_secret
    bot_question_step, display_name = details.bot_question_step, details.display_name
    if not CLINIC_NAME_RE.match(name):
        raise StoreError("clinic name must be 1-63 characters: lowercase letters, digits, '-' and '_'")
    kommo_subdomain, kommo_base_url = checked_kommo_account(kommo_subdomain, details.kommo_base_url)
    if language not in LANGUAGES:
        raise StoreError(f"language must be one of {', '.join(LANGUAGES)}")
    if not kommo_client_id.strip() or not kommo_client_secret.strip():
        raise StoreError("the Kommo client id and secret must not be empty")
    if not 1 <= bot_question_step <= 1000:
        raise StoreError(_BOT_STEP_RANGE)
    display_name = " ".join(display_name.split())  # one line: it goes inside a chat message
    if len(display_name) > MAX_DISPLAY_NAME:
        raise StoreError(f"the display name must be at most {MAX_DISPLAY_NAME} characters")
    return NewClinic(
        name=name,
        agent_token_hash=hash_agent_token(agent_token),
        kommo_subdomain=kommo_subdomain,
        kommo_base_url=kommo_base_url,
        kommo_client_id=kommo_client_id.strip(),
        kommo_client_secret=kommo_client_secret.strip(),
        long_lived_token=(details.long_lived_token or "").strip() or None,
        language=language,
        address=details.address.strip(),
        bot_question_step=bot_question_step,
        created_at=now,
        display_name="" if display_name == name else display_name,
    )


@dataclass(frozen=True)
class ClinicChanges:
    """What `cita-relay set-clinic` changes of a clinic; None leaves a field as it is."""

    bot_question_step: int | None = None
    display_name: str | None = None
    language: str | None = None
    address: str | None = None


def checked_clinic_changes(name: str, changes: ClinicChanges) -> dict[str, Any]:
    """The stored fields to write (their names are the ``clinics`` columns and the Redis hash's fields), checked
    as ``checked_new_clinic`` checks them; ``StoreError`` says what is wrong."""
    values: dict[str, Any] = {}
    if changes.bot_question_step is not None:
        if not 1 <= changes.bot_question_step <= 1000:
            raise StoreError(_BOT_STEP_RANGE)
        values["bot_question_step"] = changes.bot_question_step
    if changes.display_name is not None:
        display_name = " ".join(changes.display_name.split())  # one line: it goes inside a chat message
        if len(display_name) > MAX_DISPLAY_NAME:
            raise StoreError(f"the display name must be at most {MAX_DISPLAY_NAME} characters")
        values["display_name"] = "" if display_name == name else display_name  # "": the name itself
    if changes.language is not None:
        if changes.language not in LANGUAGES:
            raise StoreError(f"language must be one of {', '.join(LANGUAGES)}")
        values["language"] = changes.language
    if changes.address is not None:
        values["address"] = changes.address.strip()
    return values


# The file's layout version (PRAGMA user_version): 0 = written before it had one (migrated by ``_migrate``).
SCHEMA_VERSION = 2

# Laid out for few pages written per turn: every page a commit touches is written whole to the write-ahead log and
# again by the checkpoint, and those writes were most of the store's CPU per turn.
# - A delivery is one ``turns`` row (its reply, and its pending turn until the continuation went out), keyed by its
#   expiry: a new turn lands on the same last page as the ones before it, and the purge deletes a range. Its
#   delivery keys are small rows of a WITHOUT ROWID table (one b-tree, no separate primary-key index).
# - No index serves only the purge (once a minute): it scans conversations, and deletes expired turns by range.
# - A conversation's start (for `cita-relay list-clinics`) is a column of its row, then a per-minute count.
_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS clinics (
    name TEXT PRIMARY KEY,
    agent_token_hash TEXT NOT NULL UNIQUE,
    kommo_subdomain TEXT NOT NULL,
    kommo_base_url TEXT NOT NULL,
    kommo_client_id TEXT NOT NULL,
    kommo_client_secret TEXT NOT NULL,
    language TEXT NOT NULL DEFAULT 'es',
    address TEXT NOT NULL DEFAULT '',
    bot_question_step INTEGER NOT NULL DEFAULT 1,
    created_at REAL NOT NULL,
    display_name TEXT NOT NULL DEFAULT ''
)""",
    """CREATE TABLE IF NOT EXISTS kommo_tokens (
    clinic TEXT PRIMARY KEY REFERENCES clinics(name) ON DELETE CASCADE,
    long_lived_token TEXT,
    access_token TEXT,
    refresh_token TEXT,
    access_expires_at REAL,
    redirect_uri TEXT NOT NULL DEFAULT '',
    updated_at REAL NOT NULL
)""",
    """CREATE TABLE IF NOT EXISTS conversations (
    clinic TEXT NOT NULL REFERENCES clinics(name) ON DELETE CASCADE,
    lead_id TEXT NOT NULL,
    state TEXT NOT NULL,
    updated_at REAL NOT NULL,
    started_at REAL,
    PRIMARY KEY (clinic, lead_id)
)""",
    # id: the turn's expiry in milliseconds << 20 | a sequence number (``_turn_row_id``). keys: its delivery keys
    # (a JSON list, the first is the turn's id). pending: its PendingTurn JSON until its continuation went out.
    # No foreign key (a check of clinics per insert): ``remove_clinic`` deletes a clinic's turns itself.
    """CREATE TABLE IF NOT EXISTS turns (
    id INTEGER PRIMARY KEY,
    clinic TEXT NOT NULL,
    keys TEXT NOT NULL,
    return_url TEXT NOT NULL,
    pending TEXT,
    reply TEXT
)""",
    """CREATE TABLE IF NOT EXISTS delivery_keys (
    clinic TEXT NOT NULL,
    key TEXT NOT NULL,
    expires_at REAL NOT NULL,
    turn INTEGER NOT NULL,
    PRIMARY KEY (clinic, key)
) WITHOUT ROWID""",
    """CREATE TABLE IF NOT EXISTS booking_outcomes (
    clinic TEXT NOT NULL REFERENCES clinics(name) ON DELETE CASCADE,
    key TEXT NOT NULL,
    outcome TEXT NOT NULL,
    recorded_at REAL NOT NULL,
    PRIMARY KEY (clinic, key)
)""",
    "CREATE TABLE IF NOT EXISTS liveness (id INTEGER PRIMARY KEY CHECK (id = 1), at REAL NOT NULL)",
    # Conversations started per clinic and minute (no lead, no patient data): the last 24 hours are kept. A
    # conversation's start is counted here when the purge deletes the conversation (until then it is its
    # ``started_at``, written with the row: no write of its own per new conversation).
    """CREATE TABLE IF NOT EXISTS conversation_minutes (
    clinic TEXT NOT NULL REFERENCES clinics(name) ON DELETE CASCADE,
    minute INTEGER NOT NULL,
    started INTEGER NOT NULL,
    PRIMARY KEY (clinic, minute)
) WITHOUT ROWID""",
)

# What the files of schema version 0 had and version 2 has not.
_DROPPED = (
    "DROP TRIGGER IF EXISTS conversation_started",
    "DROP TRIGGER IF EXISTS conversation_started_by_clinic",
    "DROP INDEX IF EXISTS conversation_starts_at",
    "DROP INDEX IF EXISTS deliveries_expiry",
    "DROP INDEX IF EXISTS conversations_idle",
    "DROP TABLE IF EXISTS conversation_starts",
    "DROP TABLE IF EXISTS pending_turns",
    "DROP TABLE IF EXISTS deliveries",
)


class SqliteStore:
    """The embedded store. Runtime methods are async (``RelayStore``); admin methods are plain (the CLI)."""

    # Its reads never wait (the file is local and read on the event loop): nothing to put a deadline on.
    reads_wait = False

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        new_file = not path.exists()
        self._db = sqlite3.connect(str(path), timeout=10.0, isolation_level=None, check_same_thread=False)
        if new_file:
            path.chmod(0o600)  # it holds Kommo client secrets and tokens
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.execute("PRAGMA busy_timeout=10000")
        # A deleted or overwritten conversation is zeroed in the file, not left in free pages (see purge_expired).
        self._db.execute("PRAGMA secure_delete=ON")
        self._sequence = secrets.randbits(20)  # the low bits of the turns' row ids (``_turn_row_id``)
        self._migrate()
        self._path = path
        self._checkpointer: _Checkpointer | None = None
        # Clinics and Kommo tokens as last read, for as long as no other connection (the CLI) wrote to the file:
        # SQLite's data_version changes with every commit of another connection. Writes here forget them too.
        self._data_version = -1
        self._data_version_read_at = -1.0  # time.monotonic() of the last read
        self._clinics: dict[str, Clinic] = {}
        self._tokens: dict[str, KommoTokens] = {}
        # Turns whose continuation went out, deleted in the next transaction (or within FINISH_DELAY_S): a commit
        # less per turn. A relay killed in between re-sends those continuations when it starts again.
        self._finished: list[tuple[str, str]] = []
        self._finish_timer: asyncio.TimerHandle | None = None
        # The conversation state a new turn's claim read (its text; "" none), until that turn loads it: the turn's
        # own read of the same row saved. Every write of the lead's conversation drops it (this process is the only
        # one that writes conversations; a clinic removed by the CLI drops them all), so it is what the file holds.
        self._claimed_states: dict[tuple[str, str], str] = {}
        # The row id of each turn this process claimed or resumed (clinic, turn id), until it is finished.
        self._turn_rows: dict[tuple[str, str], int] = {}
        self._unwritable_probes = EventThrottle(burst=1, per_s=60.0)  # /healthz's write probe failing: one a minute

    def _fresh(self, unless_read_within_s: float = 0.0) -> None:
        """Forget the cached clinics and tokens if another connection wrote to the file since they were read.

        ``unless_read_within_s``: not again if it was looked at that recently (the file's version is a read of its
        own, with its locks; a turn looks at it when it starts, and its continuation a few milliseconds later can
        use that)."""
        now = time.monotonic()
        if now - self._data_version_read_at < unless_read_within_s:
            return
        self._data_version_read_at = now
        version = self._db.execute("PRAGMA data_version").fetchone()[0]
        if version != self._data_version:
            self._data_version = version
            self._forget_cached()

    def _forget_cached(self) -> None:
        self._clinics.clear()
        self._tokens.clear()
        self._claimed_states.clear()

    def _migrate(self) -> None:
        """Create the tables, or bring a file written by an older relay up to this schema: one transaction, so a
        relay stopped half-way finds the file as it was."""
        if self._db.execute("PRAGMA user_version").fetchone()[0] >= SCHEMA_VERSION:
            return
        with Transaction(self._db):
            if self._db.execute("PRAGMA user_version").fetchone()[0] >= SCHEMA_VERSION:
                return  # another process (the CLI, the relay) did it first
            tables = {row[0] for row in self._db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            for statement in _SCHEMA:
                self._db.execute(statement)
            columns = {row["name"] for row in self._db.execute("PRAGMA table_info(clinics)")}
            if "display_name" not in columns:
                self._db.execute("ALTER TABLE clinics ADD COLUMN display_name TEXT NOT NULL DEFAULT ''")
            if "started_at" not in {row["name"] for row in self._db.execute("PRAGMA table_info(conversations)")}:
                self._db.execute("ALTER TABLE conversations ADD COLUMN started_at REAL")  # counted in the starts
            if "deliveries" in tables:
                self._copy_version_0_turns(with_pending="pending_turns" in tables)
            if "conversation_starts" in tables:
                self._db.execute(
                    "INSERT INTO conversation_minutes (clinic, minute, started)"
                    " SELECT clinic, CAST(at / 60 AS INTEGER), COUNT(*) FROM conversation_starts GROUP BY 1, 2"
                )
            for statement in _DROPPED:
                self._db.execute(statement)
            self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def _copy_version_0_turns(self, *, with_pending: bool) -> None:
        """Inside the migration: version 0's deliveries (a row per key, the reply under the first key, the others
        pointing there with "=" + key) and pending turns, as turns and delivery keys."""
        heads: dict[tuple[str, str], dict[str, Any]] = {}
        pointing: list[tuple[str, str, float, str, str]] = []
        for clinic, key, expires_at, return_url, reply in self._db.execute(
            "SELECT clinic, key, expires_at, return_url, reply FROM deliveries ORDER BY expires_at"
        ):
            if reply and reply.startswith(_REPLY_OF):
                pointing.append((clinic, key, expires_at, return_url, reply[len(_REPLY_OF) :]))
            else:
                heads[(clinic, key)] = {"keys": [(key, expires_at)], "return_url": return_url, "reply": reply}
        for clinic, key, expires_at, return_url, first in pointing:
            head = heads.get((clinic, first))
            if head is None:  # its first key is gone: the reply with it
                heads[(clinic, key)] = {"keys": [(key, expires_at)], "return_url": return_url, "reply": None}
            else:
                head["keys"].append((key, expires_at))
        pending = "SELECT clinic, turn_id, turn, received_at, reply FROM pending_turns" if with_pending else ""
        for clinic, turn_id, text, received_at, reply in self._db.execute(pending) if pending else ():
            head = heads.get((clinic, turn_id))
            if head is None:  # its delivery keys expired: kept until it is finished, as before
                try:
                    return_url = str(_loads(text)["return_url"])
                except (ValueError, KeyError, TypeError):
                    return_url = ""
                head = heads[(clinic, turn_id)] = {"keys": [], "return_url": return_url, "reply": None}
                head["expires_at"] = received_at
            head["pending"] = text
            head["reply"] = head["reply"] or reply  # an older relay kept it on the pending turn
        for (clinic, first), head in heads.items():
            keys = head["keys"]
            expires_at = max((at for _, at in keys), default=head.get("expires_at", 0.0))
            row_id = self._turn_row_id(expires_at)
            self._db.execute(
                "INSERT INTO turns (id, clinic, keys, return_url, pending, reply) VALUES (?, ?, ?, ?, ?, ?)",
                (row_id, clinic, _dumps([first] + [key for key, _ in keys if key != first]), head["return_url"],
                 head.get("pending"), head["reply"]),
            )
            self._db.executemany(
                "INSERT INTO delivery_keys (clinic, key, expires_at, turn) VALUES (?, ?, ?, ?)",
                [(clinic, key, at, row_id) for key, at in keys],
            )

    def _turn_row_id(self, expires_at: float) -> int:
        """A new turn's row id: its expiry in milliseconds, then 20 bits of sequence (unique within a millisecond)."""
        self._sequence = (self._sequence + 1) & _SEQUENCE_MASK
        return (min(max(int(expires_at * 1000), 0), _MAX_MS) << _SEQUENCE_BITS) | self._sequence

    def checkpoint_in_background(self) -> None:
        """For a long-running server: WAL checkpoints (the only fsyncs) move off the caller's thread."""
        if self._checkpointer is None:
            self._db.execute("PRAGMA wal_autocheckpoint=0")
            self._checkpointer = _Checkpointer(self._path)

    # -- admin (CLI) ------------------------------------------------------------------------------------

    def add_clinic(self, details: ClinicDetails) -> str:
        """Store a clinic; return its new agent token (only its hash is kept)."""
        token = new_agent_token()
        clinic = checked_new_clinic(details, agent_token=token, now=time.time())
        self._forget_cached()
        try:
            with self._transaction():
                self._db.execute(
                    "INSERT INTO clinics (name, agent_token_hash, kommo_subdomain, kommo_base_url, kommo_client_id,"
                    " kommo_client_secret, language, address, bot_question_step, created_at, display_name)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        clinic.name,
                        clinic.agent_token_hash,
                        clinic.kommo_subdomain,
                        clinic.kommo_base_url,
                        clinic.kommo_client_id,
                        clinic.kommo_client_secret,
                        clinic.language,
                        clinic.address,
                        clinic.bot_question_step,
                        clinic.created_at,
                        clinic.display_name,
                    ),
                )
                self._db.execute(
                    "INSERT INTO kommo_tokens (clinic, long_lived_token, updated_at) VALUES (?, ?, ?)",
                    (clinic.name, clinic.long_lived_token, clinic.created_at),
                )
        except sqlite3.IntegrityError:
            raise StoreError(f"a clinic named {clinic.name!r} already exists") from None
        return token

    def set_oauth_tokens(
        self,
        name: str,
        *,
        refresh_token: str,
        redirect_uri: str,
        access_token: str | None = None,
        access_expires_at: float | None = None,
    ) -> None:
        """Switch a clinic to OAuth (its long-lived token, if any, is dropped)."""
        self._forget_cached()
        with self._transaction():
            cur = self._db.execute(
                "UPDATE kommo_tokens SET long_lived_token = NULL, access_token = ?, refresh_token = ?,"
                " access_expires_at = ?, redirect_uri = ?, updated_at = ? WHERE clinic = ?",
                (access_token, refresh_token.strip(), access_expires_at, redirect_uri.strip(), time.time(), name),
            )
            if cur.rowcount != 1:
                raise StoreError(f"no clinic named {name!r}")

    def set_kommo_account(self, name: str, subdomain: str, base_url: str | None = None) -> str:
        subdomain, base_url = checked_kommo_account(subdomain, base_url)
        self._forget_cached()
        with self._transaction():
            cur = self._db.execute(
                "UPDATE clinics SET kommo_subdomain = ?, kommo_base_url = ? WHERE name = ?", (subdomain, base_url, name)
            )
            if cur.rowcount != 1:
                raise StoreError(f"no clinic named {name!r}")
        return base_url

    def set_kommo_secret(self, name: str, client_id: str | None, client_secret: str) -> None:
        if not client_secret.strip() or (client_id is not None and not client_id.strip()):
            raise StoreError("the client id and secret must not be empty")
        self._forget_cached()
        with self._transaction():
            cur = self._db.execute(
                "UPDATE clinics SET kommo_client_secret = ?, kommo_client_id = COALESCE(?, kommo_client_id)"
                " WHERE name = ?",
                (client_secret.strip(), client_id.strip() if client_id is not None else None, name),
            )
            if cur.rowcount != 1:
                raise StoreError(f"no clinic named {name!r}")

    def clinic(self, name: str) -> Clinic | None:
        row = self._db.execute("SELECT * FROM clinics WHERE name = ?", (name,)).fetchone()
        return _clinic(row) if row else None

    def conversation_counts(self, since: float) -> dict[str, int]:
        # The live conversations' starts, and the purged ones' counted per minute (the window starts at the
        # beginning of ``since``'s minute for those). A scan: for a command an operator runs now and then.
        rows = self._db.execute(
            "SELECT clinic, SUM(started) FROM (SELECT clinic, started FROM conversation_minutes WHERE minute >= ?"
            " UNION ALL SELECT clinic, 1 FROM conversations WHERE started_at >= ?) GROUP BY clinic",
            (int(since // 60), since),
        ).fetchall()
        return {row[0]: int(row[1]) for row in rows}

    def rotate_agent_token(self, name: str) -> str:
        token = new_agent_token()
        self._forget_cached()
        with self._transaction():
            cur = self._db.execute(
                "UPDATE clinics SET agent_token_hash = ? WHERE name = ?", (hash_agent_token(token), name)
            )
            if cur.rowcount != 1:
                raise StoreError(f"no clinic named {name!r}")
        return token

    def update_clinic(self, name: str, changes: ClinicChanges) -> tuple[Clinic, Clinic]:
        values = checked_clinic_changes(name, changes)
        # The running relay reads the clinic again at its next Kommo call: this commit changes the file's
        # data_version, which drops its cached clinics (``_fresh``).
        self._forget_cached()
        with self._transaction():
            before = self._db.execute("SELECT * FROM clinics WHERE name = ?", (name,)).fetchone()
            if before is None:
                raise StoreError(f"no clinic named {name!r}")
            if values:  # column names from checked_clinic_changes only, never from input
                assignments = ", ".join(f"{column} = ?" for column in values)
                self._db.execute(f"UPDATE clinics SET {assignments} WHERE name = ?", (*values.values(), name))  # noqa: S608
            after = self._db.execute("SELECT * FROM clinics WHERE name = ?", (name,)).fetchone()
        return _clinic(before), _clinic(after)

    def list_clinics(self) -> list[ClinicSummary]:
        rows = self._db.execute(
            "SELECT c.name, c.kommo_subdomain, c.kommo_base_url, c.language, c.address, c.created_at, c.display_name,"
            " c.bot_question_step, t.long_lived_token IS NOT NULL AS long_lived, t.refresh_token IS NOT NULL AS oauth"
            " FROM clinics c LEFT JOIN kommo_tokens t ON t.clinic = c.name ORDER BY c.name"
        ).fetchall()
        return [
            ClinicSummary(
                name=r["name"],
                kommo_subdomain=r["kommo_subdomain"],
                kommo_base_url=r["kommo_base_url"],
                language=r["language"],
                address=r["address"],
                kommo_auth=kommo_auth_label(bool(r["long_lived"]), bool(r["oauth"])),
                created_at=r["created_at"],
                display_name=r["display_name"] or r["name"],
                bot_question_step=r["bot_question_step"],
            )
            for r in rows
        ]

    def remove_clinic(self, name: str) -> bool:
        self._forget_cached()
        with self._transaction():
            cur = self._db.execute("DELETE FROM clinics WHERE name = ?", (name,))
            # Without a foreign key (a check per insert): a scan, on a command an operator runs now and then.
            self._db.execute("DELETE FROM delivery_keys WHERE clinic = ?", (name,))
            self._db.execute("DELETE FROM turns WHERE clinic = ?", (name,))
        self._turn_rows = {turn: row for turn, row in self._turn_rows.items() if turn[0] != name}
        return cur.rowcount == 1

    # -- runtime (RelayStore) ---------------------------------------------------------------------------

    async def get_clinic(self, name: str) -> Clinic | None:
        self._fresh(unless_read_within_s=CACHE_RECHECK_S)
        clinic = self._clinics.get(name)
        if clinic is None:
            row = self._db.execute("SELECT * FROM clinics WHERE name = ?", (name,)).fetchone()
            if row is None:
                return None  # not kept: unknown names cost a read each, and cannot fill the memory
            clinic = self._clinics[name] = _clinic(row)
        return clinic

    async def clinic_for_agent_token(self, token: str) -> Clinic | None:
        presented = hash_agent_token(token)
        row = self._db.execute("SELECT * FROM clinics WHERE agent_token_hash = ?", (presented,)).fetchone()
        # The lookup is by hash (an attacker cannot steer a sha256 prefix); compare again in constant time.
        if row is None or not hmac.compare_digest(row["agent_token_hash"], presented):
            return None
        return _clinic(row)

    async def clinic_names(self) -> list[str]:
        return [r[0] for r in self._db.execute("SELECT name FROM clinics ORDER BY name")]

    async def kommo_tokens(self, clinic: str) -> KommoTokens | None:
        self._fresh(unless_read_within_s=CACHE_RECHECK_S)
        tokens = self._tokens.get(clinic)
        if tokens is not None:
            return tokens
        row = self._db.execute("SELECT * FROM kommo_tokens WHERE clinic = ?", (clinic,)).fetchone()
        if row is None:
            return None
        tokens = self._tokens[clinic] = KommoTokens(
            long_lived_token=row["long_lived_token"],
            access_token=row["access_token"],
            refresh_token=row["refresh_token"],
            access_expires_at=row["access_expires_at"],
            redirect_uri=row["redirect_uri"],
        )
        return tokens

    async def store_rotated_tokens(
        self, clinic: str, previous_refresh_token: str, access_token: str, refresh_token: str, access_expires_at: float
    ) -> bool:
        # A lost refresh token means the clinic must re-install the integration: this one write is fully synced.
        self._forget_cached()
        self._db.execute("PRAGMA synchronous=FULL")
        try:
            with self._transaction():
                cur = self._db.execute(
                    "UPDATE kommo_tokens SET access_token = ?, refresh_token = ?, access_expires_at = ?, updated_at = ?"
                    " WHERE clinic = ? AND refresh_token = ?",
                    (access_token, refresh_token, access_expires_at, time.time(), clinic, previous_refresh_token),
                )
        finally:
            self._db.execute("PRAGMA synchronous=NORMAL")
        return cur.rowcount == 1

    async def install_oauth_tokens(
        self, clinic: str, *, access_token: str, refresh_token: str, access_expires_at: float, redirect_uri: str
    ) -> bool:
        # As with a rotation: a lost refresh token means installing again, so this write is fully synced.
        self._db.execute("PRAGMA synchronous=FULL")
        try:
            self.set_oauth_tokens(
                clinic,
                refresh_token=refresh_token,
                redirect_uri=redirect_uri,
                access_token=access_token,
                access_expires_at=access_expires_at,
            )
        except StoreError:
            return False
        finally:
            self._db.execute("PRAGMA synchronous=NORMAL")
        return True

    async def load_conversation(self, clinic: str, lead_id: str) -> dict[str, Any] | None:
        text = self._claimed_states.pop((clinic, lead_id), None)
        if text is None:
            row = self._db.execute(
                "SELECT state FROM conversations WHERE clinic = ? AND lead_id = ?", (clinic, lead_id)
            ).fetchone()
            text = row[0] if row else ""
        return _loads(text) if text else None

    async def conversation_revision(self, clinic: str, lead_id: str) -> str:
        row = self._db.execute(_REVISION, (clinic, lead_id)).fetchone()
        return repr(row[0]) if row else ""

    async def save_conversation(self, clinic: str, lead_id: str, state: dict[str, Any], now: float) -> None:
        self._claimed_states.pop((clinic, lead_id), None)
        self._db.execute(
            _SAVE_CONVERSATION, (clinic, lead_id, _dumps(state), now, now),
        )

    async def keep_turn_state(self, clinic: str, lead_id: str, state: dict[str, Any], now: float) -> None:
        self._claimed_states.pop((clinic, lead_id), None)
        kept = self._db.execute(
            "UPDATE conversations SET state = ? WHERE clinic = ? AND lead_id = ?", (_dumps(state), clinic, lead_id)
        )
        if kept.rowcount == 0:  # no conversation yet (never the case for a pick or a cancel): a first save
            await self.save_conversation(clinic, lead_id, state, now)

    async def forget_conversation(self, clinic: str, lead_id: str, now: float) -> None:
        # An empty state is a tombstone: no patient data, just the revision (purged with idle conversations).
        self._claimed_states.pop((clinic, lead_id), None)
        self._db.execute(
            "INSERT INTO conversations (clinic, lead_id, state, updated_at) VALUES (?, ?, '', ?)"
            " ON CONFLICT (clinic, lead_id) DO UPDATE SET state = '', updated_at = excluded.updated_at",
            (clinic, lead_id, now),
        )

    async def claim_delivery(
        self,
        clinic: str,
        keys: Sequence[tuple[str, float]],
        return_url: str,
        now: float,
        turn: PendingTurn | None = None,
    ) -> PriorDelivery | None:
        with self._transaction():
            prior = self._find_delivery(clinic, [key for key, _ in keys], now)
            if prior is not None:
                return prior
            self._insert_delivery(clinic, keys, return_url, turn)
        return None

    def _insert_delivery(
        self, clinic: str, keys: Sequence[tuple[str, float]], return_url: str, turn: PendingTurn | None
    ) -> None:
        """Inside a transaction: a new delivery (one turns row, with its pending turn) and its keys."""
        if not keys and turn is None:
            return
        # The row lives as long as its longest-lived key (the reply is found through any of them); a pending turn
        # without keys until it is finished.
        expires_at = max((at for _, at in keys), default=turn.received_at if turn is not None else 0.0)
        names = [key for key, _ in keys] or ([turn.turn_id] if turn is not None else [])
        row = (clinic, _dumps(names), return_url, _dumps(turn.to_json()) if turn is not None else None)
        while True:
            row_id = self._turn_row_id(expires_at)
            try:
                self._db.execute(
                    "INSERT INTO turns (id, clinic, keys, return_url, pending) VALUES (?, ?, ?, ?, ?)", (row_id, *row)
                )
                break
            except sqlite3.IntegrityError:  # a row id left by an earlier run with the same millisecond and sequence
                continue
        # A key that expired (not yet purged) is taken over by the new delivery.
        self._db.executemany(
            "INSERT OR REPLACE INTO delivery_keys (clinic, key, expires_at, turn) VALUES (?, ?, ?, ?)",
            [(clinic, key, expires_at, row_id) for key, expires_at in keys],
        )
        if turn is not None:
            if len(self._turn_rows) >= _TURN_ROWS_KEPT:  # turns never finished: looked up by key instead
                self._turn_rows.clear()
            self._turn_rows[(clinic, turn.turn_id)] = row_id

    async def claim_turn(
        self, clinic: str, lead_id: str, plan: TurnMaker, return_url: str, now: float
    ) -> tuple[Sequence[tuple[str, float]], PendingTurn, PriorDelivery | None]:
        """``conversation_revision`` then ``claim_delivery`` of ``plan(revision)`` in one transaction (the Redis
        store's ``claim_turn`` does the same in one round trip): the keys, the pending turn, and the prior delivery
        (None: a new one, claimed). One read lock and one commit per accepted widget_request.

        A new turn's conversation, read here, is handed to its ``load_conversation`` (one read less per turn).
        """
        with self._transaction():
            row = self._db.execute(_REVISION_AND_STATE, (clinic, lead_id)).fetchone()
            keys, turn = plan(repr(row[0]) if row else "")
            prior = self._find_delivery(clinic, [key for key, _ in keys], now)
            if prior is None:
                self._insert_delivery(clinic, keys, return_url, turn)
        if prior is None:  # a new turn, which loads the conversation next (a repeat does not)
            if len(self._claimed_states) >= _CLAIMED_STATES_KEPT:  # turns that failed before loading theirs
                self._claimed_states.clear()
            self._claimed_states[(clinic, lead_id)] = row[1] if row else ""
        return keys, turn, prior

    async def find_delivery(self, clinic: str, keys: Sequence[str], now: float) -> PriorDelivery | None:
        return self._find_delivery(clinic, keys, now)

    def _find_delivery(self, clinic: str, keys: Sequence[str], now: float) -> PriorDelivery | None:
        if not keys:
            return None
        # One statement for all the keys (a turn has three); the first key in ``keys`` order that is known wins.
        rows = self._db.execute(
            _FIND_DELIVERIES.get(len(keys)) or _find_deliveries_sql(len(keys)), (clinic, now, *keys)
        ).fetchall()
        if not rows:
            return None
        found = {row[0]: row for row in rows}
        row = next(found[key] for key in keys if key in found)
        return PriorDelivery(row[1], _loads(row[2]) if row[2] else None, str(row[3] or ""))

    def _turn_row(self, clinic: str, turn_id: str) -> int | None:
        """The row id of the turn whose first key is ``turn_id``."""
        row_id = self._turn_rows.get((clinic, turn_id))
        if row_id is not None:
            return row_id
        # Not claimed by this process: by its first key (and only if it still is that turn's first key).
        row = self._db.execute(
            "SELECT t.id FROM delivery_keys k JOIN turns t ON t.id = k.turn"
            " WHERE k.clinic = ? AND k.key = ? AND json_extract(t.keys, '$[0]') = ?",
            (clinic, turn_id, turn_id),
        ).fetchone()
        return row[0] if row else None

    async def record_reply(self, clinic: str, keys: Sequence[str], reply: dict[str, Any]) -> None:
        with self._transaction():
            self._record_reply(clinic, keys, _dumps(reply))

    def _record_reply(self, clinic: str, keys: Sequence[str], text: str) -> None:
        """The reply on the delivery's turns row (every key finds it there, and so does its pending turn)."""
        if not keys:
            return
        row_id = self._turn_row(clinic, keys[0])
        if row_id is not None:
            self._db.execute("UPDATE turns SET reply = ? WHERE id = ?", (text, row_id))

    async def settle_reply(
        self,
        clinic: str,
        keys: Sequence[str],
        reply: dict[str, Any],
        lead_id: str,
        state: dict[str, Any] | None,
        now: float,
    ) -> None:
        text = _dumps(reply)
        self._claimed_states.pop((clinic, lead_id), None)
        # One commit instead of two: commits are most of the store's cost per turn. Finished turns are left to the
        # next claim, whose commit writes the last turns page anyway.
        with self._transaction(finish=False):
            self._record_reply(clinic, keys, text)
            self._db.execute(
                _SAVE_CONVERSATION,
                (clinic, lead_id, "" if state is None else _dumps(state), now, None if state is None else now),
            )

    async def finish_turn(self, clinic: str, turn_id: str) -> None:
        self._finished.append((clinic, turn_id))
        if self._finish_timer is None:
            self._finish_timer = asyncio.get_running_loop().call_later(FINISH_DELAY_S, self._flush_finished)

    def _flush_finished(self) -> None:
        # The timer is left to run rather than cancelled by each claim that deleted the turns first: at most one
        # timer per FINISH_DELAY_S instead of one per turn, and one that finds nothing left costs nothing.
        self._finish_timer = None
        if self._finished:
            with self._transaction():
                pass  # the transaction deletes them

    def _delete_finished(self) -> None:
        """Inside a transaction: the finished turns noted since the last one (their patient data goes; the delivery
        stays until its keys expire, to recognise a repeat)."""
        if self._finished:
            finished, self._finished = self._finished, []
            rows = [self._turn_rows.pop(turn, None) or self._turn_row(*turn) for turn in finished]
            self._db.executemany(
                "UPDATE turns SET pending = NULL WHERE id = ?", [(row_id,) for row_id in rows if row_id is not None]
            )

    async def take_unfinished_turns(
        self, owner: str, live_owners: Collection[str], now: float, max_age_s: float
    ) -> list[PendingTurn]:
        # One process owns this file: every turn left here was cut short by its last run. A scan: once, at start.
        with self._transaction():
            rows = self._db.execute("SELECT id, pending, reply FROM turns WHERE pending IS NOT NULL").fetchall()
            turns: list[tuple[int, PendingTurn]] = []
            dropped = []
            for row_id, text, reply in rows:
                try:
                    turn = PendingTurn.from_json(_loads(text), owner=owner, reply=_loads(reply) if reply else None)
                except (ValueError, KeyError, TypeError):
                    logger.warning("an unreadable pending turn was dropped")
                    dropped.append((row_id,))
                    continue
                if turn.received_at < now - max_age_s:
                    dropped.append((row_id,))
                else:
                    turns.append((row_id, turn))
            self._db.executemany("UPDATE turns SET pending = NULL WHERE id = ?", dropped)
        turns.sort(key=lambda item: item[1].received_at)
        for row_id, turn in turns:
            self._turn_rows[(turn.clinic, turn.turn_id)] = row_id
        return [turn for _, turn in turns]

    async def record_outcome(self, clinic: str, key: str, outcome: dict[str, Any], now: float) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO booking_outcomes (clinic, key, outcome, recorded_at) VALUES (?, ?, ?, ?)",
            (clinic, key, _dumps(outcome), now),
        )

    async def booking_outcome(self, clinic: str, key: str) -> dict[str, Any] | None:
        row = self._db.execute(
            "SELECT outcome FROM booking_outcomes WHERE clinic = ? AND key = ?", (clinic, key)
        ).fetchone()
        return _loads(row[0]) if row else None

    async def purge_expired(self, now: float, conversation_idle_s: float) -> None:
        self._claimed_states.clear()
        with self._transaction():
            # Turns are in expiry order: the expired ones are a range (those still pending stay until finished).
            bound = self._turn_row_id(now) & ~_SEQUENCE_MASK
            expired = self._db.execute(
                "SELECT id, clinic, keys FROM turns WHERE id < ? AND pending IS NULL", (bound,)
            ).fetchall()
            self._db.executemany(
                "DELETE FROM delivery_keys WHERE clinic = ? AND key = ? AND turn = ?",  # unless taken over since
                [(clinic, key, row_id) for row_id, clinic, keys in expired for key in _loads(keys)],
            )
            self._db.execute("DELETE FROM turns WHERE id < ? AND pending IS NULL", (bound,))
            idle = now - conversation_idle_s
            self._db.execute(  # their starts are counted per minute from now on
                "INSERT INTO conversation_minutes (clinic, minute, started)"
                " SELECT clinic, CAST(started_at / 60 AS INTEGER), COUNT(*) FROM conversations"
                " WHERE updated_at <= ? AND started_at IS NOT NULL GROUP BY 1, 2"
                " ON CONFLICT (clinic, minute) DO UPDATE SET started = started + excluded.started",
                (idle,),
            )
            self._db.execute("DELETE FROM conversations WHERE updated_at <= ?", (idle,))
            self._db.execute("DELETE FROM booking_outcomes WHERE recorded_at <= ?", (now - OUTCOME_RETENTION_S,))
            oldest = int((now - CONVERSATION_STARTS_KEPT_S) // 60)
            self._db.executemany(
                "DELETE FROM conversation_minutes WHERE clinic = ? AND minute < ?",
                [(row[0], oldest) for row in self._db.execute("SELECT name FROM clinics").fetchall()],
            )
        # The write-ahead log still holds the old pages (a forgotten conversation's text among them) until it is
        # copied into the file and emptied: do that now, off the event loop, so they are gone within minutes.
        await asyncio.to_thread(_truncate_wal, self._path)

    async def check_writable(self) -> bool:
        try:
            self._db.execute("INSERT OR REPLACE INTO liveness (id, at) VALUES (1, ?)", (time.time(),))
        except sqlite3.Error as exc:  # /healthz's probe: said in the log even while no Kommo call comes in
            self._unwritable_probes.log(logger, logging.ERROR, "store_unwritable",
                                   reason=store_write_problem(exc) or str(exc), folder=str(self._path.parent))
            return False
        return True

    async def close(self) -> None:
        self.close_now()

    def close_now(self) -> None:
        if self._finish_timer is not None:
            self._finish_timer.cancel()
            self._finish_timer = None
        if self._finished:
            with contextlib.suppress(sqlite3.Error):
                self._flush_finished()
        self._db.close()
        if self._checkpointer is not None:
            self._checkpointer.stop()

    def _transaction(self, *, finish: bool = True) -> Transaction:
        """``finish``: the turns finished since the last transaction are deleted in this one."""
        return Transaction(self._db, self._delete_finished if finish else None)


_REVISION = "SELECT updated_at FROM conversations WHERE clinic = ? AND lead_id = ?"
# A new conversation's start is noted (``started_at``); a saved one keeps it, as does a forgotten one (a tombstone).
_SAVE_CONVERSATION = (
    "INSERT INTO conversations (clinic, lead_id, state, updated_at, started_at) VALUES (?, ?, ?, ?, ?)"
    " ON CONFLICT (clinic, lead_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at"
)
_REVISION_AND_STATE = "SELECT updated_at, state FROM conversations WHERE clinic = ? AND lead_id = ?"
_CLAIMED_STATES_KEPT = 10_000
_TURN_ROWS_KEPT = 100_000
_SEQUENCE_BITS = 20
_SEQUENCE_MASK = (1 << _SEQUENCE_BITS) - 1
_MAX_MS = (1 << (63 - _SEQUENCE_BITS)) - 1
# Schema version 0: a delivery key whose reply is kept under another key: "=" + that key (a reply is a JSON object).
_REPLY_OF = "="


def _find_deliveries_sql(count: int) -> str:
    marks = ", ".join("?" * count)
    return (
        "SELECT k.key, t.return_url, t.reply, json_extract(t.keys, '$[0]') FROM delivery_keys k"  # noqa: S608
        " JOIN turns t ON t.id = k.turn"
        f" WHERE k.clinic = ? AND k.expires_at > ? AND k.key IN ({marks})"
    )


_FIND_DELIVERIES = {count: _find_deliveries_sql(count) for count in range(1, 5)}


class _Checkpointer:
    """Copies the write-ahead log into the database file from a thread of its own, every few seconds.

    In WAL mode with synchronous=NORMAL the only fsyncs of ordinary work are the checkpoint's. Left to SQLite,
    a checkpoint runs inside whichever commit crosses 1000 pages — on the event loop — and one slow fsync on
    a busy disk would hold every request. A passive checkpoint from another connection blocks no writer.

    The log starts over from its beginning (its file is written over, not grown) only when a write finds every
    frame in it copied. Under steady traffic the commits made while a checkpoint copies leave it behind, every
    time, and the log would grow until the minute's purge truncates it: hundreds of MB at a few hundred turns a
    second, every page written to a new block of the disk. So a checkpoint is followed by shorter ones, each
    copying what came in during the one before, until one finds nothing left (or ``CATCH_UP_PASSES``).
    """

    CATCH_UP_PASSES = 8

    def __init__(self, path: Path, interval_s: float = 2.0) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, args=(path, interval_s), name="sqlite-checkpoint", daemon=True
        )
        self._thread.start()

    def _run(self, path: Path, interval_s: float) -> None:
        db = sqlite3.connect(str(path), timeout=10.0, isolation_level=None)
        try:
            while not self._stop.wait(interval_s):
                try:
                    _catch_up(db, self.CATCH_UP_PASSES)
                except sqlite3.Error as exc:  # every 2 s while the folder is read-only or full: one line in 5 min
                    _checkpoint_failures.log(logger, logging.WARNING, "store_checkpoint_failed", error=str(exc),
                                             folder=str(path.parent))
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.Error as exc:
            logger.warning("final sqlite checkpoint failed: %s", exc)
        finally:
            db.close()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(10.0)


def _catch_up(db: sqlite3.Connection, passes: int) -> int:
    """Passive checkpoints until one finds no frame left to copy (the next write then starts the log over), at most
    ``passes``; the frames the log held at the last."""
    copied = -1
    for _ in range(passes):
        _, frames, done = db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        if frames <= 0 or done == copied == frames:  # nothing new since the pass before: all copied
            return frames
        copied = done
    return frames


def _truncate_wal(path: Path) -> None:
    db = sqlite3.connect(str(path), timeout=10.0, isolation_level=None)
    try:
        busy, _, _ = db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if busy:
            logger.warning("sqlite checkpoint after the purge was blocked by a reader; the next purge retries")
    except sqlite3.Error as exc:
        logger.warning("sqlite checkpoint after the purge failed: %s", exc)
    finally:
        db.close()


class Transaction:
    """BEGIN IMMEDIATE ... COMMIT (ROLLBACK on error): the connection runs in autocommit mode otherwise."""

    def __init__(self, db: sqlite3.Connection, before_commit: Callable[[], None] | None = None) -> None:
        self._db = db
        self._before_commit = before_commit

    def __enter__(self) -> sqlite3.Connection:
        self._db.execute("BEGIN IMMEDIATE")
        return self._db

    def __exit__(self, exc_type: object, *_: object) -> None:
        if exc_type is None and self._before_commit is not None:
            try:
                self._before_commit()
            except BaseException:
                self._rollback()
                raise
        if exc_type:
            self._rollback()
            return
        try:
            self._db.execute("COMMIT")
        except sqlite3.Error:
            self._rollback()  # a COMMIT that failed may leave the transaction open: every later BEGIN would fail
            raise

    def _rollback(self) -> None:
        # After a disk I/O error or a full disk SQLite may have rolled back already: a second ROLLBACK would raise
        # "no transaction is active" and hide the error that says what is wrong.
        if self._db.in_transaction:
            self._db.execute("ROLLBACK")


def _clinic(row: sqlite3.Row) -> Clinic:
    return Clinic(
        name=row["name"],
        kommo_subdomain=row["kommo_subdomain"],
        kommo_base_url=row["kommo_base_url"],
        kommo_client_id=row["kommo_client_id"],
        kommo_client_secret=row["kommo_client_secret"],
        language=row["language"],
        address=row["address"],
        bot_question_step=row["bot_question_step"],
        display_name=row["display_name"],
    )
