"""The "Para contactar" list's words: one row per patient the bot handed to reception. No Qt here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from agent.followups import FollowUp
from agent.ui.i18n import Translator

FOLLOW_UP_COLUMNS: tuple[str, ...] = ("patient", "phone", "reason", "chosen", "handed_off")


@dataclass(frozen=True)
class FollowUpRow:
    id: str
    cells: tuple[str, ...]  # in FOLLOW_UP_COLUMNS order
    phone: str
    whatsapp_url: str
    kommo_url: str

    def text(self, column: str) -> str:
        return self.cells[FOLLOW_UP_COLUMNS.index(column)]


def whatsapp_url(phone: str) -> str:
    """wa.me link to write to a patient ("" without a usable number)."""
    digits = "".join(c for c in phone if c.isdigit())
    return f"https://wa.me/{digits}" if 6 <= len(digits) <= 15 else ""


def chosen_text(item: FollowUp, tr: Translator, now: datetime) -> str:
    """What the patient had already chosen, in words ("mañana 10:30 con Dra. Soto", "el día mar 3 dic")."""
    if item.chosen_start:
        try:
            start = datetime.fromisoformat(item.chosen_start)
        except ValueError:
            start = None
        if start is not None:
            when = tr.day_and_time(start, now)
            return f"{when} · {item.chosen_professional}" if item.chosen_professional else when
    if item.chosen_day:
        try:
            day = date.fromisoformat(item.chosen_day)
        except ValueError:
            return tr("followups.nothing_chosen")
        label = tr.day_and_time(datetime(day.year, day.month, day.day, tzinfo=now.tzinfo), now).rsplit(" ", 1)[0]
        return tr("followups.day", day=label)
    if item.chosen_professional:
        return item.chosen_professional
    return tr("followups.nothing_chosen")


def follow_up_rows(items: list[FollowUp], tr: Translator, now: datetime) -> list[FollowUpRow]:
    rows = []
    for item in items:
        handed = tr.day_and_time(item.at.astimezone(), now)
        cells = (item.name or tr("followups.no_name"), item.phone, tr.reason(item.reason), chosen_text(item, tr, now),
                 handed)
        rows.append(FollowUpRow(item.id, cells, item.phone, item.whatsapp_url, item.kommo_url))
    return rows
