"""Follow-ups in the Redis that several relay instances share (see ``relay.followups_store``).

One hash per clinic (follow-up id -> the event and when it was made) that expires 7 days after its last
follow-up, and a set of the clinics that may have some, so an instance finds the ones its agents should get
with one read.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import redis
import redis.asyncio

from relay.cluster import keys as redis_keys
from relay.cluster.client import reachable, sync_client
from relay.followups_store import DEFAULT_KOMMO_ACTIONS, FOLLOW_UP_RETENTION_S, KommoDebt, parse_kommo_actions
from wire.handoff import HandoffEvent

# The debts whose holder is another instance and whose hold ran out (it died, or restarted), held by the caller now:
# one script, so two instances never both take one.
_TAKE_DEBTS = """
local taken = {}
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  local held = cjson.decode(all[i + 1])
  if held.owner ~= ARGV[1] and tonumber(held.held_until) <= tonumber(ARGV[2]) then
    held.owner = ARGV[1]
    held.held_until = tonumber(ARGV[3])
    redis.call('HSET', KEYS[1], all[i], cjson.encode(held))
    table.insert(taken, held.debt)
  end
end
return taken
"""


def _debt_field(clinic: str, followup_id: str) -> str:
    return f"{clinic} {followup_id}"


class RedisFollowUps:
    def __init__(self, client: redis.asyncio.Redis) -> None:
        self._redis = client

    async def add(self, clinic: str, event: HandoffEvent, now: float) -> None:
        value = json.dumps({"event": event.to_json(), "created_at": now}, ensure_ascii=False)
        key = redis_keys.followups(clinic)
        with reachable():
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.hsetnx(key, event.id, value)
                pipe.expire(key, int(FOLLOW_UP_RETENTION_S))
                pipe.sadd(redis_keys.FOLLOWUP_CLINICS, clinic)
                await pipe.execute()

    async def pending(self, clinic: str, now: float) -> list[HandoffEvent]:
        with reachable():
            found = await self._redis.hgetall(redis_keys.followups(clinic))
        kept = []
        for raw in found.values():
            item = json.loads(raw)
            if float(item["created_at"]) > now - FOLLOW_UP_RETENTION_S:
                kept.append((float(item["created_at"]), HandoffEvent.from_json(item["event"])))
        return [event for _, event in sorted(kept, key=lambda pair: pair[0])]

    async def clinics_with_pending(self, now: float) -> dict[str, str]:
        with reachable():
            clinics = sorted(await self._redis.smembers(redis_keys.FOLLOWUP_CLINICS))
            if not clinics:
                return {}
            async with self._redis.pipeline(transaction=False) as pipe:
                for clinic in clinics:
                    pipe.hkeys(redis_keys.followups(clinic))
                found = await pipe.execute()
        return {clinic: ",".join(sorted(ids)) for clinic, ids in zip(clinics, found, strict=True) if ids}

    async def acknowledge(self, clinic: str, followup_id: str) -> bool:
        with reachable():
            removed = await self._redis.hdel(redis_keys.followups(clinic), followup_id)
        return bool(removed)

    async def purge_expired(self, now: float) -> None:
        with reachable():
            for clinic in await self._redis.smembers(redis_keys.FOLLOWUP_CLINICS):
                key = redis_keys.followups(clinic)
                found = await self._redis.hgetall(key)
                old = [
                    fid
                    for fid, raw in found.items()
                    if float(json.loads(raw)["created_at"]) <= now - FOLLOW_UP_RETENTION_S
                ]
                if old:
                    await self._redis.hdel(key, *old)
                if await self._redis.hlen(key) == 0:
                    await self._redis.srem(redis_keys.FOLLOWUP_CLINICS, clinic)

    async def kommo_actions(self, clinic: str) -> tuple[str, ...]:
        with reachable():
            text = await self._redis.hget(redis_keys.FOLLOWUP_SETTINGS, clinic)
        return DEFAULT_KOMMO_ACTIONS if text is None else parse_kommo_actions(text)

    async def owe_kommo(self, debt: KommoDebt, owner: str, held_until: float) -> None:
        held = {"debt": json.dumps(debt.to_json(), ensure_ascii=False), "lead": debt.event.lead_id, "owner": owner,
                "held_until": held_until}
        with reachable():
            await self._redis.hset(redis_keys.KOMMO_DEBTS, _debt_field(debt.clinic, debt.event.id),
                                   json.dumps(held, ensure_ascii=False))

    async def paid_kommo(self, clinic: str, followup_id: str) -> None:
        with reachable():
            await self._redis.hdel(redis_keys.KOMMO_DEBTS, _debt_field(clinic, followup_id))

    async def forgive_kommo(self, clinic: str, lead_id: str) -> None:
        with reachable():
            found = await self._redis.hgetall(redis_keys.KOMMO_DEBTS)
            moot = [field for field, raw in found.items()
                    if field.startswith(f"{clinic} ") and json.loads(raw)["lead"] == lead_id]
            if moot:
                await self._redis.hdel(redis_keys.KOMMO_DEBTS, *moot)

    async def kommo_debts_of(self, clinic: str) -> list[KommoDebt]:
        with reachable():
            found = await self._redis.hgetall(redis_keys.KOMMO_DEBTS)
        return [KommoDebt.from_json(json.loads(json.loads(raw)["debt"]))
                for field, raw in found.items() if field.startswith(f"{clinic} ")]

    async def take_kommo_debts(self, owner: str, now: float, hold_until: float) -> list[KommoDebt]:
        with reachable():
            taken = await self._redis.eval(_TAKE_DEBTS, 1, redis_keys.KOMMO_DEBTS, owner, repr(now), repr(hold_until))
        return [KommoDebt.from_json(json.loads(text)) for text in taken]

    async def close(self) -> None:
        await self._redis.aclose()


class RedisFollowUpAdmin:
    def __init__(self, url: str) -> None:
        self._redis = sync_client(url)

    def set_kommo_actions(self, clinic: str, actions: Sequence[str]) -> None:
        with reachable():
            self._redis.hset(redis_keys.FOLLOWUP_SETTINGS, clinic, ",".join(actions) or "none")

    def waiting_counts(self, now: float) -> dict[str, int]:
        """Clinic -> its unacknowledged, unexpired follow-ups (for `cita-relay list-clinics`)."""
        counts: dict[str, int] = {}
        with reachable():
            for clinic in sorted(self._redis.smembers(redis_keys.FOLLOWUP_CLINICS)):
                found = self._redis.hgetall(redis_keys.followups(clinic)).values()
                kept = sum(1 for raw in found if float(json.loads(raw)["created_at"]) > now - FOLLOW_UP_RETENTION_S)
                if kept:
                    counts[str(clinic)] = kept
        return counts

    def close_now(self) -> None:
        self._redis.close()
