"""The driver of the stand-in clinic web app (demo/portal): screens, pure agenda parsing, and the driver."""

from agent.drivers.demo.driver import DemoPortalDriver

__all__ = ["DemoPortalDriver"]
