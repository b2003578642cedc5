"""What the relay put on the stand-in Kommo's leads besides continuations: tasks, notes and tags.

``LeadRecords`` checks each call as Kommo would (the shapes of ``POST /api/v4/tasks``,
``POST /api/v4/leads/{id}/notes`` and ``PATCH /api/v4/leads/{id}`` with ``tags_to_add``) and keeps what it
accepted; ``lead_page`` shows a lead's records as the clinic's team would see them in Kommo.
"""

from __future__ import annotations

import html
import threading
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class LeadRecord:
    subdomain: str
    lead_id: str
    kind: str  # task | note | tag
    text: str
    at: float  # time.time() when received
    complete_till: int = 0  # tasks: when it is due (unix time)
    responsible_user_id: int | None = None  # tasks: who must do it (None: the token's user)

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


class LeadRecords:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: list[LeadRecord] = []

    def records(self, subdomain: str | None = None, kind: str | None = None, lead_id: str | None = None
                ) -> list[LeadRecord]:
        with self._lock:
            return [
                r
                for r in self._records
                if (subdomain is None or r.subdomain == subdomain)
                and (kind is None or r.kind == kind)
                and (lead_id is None or r.lead_id == str(lead_id))
            ]

    def add_tasks(self, subdomain: str, body: Any, now: float) -> str:
        """"" when every task was recorded, else why the body was refused."""
        if not isinstance(body, list) or not body:
            return "the body must be a non-empty list of tasks"
        found = []
        for task in body:
            if not isinstance(task, dict):
                return "each task must be an object"
            text, till, entity, kind = (task.get(k) for k in ("text", "complete_till", "entity_id", "entity_type"))
            if not isinstance(text, str) or not text.strip():
                return "task.text is required"
            if not isinstance(till, int) or isinstance(till, bool):
                return "task.complete_till must be a unix time (integer)"
            if not isinstance(entity, int) or isinstance(entity, bool) or kind != "leads":
                return "task.entity_id must be the lead id (integer) with entity_type 'leads'"
            user = task.get("responsible_user_id")
            if user is not None and (not isinstance(user, int) or isinstance(user, bool)):
                return "task.responsible_user_id must be a user id (integer)"
            found.append(LeadRecord(subdomain, str(entity), "task", text, now, till, user))
        with self._lock:
            self._records.extend(found)
        return ""

    def add_notes(self, subdomain: str, lead_id: str, body: Any, now: float) -> str:
        if not isinstance(body, list) or not body:
            return "the body must be a non-empty list of notes"
        found = []
        for note in body:
            params = note.get("params") if isinstance(note, dict) else None
            if not isinstance(note, dict) or note.get("note_type") != "common" or not isinstance(params, dict):
                return "each note must be {note_type: 'common', params: {text}}"
            if not isinstance(params.get("text"), str) or not params["text"].strip():
                return "note.params.text is required"
            found.append(LeadRecord(subdomain, lead_id, "note", params["text"], now))
        with self._lock:
            self._records.extend(found)
        return ""

    def add_tags(self, subdomain: str, lead_id: str, body: Any, now: float) -> str:
        tags = body.get("tags_to_add") if isinstance(body, dict) else None
        if not isinstance(tags, list) or not all(isinstance(t, dict) and isinstance(t.get("name"), str) for t in tags):
            return "the body must carry tags_to_add: [{name}]"
        with self._lock:
            self._records.extend(LeadRecord(subdomain, lead_id, "tag", t["name"], now) for t in tags)
        return ""

    def clear(self) -> None:
        with self._lock:
            self._records.clear()


def responsible_user(subdomain: str) -> int:
    """The stand-in account's one user, responsible for every lead (a stable number per account)."""
    return 9_000_000 + sum(ord(c) for c in subdomain)


def lead_page(subdomain: str, lead_id: str, records: list[LeadRecord]) -> str:
    """The lead as the clinic's team sees it in (stand-in) Kommo: its tasks, notes and tags."""
    rows = "".join(
        f"<li class='{r.kind}'><b>{html.escape(r.kind)}</b>: {html.escape(r.text)}</li>" for r in records
    ) or "<li>—</li>"
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>Lead {html.escape(lead_id)} · {html.escape(subdomain)} (Kommo stand-in)</title></head>"
        f"<body><h1>Lead {html.escape(lead_id)}</h1><ul id='records'>{rows}</ul></body></html>"
    )
