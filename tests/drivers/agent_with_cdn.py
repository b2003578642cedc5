"""`cita-agent` whose django-appointment driver serves the app's CDN assets from npm packages (tests/drivers/cdn_assets).

The app's staff pages load scripts from public CDNs this machine cannot reach: tests run the agent through this
launcher, ``python tests/drivers/agent_with_cdn.py check --portal django-appointment ...``. Nothing else changes.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import cdn_assets  # noqa: E402

from agent.drivers.django_appointment import DjangoAppointmentDriver  # noqa: E402

cdn_assets.install(DjangoAppointmentDriver)

from agent.cli import main  # noqa: E402

sys.exit(main())
