"""Pictures of a failure, for the clinic's IT person — never of a password.

Before the picture, every password field is emptied and so is any field that holds one of the
driver's secrets (a password typed into the wrong box is still a password). The picture shows the
agenda, so it is written by the agent itself, 0600 in a 0700 folder (``agent.private_files``), and deleted
after the retention like the journal's rows.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from playwright.async_api import Page

from agent.private_files import write_private_bytes

log = logging.getLogger(__name__)

_CLEAR_SECRETS_JS = """
(secrets) => {
  for (const field of document.querySelectorAll("input, textarea")) {
    const secretType = field.type === "password";
    const holdsSecret = secrets.some((s) => s && field.value && field.value.includes(s));
    if (secretType || holdsSecret) {
      field.value = "";
      if (secretType) field.type = "password";
    }
  }
}
"""


def screenshot_name(label: str, now: datetime | None = None) -> str:
    """``20261202-103005-123-login-rejected.png``: sortable, and says what failed."""
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S-%f")[:-3]
    safe = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-") or "failure"
    return f"{stamp}-{safe}.png"


async def capture_failure(page: Page | None, folder: Path, label: str, secrets: Iterable[str]) -> Path | None:
    """Save a screenshot of ``page`` with secrets cleared; None when there is nothing to show or it fails.

    Never raises: a failing screenshot must not hide the error being reported.
    """
    if page is None or page.is_closed():
        return None
    try:
        await page.evaluate(_CLEAR_SECRETS_JS, [s for s in secrets if s])
        picture = await page.screenshot(timeout=5_000, animations="disabled", caret="hide")
        path = folder / screenshot_name(label)
        await asyncio.to_thread(write_private_bytes, path, picture)
        return path
    except Exception as error:  # the page may be gone or hung: the original error matters more
        log.warning("could not save a screenshot of the failure (%s)", type(error).__name__)
        return None
