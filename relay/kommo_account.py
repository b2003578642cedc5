"""``GET /api/v4/account`` on a clinic's Kommo with the clinic's own token: the cheap proof that the token works and
belongs to the right account (KOMMO.md §2), for `cita-relay check-clinic`."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from relay.kommo_client import KommoBudget, KommoClient
from relay.store import Clinic


@dataclass(frozen=True)
class AccountCheck:
    ok: bool
    # no_token | refresh_refused | not_found | unauthorized | wrong_account | unreachable | kommo_error
    problem: str = ""
    account_id: int | None = None
    subdomain: str = ""
    status: int | None = None
    base_url: str = ""  # the Kommo address asked (a wrong one is the usual cause of not_found)

    def to_json(self) -> dict[str, object]:
        return {
            "ok": self.ok,
            "problem": self.problem,
            "account_id": self.account_id,
            "subdomain": self.subdomain,
            "status": self.status,
            "base_url": self.base_url,
        }


async def check_account(
    kommo: KommoClient, budget: KommoBudget, clinic: Clinic, *, timeout_s: float = 10.0
) -> AccountCheck:
    base_url = clinic.kommo_base_url
    bearer = await kommo.bearer(clinic)
    if not bearer:
        problem, status = kommo.refresh_problem(clinic) or ("no_token", None)
        return AccountCheck(False, problem, status=status, base_url=base_url)
    try:
        async with budget.hold(clinic.kommo_base_url), httpx.AsyncClient(timeout=timeout_s) as http:
            response = await http.get(
                f"{clinic.kommo_base_url}/api/v4/account", headers={"Authorization": f"Bearer {bearer}"}
            )
    except httpx.HTTPError:
        return AccountCheck(False, "unreachable", base_url=base_url)
    if response.status_code in (401, 403):
        return AccountCheck(False, "unauthorized", status=response.status_code, base_url=base_url)
    if response.status_code == 404:
        return AccountCheck(False, "not_found", status=404, base_url=base_url)
    if response.status_code != 200:
        return AccountCheck(False, "kommo_error", status=response.status_code, base_url=base_url)
    try:
        answer = response.json()
        account_id, subdomain = int(answer["id"]), str(answer["subdomain"])
    except (ValueError, KeyError, TypeError):
        return AccountCheck(False, "kommo_error", status=200, base_url=base_url)
    if subdomain != clinic.kommo_subdomain:
        return AccountCheck(False, "wrong_account", account_id, subdomain, 200, base_url)
    return AccountCheck(True, "", account_id, subdomain, 200, base_url)
