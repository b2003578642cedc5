"""Settings, as a dialog and as the first-run wizard: the same fields, the same save, the same login test.

Passwords go to the keyring and never come back to the screen: a stored one shows as a hint,
and an empty field keeps it. "Probar acceso" runs the real driver on the engine's loop thread.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from agent.logging_setup import register_secret
from agent.login_check import LOGIN_TIMEOUT_S
from agent.login_gate import mark_tested, mark_untested
from agent.paths import AgentPaths
from agent.portal.registry import describe_drivers
from agent.secrets import PORTAL_PASSWORD, KeyringUnavailable, SecretStore
from agent.settings import AgentSettings, SettingsError, check_portal_url
from agent.ui import theme
from agent.ui.engine_bridge import EngineBridge
from agent.ui.i18n import CATALOGUE, Translator
from agent.ui.settings_edit import SettingsForm, drivers_from_form, save_form, stored_secrets, with_scheme
from agent.ui.status import attempts_left_text

LANGUAGE_CHOICES = (("", None), ("es", "Español"), ("en", "English"))
OK_COLOR, FAIL_COLOR = "#0B6A2E", "#B3261E"
SLOW_TEST_AFTER_S = 5  # a login test still running this long says it is waiting, and how long it waits at most


class SettingsEditor(QObject):
    """The fields and what the buttons do; shown by `SettingsDialog` or `FirstRunWizard`."""

    saved = Signal(object)  # AgentSettings
    login_checked = Signal(object)  # the LoginCheck (or None after an error)
    readiness_changed = Signal()  # the login test passed, the web app fields changed, or "save untested" flipped

    def __init__(self, paths: AgentPaths, secrets: SecretStore, settings: AgentSettings, bridge: EngineBridge,
                 tr: Translator, apply_start_at_login: Callable[[bool], object] | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.paths = paths
        self.secrets = secrets
        self.settings = settings
        self.bridge = bridge
        self.tr = tr
        self.apply_start_at_login = apply_start_at_login
        self.stored = stored_secrets(secrets)
        self.focused_field = ""
        self.login_passed = False  # for the web app fields as they are now
        self.offers_untested = False  # the wizard offers "Seguir sin probar el acceso"
        self._labels: list[QLabel] = []
        self.portal_section = self._build_portal()
        self.relay_section = self._build_relay()
        self.general_section = self._build_general()
        # One label column across the three sections, so the fields line up in the dialog.
        width = max(label.sizeHint().width() for label in self._labels)
        for label in self._labels:
            label.setMinimumWidth(width)
            label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(f"color: {FAIL_COLOR};")
        self.error_label.setTextFormat(Qt.TextFormat.PlainText)
        self.error_label.setVisible(bool(self.stored.problem))
        self.error_label.setText(self.stored.problem)

    # -- fields -----------------------------------------------------------

    def _build_portal(self) -> QWidget:
        tr, s = self.tr, self.settings
        section = QWidget()
        form = _form(section)
        self.kind_box = QComboBox()
        self._drivers = {d.name: d for d in describe_drivers()}
        for driver in self._drivers.values():  # every installed driver, with the title it gives itself
            self.kind_box.addItem(driver.title if tr.language == "es" else driver.title_en, driver.name)
        self.kind_box.setCurrentIndex(max(0, self.kind_box.findData(s.portal_kind)))
        # The chosen driver's own settings (declared by it), one field each; rebuilt when another is chosen.
        self.driver_box = QWidget()
        self.driver_form = QFormLayout(self.driver_box)
        self.driver_form.setContentsMargins(0, 0, 0, 0)
        self.driver_fields: dict[str, QLineEdit] = {}
        self._show_driver_settings()
        self.kind_box.currentIndexChanged.connect(lambda _index: self._show_driver_settings())
        self.portal_url = QLineEdit(s.portal_url)
        self.portal_url.setPlaceholderText("https://agenda.ejemplo.com")
        self.portal_user = QLineEdit(s.portal_user)
        self.portal_password = _secret_field(tr, self.stored.portal_password)
        self.test_button = QPushButton(tr("settings.testing"))
        testing_width = self.test_button.sizeHint().width()
        self.test_button.setText(tr("settings.test_login"))
        # As wide as its longer label, so the row does not jump while a test runs.
        self.test_button.setMinimumWidth(max(testing_width, self.test_button.sizeHint().width()))
        self.test_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.test_button.clicked.connect(self.test_login)
        self.test_result = QLabel()
        self.test_result.setWordWrap(True)
        # A web app that takes the connection and never answers kept "Probando…" for 90 s with nothing else said.
        self.test_started = 0.0
        self.test_timer = QTimer(self)
        self.test_timer.setInterval(1000)
        self.test_timer.timeout.connect(self._show_waiting)
        self.test_result.setTextFormat(Qt.TextFormat.PlainText)
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button)
        test_row.addStretch(1)
        # On a line of its own: the web app's own warning ("Le quedan 2 intentos…") can be long.
        self.test_result.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)
        # The wizard goes on only after a login test passed, or when the receptionist says so explicitly.
        self.save_untested = QCheckBox(tr("settings.save_untested"))
        self.save_untested.setVisible(False)
        self.save_untested.toggled.connect(lambda _on: self.readiness_changed.emit())
        form.addRow(self._label("settings.portal_kind"), self.kind_box)
        form.addRow(self._label(""), self.driver_box)
        form.addRow(self._label("settings.portal_url"), self.portal_url)
        form.addRow(self._label("settings.portal_user"), self.portal_user)
        form.addRow(self._label("settings.password"), self.portal_password)
        form.addRow(self._label(""), test_row)
        form.addRow(self._label(""), self.test_result)
        form.addRow(self._label(""), self.save_untested)
        for field in (self.portal_url, self.portal_user, self.portal_password):
            field.textEdited.connect(lambda _text: self._portal_fields_changed())
        self.kind_box.currentIndexChanged.connect(lambda _index: self._portal_fields_changed())
        return section

    def _portal_fields_changed(self) -> None:
        if self.login_passed:
            self.login_passed = False
            self.readiness_changed.emit()

    @property
    def portal_ready(self) -> bool:
        """The wizard may go on: the login test passed for these fields, or "save untested" is ticked."""
        return self.login_passed or self.save_untested.isChecked()

    def _show_driver_settings(self) -> None:
        """One field per setting the chosen driver declares, filled with what is stored for it."""
        while self.driver_form.rowCount():
            self.driver_form.removeRow(0)
        self.driver_fields = {}
        kind = self.kind_box.currentData() or ""
        driver = self._drivers.get(kind)
        stored = self.settings.driver_settings(kind)
        for setting in driver.settings if driver else ():
            field = QLineEdit(str(stored.get(setting.name, "")))
            field.setObjectName(f"driver_setting_{setting.name}")
            if setting.default not in (None, ""):
                field.setPlaceholderText(str(setting.default))
            helptext = setting.help if self.tr.language == "es" else (setting.help_en or setting.help)
            field.setToolTip(helptext)
            label = QLabel(helptext or setting.name)
            label.setWordWrap(True)
            self.driver_form.addRow(label, field)
            self.driver_fields[setting.name] = field
        self.driver_box.setVisible(bool(self.driver_fields))

    def _build_relay(self) -> QWidget:
        tr = self.tr
        section = QWidget()
        form = _form(section)
        self.relay_url = QLineEdit(self.settings.relay_url)
        self.relay_url.setPlaceholderText("wss://relay.ejemplo.com/agent")
        self.relay_token = _secret_field(tr, self.stored.relay_token)
        form.addRow(self._label("settings.relay_url"), self.relay_url)
        form.addRow(self._label("settings.relay_token"), self.relay_token)
        return section

    def _build_general(self) -> QWidget:
        tr = self.tr
        section = QWidget()
        form = _form(section)
        self.language_box = QComboBox()
        for code, name in LANGUAGE_CHOICES:
            self.language_box.addItem(name or tr("settings.language_auto"), code)
        self.language_box.setCurrentIndex(max(0, self.language_box.findData(self.settings.language)))
        self.start_at_login = QCheckBox(tr("settings.start_at_login"))
        self.start_at_login.setChecked(self.settings.start_at_login)
        note = QLabel(tr("settings.secrets_note"))
        note.setObjectName("note")
        note.setWordWrap(True)
        form.addRow(self._label("settings.language"), self.language_box)
        form.addRow(self._label(""), self.start_at_login)
        form.addRow(self._label(""), note)
        return section

    def _label(self, key: str) -> QLabel:
        label = QLabel(self.tr(key) if key else "")
        self._labels.append(label)
        return label

    def form(self) -> SettingsForm:
        return SettingsForm(
            portal_kind=self.kind_box.currentData() or "",
            portal_url=self.portal_url.text(),
            portal_user=self.portal_user.text(),
            relay_url=self.relay_url.text(),
            language=self.language_box.currentData() or "",
            start_at_login=self.start_at_login.isChecked(),
            portal_password=self.portal_password.text(),
            relay_token=self.relay_token.text(),
            driver_settings={name: field.text() for name, field in self.driver_fields.items()},
        )

    # -- actions ----------------------------------------------------------

    def save(self) -> AgentSettings | None:
        """Store everything; on a problem, say it under the fields and return None."""
        form = self.form()
        register_secret(form.portal_password)  # whatever logs later (a driver's error, say) masks them
        register_secret(form.relay_token)
        try:
            settings = save_form(self.paths, self.secrets, self.settings, form, self.apply_start_at_login)
        except SettingsError as exc:
            self.show_error(self.tr("settings.invalid", error=self._in_words(exc, form)))
            return None
        except KeyringUnavailable as exc:
            self.show_error(f"{self.tr('settings.keyring_title')}. {exc}")
            return None
        except OSError as exc:
            self.show_error(self.tr("settings.invalid", error=str(exc)))
            return None
        if self.login_passed:
            mark_tested(self.paths)  # the agent may log in with this password now
        elif self.offers_untested and self.save_untested.isChecked():
            mark_untested(self.paths)  # "guardar sin probar": no login until a test passes
        self.settings = settings
        self.show_error("")
        self.saved.emit(settings)
        return settings

    def focus_field(self, name: str) -> None:
        """Put the cursor in the field that fixes the problem ("relay_url", "relay_token"), marked in red."""
        field = {"relay_url": self.relay_url, "relay_token": self.relay_token,
                 "portal_password": self.portal_password}.get(name)
        if field is None:
            return
        field.setStyleSheet(f"border: 2px solid {FAIL_COLOR};")
        field.textEdited.connect(lambda _text: field.setStyleSheet(""))
        field.setFocus(Qt.FocusReason.OtherFocusReason)
        field.selectAll()
        self.focused_field = name

    def _in_words(self, error: SettingsError, form: SettingsForm) -> str:
        """A settings problem in the receptionist's language (the checks themselves word it for a log)."""
        text = str(error)
        if "query string" in text:  # said in full (without the token) in the receptionist's language
            return error.text(self.tr.language)
        if "relay address" in text:
            return self.tr("settings.bad_relay_url", url=form.relay_url.strip())
        if "web app address" in text:
            return self.tr("settings.bad_portal_url", url=form.portal_url.strip())
        return error.text(self.tr.language)

    def show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.setVisible(bool(text))

    def test_login(self) -> None:
        form = self.form()
        try:
            password = form.portal_password or self.secrets.get(PORTAL_PASSWORD) or ""
        except KeyringUnavailable as exc:
            self._show_login_result(False, str(exc))
            return
        register_secret(password)
        if not (form.portal_url.strip() and form.portal_user.strip() and password):
            self._show_login_result(False, self.tr("login.incomplete"))
            return
        try:
            check_portal_url(with_scheme(form.portal_url))
        except SettingsError as exc:
            self._show_login_result(False, self._in_words(exc, form))
            return
        try:
            candidate = replace(self.settings, portal_kind=form.portal_kind, portal_url=with_scheme(form.portal_url),
                                portal_user=form.portal_user.strip(), drivers=drivers_from_form(self.settings, form))
        except SettingsError as exc:
            self._show_login_result(False, str(exc))
            return
        self.test_button.setEnabled(False)
        self.test_button.setText(self.tr("settings.testing"))
        self.test_result.setText("")
        self.test_started = time.monotonic()
        self.test_timer.start()
        self.bridge.test_login(candidate, password, self.paths.portal_work_dir, self._login_done)

    def _show_waiting(self) -> None:
        waited = int(time.monotonic() - self.test_started)
        if waited < SLOW_TEST_AFTER_S or not shiboken6.isValid(self.test_result):
            return
        self.test_result.setStyleSheet(f"color: {theme.MUTED};")
        self.test_result.setText(self.tr("settings.testing_slow", seconds=waited, limit=int(LOGIN_TIMEOUT_S)))
        self._fit_result_height()

    def _login_done(self, result: Any, error: BaseException | None) -> None:
        if shiboken6.isValid(self.test_timer):
            self.test_timer.stop()
        if not shiboken6.isValid(self.test_button):
            return  # the dialog was closed while the browser was still trying
        self.test_button.setEnabled(True)
        self.test_button.setText(self.tr("settings.test_login"))
        if error is not None:
            reason = str(error) if isinstance(error, SettingsError) else type(error).__name__
            self._show_login_result(False, self.tr("login.other", message=reason))
            self.login_checked.emit(None)
            return
        key = f"login.{result.code}"
        text = self.tr(key) if key in CATALOGUE else self.tr("login.other", message=result.message)
        attempts = attempts_left_text(result.message) if result.code == "login_failed" else ""
        if attempts:  # the web app's own warning before it locks the account
            text += " " + self.tr("note.attempts_left", text=attempts)
        self._show_login_result(bool(result.ok), text)
        self.login_passed = bool(result.ok)
        self.readiness_changed.emit()
        self.login_checked.emit(result)

    def _show_login_result(self, ok: bool, text: str) -> None:
        self.test_result.setStyleSheet(f"color: {OK_COLOR if ok else FAIL_COLOR}; font-weight: 600;")
        self.test_result.setText(("✓ " if ok else "✕ ") + text)
        self._fit_result_height()

    def _fit_result_height(self) -> None:
        # A wrapped label in a form does not ask for its height by itself: a long warning would be cut.
        width = max(self.test_result.width(), self.portal_url.width(), 300)
        self.test_result.setMinimumHeight(self.test_result.heightForWidth(width))


class SettingsDialog(QDialog):
    def __init__(self, editor: SettingsEditor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.editor = editor
        editor.setParent(self)
        tr = editor.tr
        self.setWindowTitle(tr("settings.title"))
        self.setStyleSheet(theme.STYLE_SHEET)
        self.setMinimumWidth(600)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 16)
        layout.setSpacing(8)
        for title, section in ((tr("settings.portal"), editor.portal_section),
                               (tr("settings.relay"), editor.relay_section),
                               (tr("settings.general"), editor.general_section)):
            box = QGroupBox(title)
            inner = QVBoxLayout(box)
            inner.setContentsMargins(0, 4, 0, 0)
            inner.addWidget(section)
            layout.addWidget(box)
        layout.addWidget(editor.error_label)
        buttons = QDialogButtonBox()
        self.save_button = buttons.addButton(tr("settings.save"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setObjectName("primary")
        self.save_button.setDefault(True)
        cancel = buttons.addButton(tr("settings.cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self._save)
        cancel.clicked.connect(self.reject)
        layout.addWidget(buttons)

    def _save(self) -> None:
        if self.editor.save() is not None:
            self.accept()


class FirstRunWizard(QWizard):
    """Three pages over the same fields; Finish saves exactly as the dialog does."""

    def __init__(self, editor: SettingsEditor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.editor = editor
        editor.setParent(self)
        tr = editor.tr
        self.setWindowTitle(tr("wizard.title"))
        self.setStyleSheet(theme.STYLE_SHEET)
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.setMinimumSize(640, 460)
        self.setButtonText(QWizard.WizardButton.NextButton, tr("wizard.next"))
        self.setButtonText(QWizard.WizardButton.BackButton, tr("wizard.back"))
        self.setButtonText(QWizard.WizardButton.FinishButton, tr("settings.save"))
        self.setButtonText(QWizard.WizardButton.CancelButton, tr("settings.cancel"))
        intro = QLabel(tr("wizard.intro"))
        intro.setWordWrap(True)
        pages = (
            (tr("settings.portal"), tr("wizard.portal_sub"), editor.portal_section, intro),
            (tr("settings.relay"), tr("wizard.relay_sub"), editor.relay_section, None),
            (tr("settings.general"), tr("wizard.general_sub"), editor.general_section, editor.error_label),
        )
        editor.save_untested.setVisible(True)
        editor.offers_untested = True
        for title, subtitle, section, extra in pages:
            page = _PortalPage(editor) if section is editor.portal_section else QWizardPage()
            page.setTitle(title)
            page.setSubTitle(subtitle)
            layout = QVBoxLayout(page)
            layout.setSpacing(12)
            if extra is intro:
                layout.addWidget(intro)
            layout.addWidget(section)
            if extra is not None and extra is not intro:
                layout.addWidget(extra)
            layout.addStretch(1)
            self.addPage(page)

    def accept(self) -> None:
        if self.editor.save() is not None:
            super().accept()


class _PortalPage(QWizardPage):
    """The web app page: "Siguiente" stays off until the login test passes (or "save untested" is ticked), so a
    password the web app just refused is never saved, nor tried again and again toward a lockout."""

    def __init__(self, editor: SettingsEditor) -> None:
        super().__init__()
        self.editor = editor
        editor.readiness_changed.connect(self.completeChanged)

    def isComplete(self) -> bool:
        return self.editor.portal_ready


def _form(section: QWidget) -> QFormLayout:
    form = QFormLayout(section)
    form.setContentsMargins(4, 4, 4, 4)
    form.setHorizontalSpacing(14)
    form.setVerticalSpacing(8)
    form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    return form


def _secret_field(tr: Translator, stored: bool) -> QLineEdit:
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    if stored:
        field.setPlaceholderText(tr("settings.password_saved"))
    return field
