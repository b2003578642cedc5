"""The agent bundle, built once per test session with the real spec (or taken from CITA_AGENT_BUNDLE)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
INSTALLER = ROOT / "installer"
SPEC = INSTALLER / "cita-agent.spec"

# installer/ is not a package of the distribution: its modules are loaded from the folder, as the spec does.
if str(INSTALLER) not in sys.path:
    sys.path.insert(0, str(INSTALLER))

import layout  # noqa: E402


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


@pytest.fixture(scope="session")
def agent_bundle(tmp_path_factory, test_output) -> Path:
    """dist/cita-agent/ as `make installer` makes it, built into a temporary folder.

    CITA_AGENT_BUNDLE=/path/to/dist/cita-agent reuses a bundle already built (e.g. by `make installer`).
    """
    prebuilt = os.environ.get("CITA_AGENT_BUNDLE")
    if prebuilt:
        bundle = Path(prebuilt).resolve()
        assert (bundle / layout.exe_name(layout.CLI_NAME)).exists(), f"CITA_AGENT_BUNDLE={prebuilt} is no bundle"
        return bundle
    out = tmp_path_factory.mktemp("pyinstaller")
    log_path = test_output / "installer-build.log"
    started = time.monotonic()
    with open(log_path, "wb") as log:
        result = subprocess.run(
            [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
             "--distpath", str(out / "dist"), "--workpath", str(out / "work"), str(SPEC)],
            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, timeout=900, check=False,
        )
    elapsed = time.monotonic() - started
    assert result.returncode == 0, f"PyInstaller failed ({result.returncode}); see {log_path}"
    bundle = out / "dist" / layout.BUNDLE_NAME
    figures = f"agent bundle: built in {elapsed:.0f} s, {folder_size(bundle) / 1e6:.0f} MB on disk ({bundle})"
    print(figures)
    (test_output / "installer-bundle.txt").write_text(figures + "\n", encoding="utf-8")
    return bundle
