"""Fixtures of the portal tests."""

from __future__ import annotations

import logging

import pytest

from portal.support import STAFF_PASSWORD


@pytest.fixture
def no_secret_leaks(caplog, capfd, tmp_path_factory):
    """Every test using it: the staff password in no log record, no console output."""
    caplog.set_level(logging.DEBUG)
    yield
    out, err = capfd.readouterr()
    assert STAFF_PASSWORD not in caplog.text
    assert STAFF_PASSWORD not in out and STAFF_PASSWORD not in err
