"""`--latency-ms` and `--fail-rate`: a slow, flaky clinic web app on demand."""

from __future__ import annotations

import asyncio
import json
import random
from dataclasses import dataclass

from starlette.types import ASGIApp, Receive, Scope, Send

# Static files and the admin interface stay reliable: only what the agenda's users see is degraded.
SPARED_PREFIXES = ("/static/", "/_admin/", "/favicon")

ERROR_PAGE = """<!doctype html><html lang="es"><head><meta charset="utf-8"><title>Servicio no disponible</title>
<style>body{font-family:system-ui,sans-serif;background:#f4f6f9;color:#33415c;display:grid;place-items:center;height:100vh;margin:0}
main{background:#fff;padding:2.5rem 3rem;border-radius:12px;box-shadow:0 4px 20px #0001;text-align:center}
h1{font-size:1.3rem;color:#b42318}</style></head><body><main><h1>Servicio no disponible temporalmente</h1>
<p>Estamos teniendo problemas para atender su solicitud (error {status}).</p><p>Intente nuevamente en unos minutos.</p>
</main></body></html>"""


@dataclass
class Faults:
    """Changed at run time by the admin interface (tests switch an outage on and off)."""

    latency_ms: int = 0
    fail_rate: float = 0.0
    fail_writes: bool = False  # every change to the agenda (/api/ POST, PUT, PATCH, DELETE) answers 503; reads work


class FaultInjection:
    """ASGI middleware: waits ``latency_ms`` and answers a random 5xx with probability ``fail_rate`` (every write
    to the agenda's API, with ``fail_writes``: a web app whose database went read-only)."""

    def __init__(self, app: ASGIApp, faults: Faults, rng: random.Random) -> None:
        self.app = app
        self.faults = faults
        self.rng = rng

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(SPARED_PREFIXES):
            await self.app(scope, receive, send)
            return
        if self.faults.latency_ms:
            await asyncio.sleep(self.faults.latency_ms / 1000)
        writing = scope["path"].startswith("/api/") and scope["method"] in ("POST", "PUT", "PATCH", "DELETE")
        refused = self.faults.fail_writes and writing
        if refused or (self.faults.fail_rate and self.rng.random() < self.faults.fail_rate):
            status = 503 if refused else self.rng.choice((500, 502, 503))
            if scope["path"].startswith("/api/"):
                body = json.dumps({"error": "servidor", "mensaje": f"Error del servidor ({status})"}).encode()
                content_type = b"application/json"
            else:
                body = ERROR_PAGE.replace("{status}", str(status)).encode()
                content_type = b"text/html; charset=utf-8"
            headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode())]
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send)
