"""The Qt binding must not drop references (PySide6 6.12.0 on Python 3.11 does, and the app would abort)."""

from __future__ import annotations

from agent.ui.qt_binding import binding_problem


def test_the_installed_qt_binding_keeps_its_references(qapp):
    assert binding_problem() == ""
