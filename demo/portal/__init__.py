"""The stand-in clinic web app ("Agendamed" for "Centro Médico Los Aromos").

From Python::

    from demo.portal import PortalSettings, create_portal_app, PortalAdmin
    from demo.serving import ServerThread

    settings = PortalSettings(seed=7, admin_token="t0k3n")   # staff: settings.staff_user / settings.staff_password
    with ServerThread(create_portal_app(settings)) as server:
        admin = PortalAdmin(server.url, settings.admin_token)
        admin.free_slots(14)                                 # the ground truth, as `cita-agent check --json` prints it

The admin interface (``/_admin/...``, see ``demo.portal.admin``) exists only when ``admin_token`` is set.
"""

from demo.portal.admin_client import PortalAdmin
from demo.portal.app import PortalState, create_portal_app
from demo.portal.settings import DEFAULT_STAFF_PASSWORD, DEFAULT_STAFF_USER, PortalSettings

__all__ = [
    "DEFAULT_STAFF_PASSWORD",
    "DEFAULT_STAFF_USER",
    "PortalAdmin",
    "PortalSettings",
    "PortalState",
    "create_portal_app",
]
