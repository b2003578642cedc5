"""Labels that fit WhatsApp's 20 characters, and pages of at most 3 buttons."""

from __future__ import annotations

from datetime import date

import pytest

from relay.conversation.menus import page, short_professional, time_label, unique_labels
from relay.conversation.texts import ENGLISH, SPANISH, language
from wire.messages import WireSlot


def test_day_labels_every_day_of_a_year_fit():
    for lang in (SPANISH, ENGLISH):
        for n in range(366):
            day = date.fromordinal(date(2026, 1, 1).toordinal() + n)
            assert len(lang.day_label(day)) <= 20
    assert SPANISH.day_label(date(2026, 12, 2)) == "Mié 2 dic"
    assert ENGLISH.day_label(date(2026, 12, 2)) == "Wed 2 Dec"
    assert SPANISH.day_long(date(2026, 12, 7)) == "lunes 7 de diciembre"
    assert ENGLISH.day_long(date(2026, 12, 7)) == "Monday 7 December"


def test_language_defaults_to_spanish():
    assert language(None) is SPANISH and language("xx") is SPANISH and language("EN") is ENGLISH


def test_both_languages_have_the_same_messages_and_short_buttons():
    assert SPANISH.messages.keys() == ENGLISH.messages.keys()
    for lang in (SPANISH, ENGLISH):
        for key in ("more_days", "more_times", "other_days"):
            assert len(lang.say(key)) <= 20


@pytest.mark.parametrize(
    ("name", "limit", "short"),
    [
        ("Dra. Ana Soto", 14, "Dra. Ana Soto"),
        ("Dra. Antonia Soto", 14, "Dra. A. Soto"),
        ("Dra. Antonia Sotomayor", 14, "Dra. Sotomayor"),
        ("Dra. María José Soto Pérez", 14, "Dra. Soto P."),
        ("Dr. Juan de la Cruz", 14, "Dr. de la Cruz"),
        ("Ana Soto Pérez", 10, "Soto Pérez"),
        ("Psicóloga Ximena Ruiz", 14, "Psicóloga Ruiz"),
        ("Dr. Juan Rojas", 8, "J. Rojas"),
        ("X" * 120, 14, "X" * 13 + "…"),
        ("Box 3 (procedimientos)", 14, "Box 3 (proced…"),
    ],
)
def test_professional_names_shortened_sensibly(name, limit, short):
    assert short_professional(name, limit) == short
    assert len(short) <= limit


def test_time_labels():
    slot = WireSlot("s1", "2026-12-02T10:30:00-03:00", "2026-12-02T11:00:00-03:00", "Dra. María José Soto Pérez")
    assert time_label(slot, False) == "10:30"
    assert time_label(slot, True) == "10:30 Dra. Soto P."


def test_repeated_labels_are_numbered_and_never_equal_a_reserved_one():
    assert unique_labels(["10:30 Dra. Soto", "10:30 Dra. Soto", "10:30 Dra. Soto"]) == [
        "10:30 Dra. Soto", "10:30 Dra. Soto (2)", "10:30 Dra. Soto (3)"]
    labels = unique_labels(["X" * 20, "x" * 20, "Más horas"], reserved=["Más horas"])
    assert all(len(label) <= 20 for label in labels) and len({label.casefold() for label in labels} | {"más horas"}) == 4


def test_pages_show_three_when_three_remain_else_two_and_more():
    assert page([1, 2, 3], 0) == ([1, 2, 3], False)
    assert page([1, 2, 3, 4], 0) == ([1, 2], True)
    assert page([1, 2, 3, 4], 2) == ([3, 4], False)
    assert page([1], 0) == ([1], False)

