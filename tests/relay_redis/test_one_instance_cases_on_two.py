"""The one-instance cases of tests/relay, run against two instances sharing Redis.

Kommo's calls alternate between the instances (a repeated delivery lands on both) and the scripted agent is
connected to the other instance than the one Kommo calls first, so each agent request is forwarded through
Redis: the answers must be exactly those of one relay — one agent request per delivery, one booking, the same
refusals for bad input, a hand-off whenever the agent cannot answer.
"""

from __future__ import annotations

# Collected here again, with this folder's fixtures: `relay` and `make_relay` are a RelayPair.
from test_agent_failures import (  # noqa: F401
    test_agent_error_codes_become_the_handoff_reason,
    test_agent_gone_mid_request_hands_off_without_waiting_for_the_deadline,
    test_agent_offline_hands_off_at_once,
    test_paused_agent_is_not_asked,
    test_relay_shutdown_still_answers_turns_in_flight,
    test_slow_agent_times_out_into_a_handoff,
    test_slow_booking_hands_off_with_the_requested_slot,
)
from test_kommo_endpoint import (  # noqa: F401
    clinic_with_agent,
    test_account_webhook_gets_a_clear_4xx,
    test_algorithm_is_pinned_to_hs256,
    test_expired_token_is_401,
    test_foreign_return_url_is_refused_and_never_called,
    test_forged_token_is_401,
    test_form_encoded_widget_request_works,
    test_malformed_bodies_are_4xx_not_crashes,
    test_marketingbot_return_url_is_accepted,
    test_missing_lead_is_400,
    test_missing_token_is_401,
    test_other_clinics_token_is_401,
    test_oversized_body_is_413,
    test_the_200_comes_before_the_agent_answers,
    test_token_from_the_future_is_401_but_small_skew_is_fine,
    test_unknown_clinic_is_answered_as_a_bad_token,
)
from test_repeats import (  # noqa: F401
    test_repeated_pick_books_once,
    test_same_body_twice_gives_one_request_and_one_continuation,
    test_same_jti_with_a_new_return_url_gets_the_same_reply,
    test_same_lead_and_message_within_seconds_is_one_request,
    test_the_same_button_again_after_the_bot_moved_on_is_a_new_answer,
    test_two_quick_messages_of_one_lead_are_handled_in_order,
)
