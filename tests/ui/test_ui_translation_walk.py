"""Every string the receptionist can see is in her language: this walks the windows, dialogs, menus, notifications
and tooltips in Spanish and in English, and fails on a string of the other language (a catalogue text of the other
language, or a common word of it where the catalogue was bypassed)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QAbstractButton, QAbstractItemView, QLabel, QLineEdit, QWidget
from ui_fake_engine import FakeEngine
from ui_helpers import configure, recorder, seed_journal

from agent.followups import FollowUpBook, follow_up_path
from agent.portal.drift import SelfCheckResult
from agent.ui.app import TrayApp
from agent.ui.i18n import CATALOGUE, LANGUAGES, Translator
from agent.ui.status import LINK_PROBLEM_FIELDS, Notice
from wire.handoff import HandoffEvent

# Words that give a language away when they show up in the other one (whole words, case-insensitive).
TELLTALE = {
    "es": {"the", "and", "must", "with", "your", "please", "settings", "password", "failed", "cancel", "save",
           "next", "back", "finish", "quit", "open", "relay", "booked", "patient", "connected", "paused"},
    "en": {"el", "la", "los", "las", "contraseña", "configuración", "guardar", "cancelar", "siguiente", "salir",
           "paciente", "reserva", "servidor", "conectado", "pausa", "agenda", "clave", "horarios"},
}
SHARED = {"Cita Bridge", "Demo (agenda de prueba)", "Español", "English", "OK"}


def other_language_texts(language: str) -> set[str]:
    index = LANGUAGES.index(language)
    return {pair[1 - index] for pair in CATALOGUE.values() if pair[0] != pair[1]}


def visible_texts(root: QWidget) -> list[str]:
    found: list[str] = [root.windowTitle()]
    for widget in [root, *root.findChildren(QWidget)]:
        if isinstance(widget, QLabel | QAbstractButton):
            found.append(widget.text())
        if isinstance(widget, QLineEdit):
            found.append(widget.placeholderText())
        found.append(widget.toolTip())
        if isinstance(widget, QAbstractItemView) and widget.model() is not None:
            model = widget.model()
            for column in range(model.columnCount()):
                found.append(str(model.headerData(column, Qt.Orientation.Horizontal) or ""))
            for row in range(model.rowCount()):
                found.append(str(model.index(row, model.columnCount() - 2).data() or ""))  # status / chosen
    for action in root.findChildren(QAction):
        found.append(action.text())
    return [re.sub(r"<[^>]+>|&nbsp;", " ", t).strip() for t in found if t and t.strip()]


def wrong_language(texts: list[str], language: str) -> list[str]:
    others = other_language_texts(language)
    bad = []
    for text in texts:
        if text in SHARED or re.fullmatch(r"\w+://\S+", text):  # names and addresses are no language
            continue
        prose = re.sub(r"\S+://\S*", " ", text)  # the addresses typed in it are no language
        words = {w.casefold() for w in re.findall(r"[A-Za-zÁÉÍÓÚáéíóúÑñ]+", prose)}
        if text in others or words & TELLTALE[language]:
            bad.append(text)
    return bad


def test_the_catalogue_has_both_languages_for_every_key():
    for key, pair in CATALOGUE.items():
        assert len(pair) == 2 and all(isinstance(t, str) and t for t in pair), key
        placeholders = [set(re.findall(r"{(\w+)}", t)) for t in pair]
        assert placeholders[0] == placeholders[1], key


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_window_menu_and_notification_speaks_one_language(qtbot, agent_paths, plaintext_keyring, language):
    configure(agent_paths, language=language)
    seed_journal(agent_paths.journal_file)
    book = FollowUpBook(follow_up_path(agent_paths.journal_file))
    now = datetime.now(UTC)
    for n, reason in enumerate(("paused", "agent_offline", "asked_for_person", "timeout", "portal_down")):
        book.receive(HandoffEvent(f"fu-{n}", (now - timedelta(minutes=n)).isoformat(), str(100 + n), "Ana Pérez",
                                  "+56 9 1234 5678", reason,
                                  chosen_start=(now + timedelta(days=1)).isoformat() if n % 2 else ""))
    engines: list[FakeEngine] = []

    def factory(paths, settings, secrets):
        engines.append(FakeEngine(paths, settings, secrets))
        return engines[-1]

    _, on_quit = recorder()
    app = TrayApp(agent_paths, engine_factory=factory, tray_available=True, on_quit=on_quit,
                  system_locale="es_CL" if language == "es" else "en_US")
    app.start()
    try:
        qtbot.waitUntil(lambda: app.status.snapshot is not None and app.status.snapshot.link == "connected",
                        timeout=10_000)
        tr = Translator(language)
        texts = visible_texts(app.window)
        texts += [a.text() for a in app.tray.menu.actions()] + [a.text() for a in app.tray.pause_menu.actions()]
        texts += app.status.tooltip(tr, now, 3).splitlines()

        app.open_settings()
        dialog = app._settings_window
        texts += visible_texts(dialog)
        editor = dialog.editor
        for field, typed in ((editor.relay_url, "ftp://relay.example.com"), (editor.portal_url, "ftp://agenda")):
            field.setText(typed)
            assert editor.save() is None  # refused, and said in the receptionist's language
            texts.append(editor.error_label.text())
            field.setText("")
        qtbot.mouseClick(editor.test_button, Qt.MouseButton.LeftButton)  # incomplete: said, not tried
        texts.append(editor.test_result.text())
        dialog.close()
        app.confirm_quit()
        texts += visible_texts(app.quit_box)
        app.quit_box.close()
        panel = app.window.follow_ups
        panel.table.selectRow(0)
        texts += visible_texts(panel.show_detail())
        texts += [a.text() for a in panel.row_menu(panel.rows[0]).actions()]

        kinds = ["booked", "handoff", "login_failed", "locked", "portal_down", "relay_down", "relay_back",
                 "pause_ended", "still_running", "untested", *(f"link_{k}" for k in LINK_PROBLEM_FIELDS)]
        params = (("patient", "Ana Pérez"), ("phone", "+56 9 1234 5678"), ("reason", "paused"),
                  ("when", (now + timedelta(days=1)).isoformat()), ("professional", "Dra. Soto"))
        for kind in kinds:
            texts += list(Notice(kind, problem=False, params=params, at=now).text(tr))
        texts += [tr.reason(code) for code in ("paused", "agent_offline", "timeout", "asked_for_person",
                                                "login_failed", "account_locked", "portal_down", "no_slots",
                                                "portal_changed")]
        # Cancellations and moves (agent/ui/booking_rows.py), and the web app changed (agent/portal/drift.py).
        changes = (*params, ("old", now.isoformat()))
        for kind in ("cancelled", "moved"):
            texts += list(Notice(kind, problem=False, params=changes, at=now).text(tr))
        # (A web app's own label is quoted as the web app shows it: one with no Spanish telltale word here.)
        check = SelfCheckResult(ok=False, screen="la ficha de cita", element='el campo "Teléfono"',
                                screen_en="the appointment form", element_en='the field "Teléfono"')
        drift = (("sentence_es", check.sentence("es")), ("sentence_en", check.sentence("en")))
        texts += list(Notice("portal_changed", problem=True, params=drift).text(tr))
        texts += [tr(f"booking.{key}", old="mañana 10:00" if language == "es" else "tomorrow 10:00",
                     new="vie 4 dic 11:00" if language == "es" else "Fri Dec 4 11:00")
                  for key in ("cancelled", "cancelled_detail", "moved", "moved_detail", "moved_both",
                              "moved_both_detail", "later_cancelled", "later_moved", "later_cancelled_moved",
                              "later_moved_moved", "later_detail")]
        texts += [tr("followups.open_agenda"), tr("note.portal_changed.hint")]

        assert len(texts) > 120  # the walk reached the windows, not just a title
        assert wrong_language(texts, language) == []
    finally:
        app.quit()
        qtbot.waitUntil(lambda: app.quit_done, timeout=10_000)
        app.shutdown()


@pytest.mark.parametrize("language", LANGUAGES)
def test_cita_agent_status_speaks_one_language(agent_paths, plaintext_keyring, capsys, language, monkeypatch):
    import os

    from agent.cli import main
    from agent.runtime_state import RuntimeState, save_state

    configure(agent_paths, language=language)
    save_state(agent_paths.state_file, RuntimeState(
        paused=True, link="connected", relay="wss://relay.example.com/agent", portal="login_failed",
        portal_detail="the clinic web app refused the user or password", last_refresh=datetime.now(UTC).isoformat(),
        updated_at=datetime.now(UTC).isoformat(), pid=os.getpid(),
    ))
    FollowUpBook(follow_up_path(agent_paths.journal_file)).receive(
        HandoffEvent("fu-s", datetime.now(UTC).isoformat(), "9", "Ana Pérez", "+56 9 1234 5678", "paused")
    )
    monkeypatch.setenv("CITA_AGENT_HOME", str(agent_paths.home))
    assert main(["--home", str(agent_paths.home), "status"]) == 0
    lines = [re.sub(r"\S*[/\\]\S*", " ", line) for line in capsys.readouterr().out.splitlines()]  # paths aside
    assert any(("para contactar: 1" if language == "es" else "to contact: 1") in line for line in lines)
    assert wrong_language(lines, language) == []
