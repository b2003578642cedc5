"""A web app's phone field is the patient's WhatsApp phone however reception typed it — and never another patient's
whose number ends the same way."""

from __future__ import annotations

import pytest

from agent.phone_match import field_has_phone


@pytest.mark.parametrize(("field", "phone"), [
    ("+56 9 4100 1005", "+56 9 4100 1005"), ("9 4100 1005", "+56 9 4100 1005"), ("941001005", "+56941001005"),
    ("(+56) 9-4100-1005", "+56 9 4100 1005"), ("9 2111 0080 / 22 334 4556", "+56 9 2111 0080"),
    ("+56 9 2111 0080 anexo 12", "+56921110080"), ("22 334 4556 y 9 2111 0080", "+56 9 2111 0080"),
])
def test_the_patients_phone_however_it_was_typed(field, phone):
    assert field_has_phone(field, phone)


@pytest.mark.parametrize(("field", "phone"), [
    ("+56 2 2111 0090", "+56 9 2111 0090"),  # a landline and a mobile with the same last eight digits
    ("21110090", "+56 9 2111 0090"),  # too short to tell which
    ("", "+56 9 4100 1005"), ("+56 9 4100 1005", ""), ("anexo 12", "+56 9 4100 1012"),
])
def test_never_another_patients(field, phone):
    assert not field_has_phone(field, phone)
