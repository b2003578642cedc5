"""One tray app per agent home: a second `cita-agent` brings the first one's window forward and exits 0."""

from __future__ import annotations

import os
import subprocess
import sys

from agent.paths import resolve_paths
from agent.ui.single_instance import SingleInstance, server_name


def test_second_instance_asks_the_first_to_show_itself(qtbot, agent_paths):
    first = SingleInstance(server_name(agent_paths))
    assert first.acquire()
    second = SingleInstance(server_name(agent_paths))
    with qtbot.waitSignal(first.activation_requested, timeout=10_000):
        assert not second.acquire()
    first.release()
    # Once the first has gone, the next start is the first again.
    third = SingleInstance(server_name(agent_paths))
    assert third.acquire()
    third.release()


def test_another_home_is_another_instance(qtbot, tmp_path):
    a = SingleInstance(server_name(resolve_paths(tmp_path / "a")))
    b = SingleInstance(server_name(resolve_paths(tmp_path / "b")))
    assert a.acquire() and b.acquire()
    a.release()
    b.release()


def test_a_second_cita_agent_process_exits_0_and_the_first_window_comes_forward(qtbot, agent_paths):
    first = SingleInstance(server_name(agent_paths))
    assert first.acquire()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    with qtbot.waitSignal(first.activation_requested, timeout=60_000):
        process = subprocess.Popen(
            [sys.executable, "-m", "agent.cli", "--home", str(agent_paths.home)],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
    qtbot.waitUntil(lambda: process.poll() is not None, timeout=60_000)
    out, err = process.communicate()
    assert process.returncode == 0, err
    assert "already running" in out
    first.release()
