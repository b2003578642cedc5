"""`cita-agent status`: the settings (never a secret), whether the keyring holds each secret, the last known state."""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import asdict
from datetime import datetime

from agent import __version__
from agent.cli_texts import TEXTS, choose_language, missing_items, say
from agent.followups import FollowUpBook, follow_up_path
from agent.paths import resolve_paths
from agent.runtime_state import load_state
from agent.secrets import PORTAL_PASSWORD, RELAY_TOKEN, KeyringUnavailable, SecretStore
from agent.settings import AgentSettings, SettingsError, load_settings


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("status", help="show the settings, the stored secrets and the last known state")
    parser.add_argument("--json", action="store_true", help="print one JSON object (for scripts)")
    parser.set_defaults(func=status)


def status(args: argparse.Namespace) -> int:
    paths = resolve_paths(args.home)
    settings_error = ""
    try:
        settings = load_settings(paths)
    except SettingsError as exc:
        settings, settings_error = AgentSettings(), exc.text(choose_language())
    language = choose_language(settings.language)
    store = SecretStore(paths.keyring_service)
    keyring_error = ""
    stored: dict[str, bool | None] = {PORTAL_PASSWORD: None, RELAY_TOKEN: None}
    try:
        backend = store.backend_name()
        for name in stored:
            stored[name] = store.has(name)
    except KeyringUnavailable as exc:
        keyring_error = exc.text(language)
        backend = ""
    state = load_state(paths.state_file)
    running = bool(state.pid) and _alive(state.pid)
    followups_file = follow_up_path(paths.journal_file)
    to_contact = len(FollowUpBook(followups_file).open_items()) if followups_file.exists() else 0

    if args.json:
        print(json.dumps({
            "version": __version__,
            "config_file": str(paths.config_file),
            "settings_error": settings_error,
            "settings": asdict(settings),
            "missing": settings.missing(),
            "keyring": {"backend": backend, "error": keyring_error,
                        "portal_password": stored[PORTAL_PASSWORD], "relay_token": stored[RELAY_TOKEN]},
            "state": asdict(state),
            "running": running,
            "follow_ups": to_contact,
            "data_dir": str(paths.data_dir),
            "log_dir": str(paths.log_dir),
            "selfcheck": _last_selfcheck(paths, language),
        }, ensure_ascii=False, indent=1))
        return 2 if settings_error else 0

    def line(key: str, **values: object) -> None:
        print(say(key, language, **values))

    line("status.title", version=__version__)
    line("status.config", path=paths.config_file)
    if settings_error:
        print(say("error.settings", language, detail=settings_error), file=sys.stderr)
    none = say("word.none", language)
    line("status.relay", value=settings.relay_url or none)
    line("status.portal", kind=settings.portal_kind, url=settings.portal_url or none, user=settings.portal_user or none)
    browser = settings.browser_path or settings.browser_channel or say("word.default_browser", language)
    line("status.browser", value=browser)
    line("status.language", value=settings.language or language, minutes=settings.refresh_minutes)
    if settings.missing():
        line("status.missing", items=missing_items(settings.missing(), language))
    if keyring_error:
        line("status.keyring_error", detail=keyring_error)
    else:
        line("status.keyring", backend=backend)
        for name, present in stored.items():
            line("status.secret", name=say(f"secret.{name}", language),
                 value=say("word.stored" if present else "word.missing", language))
    if not state.updated_at:
        line("status.never")
        if state.paused:  # `cita-agent pause` before its first start: it will start paused
            line("status.paused", value=say("word.yes", language))
    else:
        line("status.state", at=_when(state.updated_at))
        process = say("word.running", language, pid=state.pid) if running else say("word.not_running", language)
        line("status.process", value=process)
        link = state.link if running else "disconnected"
        line("status.link", state=_word(f"link.{link}", link, language), relay=state.relay)
        if running and link != "connected" and state.link_problem:  # why, and what to do: not only in the log
            line("status.link_problem", why=_word(f"link_problem.{state.link_problem}", state.link_problem, language))
        # The web app's own detail is English (for the log and support): shown only to an English reader.
        detail = f" ({state.portal_detail})" if state.portal_detail and language == "en" else ""
        line("status.portal_state", state=_word(f"portal.{state.portal}", state.portal, language), detail=detail)
        line("status.paused", value=say("word.yes" if state.paused else "word.no", language))
        line("status.last_refresh", value=_when(state.last_refresh) if state.last_refresh else none)
    if followups_file.exists():
        line("status.follow_ups", count=to_contact)
    checked = _last_selfcheck(paths, language)
    if checked is not None:
        line("status.selfcheck", at=checked["at"], sentence=checked["sentence"])  # a past check, said as such
    line("status.files", data=paths.data_dir, logs=paths.log_dir)
    line("status.retention", days=settings.retention_days)
    return 2 if settings_error else 0


def _when(stamp: str) -> str:
    """A stored ISO time as this PC's clock reads it, to the second ("2026-12-05 16:35:07"), not
    "2026-12-05T19:35:07.522354+00:00"; a value that is no time is shown as it is."""
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    if moment.tzinfo is not None:
        moment = moment.astimezone()
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def _word(key: str, raw: str, language: str) -> str:
    return say(key, language) if key in TEXTS else raw


def _alive(pid: int) -> bool:
    if sys.platform == "win32":
        return _alive_on_windows(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _alive_on_windows(pid: int) -> bool:
    import ctypes

    still_active = 259
    try:
        kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
        handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return False
        try:
            code = ctypes.c_ulong()
            kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
            return code.value == still_active
        finally:
            kernel32.CloseHandle(handle)
    except (AttributeError, OSError):
        return True  # cannot tell: show the last known state as it is


def _last_selfcheck(paths, language: str) -> dict | None:
    """The last `cita-agent selfcheck` result, if one ran: whether the web app still looks as the driver knows it."""
    from agent.commands.selfcheck import result_file
    from agent.portal.drift import load_result

    result = load_result(result_file(paths))
    return None if result is None else {**asdict(result), "sentence": result.sentence(language)}
