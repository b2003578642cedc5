"""Where an appointment is in the clinic's web app (agent/portal/links.py): the drivers that can say, and the
guard that keeps a link on the web app's own address."""

from __future__ import annotations

from agent.drivers.demo.driver import DemoPortalDriver
from agent.drivers.django_appointment.driver import DjangoAppointmentDriver
from agent.portal.links import appointment_link, appointment_link_for, can_link


def test_the_demo_driver_links_the_appointments_week_with_its_detail_open():
    link = appointment_link("demo", "http://127.0.0.1:8080/")
    assert link("4711", "dra-soto:2026-12-03T10:00") == (
        "http://127.0.0.1:8080/agenda?profesional=dra-soto&semana=2026-11-30&cita=4711")
    assert link("4711", "not-a-slot-of-this-app") == ""  # it cannot place it: no link
    assert link("", "dra-soto:2026-12-03T10:00") == ""


def test_django_appointment_links_its_own_appointment_page():
    link = appointment_link("django-appointment", "http://127.0.0.1:8000")
    assert link("12", "") == "http://127.0.0.1:8000/appointment/app-admin/display-appointment/12/"
    assert link("x12", "") == ""
    assert can_link(DemoPortalDriver) and can_link(DjangoAppointmentDriver)


def test_a_driver_that_cannot_say_or_says_elsewhere_gives_no_link():
    class Silent:
        pass

    class Elsewhere:
        @classmethod
        def appointment_url(cls, base_url: str, booking_id: str, slot_id: str = "") -> str:
            return f"https://evil.example/{booking_id}"

    class Broken:
        @classmethod
        def appointment_url(cls, base_url: str, booking_id: str, slot_id: str = "") -> str:
            raise RuntimeError("bug")

    for driver in (Silent, Elsewhere, Broken):
        assert appointment_link_for(driver, "http://127.0.0.1:8080")("1", "s") == ""
    assert appointment_link("no-such-driver", "http://127.0.0.1:8080")("1", "s") == ""
