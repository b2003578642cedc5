"""How fast the agent reads and books in the clinic web app, against the stand-in portal on loopback.

    .venv/bin/python bench/portal_bench.py [--runs 5] [--quick] [--browser-path /usr/bin/chromium]
    .venv/bin/python bench/portal_bench.py --portal NAME --portal-url URL --portal-user USER \
        --portal-password-stdin [--book] [--set KEY=VALUE]        # any installed driver's web app

Prints medians of --runs runs (at least 5; --quick: one, a smoke test): the cold read (launch + login + 14 days x
every professional), the warm re-read with the reused browser context, one booking, and the same read done the
naive way (a new browser and a new login for every request, one request per professional), with the ratio.
Against another web app it books only with --book (it writes real appointments there), and the appointments it
made are checked through the stand-in's admin API only (n/a elsewhere).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from portal_target import NA, PortalTarget, add_portal_flags, portal_target  # noqa: E402

from agent.portal.base import Patient, PortalDriver  # noqa: E402
from agent.portal.browser import choose_browser  # noqa: E402
from demo.portal import PortalAdmin, PortalSettings, create_portal_app  # noqa: E402
from demo.serving import ServerThread  # noqa: E402

TARGETS = {"cold": 3.0, "warm": 1.5, "booking": 2.0, "ratio": 5.0}


async def timed(action: Callable[[], Awaitable[object]]) -> float:
    start = time.perf_counter()
    await action()
    return time.perf_counter() - start


async def bench(
    target: PortalTarget, browser_path: str | None, runs: int, work: Path, *, book: bool = True
) -> dict[str, float]:
    choice = choose_browser(browser_path)

    def new_driver() -> PortalDriver:
        return target.driver(choice, work)

    async def cold_read() -> None:
        driver = new_driver()
        try:
            await driver.free_slots(14)
        finally:
            await driver.close()

    first = new_driver()
    try:  # the professionals the web app shows (the naive way asks for each one on its own)
        professionals = sorted({slot.professional for slot in await first.free_slots(14)})
    finally:
        await first.close()

    async def naive_read() -> None:
        for professional in professionals:
            driver = new_driver()  # a one-off script: its own browser and login for each request
            try:
                await driver.free_slots(14, professional)
            finally:
                await driver.close()

    await cold_read()  # warm the OS caches once, as on a PC where the browser has run before
    cold = [await timed(cold_read) for _ in range(runs)]
    naive = [await timed(naive_read) for _ in range(runs)]

    driver = new_driver()
    try:
        slots = await driver.free_slots(14)
        warm = [await timed(lambda: driver.free_slots(14)) for _ in range(runs)]
        booking = []
        for n in range(runs if book else 0):
            slot = slots[-1 - 2 * n]
            patient = Patient(f"Paciente Benchmark {n}", "+56 9 5555 0000")
            booking.append(await timed(lambda s=slot, p=patient, n=n: driver.book(s.id, p, f"bench-{n}")))
    finally:
        await driver.close()
    return {
        "cold": statistics.median(cold),
        "warm": statistics.median(warm),
        "naive": statistics.median(naive),
        "booking": statistics.median(booking) if booking else float("nan"),
        "professionals": float(len(professionals)),
    }


def report(figures: dict[str, float], runs: int, browser: str, where: str, booked_check: str = "") -> bool:
    ratio = figures["naive"] / figures["warm"]
    count = int(figures["professionals"])
    booked = figures["booking"] == figures["booking"]  # not NaN: bookings were made

    def verdict(ok: bool) -> str:
        return "ok" if ok else "MISSED"

    rows = [
        (f"cold read: launch + login + 14 days x {count} professionals", f"{figures['cold']:.2f} s",
         f"<= {TARGETS['cold']:g} s", figures["cold"] <= TARGETS["cold"]),
        ("warm re-read, same browser context", f"{figures['warm']:.3f} s",
         f"<= {TARGETS['warm']:g} s", figures["warm"] <= TARGETS["warm"]),
        (f"naive read: new browser + login per request (x{count})", f"{figures['naive']:.2f} s", "", None),
        ("naive / warm", f"{ratio:.0f}x", f">= {TARGETS['ratio']:g}x", ratio >= TARGETS["ratio"]),
        ("booking: open week, modal, re-check, save, confirm",
         f"{figures['booking']:.2f} s" if booked else NA, f"<= {TARGETS['booking']:g} s",
         figures["booking"] <= TARGETS["booking"] if booked else None),
    ]
    print(f"portal benchmark — medians of {runs} runs, browser {browser}, {where}")
    for label, value, target, ok in rows:
        print(f"  {label:<58} {value:>9}  {target:<9} {'' if ok is None else verdict(ok)}")
    if booked_check:
        print(f"  {booked_check}")
    return all(ok for *_, ok in rows if ok is not None)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per figure (at least 5)")
    parser.add_argument("--quick", action="store_true", help="one run of each: a smoke test, not a figure")
    parser.add_argument("--browser-path", help="Chromium executable (default: $CHROMIUM_PATH or chromium)")
    parser.add_argument("--book", action="store_true",
                        help="with --portal-url: also book (writes --runs appointments into that web app)")
    add_portal_flags(parser)
    args = parser.parse_args(argv)
    runs = 1 if args.quick else max(5, args.runs)
    logging.basicConfig(level=logging.ERROR)
    other = portal_target(args)
    browser = choose_browser(args.browser_path)
    browser_name = browser.executable_path or f"channel {browser.channel}"
    if other is not None:
        with tempfile.TemporaryDirectory() as work:
            figures = asyncio.run(bench(other, args.browser_path, runs, Path(work), book=args.book))
        check = ("appointments booked: checked only in the stand-in (n/a here)" if args.book else
                 "booking: n/a (give --book to write appointments into that web app)")
        report(figures, runs, browser_name, f"{other.describe()}", check)
        return 0
    settings = PortalSettings(seed=42, admin_token=secrets.token_urlsafe(16))
    with ServerThread(create_portal_app(settings)) as server, tempfile.TemporaryDirectory() as work:
        stand_in = PortalTarget("demo", server.url, settings.staff_user, settings.staff_password)
        figures = asyncio.run(bench(stand_in, args.browser_path, runs, Path(work)))
        with PortalAdmin(server.url, settings.admin_token or "") as admin:
            booked = [a for a in admin.appointments() if a["note"].endswith(tuple(f"bench-{n}" for n in range(runs)))]
        if len(booked) != runs:
            print(f"expected {runs} benchmark appointments in the portal, found {len(booked)}", file=sys.stderr)
            return 1
    report(figures, runs, browser_name, "stand-in portal on 127.0.0.1",
           f"appointments booked, as the stand-in's agenda shows: {len(booked)} of {runs}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
