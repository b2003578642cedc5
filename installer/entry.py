"""The bundle's entry point: the same `cita-agent` as the pip-installed console script (agent.cli:main).

Both programs of the bundle start here: `cita-agent` (console) and `cita-agent-tray` (windowed).
"""

from __future__ import annotations

import os
import sys


def _give_windowed_program_streams() -> None:
    # A windowed program on Windows starts with no stdout/stderr (None): a stray print or an argparse
    # message would crash the tray app. The agent's own log file is where its messages go.
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115 - lives as long as the process


if __name__ == "__main__":
    _give_windowed_program_streams()
    from agent.cli import main

    sys.exit(main())
