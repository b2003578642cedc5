"""Fixtures for the tray app's tests: real widgets (offscreen), an agent home per test, a screenshot folder."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# pytest puts tests/ on sys.path, where tests/agent (no __init__.py) would pass for the `agent` package as a
# namespace package, ahead of the editable install: the repository root must come first (as tests/agent does).
ROOT = Path(__file__).resolve().parents[2]
if sys.path[0] != str(ROOT):
    sys.path.insert(0, str(ROOT))
for _name in [m for m in sys.modules if m == "agent" or m.startswith("agent.")]:
    if getattr(sys.modules[_name], "__file__", None) is None:
        del sys.modules[_name]

from agent.paths import AgentPaths, resolve_paths  # noqa: E402


@pytest.fixture(autouse=True, scope="session")
def ui_look(qapp):
    """The look the app gives itself at start (Fusion + font), so screenshots show what a user sees."""
    from agent.ui.theme import apply_app_look

    apply_app_look(qapp)
    qapp.setQuitOnLastWindowClosed(False)
    return qapp


@pytest.fixture
def agent_paths(tmp_path) -> AgentPaths:
    return resolve_paths(tmp_path / "agent-home").ensure()


@pytest.fixture(scope="session")
def shots(test_output) -> Path:
    """test-output/ui: the screenshots a reviewer looks at."""
    folder = test_output / "ui"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def engines() -> list:
    """The in-memory engines (tests/ui/ui_fake_engine.py) the apps under test made, in order."""
    return []


@pytest.fixture
def make_app(qtbot, agent_paths, engines):
    """``make_app(**options)``: the tray app over the in-memory engine, no tray, in Spanish (``app.quits`` records
    its quits); every app made is quit and shut down at the end."""
    from ui_fake_engine import FakeEngine
    from ui_helpers import recorder

    from agent.ui.app import TrayApp

    made: list[TrayApp] = []

    def build(**options) -> TrayApp:
        def factory(paths, settings, secrets):
            engine = FakeEngine(paths, settings, secrets)
            engines.append(engine)
            return engine

        quits, on_quit = recorder()
        options.setdefault("tray_available", False)
        options.setdefault("system_locale", "es_CL")
        app = TrayApp(agent_paths, engine_factory=factory, on_quit=on_quit, **options)
        app.quits = quits  # type: ignore[attr-defined]
        made.append(app)
        return app

    yield build
    for app in made:
        if not app.quitting:
            app.quit()
        qtbot.waitUntil(lambda app=app: app.quit_done, timeout=30_000)
        app.shutdown()
