"""How fast the agent reads and books in the clinic web app, against the stand-in portal on loopback.

    .venv/bin/python bench/portal_bench.py [--runs 5] [--browser-path /usr/bin/chromium]

Prints medians of --runs runs (at least 5): the cold read (launch + login + 14 days x 3 professionals),
the warm re-read with the reused browser context, one booking, and the same read done the naive way
(a new browser and a new login for every request, one request per professional), with the ratio.
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

from agent.drivers.demo import DemoPortalDriver
from agent.portal.base import Credentials, Patient
from agent.portal.browser import choose_browser
from demo.portal import PortalAdmin, PortalSettings, create_portal_app
from demo.serving import ServerThread

TARGETS = {"cold": 3.0, "warm": 1.5, "booking": 2.0, "ratio": 5.0}


async def timed(action: Callable[[], Awaitable[object]]) -> float:
    start = time.perf_counter()
    await action()
    return time.perf_counter() - start


async def bench(
    url: str, settings: PortalSettings, browser_path: str | None, runs: int, work: Path
) -> dict[str, float]:
    choice = choose_browser(browser_path)
    credentials = Credentials(settings.staff_user, settings.staff_password)

    def new_driver() -> DemoPortalDriver:
        return DemoPortalDriver(url, credentials, choice, work)

    async def cold_read() -> None:
        driver = new_driver()
        try:
            await driver.free_slots(14)
        finally:
            await driver.close()

    async def naive_read() -> None:
        for professional in ("Dra. Camila Soto", "Dr. Andrés Rojas", "Klga. Paula Méndez"):
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
        for n in range(runs):
            slot = slots[-1 - 2 * n]
            patient = Patient(f"Paciente Benchmark {n}", "+56 9 5555 0000")
            booking.append(await timed(lambda s=slot, p=patient, n=n: driver.book(s.id, p, f"bench-{n}")))
    finally:
        await driver.close()
    return {
        "cold": statistics.median(cold),
        "warm": statistics.median(warm),
        "naive": statistics.median(naive),
        "booking": statistics.median(booking),
    }


def report(figures: dict[str, float], runs: int, browser: str) -> bool:
    ratio = figures["naive"] / figures["warm"]

    def verdict(ok: bool) -> str:
        return "ok" if ok else "MISSED"

    rows = [
        ("cold read: launch + login + 14 days x 3 professionals", f"{figures['cold']:.2f} s",
         f"<= {TARGETS['cold']:g} s", figures["cold"] <= TARGETS["cold"]),
        ("warm re-read, same browser context", f"{figures['warm']:.3f} s",
         f"<= {TARGETS['warm']:g} s", figures["warm"] <= TARGETS["warm"]),
        ("naive read: new browser + login per request (x3)", f"{figures['naive']:.2f} s", "", None),
        ("naive / warm", f"{ratio:.0f}x", f">= {TARGETS['ratio']:g}x", ratio >= TARGETS["ratio"]),
        ("booking: open week, modal, re-check, save, confirm", f"{figures['booking']:.2f} s",
         f"<= {TARGETS['booking']:g} s", figures["booking"] <= TARGETS["booking"]),
    ]
    print(f"portal benchmark — medians of {runs} runs, browser {browser}, stand-in portal on 127.0.0.1")
    for label, value, target, ok in rows:
        print(f"  {label:<54} {value:>9}  {target:<9} {'' if ok is None else verdict(ok)}")
    return all(ok for *_, ok in rows if ok is not None)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per figure (at least 5)")
    parser.add_argument("--browser-path", help="Chromium executable (default: $CHROMIUM_PATH or chromium)")
    args = parser.parse_args(argv)
    runs = max(5, args.runs)
    logging.basicConfig(level=logging.ERROR)
    settings = PortalSettings(seed=42, admin_token=secrets.token_urlsafe(16))
    with ServerThread(create_portal_app(settings)) as server, tempfile.TemporaryDirectory() as work:
        figures = asyncio.run(bench(server.url, settings, args.browser_path, runs, Path(work)))
        with PortalAdmin(server.url, settings.admin_token or "") as admin:
            booked = [a for a in admin.appointments() if a["note"].endswith(tuple(f"bench-{n}" for n in range(runs)))]
        if len(booked) != runs:
            print(f"expected {runs} benchmark appointments in the portal, found {len(booked)}", file=sys.stderr)
            return 1
    browser = choose_browser(args.browser_path)
    report(figures, runs, browser.executable_path or f"channel {browser.channel}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
