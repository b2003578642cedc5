"""The clinic web app's load: how many HTTP requests the real agent makes to it as patient traffic grows.

    .venv/bin/python bench/portal_load.py [--speedup 30] [--bookings 10] [--levels 0,100,1000] [--quick]
    .venv/bin/python bench/portal_load.py --portal NAME --portal-url URL --portal-user USER --portal-password-stdin
        [--bookings N]                      # any installed driver's web app, already running there

For each traffic level (slot questions per hour) a whole system runs on loopback — the stand-in clinic web app
(counting every HTTP request it serves, pages and assets alike), the stand-in Kommo, the relay and the real agent
(`cita-agent run --headless`, driving Debian's Chromium) — for one simulated hour. Time is compressed by
``--speedup``: the agent's own refresh timer runs ``speedup`` times faster (its 5-minute refresh every 10 s at
30x), questions and bookings arrive ``speedup`` times faster, and Kommo's per-account limit is scaled alike.
The levels run side by side (one system each), so the machine's load is the same for all of them.

Each level also books ``--bookings`` appointments (a new patient: "Hola", a day, a time). The promise: the web
app sees the same requests at every level, apart from what a booking needs (a re-check of the slot and a read of
the confirmation); the questions themselves are answered from the agent's cache. Beside it: the naive way, a
browser, a login and a read for each question, measured here once and multiplied.

Against another web app (`--portal NAME --portal-url URL`) the same systems run, each agent driving that web app,
but only the stand-in counts the requests it serves: those columns read n/a, and what the patients were answered
is still shown. Bookings there are real appointments: none unless --bookings is given.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from portal_target import NA, PortalTarget, add_portal_flags, portal_target  # noqa: E402

from demo.portal import PortalSettings, create_portal_app  # noqa: E402
from demo.serving import ServerThread  # noqa: E402
from demo.system import DemoSystem, SystemConfig  # noqa: E402

REFRESH_MINUTES = 5.0  # the agent's default background read


class CountingApp:
    """ASGI wrapper: every HTTP request the web app serves, by path, from ``reset()`` on."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.paths: Counter[str] = Counter()

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            self.paths[f"{scope['method']} {_shape(scope['path'])}"] += 1
        await self.app(scope, receive, send)

    def reset(self) -> None:
        self.paths.clear()

    @property
    def total(self) -> int:
        return sum(self.paths.values())


def _shape(path: str) -> str:
    """/agenda/2026-12-03 -> /agenda/<date>: the kinds of request, not every URL."""
    parts = ["<n>" if any(c.isdigit() for c in part) else part for part in path.split("/")]
    return "/".join(parts)


class CountedSystem(DemoSystem):
    """The demo system, with its web app behind a request counter (None: another web app, not counted)."""

    counter: CountingApp | None = None

    def start_portal(self) -> None:
        if not self.uses_stand_in:
            return  # another web app, already running: nothing here sees its requests
        settings = PortalSettings(
            seed=self.config.seed,
            staff_user=self.config.portal_user,
            staff_password=self.config.portal_password,
            admin_token=self.admin_token,
            timezone=self.config.timezone,
            latency_ms=self.config.portal_latency_ms,
        )
        self._portal_app = create_portal_app(settings)
        self.counter = CountingApp(self._portal_app)
        self._portal = ServerThread(self.counter).start()


def buttons(reply: Any) -> list[str]:
    out: list[str] = []
    for handler in reply.body.get("execute_handlers", []):
        params = handler.get("params", {})
        if handler.get("handler") == "show" and params.get("type") == "buttons":
            out.extend(params["buttons"])
    return out


async def one_question(system: DemoSystem, http: httpx.AsyncClient, lead: str) -> str:
    reply = await system.kommo.say(system.widget_url, system.config.subdomain, lead, "Hola", timeout=60, client=http)
    return str(reply.body["data"]["status"])


async def one_booking(system: DemoSystem, http: httpx.AsyncClient, lead: str, index: int) -> str:
    # Each booking a patient of their own: one phone with an appointment already is asked about it first.
    patient = {"name": f"Paciente {index + 1}", "phone": f"+56 9 7000 {index:04d}"}

    async def say(url: str, subdomain: str, lead_id: str, message: str, **options: Any) -> Any:
        return await system.kommo.say(url, subdomain, lead_id, message, **patient, **options)

    days = await say(system.widget_url, system.config.subdomain, lead, "Hola", timeout=60, client=http)
    if days.body["data"].get("code") == "specialty":  # a clinic with several specialties asks which first
        specialties = buttons(days) or ["1"]
        days = await say(system.widget_url, system.config.subdomain, lead, specialties[index % len(specialties)],
                         timeout=60, client=http)
    day_buttons = buttons(days)[:1] or ["1"]  # the first day offered (the next buttons page or drop a filter)
    times = await say(system.widget_url, system.config.subdomain, lead, day_buttons[0], timeout=60, client=http)
    time_buttons = [b for b in buttons(times) if b[:1].isdigit()] or ["1"]  # a time, not "Más horas" or "Otro día"
    booked = await say(system.widget_url, system.config.subdomain, lead, time_buttons[index % len(time_buttons)],
                       timeout=90, client=http)
    for _ in range(2):  # the time was taken meanwhile: the patient picks the first of the times offered instead
        if booked.body["data"]["status"] != "choose_time" or not buttons(booked):
            break
        booked = await say(system.widget_url, system.config.subdomain, lead, buttons(booked)[0], timeout=90,
                           client=http)
    return str(booked.body["data"]["status"])


async def simulated_hour(
    system: CountedSystem, questions_per_hour: int, bookings: int, speedup: float, label: str
) -> dict[str, Any]:
    hour_s = 3600.0 / speedup
    events: list[tuple[float, str, int]] = []
    events += [(hour_s * (i + 0.5) / questions_per_hour, "question", i) for i in range(questions_per_hour)]
    events += [(hour_s * (i + 0.3) / bookings, "booking", i) for i in range(bookings)] if bookings else []
    events.sort()
    statuses: Counter[str] = Counter()
    booked_statuses: Counter[str] = Counter()
    async with httpx.AsyncClient(timeout=60) as http:
        if system.counter is not None:
            system.counter.reset()
        started = time.monotonic()
        tasks = []
        for at, kind, i in events:
            delay = started + at - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            if kind == "question":
                tasks.append(asyncio.ensure_future(one_question(system, http, f"{label}-q{i}")))
            else:
                tasks.append(asyncio.ensure_future(one_booking(system, http, f"{label}-b{i}", i)))
        remaining = started + hour_s - time.monotonic()
        if remaining > 0:
            await asyncio.sleep(remaining)
        results = await asyncio.gather(*tasks, return_exceptions=True)
        # The hour's requests (a booking still finishing is counted too); None: another web app, not counted.
        paths = Counter(system.counter.paths) if system.counter is not None else None
    for (_, kind, _), result in zip(events, results, strict=True):
        target = statuses if kind == "question" else booked_statuses
        target[result if isinstance(result, str) else f"error:{type(result).__name__}"] += 1
    return {
        "level": questions_per_hour,
        "requests": sum(paths.values()) if paths is not None else None,
        "paths": paths,
        "questions": dict(statuses),
        "bookings": dict(booked_statuses),
    }


async def naive_read_requests(browser_path: str, root: Path) -> int:
    """The requests one naive answer costs the web app: a new browser, a login, a 14-day read."""
    from agent.drivers.demo import DemoPortalDriver
    from agent.portal.base import BrowserChoice, Credentials

    settings = PortalSettings(seed=7, staff_user="recepcion", staff_password="naive-pass", admin_token="naive-admin")
    counter = CountingApp(create_portal_app(settings))
    server = ServerThread(counter).start()
    try:
        work = root / "naive"
        work.mkdir(parents=True, exist_ok=True)
        driver = DemoPortalDriver(
            server.url, Credentials("recepcion", "naive-pass"), BrowserChoice(executable_path=browser_path), work
        )
        counter.reset()
        try:
            await driver.start()
            await driver.free_slots(14)
        finally:
            await driver.close()
        return counter.total
    finally:
        server.stop()


def start_system(root: Path, browser_path: str, speedup: float, other: PortalTarget | None = None) -> CountedSystem:
    kommo_rate = 7.0 * speedup  # Kommo's 7 requests/s per account, in compressed time
    config = SystemConfig(
        **(other.system_fields() if other is not None else {}),
        root=root,
        browser_path=browser_path,
        refresh_minutes=max(0.1, REFRESH_MINUTES / speedup),
        kommo_rate_limit=kommo_rate,
        relay_env={"CITA_RELAY_KOMMO_REQUESTS_PER_S": str(kommo_rate), "CITA_RELAY_LOG_LEVEL": "warning"},
    )
    system = CountedSystem(config)
    try:
        system.start()
    except BaseException:
        system.stop()
        raise
    return system


async def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--speedup", type=float, default=30.0, help="simulated seconds per real second (30)")
    parser.add_argument("--bookings", type=int, default=None,
                        help="bookings in the hour, at every level (10; none against another web app unless given)")
    parser.add_argument("--levels", default="0,100,1000", help="slot questions per hour (0,100,1000)")
    parser.add_argument("--quick", action="store_true",
                        help="a smoke test: levels 0,20, 1 booking (stand-in), 240x faster (not figures)")
    add_portal_flags(parser)
    args = parser.parse_args(argv)
    other = portal_target(args)
    if args.quick:
        args.levels, args.speedup = "0,20", 240.0
        if args.bookings is None and other is None:
            args.bookings = 1
    if args.bookings is None:
        args.bookings = 10 if other is None else 0
    levels = [int(x) for x in args.levels.split(",")]
    browser_path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
    root = Path(tempfile.mkdtemp(prefix="cita-portal-load-"))
    systems: list[CountedSystem] = []
    try:
        started = await asyncio.gather(
            *(asyncio.to_thread(start_system, root / f"level-{level}", browser_path, args.speedup, other)
              for level in levels),
            return_exceptions=True,
        )
        systems = [s for s in started if isinstance(s, CountedSystem)]
        failed = [s for s in started if not isinstance(s, CountedSystem)]
        if failed:
            raise RuntimeError(f"a system did not start: {failed[0]!r}")
        await asyncio.sleep(60 * REFRESH_MINUTES / args.speedup + 2)  # past the first background read
        runs = await asyncio.gather(
            *(
                simulated_hour(system, level, args.bookings, args.speedup, f"l{level}")
                for system, level in zip(systems, levels, strict=True)
            )
        )
        naive_per_question = await naive_read_requests(browser_path, root) if other is None else None
    finally:
        for system in systems:
            await asyncio.to_thread(system.stop)
        shutil.rmtree(root, ignore_errors=True)

    counted = other is None
    base = runs[0]["requests"]
    per_refresh = 60 / REFRESH_MINUTES
    allowance = 2 * args.bookings  # one re-check and one confirmation read per booking
    web_app = "the stand-in web app" if counted else f"{other.describe()}: its requests are not counted here (n/a)"
    print(
        f"Web app load: the real agent, one simulated hour at {args.speedup:g}x, {args.bookings} bookings per level,"
        f" background read every {REFRESH_MINUTES:g} min ({per_refresh:.0f} per hour); {os.cpu_count()} cores;"
        f" {web_app}{'; --quick: a smoke test' if args.quick else ''}"
    )
    print(f"  {'questions/h':>12} {'requests/h':>11} {'vs first':>9} {'naive way':>10} {'answered':>22}  booked")
    ok = True
    for run in runs:
        answered = ", ".join(f"{k} {v}" for k, v in sorted(run["questions"].items())) or "-"
        booked = ", ".join(f"{k} {v}" for k, v in sorted(run["bookings"].items())) or "-"
        if counted:
            extra = f"{run['requests'] - base:+d}"
            naive = str(run["level"] * naive_per_question + base)
            requests = str(run["requests"])
        else:
            extra = naive = requests = NA
        print(f"  {run['level']:>12} {requests:>11} {extra:>9} {naive:>10} {answered:>22}  {booked}")
        ok = ok and run["bookings"].get("booked", 0) == args.bookings
    if not counted:
        print("  requests per kind, spread between levels, naive way: n/a (only the stand-in counts what it serves)")
        return 0 if ok else 1
    spread = max(r["requests"] for r in runs) - min(r["requests"] for r in runs)
    print(
        f"  spread between levels: {spread} requests   (target: the same count at every level; the bookings'"
        f" {allowance} re-checks and confirmation reads are in every level alike)"
    )
    print(f"  naive way: {naive_per_question} requests per question (new browser + login + 14-day read)")
    print("  requests per kind at the highest level:")
    for path, count in runs[-1]["paths"].most_common(12):
        print(f"    {count:>6}  {path}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
