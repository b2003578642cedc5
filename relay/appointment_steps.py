"""The I/O behind a conversation's ``AgentStep`` (the patient's own appointments: my_bookings, cancel).

The state is saved before the agent acts, so a restart mid-cancel asks again with the same key (the
conversation's ``resume_cancel``); an agent that is offline, paused or lacks the capability gives a hand-off.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from relay.agents import AgentUnavailable
from relay.conversation import AgentStep, ClinicProfile, ConversationState, Reply, Turn, after_agent_step, outcome_of
from relay.logs import log
from wire.messages import Response, WireError

logger = logging.getLogger("relay.appointments")

# Steps that change nothing at the clinic: a restart mid-step re-runs the turn from the state before it, which asks
# again; saving the state first would cost a commit per new conversation ("Ya tienes hora…" asks this one).
READ_ONLY_OPS = frozenset({"my_bookings"})


async def run_agent_step(
    step: AgentStep,
    turn: Turn,
    clinic: ClinicProfile,
    *,
    ask: Callable[[str, Any], Awaitable[Response]],
    save: Callable[[ConversationState], Awaitable[None]],
    clinic_name: str = "",
) -> Reply:
    if step.op not in READ_ONLY_OPS:  # a cancel or a move: a restart mid-step must find it and ask again, same key
        await save(step.state)
    outcome: Any
    try:
        response = await ask(step.op, step.args)
    except AgentUnavailable as unavailable:
        outcome = WireError(unavailable.reason, "", nothing_written=not unavailable.sent)
    else:
        outcome = outcome_of(step.op, response)
    ok = not isinstance(outcome, WireError)
    log(
        logger,
        logging.INFO if ok else logging.WARNING,
        "appointment_op",
        clinic=clinic_name,
        lead=turn.lead_id,
        op=step.op,
        code="ok" if ok else outcome.code,
    )
    return after_agent_step(step, turn, clinic, outcome)
