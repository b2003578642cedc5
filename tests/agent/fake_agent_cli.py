"""`cita-agent` with one more clinic web app kind, "fake" (tests/agent/agent_testkit.FileBackedFakeDriver).

Tests run it as a subprocess: ``python tests/agent/fake_agent_cli.py --home H run --headless``.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from agent.portal import registry  # noqa: E402

registry.DRIVERS["fake"] = "agent_testkit:FileBackedFakeDriver"

from agent.cli import main  # noqa: E402

sys.exit(main())
