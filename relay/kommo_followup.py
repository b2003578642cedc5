"""A follow-up where the clinic's team already works: a task on the Kommo lead, a note with the reason, a tag.

Each call goes through the same per-account budget as the continuations (7 requests/s), and at most 2 of those a
second go to follow-ups, so the patients' replies keep the rest; the clinic's own Kommo token is used. The task
goes to the lead's responsible user (read from the lead first). A follow-up is never lost for want of Kommo:
the agent's tray has it anyway; a call that fails is retried once at once, then its action is reported as failed
(status None, 429 or 5xx) and the follow-up desk tries it again later (relay/followups.py). A task is written only
if the lead has no open task of ours for the same case yet (a write that timed out may have been made; a patient
who writes again about it gets a note, not a second task).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from relay.followup_texts import (
    asked_of_a_person,
    is_our_task,
    note_text,
    resolution_text,
    tag_name,
    task_case,
    task_text,
)
from relay.http_client import HttpClient, TransportError
from relay.kommo_client import AccountRateLimit, KommoBudget, KommoClient
from relay.logs import log
from relay.store import Clinic
from wire.handoff import RESOLVED_CONTACTED, RESOLVED_SUPERSEDED, HandoffEvent

logger = logging.getLogger("relay.kommo_followup")

TASK_DUE_S = 3600.0  # the task is due within the hour: a patient is waiting for a message
RETRY_AFTER_S = 1.0
# At most this many follow-up calls per second and account (of Kommo's 7, shared with the continuations): the
# patients' replies keep most of the budget when many hand-offs come at once (an agent offline at a busy hour).
FOLLOW_UP_SHARE_PER_S = 2.0
CASE_REMEMBERED_S = 24 * 3600.0  # a task's case is looked for again among the lead's open tasks this long
MAX_CASES_REMEMBERED = 20_000


def _unix_time(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def worth_retrying(status: int | None) -> bool:
    """A failed Kommo call worth another try at once: no answer, over the limit (429) or Kommo failing (5xx)."""
    return status is None or status == 429 or status >= 500


# Refusals the clinic's Kommo admin can fix (authorise the integration again; give its user the right to write tasks
# and notes): a write refused so is tried again later, and `check-clinic` says what to do meanwhile.
FIXABLE_REFUSALS = frozenset({401, 403})


def worth_owing(status: int | None) -> bool:
    """A failed Kommo write worth trying again later: one worth retrying, or refused in a way the admin can fix."""
    return worth_retrying(status) or status in FIXABLE_REFUSALS


class KommoFollowUps:
    def __init__(
        self,
        kommo: KommoClient,
        http: HttpClient,
        budget: KommoBudget,
        *,
        timeout_s: float = 10.0,
        clock: Callable[[], float] = time.time,
        share_per_s: float = FOLLOW_UP_SHARE_PER_S,
    ) -> None:
        self._kommo = kommo
        self._http = http
        self._budget = budget
        self._share = AccountRateLimit(share_per_s)
        self._timeout_s = timeout_s
        self._clock = clock
        # The cases this relay wrote a task for lately, (clinic, lead, task_case) -> when: a patient who writes again
        # about one gets a note, not a second task (its lead's open tasks are read only then).
        self._cases: OrderedDict[tuple[str, str, str], float] = OrderedDict()

    async def post(
        self, clinic: Clinic, event: HandoffEvent, actions: tuple[str, ...], *, again: bool = False
    ) -> dict[str, int | None]:
        """Each action's last HTTP status (None: Kommo was not reached). ``again``: a retry of an earlier post whose
        task may have been written after all (then it is not written twice)."""
        if not event.lead_id.isdigit():
            log(logger, logging.WARNING, "followup_kommo_skipped", clinic=clinic.name, why="lead id is not a number")
            return {}
        lead = int(event.lead_id)
        base = clinic.kommo_base_url
        language = clinic.language
        task: dict[str, Any] = {
            "text": task_text(event, language),
            "complete_till": int(self._clock() + TASK_DUE_S),
            "entity_id": lead,
            "entity_type": "leads",
        }
        if "task" in actions:
            responsible = await self._responsible_user(clinic, lead)
            if responsible is not None:
                task["responsible_user_id"] = responsible  # the lead's own user, not the integration's
        note = note_text(event, language, late_by_s=self._late_by(event))  # a retry after an outage says it is late
        calls: dict[str, tuple[str, str, Any]] = {
            "task": ("POST", f"{base}/api/v4/tasks", [task]),
            "note": (
                "POST",
                f"{base}/api/v4/leads/{lead}/notes",
                [{"note_type": "common", "params": {"text": note}}],
            ),
            "tag": ("PATCH", f"{base}/api/v4/leads/{lead}", {"tags_to_add": [{"name": tag_name(language)}]}),
        }
        results: dict[str, int | None] = {}
        case = task_case(event, language)
        seen = (clinic.name, event.lead_id, case)
        if "task" in actions and (again or (case and self._case_written_at(seen) is not None)):
            # Looked up only when it may be there: a write that got no answer, or a case written a while ago
            open_tasks = await self._open_tasks(clinic, lead)
            if open_tasks is None and again:  # unreadable: not written blind (it may be there); tried again later
                results["task"] = None
                actions = tuple(a for a in actions if a != "task")
            elif any(text == task["text"] or (case and text.startswith(case)) for _, text, _ in open_tasks or ()):
                # The earlier write went through after all, or the patient wrote again about the same case (one
                # task per case: the note says what they wrote now)
                results["task"] = 200
                actions = tuple(a for a in actions if a != "task")
        for action in actions:
            if action in calls:
                method, url, body = calls[action]
                # A task write that got no answer may have been made: never written again blind (see ``again``).
                results[action] = await self._call(clinic, action, method, url, body, blind_retry=action != "task")
        if case and 200 <= (results.get("task") or 0) < 300:
            self._cases[seen] = self._clock()
            while len(self._cases) > MAX_CASES_REMEMBERED:
                self._cases.popitem(last=False)
        return results

    def _late_by(self, event: HandoffEvent) -> float:
        """Seconds since the hand-off (0 when its time cannot be read)."""
        try:
            return max(0.0, self._clock() - datetime.fromisoformat(event.at).timestamp())
        except ValueError:
            return 0.0

    def _case_written_at(self, seen: tuple[str, str, str]) -> float | None:
        written = self._cases.get(seen)
        if written is None or self._clock() - written > CASE_REMEMBERED_S:
            return None
        return written

    async def resolve(self, clinic: Clinic, event: HandoffEvent, actions: tuple[str, ...]) -> dict[str, int | None]:
        """A case that settled by itself: complete the lead's open tasks this relay wrote (with the result in
        words), take off the "contact" tag, and say so in a note; each action's last HTTP status."""
        if not event.lead_id.isdigit():
            return {}
        lead = int(event.lead_id)
        base = clinic.kommo_base_url
        text = resolution_text(event, clinic.language)
        # Reception's "Contactado" is about the tasks it could see: one Kommo made since (a new hand-off) stays open.
        made_before = int(datetime.fromisoformat(event.at).timestamp()) if event.reason == RESOLVED_CONTACTED else None
        results: dict[str, int | None] = {}
        if "task" in actions:
            open_tasks = await self._open_tasks(clinic, lead)
            if open_tasks is None:  # the lead's tasks could not be read: tried again later
                results["task_done"] = None
            for task_id, task_text_now, created_at in open_tasks or ():
                # (Kommo says seconds: one made in the very second of the mark was there to see, and is done too)
                if made_before is not None and created_at is not None and created_at > made_before:
                    continue
                if event.reason != RESOLVED_CONTACTED and asked_of_a_person(task_text_now):
                    continue  # "pidió hablar con una persona": a case settling by itself does not answer that
                results["task_done"] = await self._call(
                    clinic, "task_done", "PATCH", f"{base}/api/v4/tasks/{task_id}",
                    {"is_completed": True, "result": {"text": text}},
                )
        if "tag" in actions and event.reason != RESOLVED_SUPERSEDED:  # the lead needs no contact any more
            results["tag_removed"] = await self._call(
                clinic, "tag_removed", "PATCH", f"{base}/api/v4/leads/{lead}",
                {"tags_to_delete": [{"name": tag_name(clinic.language)}]},
            )
        if "note" in actions and event.reason != RESOLVED_SUPERSEDED:  # the new follow-up's note says it all
            results["note"] = await self._call(
                clinic, "note", "POST", f"{base}/api/v4/leads/{lead}/notes",
                [{"note_type": "common", "params": {"text": text}}],
            )
        return results

    async def _open_tasks(self, clinic: Clinic, lead: int) -> list[tuple[int, str, int | None]] | None:
        """The lead's open tasks this relay wrote: id, text and when Kommo made it (Unix time, None if not said)
        (``GET /api/v4/tasks`` filtered by lead; 204: none); None when Kommo could not be read."""
        bearer = await self._kommo.account_bearer(clinic)
        if bearer is None:
            return None
        query = urlencode({"filter[entity_type]": "leads", "filter[entity_id][]": lead, "filter[is_completed]": 0,
                           "limit": 50})
        try:
            async with self._share.hold(clinic.kommo_base_url), self._budget.hold(clinic.kommo_base_url):
                response = await self._http.post_json(
                    f"{clinic.kommo_base_url}/api/v4/tasks?{query}", None,
                    headers={"Authorization": f"Bearer {bearer}"}, timeout=self._timeout_s, method="GET",
                )
            if response.status_code == 204:
                return []
            if response.status_code != 200:
                return None
            tasks = response.json().get("_embedded", {}).get("tasks", [])
        except (TransportError, ValueError, AttributeError):
            return None
        return [
            (t["id"], str(t.get("text", "")), _unix_time(t.get("created_at")))
            for t in tasks if isinstance(t, dict) and isinstance(t.get("id"), int)
            and not t.get("is_completed") and is_our_task(str(t.get("text", "")))
            and str(t.get("entity_id", lead)) == str(lead)
        ]

    async def _responsible_user(self, clinic: Clinic, lead: int) -> int | None:
        """The lead's responsible user (``GET /api/v4/leads/{id}``), or None: the task then goes to the token's."""
        bearer = await self._kommo.account_bearer(clinic)
        if bearer is None:
            return None
        try:
            async with self._share.hold(clinic.kommo_base_url), self._budget.hold(clinic.kommo_base_url):
                response = await self._http.post_json(
                    f"{clinic.kommo_base_url}/api/v4/leads/{lead}", None,
                    headers={"Authorization": f"Bearer {bearer}"}, timeout=self._timeout_s, method="GET",
                )
            user = response.json().get("responsible_user_id") if response.status_code == 200 else None
        except (TransportError, ValueError, AttributeError):
            return None
        return user if isinstance(user, int) and not isinstance(user, bool) else None

    async def _call(
        self, clinic: Clinic, action: str, method: str, url: str, body: Any, *, blind_retry: bool = True
    ) -> int | None:
        """The call's last HTTP status (None: no answer), tried twice on 429/5xx (and on no answer if
        ``blind_retry``: for a write that is harmless to repeat)."""
        status: int | None = None
        for attempt in (1, 2):
            bearer = await self._kommo.account_bearer(clinic)
            if bearer is None:
                log(logger, logging.ERROR, "followup_kommo_no_token", clinic=clinic.name, action=action)
                return None
            try:
                async with self._share.hold(clinic.kommo_base_url), self._budget.hold(clinic.kommo_base_url):
                    response = await self._http.post_json(
                        url, body, headers={"Authorization": f"Bearer {bearer}"}, timeout=self._timeout_s, method=method
                    )
                status = response.status_code
            except TransportError:
                status = None
                if not blind_retry:
                    break
            if status is not None and 200 <= status < 300:
                return status
            if not worth_retrying(status):
                break
            if attempt == 1:
                await asyncio.sleep(RETRY_AFTER_S)
        log(logger, logging.WARNING, "followup_kommo_failed", clinic=clinic.name, action=action, status=status)
        return status
