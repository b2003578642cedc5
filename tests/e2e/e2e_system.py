"""A whole system for one end-to-end test (a module with a unique name: every test folder has a conftest)."""

from __future__ import annotations

from pathlib import Path

from demo.system import DemoSystem, SystemConfig


def new_system(root: Path, browser_path: str, **overrides: object) -> DemoSystem:
    config = SystemConfig(root=root, browser_path=browser_path, **overrides)  # type: ignore[arg-type]
    return DemoSystem(config)
