"""A small synchronous client of the stand-in's ``/_admin`` interface, for tests, benchmarks and demos."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import httpx


class AdminError(Exception):
    def __init__(self, status: int, body: Any) -> None:
        super().__init__(f"admin call answered {status}: {body}")
        self.status = status
        self.body = body


class PortalAdmin:
    """``PortalAdmin(url, token)``; every method raises ``AdminError`` on an unexpected answer."""

    def __init__(self, url: str, token: str, timeout: float = 10.0) -> None:
        self._client = httpx.Client(base_url=url.rstrip("/"), headers={"X-Admin-Token": token}, timeout=timeout)

    def __enter__(self) -> PortalAdmin:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def _call(self, method: str, path: str, expect: tuple[int, ...] = (200,), **kwargs: Any) -> Any:
        response = self._client.request(method, path, **kwargs)
        if response.status_code not in expect:
            raise AdminError(response.status_code, response.text)
        return response.json() if response.content else None

    def free_slots(self, days: int = 14, professional: str | None = None) -> list[dict[str, str]]:
        params: dict[str, Any] = {"days": days}
        if professional:
            params["professional"] = professional
        return self._call("GET", "/_admin/free-slots", params=params)

    def appointments(self, first: date | None = None, last: date | None = None) -> list[dict[str, str]]:
        params = {}
        if first:
            params["from"] = first.isoformat()
        if last:
            params["to"] = last.isoformat()
        return self._call("GET", "/_admin/appointments", params=params)

    def book(self, professional: str, start: datetime | str, patient_name: str = "Paciente de mesón",
             patient_phone: str = "+56 9 5555 0000", note: str = "", created_by: str = "mgonzalez") -> dict[str, str]:
        """Book as another staff member would. Raises AdminError(409) when the slot is taken."""
        body = {"professional": professional, "start": start if isinstance(start, str) else start.isoformat(),
                "patient_name": patient_name, "patient_phone": patient_phone, "note": note, "created_by": created_by}
        return self._call("POST", "/_admin/appointments", expect=(201,), json=body)

    def cancel(self, appointment_id: str) -> None:
        self._call("DELETE", f"/_admin/appointments/{appointment_id}", expect=(204,))

    def expire_sessions(self) -> int:
        return int(self._call("POST", "/_admin/sessions/expire")["expired"])

    def set_faults(self, *, latency_ms: int | None = None, fail_rate: float | None = None,
                   fail_writes: bool | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {}
        if fail_writes is not None:
            body["fail_writes"] = fail_writes
        if latency_ms is not None:
            body["latency_ms"] = latency_ms
        if fail_rate is not None:
            body["fail_rate"] = fail_rate
        return self._call("POST", "/_admin/faults", json=body)

    def unlock(self) -> None:
        self._call("POST", "/_admin/unlock")

    def last_code(self) -> str:
        """The verification code the portal last "sent by SMS" (``--otp``); "" when none."""
        return str(self._call("GET", "/_admin/otp")["code"])

    def login_counts(self) -> dict[str, int]:
        """What the login screens saw: password_ok, password_wrong, codes_sent, codes_ok, sessions_opened, ..."""
        return dict(self._call("GET", "/_admin/logins"))
