"""Every Redis key and channel the relay uses, in one place (``cita:`` prefix, so a shared Redis stays readable).

Clinic names are restricted to ``[a-z0-9_-]`` (``relay.store.CLINIC_NAME_RE``), so ``cita:conversation:NAME:*``
matches exactly one clinic's conversations.
"""

from __future__ import annotations

PREFIX = "cita:"

CLINICS = PREFIX + "clinics"  # set of clinic names
AGENTS = PREFIX + "agents"  # set of clinic names that have an agent record
LIVENESS = PREFIX + "liveness"  # written by /healthz: can this instance write?
STORE_MARK = PREFIX + "store:since"  # when the first instance started on this Redis: gone = Redis lost its data
INSTANCE_CHANNEL_PATTERN = PREFIX + "instance:*"


def clinic(name: str) -> str:
    return f"{PREFIX}clinic:{name}"  # hash: the clinic's settings and hashed agent token


def agent_token(token_hash: str) -> str:
    return f"{PREFIX}agent-token:{token_hash}"  # string: the clinic name


def kommo_tokens(name: str) -> str:
    return f"{PREFIX}kommo-tokens:{name}"  # hash: long-lived or OAuth tokens


def conversation(name: str, lead_id: str) -> str:
    return f"{PREFIX}conversation:{name}:{lead_id}"  # hash: state (JSON, "" once over), rev


def conversations_of(name: str) -> str:
    return f"{PREFIX}conversation:{name}:*"


def conversation_starts(name: str) -> str:
    return f"{PREFIX}conversation-starts:{name}"  # sorted set: when conversations began (last 24 h), no lead ids


def delivery(name: str, key: str) -> str:
    return f"{PREFIX}delivery:{name}:{key}"  # hash: return_url, reply (JSON); expires with the repeat window


def deliveries_of(name: str) -> str:
    return f"{PREFIX}delivery:{name}:*"


def agent(name: str) -> str:
    return f"{PREFIX}agent:{name}"  # hash: instance, conn, connected, paused, portal, version, times


def instance_channel(instance: str) -> str:
    return f"{PREFIX}instance:{instance}"  # pub/sub: requests for the agents this instance holds, and answers


def instance_of_channel(channel: str) -> str:
    return channel[len(PREFIX + "instance:") :]


def lease(name: str) -> str:
    return f"{PREFIX}lease:{name}"


def kommo_budget(account: str) -> str:
    return f"{PREFIX}kommo-budget:{account}"  # sorted set: calls to one Kommo account, scored by when they end


TURNS = PREFIX + "turns"  # sorted set of pending turns ("clinic\x00turn id"), by the time they were received


def turn(name: str, turn_id: str) -> str:
    return f"{PREFIX}turn:{name}:{turn_id}"  # hash: turn (JSON), owner (instance), reply (JSON); a pending turn


def turn_member(name: str, turn_id: str) -> str:
    return f"{name}\x00{turn_id}"


def outcome(name: str, key: str) -> str:
    return f"{PREFIX}outcome:{name}:{key}"  # string: a booking's final outcome as its agent reported it


FOLLOWUP_CLINICS = PREFIX + "followup-clinics"  # set of clinic names that may have unacknowledged follow-ups
FOLLOWUP_SETTINGS = PREFIX + "followup-settings"  # hash: clinic -> Kommo actions ("task,note", "none", ...)
KOMMO_DEBTS = PREFIX + "kommo-debts"  # hash: "clinic id" -> a follow-up's Kommo writes waiting to be tried again


def followups(name: str) -> str:
    return f"{PREFIX}followups:{name}"  # hash: follow-up id -> {"event": ..., "created_at": ...}; 7-day expiry
