"""The driver of django-appointment's staff side (PyPI ``django-appointment`` 3.x): see driver.py."""

from agent.drivers.django_appointment.driver import DjangoAppointmentDriver

__all__ = ["DjangoAppointmentDriver"]
