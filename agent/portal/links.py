"""A link to one appointment in the clinic's web app, where the driver can give one ("Abrir en la agenda web").

A driver may define ``appointment_url(base_url, booking_id, slot_id="") -> str`` as a class method: no browser, no
network, just the web app's address for that appointment (or "" when it has none). The tray asks through
``appointment_link`` and offers the action only when a link comes back; a link that leaves the web app's own
address is refused, so a driver bug cannot send the receptionist elsewhere.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from urllib.parse import urlsplit

log = logging.getLogger(__name__)

AppointmentLink = Callable[[str, str], str]  # (booking_id, slot_id) -> URL, or ""


def can_link(driver_class: type) -> bool:
    """Whether the driver says where an appointment is (the optional ``appointment_url``)."""
    return callable(getattr(driver_class, "appointment_url", None))


def appointment_link_for(driver_class: type | None, base_url: str) -> AppointmentLink:
    """``link(booking_id, slot_id)`` for this driver and web app address ("" where it cannot say)."""
    if driver_class is None or not can_link(driver_class) or not base_url:
        return lambda _booking_id, _slot_id: ""
    base = urlsplit(base_url)

    def link(booking_id: str, slot_id: str) -> str:
        if not booking_id:
            return ""
        try:
            url = str(driver_class.appointment_url(base_url, booking_id, slot_id) or "")  # type: ignore[attr-defined]
        except Exception:  # a driver's bug must not break the window: no link, said in the log
            log.exception("the driver could not give an appointment's address")
            return ""
        found = urlsplit(url)
        if found.scheme not in ("http", "https") or (found.scheme, found.netloc) != (base.scheme, base.netloc):
            return ""
        return url

    return link


def appointment_link(kind: str, base_url: str) -> AppointmentLink:
    """The link maker for the installed driver ``kind`` (none when the driver is unknown or cannot say)."""
    from agent.portal.registry import driver_info

    try:
        driver_class = driver_info(kind).load()
    except Exception:  # an unknown or broken driver: the engine says so elsewhere
        return appointment_link_for(None, base_url)
    return appointment_link_for(driver_class, base_url)
