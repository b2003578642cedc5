"""Cita Bridge agent: runs on the clinic's front-desk PC."""

__version__ = "0.1.0"
