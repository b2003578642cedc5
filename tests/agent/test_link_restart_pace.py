"""After a relay says it is restarting (close 1001/1012), the agent retries quickly for a while."""

from agent.link import RESTART_RETRY_S, RESTART_WINDOW_S, restart_retry_delay


def test_normal_backoff_when_the_relay_did_not_announce_a_restart():
    assert restart_retry_delay(8.0, None, now=100.0, rng=0.5) == 8.0


def test_quick_retries_while_a_restart_is_expected():
    for rng in (0.0, 0.5, 0.999):
        assert restart_retry_delay(8.0, restarting_since=100.0, now=105.0, rng=rng) < RESTART_RETRY_S * 1.21


def test_back_to_backoff_when_the_restart_takes_too_long():
    assert restart_retry_delay(8.0, restarting_since=100.0, now=100.0 + RESTART_WINDOW_S + 1, rng=0.5) == 8.0


def test_never_slower_than_the_backoff():
    assert restart_retry_delay(0.1, restarting_since=100.0, now=101.0, rng=1.0) == 0.1


def test_a_token_refused_after_the_restart_keeps_the_ordinary_backoff():
    """After a relay restart, an agent whose token the relay now refuses tried again every 0.4 s for 20 s (44
    refusals in 17 s): a token is fixed by a person, not by trying again."""
    assert restart_retry_delay(8.0, restarting_since=100.0, now=101.0, rng=0.5, problem="token_refused") == 8.0
