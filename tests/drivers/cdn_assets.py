"""The hook that lets django-appointment's pages load their CDN assets on a machine with no internet (tests only).

Its templates load moment, moment-timezone, FullCalendar, jQuery and Bootstrap from cdnjs / jsDelivr, with
Subresource Integrity hashes. Here the same versions come from the npm registry's packages (``npm pack``, cached
under ``.test-cache/npm``), served by routing those URLs in the Playwright context the tests create: the browser
checks the integrity hashes, so the bytes are exactly the CDN's. Fonts and icons are answered empty, and every other
address that is not loopback is aborted: no request leaves this machine.

Install it with ``install(driver_class)`` (it wraps the kit's ``prepare_context`` hook) or ``await route(context)``.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / ".test-cache" / "npm"

# CDN URL -> (npm package@version, file inside the package tarball)
ASSETS: dict[str, tuple[str, str]] = {
    "https://cdnjs.cloudflare.com/ajax/libs/moment.js/2.30.1/moment.js": ("moment@2.30.1", "package/moment.js"),
    "https://cdnjs.cloudflare.com/ajax/libs/moment-timezone/0.5.45/moment-timezone-with-data.min.js":
        ("moment-timezone@0.5.45", "package/builds/moment-timezone-with-data.min.js"),
    "https://cdnjs.cloudflare.com/ajax/libs/moment-timezone/0.6.0/moment-timezone-with-data.min.js":
        ("moment-timezone@0.6.0", "package/builds/moment-timezone-with-data.min.js"),
    "https://cdnjs.cloudflare.com/ajax/libs/fullcalendar/6.1.10/index.global.min.js":
        ("fullcalendar@6.1.10", "package/index.global.min.js"),
    "https://cdnjs.cloudflare.com/ajax/libs/fullcalendar/6.1.19/index.global.js":
        ("fullcalendar@6.1.19", "package/index.global.js"),
    "https://cdnjs.cloudflare.com/ajax/libs/jquery/3.7.1/jquery.min.js": ("jquery@3.7.1", "package/dist/jquery.min.js"),
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap/5.3.2/js/bootstrap.min.js":
        ("bootstrap@5.3.2", "package/dist/js/bootstrap.min.js"),
    "https://cdn.jsdelivr.net/npm/bootstrap@5.2.0-beta1/dist/css/bootstrap.min.css":
        ("bootstrap@5.2.0-beta1", "package/dist/css/bootstrap.min.css"),
}
EMPTY_HOSTS = {"fonts.googleapis.com": "text/css", "fonts.gstatic.com": "font/woff2",
               "unpkg.com": "application/javascript"}
_bodies: dict[str, bytes] = {}


def tarball(spec: str) -> Path:
    """The package's tarball from the npm registry, fetched once (``npm pack``) into the cache."""
    name, _, version = spec.rpartition("@")
    path = CACHE / f"{name.replace('/', '-')}-{version}.tgz"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "pack", spec, "--silent"], cwd=CACHE, check=True, capture_output=True, timeout=300)
    return path


def body(url: str) -> bytes:
    if url not in _bodies:
        spec, member = ASSETS[url]
        with tarfile.open(tarball(spec)) as archive:
            extracted = archive.extractfile(member)
            assert extracted is not None, f"{member} missing from {spec}"
            _bodies[url] = io.BytesIO(extracted.read()).getvalue()
    return _bodies[url]


def prefetch() -> None:
    """Fetch every tarball now (once per machine), so no test waits on the registry mid-way."""
    for url in ASSETS:
        body(url)


async def route(context) -> None:
    """Serve the CDN assets in this context; answer fonts/icons empty; abort anything else off this machine."""

    async def handle(route_) -> None:
        url = route_.request.url
        host = urlsplit(url).hostname or ""
        if host in ("127.0.0.1", "localhost", "::1"):
            await route_.continue_()
        elif url in ASSETS:
            kind = "text/css" if url.endswith(".css") else "application/javascript"
            await route_.fulfill(status=200, body=body(url), content_type=kind,
                                 headers={"Access-Control-Allow-Origin": "*"})
        elif host in EMPTY_HOSTS:
            await route_.fulfill(status=200, body=b"", content_type=EMPTY_HOSTS[host],
                                 headers={"Access-Control-Allow-Origin": "*"})
        else:
            await route_.abort("blockedbyclient")

    await context.route("**/*", handle)


def install(driver_class: type) -> None:
    """Make every driver of this class (and its subclasses) route the CDN in the contexts it creates."""
    original = driver_class.prepare_context
    if getattr(original, "_routes_cdn", False):
        return

    async def prepare_context(self, context) -> None:
        await original(self, context)
        await route(context)

    prepare_context._routes_cdn = True  # type: ignore[attr-defined]
    driver_class.prepare_context = prepare_context
