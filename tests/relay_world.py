"""A real relay serving one clinic, with a stand-in Kommo holding the clinic's account, both on loopback (any test
folder imports it: the root conftest's folder is on the path)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


@contextmanager
def relay_with_clinic(root: Path, clinic: str, *, address: str = "") -> Iterator[tuple[Any, str, str]]:
    """A stand-in Kommo holding the clinic's account and a real relay serving the clinic, on loopback: (the stand-in
    Kommo, the relay's URL, the clinic's agent token); both stopped after."""
    from demo.kommo import StandInKommo
    from demo.serving import ServerThread
    from relay.app import build_app
    from relay.settings import RelaySettings
    from relay.store import ClinicDetails, SqliteStore

    kommo = StandInKommo()
    kommo_server = kommo.serve()
    secret, long_lived = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    kommo.add_account(clinic, f"cid-{clinic}", secret, long_lived_token=long_lived)
    settings = RelaySettings(data_dir=root / "relay")
    settings.data_dir.mkdir(parents=True)
    store = SqliteStore(settings.database_path)
    try:
        token = store.add_clinic(ClinicDetails(clinic, kommo_subdomain=clinic, kommo_client_id=f"cid-{clinic}",
                                 kommo_client_secret=secret, long_lived_token=long_lived, language="es",
                                 address=address, kommo_base_url=kommo.account_base_url(clinic)))
    finally:
        store.close_now()
    relay = ServerThread(build_app(settings), ws_per_message_deflate=False, proxy_headers=False).start()
    try:
        yield kommo, relay.url, token
    finally:
        relay.stop()
        kommo_server.stop()
