"""The patient's WhatsApp conversation, as pure code: no I/O, no clock reads, no randomness.

The relay core drives it for every widget_request it accepts::

    reply_or_book = decide(state, turn, clinic, slots)     # slots: the agent's fresh SlotsResult
    if isinstance(reply_or_book, Book):                     # ask the agent to book, then:
        reply = after_booking(reply_or_book.state, turn, clinic, book_result_or_wire_error)
    reply = handoff(state, turn, clinic, "agent_offline")   # when the agent cannot answer
    if isinstance(reply_or_book, AgentStep):                # the patient's own appointments: save its state,
        reply = after_agent_step(step, turn, clinic, outcome_of(step.op, response_or_wire_error))  # ask the agent
    # POST reply.continuation to return_url; store reply.state (None: forget the lead)

``check_continuation(body)`` lists every Kommo/WhatsApp limit a body breaks (empty: fine).

``data`` (each key is ``{{json.<key>}}`` in the bot): always ``status`` and ``message`` (the whole text), and
``conversation_id`` once a conversation exists. Menus (choose_day / choose_time, ending in ``goto question``):
``option_1``..``option_N`` (the choices: numbered lines of a list, then the buttons), ``professional`` and
``specialty`` (the patient's filters), ``day``/``day_label`` (time menu), ``code: "slot_taken"`` with
``taken_start``/``taken_professional`` after a lost race, ``code: "confirm"`` with ``confirm_start`` /
``confirm_professional`` when typed text pinned one slot (only "Sí" or a tapped time books), and
``code: "specialty"`` when the clinic has several and the patient is asked which one, ``code: "service"``
(services of their own lengths, when what the patient wants offers several), ``code: "patient_field"`` with
``field`` (a field the web app requires: ``email`` / ``national_id`` / ``birth_date``, asked after the
confirmation and checked, conversation/fields.py) and ``code: "already_booked"`` (the patient already has an
upcoming appointment: another one, change it or cancel it; only when the agent says it can tell them).
Every message is read, the first one included (freetext.read: intents, days, times, specialties, typos).
booked: ``booking_id``, ``start``, ``end`` (ISO with the clinic's offset), ``professional``, ``day``, ``time``,
``address``, ``repeat``. handoff: ``reason`` (the core's, an agent error code, or the conversation's own
``no_slots`` / ``cancelled`` / ``asked_for_person`` / ``asked_for_call`` / ``cancel_requested`` /
``reschedule_requested`` / ``bookings_requested``) and, when a booking's outcome is unknown,
``requested_start`` / ``requested_professional`` / ``requested_slot_id`` with ``booking: "unconfirmed"``.
booked and handoff end the conversation with no goto, so the bot goes on to its next step; its state is None,
or a short "done" one when something goes on (another person's appointment asked for too, the patient's language)
— except a booking whose outcome is unknown: its state is kept, and ``resume_booking`` turns the lead's next
message, whatever it says, into the same ``Book`` (same idempotency key) before anything else.
"""

from relay.conversation.appointments import outcome_of, resume_cancel
from relay.conversation.existing import before_booking
from relay.conversation.fields import name_cased
from relay.conversation.flow import after_agent_step, after_booking, decide, handoff, resume_booking, without_agenda
from relay.conversation.model import STATUSES, AgentStep, Book, ClinicProfile, Reply, Turn
from relay.conversation.replies import check_continuation
from relay.conversation.state import SILENCE_LIMIT, ConversationState, conversation_id, idempotency_key

__all__ = [
    "before_booking",
    "SILENCE_LIMIT",
    "STATUSES",
    "AgentStep",
    "Book",
    "ClinicProfile",
    "ConversationState",
    "Reply",
    "Turn",
    "after_agent_step",
    "after_booking",
    "without_agenda",
    "check_continuation",
    "conversation_id",
    "decide",
    "handoff",
    "idempotency_key",
    "name_cased",
    "outcome_of",
    "resume_booking",
    "resume_cancel",
]
