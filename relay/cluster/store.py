"""The relay's state in Redis, shared by every instance: ``RedisStore`` (the running relay's ``RelayStore``) and
``RedisClinicAdmin`` (the `cita-relay` commands' ``ClinicAdmin``).

Every check-then-write is one Lua script, so two instances never interleave inside it:
- a delivery is claimed under all its repeat keys at once, each with the expiry of its repeat window (the
  multi-key form of ``SET NX PX``): of two instances receiving the same delivery, exactly one gets "new";
- a refresh-token rotation replaces the tokens only if the refresh token is still the one that was spent.
Conversations expire by themselves (Redis TTL), so there is nothing to purge.

Redis's durability is its configuration's (docs/run-several-relays.md: ``appendonly yes``). After a token
rotation the store also waits for the append-only file to reach the disk where Redis can (``WAITAOF``, 7.2+).
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import redis
import redis.asyncio
from redis.exceptions import RedisError, ResponseError

from relay.cluster import keys as redis_keys
from relay.cluster.client import UNREACHABLE, lane_of, reachable, sync_client
from relay.cluster.later import Command, LaterWrites, OnFailure
from relay.logs import log
from relay.store import (
    OUTCOME_RETENTION_S,
    Clinic,
    ClinicChanges,
    ClinicDetails,
    ClinicSummary,
    KommoTokens,
    PendingTurn,
    PriorDelivery,
    StoreError,
    checked_clinic_changes,
    checked_kommo_account,
    checked_new_clinic,
    hash_agent_token,
    kommo_auth_label,
    new_agent_token,
)
from wire.json_text import dumps as _json
from wire.json_text import loads as _loads

if TYPE_CHECKING:
    from relay.cluster.budget import SharedKommoBudget
    from relay.cluster.leases import RedisLeases

logger = logging.getLogger("relay.cluster.store")

# Agent-token lookups sent to Redis at once (the rest wait their turn in this process).
AGENT_LOOKUPS_AT_ONCE = 32

# A turn no instance finished within an hour is dropped: Kommo's return_url is not worth trying any more.
PENDING_TURN_TTL_S = 3600.0
# Revisions remembered per lead (the accept step's guess); forgotten all at once beyond this many.
MAX_REVISIONS_KEPT = 100_000
# A turn's accept step: tries with the revision just read before it falls back to two round trips.
ACCEPT_TRIES = 3
# Kommo tokens read by a turn's settle step are what its continuation uses, if it comes within this long (else,
# and for any other call, they are read again: a rotation by another instance is seen at once).
SETTLED_TOKENS_FOR_S = 1.0

# (keys, pending turn) of a delivery, made with the conversation's revision (relay.kommo_endpoint).
TurnPlan = Callable[[str], tuple[Sequence[tuple[str, float]], PendingTurn]]

_CLAIM_DELIVERY = """
for i = 1, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 1 then
    return redis.call('HMGET', KEYS[i], 'return_url', 'reply', 'turn')
  end
end
for i = 1, #KEYS do
  redis.call('HSET', KEYS[i], 'return_url', ARGV[1])
  redis.call('PEXPIREAT', KEYS[i], ARGV[i + 1])
end
return false
"""

# KEYS: the delivery keys, then the pending turn's hash and the turns' sorted set (when ARGV[#keys + 2] ~= '').
# ARGV: the number of delivery keys, return_url, each delivery key's expiry (ms), then turn JSON, owner, member,
# received_at, turn TTL (ms), turn id (kept on each delivery key: a repeat finds its first's turn by it).
_CLAIM_DELIVERY_AND_TURN = """
local n = tonumber(ARGV[1])
for i = 1, n do
  if redis.call('EXISTS', KEYS[i]) == 1 then
    return redis.call('HMGET', KEYS[i], 'return_url', 'reply', 'turn')
  end
end
local t = n + 3
for i = 1, n do
  redis.call('HSET', KEYS[i], 'return_url', ARGV[2], 'turn', ARGV[t + 5])
  redis.call('PEXPIREAT', KEYS[i], ARGV[i + 2])
end
redis.call('HSET', KEYS[n + 1], 'turn', ARGV[t], 'owner', ARGV[t + 1])
redis.call('PEXPIRE', KEYS[n + 1], ARGV[t + 4])
redis.call('ZADD', KEYS[n + 2], ARGV[t + 3], ARGV[t + 2])
return false
"""

# A new turn's whole accept step in one round trip (``RedisStore.claim_turn``): the conversation's revision checked
# (the message's repeat key was made with it), the delivery claimed with its pending turn as above, and, for a new
# delivery, the lead's lease taken if it is free, with the conversation read under it.
# KEYS: the conversation, the delivery keys, the pending turn's hash, the turns' sorted set, the lead's lease.
# ARGV: the revision the keys were made with, the number of delivery keys, return_url, each delivery key's expiry
# (ms), turn JSON, owner, member, received_at, turn TTL (ms), lease token ('' = leave the lease), lease (ms), turn id.
# Returns {'rev', revision} (make the keys again with it), {'prior', return_url, reply, turn id}, {'new'} or
# {'new', state} (the lease taken; state '' when there is no conversation).
_ACCEPT_TURN = """
local rev = redis.call('HGET', KEYS[1], 'rev') or ''
if rev ~= ARGV[1] then return {'rev', rev} end
local n = tonumber(ARGV[2])
for i = 2, n + 1 do
  if redis.call('EXISTS', KEYS[i]) == 1 then
    local found = redis.call('HMGET', KEYS[i], 'return_url', 'reply', 'turn')
    return {'prior', found[1], found[2], found[3]}
  end
end
local t = n + 4
for i = 2, n + 1 do
  redis.call('HSET', KEYS[i], 'return_url', ARGV[3], 'turn', ARGV[t + 7])
  redis.call('PEXPIREAT', KEYS[i], ARGV[i + 2])
end
redis.call('HSET', KEYS[n + 2], 'turn', ARGV[t], 'owner', ARGV[t + 1])
redis.call('PEXPIRE', KEYS[n + 2], ARGV[t + 4])
redis.call('ZADD', KEYS[n + 3], ARGV[t + 3], ARGV[t + 2])
if ARGV[t + 5] ~= '' and redis.call('SET', KEYS[n + 4], ARGV[t + 5], 'NX', 'PX', ARGV[t + 6]) then
  return {'new', redis.call('HGET', KEYS[1], 'state') or ''}
end
return {'new'}
"""

# KEYS: delivery keys..., then the pending turn's hash (last).
_RECORD_REPLY = """
for i = 1, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 1 then redis.call('HSET', KEYS[i], 'reply', ARGV[1]) end
end
return 0
"""

# _RECORD_REPLY then _WRITE_CONVERSATION in one script, then the lead's lease let go (if it still holds the token:
# the settle step is the last one under the lease), a Kommo call admitted (as relay.cluster.budget's _ADMIT) and
# the clinic's Kommo tokens read, for the continuation that follows. Returns {new revision, 1 when the Kommo call
# was admitted, the tokens' fields (empty when not asked)}.
# KEYS: delivery keys..., the pending turn's hash, the conversation, the clinic's conversation starts, the lease,
# the Kommo budget's sorted set, the clinic's Kommo tokens.
# ARGV: reply, state, TTL (ms), lease token ('' = none), Kommo budget member ('' = none), limit, window (ms),
# in flight (ms), '1' to read the tokens.
_SETTLE_REPLY = """
local c, s, l, b = #KEYS - 4, #KEYS - 3, #KEYS - 2, #KEYS - 1
if ARGV[4] ~= '' and redis.call('GET', KEYS[l]) == ARGV[4] then redis.call('DEL', KEYS[l]) end
for i = 1, c - 1 do
  if redis.call('EXISTS', KEYS[i]) == 1 then redis.call('HSET', KEYS[i], 'reply', ARGV[1]) end
end
redis.call('HSET', KEYS[c], 'state', ARGV[2])
local rev = redis.call('HINCRBY', KEYS[c], 'rev', 1)
redis.call('PEXPIRE', KEYS[c], ARGV[3])
if rev == 1 and ARGV[2] ~= '' then
  local now = redis.call('TIME')
  local at = tonumber(now[1]) + tonumber(now[2]) / 1000000
  redis.call('ZADD', KEYS[s], at, KEYS[c] .. '@' .. now[1] .. '.' .. now[2])
  redis.call('ZREMRANGEBYSCORE', KEYS[s], '-inf', at - 86400)
  redis.call('PEXPIRE', KEYS[s], 90000000)
end
local admitted = 0
if ARGV[5] ~= '' then
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  local limit, window, in_flight = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
  redis.call('ZREMRANGEBYSCORE', KEYS[b], '-inf', now - window)
  if redis.call('ZCARD', KEYS[b]) < limit then
    redis.call('ZADD', KEYS[b], now + in_flight, ARGV[5])
    redis.call('PEXPIRE', KEYS[b], in_flight + window + 1000)
    admitted = 1
  end
end
local tokens = {}
if ARGV[9] == '1' then tokens = redis.call('HGETALL', KEYS[#KEYS]) end
return {rev, admitted, tokens}
"""

# An agent's token -> its clinic's fields, in one round trip. KEYS: the token's key; ARGV: the clinic key prefix.
_CLINIC_FOR_TOKEN = """
local name = redis.call('GET', KEYS[1])
if not name then return {} end
return redis.call('HGETALL', ARGV[1] .. name)
"""

# Take a pending turn over if its owner is still the one seen as gone (another instance may have taken it).
_TAKE_TURN = """
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
if redis.call('HGET', KEYS[1], 'owner') ~= ARGV[1] then return false end
redis.call('HSET', KEYS[1], 'owner', ARGV[2])
return redis.call('HMGET', KEYS[1], 'turn', 'reply')
"""

_ROTATE_TOKENS = """
if redis.call('HGET', KEYS[1], 'refresh_token') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'access_token', ARGV[2], 'refresh_token', ARGV[3], 'access_expires_at', ARGV[4],
  'updated_at', ARGV[5])
return 1
"""

# A turn's state kept while its agent acts: the revision (which question the patient answers) stays.
_KEEP_TURN_STATE = """
redis.call('HSET', KEYS[1], 'state', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
"""
_WRITE_CONVERSATION = """
redis.call('HSET', KEYS[1], 'state', ARGV[1])
local rev = redis.call('HINCRBY', KEYS[1], 'rev', 1)
redis.call('PEXPIRE', KEYS[1], ARGV[2])
if rev == 1 and ARGV[1] ~= '' then
  local now = redis.call('TIME')
  local at = tonumber(now[1]) + tonumber(now[2]) / 1000000
  redis.call('ZADD', KEYS[2], at, KEYS[1] .. '@' .. now[1] .. '.' .. now[2])
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', at - 86400)
  redis.call('PEXPIRE', KEYS[2], 90000000)
end
return rev
"""

_ADD_CLINIC = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 4))
redis.call('SET', KEYS[2], ARGV[1])
redis.call('DEL', KEYS[3])
redis.call('HSET', KEYS[3], 'updated_at', ARGV[2])
if ARGV[3] ~= '' then redis.call('HSET', KEYS[3], 'long_lived_token', ARGV[3]) end
redis.call('SADD', KEYS[4], ARGV[1])
return 1
"""

_SET_OAUTH = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HDEL', KEYS[2], 'long_lived_token', 'access_token', 'access_expires_at')
redis.call('HSET', KEYS[2], 'refresh_token', ARGV[1], 'redirect_uri', ARGV[2], 'updated_at', ARGV[5])
if ARGV[3] ~= '' then redis.call('HSET', KEYS[2], 'access_token', ARGV[3]) end
if ARGV[4] ~= '' then redis.call('HSET', KEYS[2], 'access_expires_at', ARGV[4]) end
return 1
"""


_SET_KOMMO_ACCOUNT = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'kommo_subdomain', ARGV[1], 'kommo_base_url', ARGV[2])
return 1
"""


_SET_KOMMO_SECRET = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'kommo_client_secret', ARGV[1])
if ARGV[2] ~= '' then redis.call('HSET', KEYS[1], 'kommo_client_id', ARGV[2]) end
return 1
"""


# `cita-relay set-clinic`: the clinic's fields as they were, then the changes written (none: only read).
_UPDATE_CLINIC = """
if redis.call('EXISTS', KEYS[1]) == 0 then return {} end
local before = redis.call('HGETALL', KEYS[1])
if #ARGV > 0 then redis.call('HSET', KEYS[1], unpack(ARGV)) end
return before
"""


# A new agent token replaces the old one, if that is still the clinic's, in both places at once.
_ROTATE_AGENT_TOKEN = """
if redis.call('HGET', KEYS[1], 'agent_token_hash') ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[3])
redis.call('HSET', KEYS[1], 'agent_token_hash', ARGV[2])
redis.call('SET', KEYS[2], ARGV[3])
return 1
"""


def _clinic(fields: Mapping[str, str]) -> Clinic | None:
    if not fields:
        return None
    return Clinic(
        name=fields["name"],
        kommo_subdomain=fields["kommo_subdomain"],
        kommo_base_url=fields["kommo_base_url"],
        kommo_client_id=fields["kommo_client_id"],
        kommo_client_secret=fields["kommo_client_secret"],
        language=fields.get("language", "es"),
        address=fields.get("address", ""),
        bot_question_step=int(fields.get("bot_question_step", "1")),
        display_name=fields.get("display_name", ""),
    )


def _tokens(fields: Mapping[str, str]) -> KommoTokens | None:
    if not fields:
        return None
    expires = fields.get("access_expires_at")
    return KommoTokens(
        long_lived_token=fields.get("long_lived_token") or None,
        access_token=fields.get("access_token") or None,
        refresh_token=fields.get("refresh_token") or None,
        access_expires_at=float(expires) if expires else None,
        redirect_uri=fields.get("redirect_uri", ""),
    )


class RedisStore:
    """``RelayStore`` on Redis. Connection failures raise ``StoreUnavailable``.

    Only what changes by `cita-relay` commands alone is kept in-process for a few seconds: a clinic's settings
    as Kommo's calls look them up, and a long-lived Kommo token. OAuth tokens, conversations and agent-token
    lookups are always read from Redis, so a rotated token or a removed clinic's agent is seen by every instance
    at once.
    """

    def __init__(self, client: redis.asyncio.Redis, *, conversation_ttl_s: float, clinic_cache_s: float = 5.0) -> None:
        self._redis = client
        self._lane = lane_of(client)  # a turn's commands: one shared connection, many at once
        self._conversation_ttl_ms = int(conversation_ttl_s * 1000)
        self._clinic_cache_s = clinic_cache_s
        self._clinics: dict[str, tuple[float, Clinic | None]] = {}
        self._long_lived: dict[str, tuple[float, KommoTokens]] = {}
        self._claim = client.register_script(_CLAIM_DELIVERY)
        self._record = client.register_script(_RECORD_REPLY)
        self._claim_with_turn = client.register_script(_CLAIM_DELIVERY_AND_TURN)
        self._accept = client.register_script(_ACCEPT_TURN)
        self._lead_leases: RedisLeases | None = None
        self._budget: SharedKommoBudget | None = None
        # (clinic, lead) -> the conversation's revision as this instance last read or wrote it.
        self._revisions: dict[tuple[str, str], str] = {}
        self._settled_tokens: dict[str, tuple[float, KommoTokens | None]] = {}  # clinic -> (when read, tokens)
        self._take_turn = client.register_script(_TAKE_TURN)
        self._settle = client.register_script(_SETTLE_REPLY)
        self._clinic_for_token = client.register_script(_CLINIC_FOR_TOKEN)
        # After a restart every agent dials at once: their lookups queue here, not all at once for the pool.
        self._token_lookups = asyncio.Semaphore(AGENT_LOOKUPS_AT_ONCE)
        self._rotate = client.register_script(_ROTATE_TOKENS)
        self._write = client.register_script(_WRITE_CONVERSATION)
        self._keep = client.register_script(_KEEP_TURN_STATE)
        self._waitaof: bool | None = None  # unknown until the first rotation
        # Turns whose continuation went out, forgotten with the instance's other later writes within 20 ms
        # (relay.cluster.later): a relay killed in between re-sends those continuations when it starts again (as it
        # would have a moment earlier).
        self._finished: list[tuple[str, str]] = []
        self.later = LaterWrites(client)  # the deployment's leases and Kommo budget join it
        self.later.join(self)

    def share_with(self, lead_leases: RedisLeases, kommo_budget: SharedKommoBudget) -> None:
        """The lead leases the turns hold and the Kommo budget their continuations use: the accept step takes a
        new turn's lease, the settle step lets it go and admits the continuation's Kommo call, each in its own
        round trip (``claim_turn``, ``settle_reply``)."""
        self._lead_leases = lead_leases
        self._budget = kommo_budget

    def _remember_revision(self, clinic: str, lead_id: str, revision: str) -> None:
        if len(self._revisions) >= MAX_REVISIONS_KEPT:
            self._revisions.clear()
        self._revisions[(clinic, lead_id)] = revision

    async def get_clinic(self, name: str) -> Clinic | None:
        now = time.monotonic()
        cached = self._clinics.get(name)
        if cached is not None and cached[0] > now:
            return cached[1]
        with reachable():
            clinic = _clinic(await self._lane.hgetall(redis_keys.clinic(name)))
        if len(self._clinics) > 10_000:  # names come from URLs: never let unknown ones pile up
            self._clinics.clear()
        self._clinics[name] = (now + self._clinic_cache_s, clinic)
        return clinic

    async def clinic_for_agent_token(self, token: str) -> Clinic | None:
        presented = hash_agent_token(token)
        async with self._token_lookups:
            with reachable():
                found = await self._lane.evalsha(
                    self._clinic_for_token, [redis_keys.agent_token(presented)], [redis_keys.clinic("")]
                )
        fields = dict(zip(found[::2], found[1::2], strict=True)) if found else {}
        if not fields or not hmac.compare_digest(fields.get("agent_token_hash", ""), presented):
            return None
        return _clinic(fields)

    async def clinic_names(self) -> list[str]:
        with reachable():
            return sorted(await self._redis.smembers(redis_keys.CLINICS))

    async def kommo_tokens(self, clinic: str) -> KommoTokens | None:
        now = time.monotonic()
        cached = self._long_lived.get(clinic)
        if cached is not None and cached[0] > now:
            return cached[1]
        settled = self._settled_tokens.pop(clinic, None)
        if settled is not None and now - settled[0] < SETTLED_TOKENS_FOR_S:
            tokens = settled[1]
        else:
            with reachable():
                tokens = _tokens(await self._lane.hgetall(redis_keys.kommo_tokens(clinic)))
        if tokens is not None and tokens.long_lived_token:
            self._long_lived[clinic] = (now + self._clinic_cache_s, tokens)
        else:
            self._long_lived.pop(clinic, None)
        return tokens

    async def store_rotated_tokens(
        self, clinic: str, previous_refresh_token: str, access_token: str, refresh_token: str, access_expires_at: float
    ) -> bool:
        self._settled_tokens.pop(clinic, None)
        with reachable():
            stored = await self._rotate(
                keys=[redis_keys.kommo_tokens(clinic)],
                args=[previous_refresh_token, access_token, refresh_token, repr(access_expires_at), repr(time.time())],
            )
            if stored:
                await self._wait_for_disk(clinic)
        return bool(stored)

    async def _wait_for_disk(self, clinic: str) -> None:
        """Wait until the append-only file holding the new refresh token is on disk, where Redis can tell."""
        if self._waitaof is False:
            return
        try:
            local, _ = await self._redis.execute_command("WAITAOF", 1, 0, 2000)
        except ResponseError as exc:  # Redis < 7.2, or appendonly off: durability is the configuration's
            self._waitaof = False
            log(
                logger,
                logging.WARNING,
                "redis_cannot_confirm_fsync",
                detail=str(exc)[:120],
                action="run Redis 7.2+ with appendonly yes so a rotated Kommo refresh token survives a crash",
            )
            return
        self._waitaof = True
        if not local:
            log(logger, logging.WARNING, "redis_fsync_slow", clinic=clinic)

    async def install_oauth_tokens(
        self, clinic: str, *, access_token: str, refresh_token: str, access_expires_at: float, redirect_uri: str
    ) -> bool:
        with reachable():
            done = await self._redis.eval(
                _SET_OAUTH,
                2,
                redis_keys.clinic(clinic),
                redis_keys.kommo_tokens(clinic),
                refresh_token.strip(),
                redirect_uri.strip(),
                access_token,
                repr(access_expires_at),
                repr(time.time()),
            )
            if done:
                await self._wait_for_disk(clinic)
        self._long_lived.pop(clinic, None)
        self._settled_tokens.pop(clinic, None)
        return bool(done)

    async def load_conversation(self, clinic: str, lead_id: str) -> dict[str, Any] | None:
        if self._lead_leases is not None:  # read by the accept step when it took the lead's lease, held since
            prefetched = self._lead_leases.prefetched(self._lead_leases.name(clinic, lead_id))
            if prefetched is not None:
                return _loads(prefetched) if prefetched else None
        with reachable():
            state = await self._lane.execute("HGET", redis_keys.conversation(clinic, lead_id), "state")
        return _loads(state) if state else None

    async def conversation_revision(self, clinic: str, lead_id: str) -> str:
        with reachable():
            return await self._lane.execute("HGET", redis_keys.conversation(clinic, lead_id), "rev") or ""

    async def save_conversation(self, clinic: str, lead_id: str, state: dict[str, Any], now: float) -> None:
        await self._write_conversation(clinic, lead_id, _json(state))

    async def keep_turn_state(self, clinic: str, lead_id: str, state: dict[str, Any], now: float) -> None:
        if self._lead_leases is not None:
            self._lead_leases.forget_prefetched(self._lead_leases.name(clinic, lead_id))
        with reachable():
            await self._lane.evalsha(
                self._keep, [redis_keys.conversation(clinic, lead_id)], [_json(state), self._conversation_ttl_ms]
            )

    async def forget_conversation(self, clinic: str, lead_id: str, now: float) -> None:
        # An empty state is a tombstone: no patient data, just the revision (gone with the key's expiry).
        await self._write_conversation(clinic, lead_id, "")

    async def _write_conversation(self, clinic: str, lead_id: str, state: str) -> None:
        if self._lead_leases is not None:
            self._lead_leases.forget_prefetched(self._lead_leases.name(clinic, lead_id))
        with reachable():
            revision = await self._lane.evalsha(
                self._write,
                [redis_keys.conversation(clinic, lead_id), redis_keys.conversation_starts(clinic)],
                [state, self._conversation_ttl_ms],
            )
        self._remember_revision(clinic, lead_id, str(revision))

    async def claim_turn(
        self, clinic: str, lead_id: str, plan: TurnPlan, return_url: str, now: float
    ) -> tuple[Sequence[tuple[str, float]], PendingTurn, PriorDelivery | None]:
        """``conversation_revision`` then ``claim_delivery`` of ``plan(revision)``, in one round trip: the keys are
        made with the revision this instance last saw for the lead, and the script checks it is still the one
        (else it says which, and the keys are made again: a lead last seen by another instance costs two).

        A new delivery also takes the lead's lease when it is free, and reads the conversation under it: the turn
        holds that lease and loads that state without going to Redis (``RedisLeases.adopt``)."""
        conversation = redis_keys.conversation(clinic, lead_id)
        leases = self._lead_leases
        lease = leases.name(clinic, lead_id) if leases is not None else conversation  # unused without a token
        revision = self._revisions.get((clinic, lead_id), "")
        for _ in range(ACCEPT_TRIES):
            keys, turn = plan(revision)
            token = leases.new_token() if leases is not None else ""
            with reachable():
                found = await self._lane.evalsha(
                    self._accept,
                    [
                        conversation,
                        *(redis_keys.delivery(clinic, key) for key, _ in keys),
                        redis_keys.turn(clinic, turn.turn_id),
                        redis_keys.TURNS,
                        lease,
                    ],
                    [
                        revision,
                        len(keys),
                        return_url,
                        *(int(expires_at * 1000) for _, expires_at in keys),
                        *_pending_turn_args(clinic, turn),
                        token,
                        leases.lease_ms if leases is not None else 0,
                        turn.turn_id,
                    ],
                )
            if found[0] == "rev":  # the conversation moved on since this instance saw it
                revision = found[1] or ""
                self._remember_revision(clinic, lead_id, revision)
                continue
            self._remember_revision(clinic, lead_id, revision)
            if found[0] == "prior":
                return keys, turn, _prior(found[1:])
            if len(found) > 1 and leases is not None:
                leases.adopt(lease, token, found[1] or "")
            return keys, turn, None
        # The lead's conversation kept moving: the revision and the claim as two steps, as the SQLite store does.
        revision = await self.conversation_revision(clinic, lead_id)
        keys, turn = plan(revision)
        return keys, turn, await self.claim_delivery(clinic, keys, return_url, now, turn=turn)

    async def claim_delivery(
        self,
        clinic: str,
        keys: Sequence[tuple[str, float]],
        return_url: str,
        now: float,
        turn: PendingTurn | None = None,
    ) -> PriorDelivery | None:
        delivery_keys = [redis_keys.delivery(clinic, key) for key, _ in keys]
        expiries = [str(int(expires_at * 1000)) for _, expires_at in keys]
        with reachable():
            if turn is None:
                prior = await self._lane.evalsha(self._claim, delivery_keys, [return_url, *expiries])
            else:
                prior = await self._lane.evalsha(
                    self._claim_with_turn,
                    [*delivery_keys, redis_keys.turn(clinic, turn.turn_id), redis_keys.TURNS],
                    [len(delivery_keys), return_url, *expiries, *_pending_turn_args(clinic, turn), turn.turn_id],
                )
        return _prior(prior)

    async def find_delivery(self, clinic: str, keys: Sequence[str], now: float) -> PriorDelivery | None:
        with reachable():
            found = await self._lane.pipeline(
                [("HMGET", redis_keys.delivery(clinic, key), "return_url", "reply", "turn") for key in keys]
            )
        return next((prior for prior in map(_prior, found) if prior is not None), None)

    async def record_reply(self, clinic: str, keys: Sequence[str], reply: dict[str, Any]) -> None:
        targets = [redis_keys.delivery(clinic, key) for key in keys]
        if keys:
            targets.append(redis_keys.turn(clinic, keys[0]))
        with reachable():
            await self._lane.evalsha(self._record, targets, [_json(reply)])

    async def settle_reply(
        self,
        clinic: str,
        keys: Sequence[str],
        reply: dict[str, Any],
        lead_id: str,
        state: dict[str, Any] | None,
        now: float,
    ) -> None:
        """One round trip: the reply, the conversation's next state, the lead's lease let go (this is the last step
        a turn takes under it) and the Kommo call of the continuation that follows admitted."""
        targets = [redis_keys.delivery(clinic, key) for key in keys]
        if keys:
            targets.append(redis_keys.turn(clinic, keys[0]))
        conversation = redis_keys.conversation(clinic, lead_id)
        targets += [conversation, redis_keys.conversation_starts(clinic)]
        leases, budget = self._lead_leases, self._budget
        lease, token = conversation, ""  # the lease key is unused without a token
        if leases is not None:
            lease = leases.name(clinic, lead_id)
            leases.forget_prefetched(lease)
            token = leases.holder_token(lease) or ""
        cached = self._clinics.get(clinic)
        account = cached[1].kommo_base_url if cached is not None and cached[1] is not None else ""
        member, admit = "", ("", "", "")
        if budget is not None and account:
            member, admit = budget.new_member(), tuple(map(str, budget.admit_args()))
        long_lived = self._long_lived.get(clinic)
        read_tokens = long_lived is None or long_lived[0] <= time.monotonic()
        with reachable():
            revision, admitted, tokens = await self._lane.evalsha(
                self._settle,
                [*targets, lease, redis_keys.kommo_budget(account), redis_keys.kommo_tokens(clinic)],
                [
                    _json(reply),
                    "" if state is None else _json(state),
                    self._conversation_ttl_ms,
                    token,
                    member,
                    *admit,
                    "1" if read_tokens else "",
                ],
            )
        self._remember_revision(clinic, lead_id, str(revision))
        if read_tokens:
            if len(self._settled_tokens) > 10_000:
                self._settled_tokens.clear()
            fields = dict(zip(tokens[::2], tokens[1::2], strict=True))
            self._settled_tokens[clinic] = (time.monotonic(), _tokens(fields))
        if token and leases is not None:
            leases.give_back(lease, token)
        if admitted and budget is not None:
            budget.adopt(account, member)

    async def finish_turn(self, clinic: str, turn_id: str) -> None:
        self._finished.append((clinic, turn_id))
        self.later.soon()

    def take(self) -> tuple[list[Command], OnFailure] | None:
        """The turns finished since the last batch, forgotten with the instance's other later writes."""
        if not self._finished:
            return None
        batch, self._finished = self._finished, []
        commands: list[Command] = [("DEL", *(redis_keys.turn(clinic, turn_id) for clinic, turn_id in batch))]
        commands.append(
            ("ZREM", redis_keys.TURNS, *(redis_keys.turn_member(clinic, turn_id) for clinic, turn_id in batch))
        )

        def not_forgotten(error: BaseException) -> None:  # the worst case is these continuations sent twice
            log(logger, logging.WARNING, "turn_finish_failed", turns=len(batch), error=type(error).__name__)

        return commands, not_forgotten

    async def take_unfinished_turns(
        self, owner: str, live_owners: Collection[str], now: float, max_age_s: float
    ) -> list[PendingTurn]:
        taken: list[PendingTurn] = []
        await self.later.flush()
        with reachable():
            await self._redis.zremrangebyscore(redis_keys.TURNS, "-inf", now - max_age_s)
            members = await self._redis.zrange(redis_keys.TURNS, 0, 499)
            for member in members:
                clinic, _, turn_id = member.partition("\x00")
                key = redis_keys.turn(clinic, turn_id)
                holder = await self._redis.hget(key, "owner")
                if holder is None:  # finished, or expired: nothing to re-run
                    await self._redis.zrem(redis_keys.TURNS, member)
                    continue
                # Its own name among the live ones: in flight here. Not among them (this instance just started, under
                # the name it had when it was killed, as run-several-relays.md names instances): left by its last run,
                # which nobody else takes over now that the name is live again.
                if holder in live_owners:
                    continue
                found = await self._take_turn(keys=[key], args=[holder, owner])
                if not found or not found[0]:
                    continue
                try:
                    taken.append(
                        PendingTurn.from_json(
                            _loads(found[0]), owner=owner, reply=_loads(found[1]) if found[1] else None
                        )
                    )
                except (ValueError, KeyError, TypeError):
                    log(logger, logging.WARNING, "pending_turn_unreadable", clinic=clinic)
        return taken

    async def record_outcome(self, clinic: str, key: str, outcome: dict[str, Any], now: float) -> None:
        with reachable():
            await self._lane.execute(
                "SET", redis_keys.outcome(clinic, key), _json(outcome), "PX", int(OUTCOME_RETENTION_S * 1000)
            )

    async def booking_outcome(self, clinic: str, key: str) -> dict[str, Any] | None:
        with reachable():
            found = await self._lane.execute("GET", redis_keys.outcome(clinic, key))
        return _loads(found) if found else None

    async def purge_expired(self, now: float, conversation_idle_s: float) -> None:
        """Nothing to do: conversations and delivery keys carry their own expiry."""

    async def check_writable(self) -> bool:
        try:
            await self._redis.set(redis_keys.LIVENESS, repr(time.time()), px=60_000)
        except (*UNREACHABLE, RedisError):
            return False
        return True

    async def close(self) -> None:
        await self.later.close()
        await self._redis.aclose()


def _prior(found: Sequence[str | None] | None) -> PriorDelivery | None:
    if not found or found[0] is None:
        return None
    return_url, reply = found[0], found[1] if len(found) > 1 else None
    turn_id = found[2] if len(found) > 2 else None
    return PriorDelivery(return_url, _loads(reply) if reply else None, turn_id or "")


class RedisClinicAdmin:
    """``ClinicAdmin`` on Redis for the `cita-relay` commands (plain, synchronous calls)."""

    def __init__(self, url: str) -> None:
        self._redis = sync_client(url)

    def add_clinic(self, details: ClinicDetails) -> str:
        token = new_agent_token()
        clinic = checked_new_clinic(details, agent_token=token, now=time.time())
        name = clinic.name
        fields = {
            "name": clinic.name,
            "agent_token_hash": clinic.agent_token_hash,
            "kommo_subdomain": clinic.kommo_subdomain,
            "kommo_base_url": clinic.kommo_base_url,
            "kommo_client_id": clinic.kommo_client_id,
            "kommo_client_secret": clinic.kommo_client_secret,
            "language": clinic.language,
            "address": clinic.address,
            "bot_question_step": str(clinic.bot_question_step),
            "created_at": repr(clinic.created_at),
            "display_name": clinic.display_name,
        }
        pairs = [item for pair in fields.items() for item in pair]
        with reachable():
            added = self._redis.eval(
                _ADD_CLINIC,
                4,
                redis_keys.clinic(name),
                redis_keys.agent_token(clinic.agent_token_hash),
                redis_keys.kommo_tokens(name),
                redis_keys.CLINICS,
                name,
                repr(clinic.created_at),
                clinic.long_lived_token or "",
                *pairs,
            )
        if not added:
            raise StoreError(f"a clinic named {name!r} already exists")
        return token

    def set_oauth_tokens(
        self,
        name: str,
        *,
        refresh_token: str,
        redirect_uri: str,
        access_token: str | None = None,
        access_expires_at: float | None = None,
    ) -> None:
        with reachable():
            done = self._redis.eval(
                _SET_OAUTH,
                2,
                redis_keys.clinic(name),
                redis_keys.kommo_tokens(name),
                refresh_token.strip(),
                redirect_uri.strip(),
                access_token or "",
                repr(access_expires_at) if access_expires_at is not None else "",
                repr(time.time()),
            )
        if not done:
            raise StoreError(f"no clinic named {name!r}")

    def set_kommo_account(self, name: str, subdomain: str, base_url: str | None = None) -> str:
        subdomain, base_url = checked_kommo_account(subdomain, base_url)
        with reachable():
            done = self._redis.eval(_SET_KOMMO_ACCOUNT, 1, redis_keys.clinic(name), subdomain, base_url)
        if not done:
            raise StoreError(f"no clinic named {name!r}")
        return base_url

    def set_kommo_secret(self, name: str, client_id: str | None, client_secret: str) -> None:
        if not client_secret.strip() or (client_id is not None and not client_id.strip()):
            raise StoreError("the client id and secret must not be empty")
        with reachable():
            done = self._redis.eval(_SET_KOMMO_SECRET, 1, redis_keys.clinic(name), client_secret.strip(),
                                    (client_id or "").strip())
        if not done:
            raise StoreError(f"no clinic named {name!r}")

    def clinic(self, name: str) -> Clinic | None:
        with reachable():
            return _clinic(self._redis.hgetall(redis_keys.clinic(name)))

    def conversation_counts(self, since: float) -> dict[str, int]:
        with reachable():
            names = sorted(self._redis.smembers(redis_keys.CLINICS))
            pipe = self._redis.pipeline(transaction=False)
            for name in names:
                # ZRANGE … BYSCORE rather than ZCOUNT: the guide's ACL user already has ZRANGE.
                pipe.zrange(redis_keys.conversation_starts(name), since, "+inf", byscore=True)
            found = pipe.execute()
        return {name: len(starts) for name, starts in zip(names, found, strict=True) if starts}

    def rotate_agent_token(self, name: str) -> str:
        token = new_agent_token()
        token_hash = hash_agent_token(token)
        with reachable():
            old_hash = self._redis.hget(redis_keys.clinic(name), "agent_token_hash")
            if not old_hash:
                raise StoreError(f"no clinic named {name!r}")
            done = self._redis.eval(
                _ROTATE_AGENT_TOKEN,
                3,
                redis_keys.clinic(name),
                redis_keys.agent_token(token_hash),
                redis_keys.agent_token(old_hash),
                old_hash,
                token_hash,
                name,
            )
        if not done:
            raise StoreError(f"clinic {name!r} was changed or removed meanwhile: run the command again")
        return token

    def update_clinic(self, name: str, changes: ClinicChanges) -> tuple[Clinic, Clinic]:
        """Every instance reads the clinic again within its clinic cache's 5 s (``RedisStore.get_clinic``)."""
        values = {field: str(value) for field, value in checked_clinic_changes(name, changes).items()}
        with reachable():
            found = self._redis.eval(
                _UPDATE_CLINIC, 1, redis_keys.clinic(name), *[item for pair in values.items() for item in pair]
            )
        if not found:
            raise StoreError(f"no clinic named {name!r}")
        before = dict(zip(found[::2], found[1::2], strict=True))
        old, new = _clinic(before), _clinic({**before, **values})
        assert old is not None and new is not None  # read from the clinic's hash, which exists
        return old, new

    def list_clinics(self) -> list[ClinicSummary]:
        with reachable():
            names = sorted(self._redis.smembers(redis_keys.CLINICS))
            pipe = self._redis.pipeline(transaction=False)
            for name in names:
                pipe.hgetall(redis_keys.clinic(name))
                pipe.hmget(redis_keys.kommo_tokens(name), "long_lived_token", "refresh_token")
            found = pipe.execute()
        out = []
        for fields, (long_lived, refresh) in zip(found[::2], found[1::2], strict=True):
            if not fields:
                continue
            out.append(
                ClinicSummary(
                    name=fields["name"],
                    kommo_subdomain=fields["kommo_subdomain"],
                    kommo_base_url=fields["kommo_base_url"],
                    language=fields.get("language", "es"),
                    address=fields.get("address", ""),
                    kommo_auth=kommo_auth_label(bool(long_lived), bool(refresh)),
                    created_at=float(fields.get("created_at", "0")),
                    display_name=fields.get("display_name") or fields["name"],
                    bot_question_step=int(fields.get("bot_question_step", "1")),
                )
            )
        return out

    def remove_clinic(self, name: str) -> bool:
        with reachable():
            token_hash = self._redis.hget(redis_keys.clinic(name), "agent_token_hash")
            if not token_hash:
                return False
            pipe = self._redis.pipeline(transaction=True)
            pipe.delete(
                redis_keys.clinic(name),
                redis_keys.agent_token(token_hash),
                redis_keys.kommo_tokens(name),
                redis_keys.agent(name),
                redis_keys.conversation_starts(name),
            )
            pipe.srem(redis_keys.CLINICS, name)
            pipe.srem(redis_keys.AGENTS, name)
            pipe.execute()
            # Its conversations and repeat keys would expire anyway; an operator removing a clinic expects them gone.
            for pattern in (redis_keys.conversations_of(name), redis_keys.deliveries_of(name)):
                batch = list(self._redis.scan_iter(match=pattern, count=500))
                for start in range(0, len(batch), 500):
                    self._redis.delete(*batch[start : start + 500])
        return True

    def close_now(self) -> None:
        self._redis.close()


def _pending_turn_args(clinic: str, turn: PendingTurn) -> list[str]:
    """A pending turn as the claim scripts take it: its JSON, owner, member of the turns index, time and TTL."""
    return [
        _json(turn.to_json()),
        turn.owner,
        redis_keys.turn_member(clinic, turn.turn_id),
        repr(turn.received_at),
        str(int(PENDING_TURN_TTL_S * 1000)),
    ]
