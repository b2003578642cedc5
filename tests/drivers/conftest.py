"""Fixtures of the driver tests: the tests' folder on sys.path, and django-appointment stood up once per session."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import cdn_assets  # noqa: E402
import django_site  # noqa: E402

from agent.drivers.django_appointment import DjangoAppointmentDriver  # noqa: E402


@pytest.fixture(scope="session")
def django_app(tmp_path_factory):
    """django-appointment from PyPI on 127.0.0.1, seeded; its CDN assets served from npm packages in the tests'
    browser contexts (cdn_assets)."""
    cdn_assets.prefetch()
    cdn_assets.install(DjangoAppointmentDriver)
    site = django_site.build_site(tmp_path_factory.mktemp("django-appointment"))
    with django_site.running_site(site) as url:
        yield django_site.RunningSite(url, site.folder)
