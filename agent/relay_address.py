"""The relay's address as a person types it -> the websocket URL the agent dials.

The provider may hand out ``https://relay.example.com``, ``relay.example.com`` or ``wss://relay.example.com/agent``:
all mean the same relay. ``https`` becomes ``wss`` (``http`` becomes ``ws``), an address without a scheme gets
``https://`` first, and the ``/agent`` path is added when it is missing. The clinic's bot address
(``https://relay.example.com/kommo/clinica-sol``, the one the set-up guides show most) is the same relay too. Pure.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

AGENT_PATH = "/agent"
KOMMO_PATH = "/kommo"  # where the relay takes Kommo's calls (…/kommo/<clinic>, …/kommo/oauth/<clinic>)
OTHER_PAGES = ("/healthz", "/metrics")
_SCHEMES = {"https": "wss", "http": "ws", "wss": "wss", "ws": "ws"}


def normalize_relay_url(text: str) -> str:
    """One address -> ``wss://host[:port]/.../agent``; anything it cannot read is returned as typed (stripped)."""
    text = text.strip()
    if not text:
        return text
    if "://" not in text:
        text = "https://" + text
    try:
        parts = urlsplit(text)
    except ValueError:
        return text
    scheme = _SCHEMES.get(parts.scheme.lower())
    if scheme is None or not parts.netloc:
        return text
    path = parts.path.rstrip("/")
    at = f"{path.lower()}/".find(f"{KOMMO_PATH}/")
    if at >= 0:  # the clinic's bot address (…/kommo/clinica-sol, in any capitals) pasted: the same relay
        path = path[:at]
    for page in OTHER_PAGES:  # …/healthz, …/metrics: the relay's own pages, not where agents connect
        if path.lower().endswith(page):
            path = path[: -len(page)]
    head, _, last = path.rpartition("/")
    if _one_slip_from("agent", last.lower()):  # "/agent", and "/Agent", "/agnet", "/agen", "/agents" typed for it
        path = head
    if not path.endswith(AGENT_PATH):
        path += AGENT_PATH
    return urlunsplit((scheme, parts.netloc, path, parts.query, ""))


def _one_slip_from(word: str, typed: str) -> bool:
    """``typed`` is ``word`` with one letter changed, missing or added, or two neighbours swapped (or in capitals)."""
    if typed == word or abs(len(typed) - len(word)) > 1 or not typed:
        return typed == word
    if len(typed) == len(word):
        differ = [i for i, (a, b) in enumerate(zip(word, typed, strict=True)) if a != b]
        return len(differ) == 1 or (len(differ) == 2 and differ[1] == differ[0] + 1
                                    and word[differ[0]] == typed[differ[1]] and word[differ[1]] == typed[differ[0]])
    short, long = (word, typed) if len(word) < len(typed) else (typed, word)
    return any(long[:i] + long[i + 1:] == short for i in range(len(long)))


def normalize_relay_urls(text: str) -> str:
    """Several addresses separated by commas, each normalized."""
    return ", ".join(normalize_relay_url(u) for u in text.split(",") if u.strip())
