"""The pure parts of the stand-in: Kommo's rules, the request budget, token rotation, the chat's view."""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest

from demo.kommo import continuation_violation, form_encoded
from demo.kommo.accounts import KommoAccount, TokenRefusal
from demo.kommo.chat_view import TEXTS, Style, bot_turn, is_quit, patient_message, render_turn
from demo.kommo.rate import SlidingWindowLimit
from demo.kommo.webhooks import account_webhook_form


def buttons(*titles: str) -> dict:
    return {
        "data": {},
        "execute_handlers": [
            {"handler": "show", "params": {"type": "buttons", "value": "Elige", "buttons": list(titles)}}
        ],
    }


def test_the_largest_whatsapp_fit_continuation_is_valid() -> None:
    handlers = [{"handler": "show", "params": {"type": "text", "value": "x" * 80}}] * 8
    handlers += [
        {
            "handler": "show",
            "params": {"type": "buttons", "value": "y" * 80, "buttons": ["a" * 20, "b" * 20, "Más días"]},
        },
        {"handler": "goto", "params": {"type": "finish"}},
    ]
    assert continuation_violation({"data": {"status": "choose_day"}, "execute_handlers": handlers}) == ""
    assert continuation_violation({"data": {}}) == ""  # continuing with data only is allowed


def test_whatsapp_strictness_is_optional() -> None:
    four = buttons("a", "b", "c", "d")
    assert "at most 3" in continuation_violation(four)
    assert continuation_violation(four, strict_whatsapp=False) == ""
    assert "at most 25" in continuation_violation(buttons(*[str(i) for i in range(26)]), strict_whatsapp=False)
    assert "duplicate" in continuation_violation(buttons("Lun 2 dic", "Lun 2 dic"))


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ([], "JSON object"),
        ({"data": {}, "handlers": []}, "unknown top-level keys"),
        ({"data": {}, "execute_handlers": ["show"]}, "must be an object"),
        ({"data": {}, "execute_handlers": [{"handler": "show"}]}, '"params" object'),
        (
            {"data": {}, "execute_handlers": [{"handler": "show", "params": {"type": "image", "value": "x"}}]},
            "show type",
        ),
        (
            {"data": {}, "execute_handlers": [{"handler": "show", "params": {"type": "text", "value": " "}}]},
            "non-empty",
        ),
        (
            {"data": {}, "execute_handlers": [{"handler": "show", "params": {"type": "buttons", "value": "x"}}]},
            '"buttons" list',
        ),
        (buttons("ok", ""), "non-empty string"),
        (
            {
                "data": {},
                "execute_handlers": [{"handler": "show", "params": {"type": "text", "value": "x", "buttons": ["a"]}}],
            },
            "must not carry",
        ),
        (
            {"data": {}, "execute_handlers": [{"handler": "goto", "params": {"type": "answer", "step": True}}]},
            "integer",
        ),
    ],
)
def test_every_rule_names_itself(body: object, reason: str) -> None:
    assert reason in continuation_violation(body)


def test_the_budget_is_a_sliding_second() -> None:
    limit = SlidingWindowLimit(7)
    assert [limit.admit(100.0 + i * 0.1) for i in range(8)] == [True] * 7 + [False]
    assert limit.admit(100.95) is False  # the first admitted call (100.0) is still inside the window
    assert limit.admit(101.0) is True  # it just left it


def test_refresh_tokens_are_single_use_and_rotate() -> None:
    account = KommoAccount("sur", "cid", "secret-" + "x" * 40, account_id=1, access_token_ttl_s=60)
    first = account.issue_refresh_token()
    grant = account.refresh(client_id="cid", client_secret="secret-" + "x" * 40, refresh_token=first, now=0)
    assert grant.refresh_token != first and grant.expires_in == 60
    assert account.authorizes(grant.access_token, now=59) and not account.authorizes(grant.access_token, now=60)
    with pytest.raises(TokenRefusal) as reused:
        account.refresh(client_id="cid", client_secret="secret-" + "x" * 40, refresh_token=first, now=1)
    assert reused.value.status == 400
    with pytest.raises(TokenRefusal) as wrong:
        account.refresh(client_id="other", client_secret="secret-" + "x" * 40, refresh_token=grant.refresh_token, now=1)
    assert wrong.value.status == 401
    assert not account.authorizes("", now=0)


def test_form_encoded_widget_request_and_account_webhooks_parse_like_kommo_forms() -> None:
    body = {"token": "a.b.c", "data": {"lead_id": "12", "message": "Lun 2 dic"}, "return_url": "http://h/x"}
    form = parse_qs(form_encoded(body))
    assert form == {
        "token": ["a.b.c"],
        "data[lead_id]": ["12"],
        "data[message]": ["Lun 2 dic"],
        "return_url": ["http://h/x"],
    }

    hook = parse_qs(account_webhook_form("sur", 31000001, "http://h/sur", kind="message", now=1))
    assert hook["account[subdomain]"] == ["sur"] and "message[add][0][text]" in hook and "token" not in hook
    assert "leads[status][0][status_id]" in parse_qs(account_webhook_form("sur", 1, "u", kind="lead_status", now=1))


def test_the_chat_shows_messages_numbered_buttons_and_status() -> None:
    body = {
        "data": {"status": "choose_day"},
        "execute_handlers": [
            {"handler": "show", "params": {"type": "text", "value": "Hola"}},
            {"handler": "show", "params": {"type": "buttons", "value": "Elige", "buttons": ["Lun 2 dic", "Más días"]}},
            {"handler": "goto", "params": {"type": "question", "step": 1}},
        ],
    }
    turn = bot_turn(body)
    assert turn.buttons == ("Lun 2 dic", "Más días") and turn.status == "choose_day"
    lines = render_turn(turn, TEXTS["es"], Style(color=False), debug=True)
    assert lines == [
        "Bot › Hola",
        "Bot › Elige",
        "      1) Lun 2 dic",
        "      2) Más días",
        "      [status: choose_day]",
    ]
    assert "      [status: choose_day]" not in render_turn(turn, TEXTS["es"], Style(color=False))  # only with --debug
    assert all("\x1b[" in line for line in render_turn(turn, TEXTS["es"], Style(color=True)))
    assert render_turn(bot_turn({"data": {}}), TEXTS["en"], Style(color=False)) == [TEXTS["en"]["empty"]]


def test_a_typed_number_taps_a_button_and_anything_else_is_text() -> None:
    shown = ("Lun 2 dic", "Mar 3 dic", "Más días")
    assert patient_message(" 2 ", shown) == "Mar 3 dic"
    assert patient_message("4", shown) == "4"
    assert patient_message("0", shown) == "0"
    assert patient_message("mañana a las 10:30", shown) == "mañana a las 10:30"
    assert is_quit("Salir") and is_quit("exit") and not is_quit("salir mañana")


def test_under_a_numbered_list_numbers_go_to_the_list_and_buttons_are_lettered() -> None:
    body = {
        "data": {"status": "choose_day"},
        "execute_handlers": [
            {"handler": "show", "params": {"type": "text", "value": "1. lunes 2 de diciembre"}},
            {"handler": "show", "params": {"type": "text", "value": "2. martes 3 de diciembre"}},
            {"handler": "show", "params": {"type": "buttons", "value": "Elige", "buttons": ["Lun 2 dic", "Más días"]}},
        ],
    }
    turn = bot_turn(body)
    assert turn.numbered_list
    assert render_turn(turn, TEXTS["es"], Style(color=False))[3:5] == ["      a) Lun 2 dic", "      b) Más días"]
    assert patient_message("2", turn.buttons, lettered=True) == "2"
    assert patient_message("B", turn.buttons, lettered=True) == "Más días"


def test_a_long_message_wraps_under_its_own_prefix_and_stays_one_message() -> None:
    text = "Estos son los próximos días con horas libres con la Dra. Camila Soto, Medicina general, en la tarde."
    body = {"data": {}, "execute_handlers": [{"handler": "show", "params": {"type": "text", "value": text}}]}
    lines = render_turn(bot_turn(body), TEXTS["es"], Style(color=False), width=48)
    assert lines[0].startswith("Bot › ") and all(not line.startswith("Bot") for line in lines[1:])
    assert all(len(line) <= 48 for line in lines) and " ".join(x.strip() for x in lines)[6:] == text
