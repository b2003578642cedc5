"""`cita-demo portal`: serve the stand-in clinic web app (Agendamed) on this machine."""

from __future__ import annotations

import argparse
import sys

from demo.portal.settings import DEFAULT_STAFF_USER, PortalSettings


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "portal",
        help="serve the stand-in clinic web app",
        description="Serve the stand-in clinic web app: login, a weekly agenda for 3 professionals, booking, "
        "and (with --admin-token) an admin JSON interface for tests.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8600, help="port (default: 8600)")
    parser.add_argument("--seed", type=int, default=1, help="seeds the agenda: same seed, same agenda (default: 1)")
    parser.add_argument("--staff-user", default=DEFAULT_STAFF_USER, help=f"staff login (default: {DEFAULT_STAFF_USER})")
    parser.add_argument("--staff-password", help="staff password (default: the demo one in demo/portal/settings.py)")
    parser.add_argument("--admin-token", help="enable /_admin/... with this X-Admin-Token")
    parser.add_argument("--session-minutes", type=float, default=30.0, help="idle minutes before a session expires")
    parser.add_argument("--latency-ms", type=int, default=0, help="delay added to every page and JSON call")
    parser.add_argument("--fail-rate", type=float, default=0.0, help="share (0..1) of calls answered 5xx")
    parser.add_argument("--otp", action="store_true",
                        help="after the password, ask a 6-digit verification code (printed here; GET /_admin/otp)")
    parser.add_argument("--must-change-password", action="store_true",
                        help='after the password, a "Debe cambiar su contraseña" screen (once)')
    parser.add_argument("--timezone", default="America/Santiago", help="the clinic's time zone")
    parser.add_argument("--language", choices=("es", "en"), default="es",
                        help="the language its specialties are named in (its staff pages stay Spanish)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import uvicorn

    from demo.portal.app import create_portal_app

    options = {}
    if args.staff_password:
        options["staff_password"] = args.staff_password
    try:
        settings = PortalSettings(
            seed=args.seed, staff_user=args.staff_user, admin_token=args.admin_token or None,
            session_minutes=args.session_minutes, latency_ms=args.latency_ms, fail_rate=args.fail_rate,
            timezone=args.timezone, language=args.language, otp=args.otp,
            must_change_password=args.must_change_password, **options,
        )
        app = create_portal_app(settings)
    except (ValueError, KeyError) as error:  # a bad time zone raises ZoneInfoNotFoundError (a KeyError)
        print(f"cita-demo portal: {error}", file=sys.stderr)
        return 2
    print(f"Agendamed ({settings.clinic_name}) en http://{args.host}:{args.port}/ — usuario {settings.staff_user}, "
          f"semilla {settings.seed}, zona {settings.timezone}, "
          f"admin {'activo' if settings.admin_token else 'desactivado'}", flush=True)
    if args.otp:
        import logging

        logging.basicConfig(level=logging.WARNING, format="%(message)s")
        logging.getLogger("demo.portal.second_factor").setLevel(logging.INFO)  # the "SMS" shows here
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0
