"""`cita-demo kommo`: the stand-in Kommo serving one account, for the relay and `cita-demo chat` to talk to."""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import sys
import threading

from demo.kommo import StandInKommo
from demo.serving import ServerThread

DEFAULT_PORT = 8701


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("kommo", help="a stand-in Kommo account (widget_requests, return URLs, OAuth refresh)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--subdomain", required=True, help="the Kommo account, e.g. clinica-demo")
    parser.add_argument("--client-id", required=True, help="the integration's client id (the JWT audience)")
    parser.add_argument(
        "--secret-stdin", action="store_true", required=True, help="read the client secret from standard input"
    )
    parser.add_argument(
        "--long-lived-token-stdin",
        action="store_true",
        help="also read a long-lived API token (second line of standard input) that the relay may use",
    )
    parser.add_argument(
        "--refresh-token-file",
        metavar="PATH",
        help="write an OAuth refresh token to PATH (mode 0600), as if the integration had just been installed, "
        "for `cita-relay set-kommo-oauth NAME --redirect-uri URL < PATH`",
    )
    parser.add_argument("--rate-limit", type=float, default=7.0, help="requests per second per account (Kommo: 7)")
    parser.add_argument(
        "--lenient-whatsapp",
        action="store_true",
        help="accept Kommo's own limits only (25 buttons), not WhatsApp's 3 buttons of 20 characters",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        secret = _read_secret("Client secret: ")
        token = _read_secret("Long-lived token: ") if args.long_lived_token_stdin else None
    except EOFError:
        print("cita-demo kommo: standard input ended before the secret (and token) lines", file=sys.stderr)
        return 2
    if not secret:
        print("cita-demo kommo: the client secret on standard input is empty", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request drowns the continuations
    kommo = StandInKommo(rate_limit_per_s=args.rate_limit, strict_whatsapp=not args.lenient_whatsapp)
    kommo.bind(f"http://{args.host}:{args.port}")
    try:
        kommo.add_account(args.subdomain, args.client_id, secret, long_lived_token=token or None)
    except ValueError as exc:
        print(f"cita-demo kommo: {exc}", file=sys.stderr)
        return 2
    try:
        server = ServerThread(kommo.app, host=args.host, port=args.port).start()
    except (RuntimeError, TimeoutError) as exc:
        print(f"cita-demo kommo: cannot serve on {args.host}:{args.port} ({exc}); is the port in use?", file=sys.stderr)
        return 1
    base = kommo.account_base_url(args.subdomain)
    if args.refresh_token_file:
        try:
            _write_private(args.refresh_token_file, kommo.issue_refresh_token(args.subdomain) + "\n")
        except OSError as exc:
            server.stop()
            print(f"cita-demo kommo: cannot write {args.refresh_token_file}: {exc.strerror}", file=sys.stderr)
            return 1
    print(f"Stand-in Kommo account {args.subdomain!r} is listening. Give the relay:")
    print(
        f"  cita-relay add-clinic NAME --kommo-subdomain {args.subdomain} --kommo-client-id {args.client_id} "
        f"--kommo-base-url {base} --kommo-secret-stdin" + (" --kommo-token-stdin" if token else "")
    )
    if args.refresh_token_file:
        print(
            f"  or with OAuth: cita-relay set-kommo-oauth NAME --redirect-uri https://example.invalid/oauth "
            f"< {args.refresh_token_file}"
        )
    print(f"Then chat: cita-demo chat --relay http://127.0.0.1:8700 --clinic NAME --kommo {server.url}")
    print("Ctrl-C stops it. The account's base URL:")
    # Last, alone on its line, and only once the server is listening, so a script can read it and go.
    print(base, flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


def _read_secret(prompt: str) -> str:
    if sys.stdin.isatty():
        return getpass.getpass(prompt).strip()
    line = sys.stdin.readline()
    if not line:
        raise EOFError
    return line.strip()


def _write_private(path: str, text: str) -> None:
    """Write a secret readable by this user only (created 0600, never world-readable even for a moment)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)
