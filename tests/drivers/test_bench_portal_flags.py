"""The benchmarks' `--portal NAME --portal-url URL` flags (bench/portal_target.py): any installed driver, the
password never on the command line, the stand-in by default."""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from portal_target import PASSWORD_ENV, USER_ENV, add_portal_flags, portal_target  # noqa: E402

from agent.portal.base import BrowserChoice  # noqa: E402


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_portal_flags(parser)
    return parser.parse_args(list(argv))


def test_the_stand_in_is_the_default():
    assert portal_target(parse(), environ={}) is None


def test_any_installed_driver_with_its_address_user_password_and_settings(monkeypatch, tmp_path):
    args = parse("--portal", "django-appointment", "--portal-url", "http://127.0.0.1:9/", "--set", "time_zone=UTC")
    target = portal_target(args, environ={USER_ENV: "recepcion", PASSWORD_ENV: "s3cret-pass"})
    assert (target.kind, target.url, target.user, target.settings) == (
        "django-appointment", "http://127.0.0.1:9", "recepcion", {"time_zone": "UTC"})
    assert "s3cret-pass" not in repr(target) and "s3cret-pass" not in target.describe()
    assert target.system_fields()["portal_kind"] == "django-appointment"

    monkeypatch.setattr(sys, "stdin", io.StringIO("from-stdin\n"))
    args = parse("--portal", "demo", "--portal-url", "http://127.0.0.1:9", "--portal-user", "u",
                 "--portal-password-stdin")
    target = portal_target(args, environ={})
    assert target.password == "from-stdin"
    driver = target.driver(BrowserChoice(executable_path="/nowhere"), tmp_path)  # made, not started
    assert type(driver).__name__ == "DemoPortalDriver"


@pytest.mark.parametrize(
    ("argv", "environ", "says"),
    [
        (("--portal", "django-appointment"), {}, "needs --portal-url"),
        (("--portal", "nobody", "--portal-url", "http://x"), {}, "no installed driver 'nobody'"),
        (("--portal-url", "http://x"), {PASSWORD_ENV: "p"}, "needs --portal-user"),
        (("--portal-url", "http://x", "--portal-user", "u"), {}, "no password"),
        (("--portal-url", "http://x", "--portal-user", "u", "--set", "novalue"), {PASSWORD_ENV: "p"}, "KEY=VALUE"),
    ],
)
def test_what_is_missing_is_said(argv, environ, says):
    with pytest.raises(SystemExit, match=says):
        portal_target(parse(*argv), environ=environ)
