"""Plain account webhooks (KOMMO.md §4): form-encoded, no token, no return_url. A relay must answer them 4xx."""

from __future__ import annotations

from urllib.parse import urlencode

WEBHOOK_KINDS = ("message", "lead_status")


def account_webhook_form(subdomain: str, account_id: int, account_url: str, *, kind: str = "message", now: int) -> str:
    """A form body like the ones Kommo's Settings → Integrations → Web hooks sends."""
    if kind not in WEBHOOK_KINDS:
        raise ValueError(f"kind must be one of {WEBHOOK_KINDS}")
    if kind == "message":
        event = {
            "message[add][0][id]": "f3d1c6e2-5b0a-4c1e-9d5e-0a1b2c3d4e5f",
            "message[add][0][chat_id]": "6a2f1e0d-1c2b-4a3d-8e9f-0f1e2d3c4b5a",
            "message[add][0][talk_id]": "112",
            "message[add][0][contact_id]": "5011",
            "message[add][0][text]": "Hola, quiero una hora",
            "message[add][0][created_at]": str(now),
            "message[add][0][element_type]": "2",
            "message[add][0][entity_type]": "lead",
            "message[add][0][element_id]": "9012",
            "message[add][0][entity_id]": "9012",
            "message[add][0][type]": "incoming",
            "message[add][0][origin]": "waba",
        }
    else:
        event = {
            "leads[status][0][id]": "9012",
            "leads[status][0][status_id]": "142",
            "leads[status][0][pipeline_id]": "7001",
            "leads[status][0][old_status_id]": "141",
            "leads[status][0][old_pipeline_id]": "7001",
        }
    account = {"account[id]": str(account_id), "account[subdomain]": subdomain, "account[_links][self]": account_url}
    return urlencode({**event, **account})
