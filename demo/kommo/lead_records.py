"""What the relay put on the stand-in Kommo's leads besides continuations: tasks, notes and tags.

``LeadRecords`` checks each call as Kommo would (the shapes of ``POST /api/v4/tasks``, ``GET /api/v4/tasks`` with
``filter[entity_type]``/``filter[entity_id]``/``filter[is_completed]``, ``PATCH /api/v4/tasks/{id}`` with
``is_completed`` and ``result.text``, ``POST /api/v4/leads/{id}/notes`` and ``PATCH /api/v4/leads/{id}`` with
``tags_to_add``/``tags_to_delete``) and keeps what it accepted; ``lead_page`` shows a lead's records as the clinic's
team would see them in Kommo.
"""

from __future__ import annotations

import html
import threading
from dataclasses import asdict, dataclass, replace
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
    id: int = 0  # tasks: Kommo's task id
    result: str = ""  # tasks: the result text it was completed with ("" while open)
    completed: bool = False

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


class LeadRecords:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: list[LeadRecord] = []
        self._next_task_id = 70_000_001

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

    def add_tasks(self, subdomain: str, body: Any, now: float) -> str | list[int]:
        """The new tasks' ids when every task was recorded, else why the body was refused."""
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
            ids = list(range(self._next_task_id, self._next_task_id + len(found)))
            self._next_task_id += len(found)
            self._records.extend(replace(task, id=task_id) for task, task_id in zip(found, ids, strict=True))
        return ids

    def complete_task(self, subdomain: str, task_id: int, body: Any) -> str:
        """``PATCH /api/v4/tasks/{id}`` completing a task: "" when done, else why it was refused."""
        result = body.get("result") if isinstance(body, dict) else None
        if not isinstance(body, dict) or body.get("is_completed") is not True:
            return "only {is_completed: true, result: {text}} is taken here"
        if not isinstance(result, dict) or not isinstance(result.get("text"), str) or not result["text"].strip():
            return "completing a task needs result.text"
        with self._lock:
            for index, record in enumerate(self._records):
                if record.kind == "task" and record.subdomain == subdomain and record.id == task_id:
                    self._records[index] = replace(record, completed=True, result=result["text"])
                    return ""
        return f"no task {task_id}"

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
        """``PATCH /api/v4/leads/{id}`` with ``tags_to_add`` and/or ``tags_to_delete`` (each ``[{name}]``)."""
        if not isinstance(body, dict) or not ({"tags_to_add", "tags_to_delete"} & body.keys()):
            return "the body must carry tags_to_add or tags_to_delete: [{name}]"
        add, delete = body.get("tags_to_add", []), body.get("tags_to_delete", [])
        for tags in (add, delete):
            if not isinstance(tags, list) or not all(isinstance(t, dict) and isinstance(t.get("name"), str)
                                                     for t in tags):
                return "tags_to_add and tags_to_delete must be lists of {name}"
        gone = {t["name"] for t in delete}
        with self._lock:
            self._records = [r for r in self._records if not (
                r.kind == "tag" and r.subdomain == subdomain and r.lead_id == lead_id and r.text in gone)]
            self._records.extend(LeadRecord(subdomain, lead_id, "tag", t["name"], now) for t in add)
        return ""

    def clear(self) -> None:
        with self._lock:
            self._records.clear()


def responsible_user(subdomain: str) -> int:
    """The stand-in account's one user, responsible for every lead (a stable number per account)."""
    return 9_000_000 + sum(ord(c) for c in subdomain)


def lead_page(subdomain: str, lead_id: str, records: list[LeadRecord]) -> str:
    """The lead as the clinic's team sees it in (stand-in) Kommo: its tasks (done ones with their result), notes
    and tags."""
    rows = "".join(
        f"<li class='{r.kind}{' done' if r.completed else ''}'><b>{html.escape(r.kind)}</b>"
        f"{' (hecha)' if r.completed else ''}: {html.escape(r.text)}"
        f"{f' → {html.escape(r.result)}' if r.completed else ''}</li>"
        for r in records
    ) or "<li>—</li>"
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>Lead {html.escape(lead_id)} · {html.escape(subdomain)} (Kommo stand-in)</title></head>"
        f"<body><h1>Lead {html.escape(lead_id)}</h1><ul id='records'>{rows}</ul></body></html>"
    )
