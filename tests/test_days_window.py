from datetime import datetime
from zoneinfo import ZoneInfo

from agent.portal.base import days_window

TZ = ZoneInfo("America/Santiago")


def test_day_one_is_the_rest_of_today():
    now = datetime(2026, 12, 2, 15, 0, tzinfo=TZ)
    start, end = days_window(1, now, TZ)
    assert start == now
    assert end == datetime(2026, 12, 3, 0, 0, tzinfo=TZ)


def test_fourteen_days_ends_at_midnight_after_the_fourteenth_day():
    now = datetime(2026, 12, 2, 23, 59, tzinfo=TZ)
    _, end = days_window(14, now, TZ)
    assert end == datetime(2026, 12, 16, 0, 0, tzinfo=TZ)


def test_now_in_another_zone_is_read_in_the_clinic_zone():
    now_utc = datetime(2026, 12, 3, 2, 0, tzinfo=ZoneInfo("UTC"))  # 23:00 on Dec 2 in Santiago
    _, end = days_window(1, now_utc, TZ)
    assert end == datetime(2026, 12, 3, 0, 0, tzinfo=TZ)
