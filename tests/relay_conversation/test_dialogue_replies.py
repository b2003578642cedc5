"""check_continuation catches every broken limit; continuation() never produces one."""

from __future__ import annotations

from relay.conversation import check_continuation
from relay.conversation.replies import continuation, split_text


def good() -> dict:
    return {
        "data": {"status": "choose_day", "message": "x"},
        "execute_handlers": [
            {"handler": "show", "params": {"type": "text", "value": "Hola"}},
            {"handler": "show", "params": {"type": "buttons", "value": "¿Qué día?", "buttons": ["Lun 2 dic", "Más días"]}},
            {"handler": "goto", "params": {"type": "question", "step": 1}},
        ],
    }


def test_a_good_body_passes():
    assert check_continuation(good()) == []


def test_every_broken_limit_is_named():
    cases = []
    body = good()
    body["execute_handlers"] = [body["execute_handlers"][0]] * 9 + body["execute_handlers"][1:]
    cases.append((body, "handlers"))
    body = good()
    body["execute_handlers"][0]["params"]["value"] = "x" * 81
    cases.append((body, "81 characters"))
    body = good()
    body["execute_handlers"][1]["params"]["buttons"] = ["a", "b", "c", "d"]
    cases.append((body, "4 buttons"))
    body = good()
    body["execute_handlers"][1]["params"]["buttons"] = ["x" * 21]
    cases.append((body, "21 characters"))
    body = good()
    body["execute_handlers"][1]["params"]["buttons"] = ["Lun", "lun"]
    cases.append((body, "read the same"))
    body = good()
    body["execute_handlers"][2]["params"]["type"] = "jump"
    cases.append((body, "goto type"))
    body = good()
    body["execute_handlers"][2]["params"]["step"] = "1"
    cases.append((body, "step"))
    body = good()
    body["execute_handlers"].pop()
    cases.append((body, "goto question"))
    body = good()
    body["data"]["status"] = "slots"
    cases.append((body, "data.status"))
    body = good()
    body["data"]["days"] = ["a"]
    cases.append((body, "plain value"))
    body = good()
    body["execute_handlers"][0]["params"]["value"] = ""
    cases.append((body, "empty"))
    body = good()
    body["execute_handlers"][0]["handler"] = "action"
    cases.append((body, "unknown handler"))
    body = good()
    body["execute_handlers"].insert(0, {"handler": "goto", "params": {"type": "finish", "step": 2}})
    cases.append((body, "not the last"))
    cases.append(([], "not an object"))
    cases.append(({"data": {"status": "booked"}, "execute_handlers": []}, "non-empty"))
    for body, expected in cases:
        problems = check_continuation(body)
        assert any(expected in p for p in problems), (expected, problems)


def test_long_text_is_split_into_shows_and_kept_whole_in_data():
    text = "palabra " * 100
    body = continuation({"status": "booked"}, [text])
    assert check_continuation(body) == []
    shows = [h["params"]["value"] for h in body["execute_handlers"]]
    assert all(len(s) <= 80 for s in shows) and len(shows) > 1
    assert body["data"]["message"] == text.strip()


def test_too_much_text_is_cut_to_ten_handlers_and_a_long_prompt_moves_into_text():
    body = continuation({"status": "choose_day"}, ["x " * 2000], "¿Qué día? " * 20, ["a", "b", "c"], 1)
    assert check_continuation(body) == []
    assert len(body["execute_handlers"]) == 10
    assert body["execute_handlers"][-2]["params"]["buttons"] == ["a", "b", "c"]


def test_split_text_cuts_words_longer_than_a_show():
    pieces = split_text("a " + "y" * 200 + " b")
    assert all(len(p) <= 80 for p in pieces) and "".join(pieces).replace(" ", "") == "a" + "y" * 200 + "b"


def test_a_long_paragraph_is_cut_where_a_sentence_or_clause_ends_never_inside_brackets():
    from relay.conversation.replies import split_text

    hint = "Perdona, no te entendí. Elige una hora con los botones o escríbela (p. ej. «10:30»)."
    assert split_text(hint) == ["Perdona, no te entendí. Elige una hora con los botones o escríbela",
                                "(p. ej. «10:30»)."]
    told = ("Ya tienes hora el jueves 3 de diciembre a las 10:00 con la Dra. Ana Soto, Traumatología. "
            "¿Quieres una hora más, cambiarla o cancelarla?")
    pieces = split_text(told)
    assert pieces[0].endswith("Soto,") and all(len(p) <= 80 for p in pieces)
    assert " ".join(pieces) == told


def test_the_message_with_the_buttons_is_never_a_stub_of_the_question():
    """A confirmation longer than one WhatsApp message was cut before its last word: the message the patient taps
    the buttons under said only "Traumatología?"."""
    body = continuation({"status": "choose_time"}, [], "¿Confirmo el viernes 4 de diciembre a las 09:00 con el Dr. "
                        "Andrés Rojas, Traumatología?", ["Sí", "Otra hora"])
    shows = [h["params"]["value"] for h in body["execute_handlers"] if h["handler"] == "show"]
    assert shows == ["¿Confirmo el viernes 4 de diciembre a las 09:00", "con el Dr. Andrés Rojas, Traumatología?"]
    sentence_apart = continuation({"status": "choose_time"}, [], "¿Qué hora con la Dra. Camila Soto, Medicina general "
                                  "el Lun 7 dic? Escribe el número.", ["09:00"])
    assert [h["params"]["value"] for h in sentence_apart["execute_handlers"] if h["handler"] == "show"][-1] \
        == "Escribe el número."  # a sentence of its own stays whole
