"""Container health check: exit 0 when the relay on this host answers GET /healthz with status "ok", else 1.

The image's HEALTHCHECK runs it (the slim image has no curl). It reads the port the relay listens on
from CITA_RELAY_PORT, like `cita-relay serve` does, and uses only the standard library.
"""

from __future__ import annotations

import json
import os
import sys
import urllib.error
import urllib.request


def main() -> int:
    port = os.environ.get("CITA_RELAY_PORT", "8700").strip() or "8700"
    url = f"http://127.0.0.1:{port}/healthz"
    try:
        with urllib.request.urlopen(url, timeout=4) as response:  # noqa: S310 - a fixed http:// loopback URL
            report = json.load(response)
    except urllib.error.HTTPError as exc:
        print(f"unhealthy: {url} answered {exc.code}", file=sys.stderr)
        return 1
    except (OSError, ValueError) as exc:
        print(f"unhealthy: {url}: {exc}", file=sys.stderr)
        return 1
    if report.get("status") != "ok":
        print(f"unhealthy: {url} says status={report.get('status')!r}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
