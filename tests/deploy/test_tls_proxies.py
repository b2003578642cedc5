"""TLS termination in front of the relay (deploy/caddy/Caddyfile, deploy/nginx/cita-relay.conf).

Statically: both send /agent and /kommo/ to the relay's port and keep /healthz and /metrics private. Where
the proxy is installed (or named by CITA_NGINX / CITA_CADDY), the real proxy runs on 127.0.0.1 with a
throw-away certificate in front of a real relay, and an agent's wss:// websocket goes through it.
"""

from __future__ import annotations

import datetime
import ipaddress
import json
import os
import re
import shutil
import ssl
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from deploy_checks import DEPLOY

CADDYFILE = DEPLOY / "caddy" / "Caddyfile"
NGINX_SITE = DEPLOY / "nginx" / "cita-relay.conf"
RELAY_PORT = 8700  # the relay's default, which both files name


def _binary(env_name: str, name: str) -> str | None:
    return os.environ.get(env_name) or shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/local/sbin")


NGINX = _binary("CITA_NGINX", "nginx")
CADDY = _binary("CITA_CADDY", "caddy")


def test_caddy_proxies_only_the_public_paths():
    text = CADDYFILE.read_text(encoding="utf-8")
    assert f"reverse_proxy 127.0.0.1:{RELAY_PORT}" in text
    public = re.search(r"@public path (.+)", text)
    assert public and set(public.group(1).split()) == {"/agent", "/kommo/*"}
    assert "respond 404" in text


def test_nginx_upgrades_the_agent_websocket():
    text = NGINX_SITE.read_text(encoding="utf-8")
    assert f"server 127.0.0.1:{RELAY_PORT};" in text
    agent = re.search(r"location = /agent \{(.*?)\}", text, re.DOTALL)
    assert agent, "no `location = /agent` block"
    block = agent.group(1)
    for needed in ("proxy_http_version 1.1", "proxy_set_header Upgrade $http_upgrade",
                   "proxy_set_header Connection $connection_upgrade", "proxy_set_header X-Forwarded-Proto $scheme",
                   "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for"):
        assert needed in block, f"/agent lacks `{needed}`"
    assert "location /kommo/" in text
    assert re.search(r"location / \{\s*return 404;", text)


@pytest.mark.skipif(CADDY is None, reason="caddy is not installed (set CITA_CADDY to a caddy binary)")
def test_caddy_accepts_the_caddyfile():
    result = subprocess.run([CADDY, "adapt", "--config", str(CADDYFILE), "--adapter", "caddyfile"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    json.loads(result.stdout)


# ---------------------------------------------------------------- a real proxy in front of a real relay


@dataclass(frozen=True)
class RunningRelay:
    url: str
    port: int
    clinic: str
    agent_token: str


@pytest.fixture(scope="module")
def relay(tmp_path_factory) -> Iterator[RunningRelay]:
    from demo.serving import ServerThread
    from relay.app import build_app
    from relay.settings import RelaySettings
    from relay.store import ClinicDetails, SqliteStore

    data = tmp_path_factory.mktemp("relay")
    store = SqliteStore(data / "relay.sqlite3")
    token = store.add_clinic(ClinicDetails("proxied", kommo_subdomain="proxied", kommo_client_id="id", kommo_client_secret="s"))
    store.close_now()
    with ServerThread(build_app(RelaySettings(data_dir=data))) as server:
        yield RunningRelay(server.url, server.port, "proxied", token)


def _self_signed(folder: Path) -> tuple[Path, Path]:
    crypto = pytest.importorskip("cryptography")
    del crypto
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def _wait_for_port(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the proxy exited ({process.returncode}): {log.read_text(errors='replace')[-2000:]}")
        try:
            httpx.get(url, verify=False, timeout=2)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    pytest.fail(f"the proxy did not answer on {url}: {log.read_text(errors='replace')[-2000:]}")


@contextmanager
def _running(command: list[str], url: str, log: Path, env: dict[str, str] | None = None) -> Iterator[None]:
    with open(log, "wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)
    try:
        _wait_for_port(url, process, log)
        yield
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


def _agent_goes_through(proxy_url: str, relay: RunningRelay) -> None:
    """What a clinic's agent does: wss:// to /agent with its token, then its status; the relay sees it connected."""
    from websockets.sync.client import connect

    from wire.messages import Status, encode

    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    ws_url = proxy_url.replace("https://", "wss://") + "/agent"
    with connect(ws_url, additional_headers={"Authorization": f"Bearer {relay.agent_token}"}, ssl=context,
                 open_timeout=20) as websocket:
        websocket.send(encode(Status(paused=False, portal="ok", version="proxy-test")))
        deadline = time.monotonic() + 20
        while True:
            clinics = httpx.get(f"{relay.url}/healthz", timeout=5).json()["clinics"]
            if clinics[relay.clinic]["agent_connected"] and clinics[relay.clinic]["agent_version"] == "proxy-test":
                break
            assert time.monotonic() < deadline, f"the relay never saw the agent through the proxy: {clinics}"
            time.sleep(0.1)
        # the connection stays up across the relay's keepalive (websockets answers its pings)
        websocket.ping().wait(10)

    with httpx.Client(verify=False, timeout=10) as client:
        # Kommo's call reaches the relay (which refuses a body with no token), not a proxy error page
        kommo = client.post(f"{proxy_url}/kommo/{relay.clinic}", json={"data": {}})
        assert kommo.status_code in (400, 401), kommo.text
        assert "error" in kommo.json()
        # the operator's pages stay private
        assert client.get(f"{proxy_url}/healthz").status_code == 404
        assert client.get(f"{proxy_url}/metrics").status_code == 404


def _root_user_line() -> str:
    # nginx started by root switches its workers to `nobody`, who cannot enter pytest's private tmp folder.
    return "user root root;\n" if os.geteuid() == 0 else ""


@pytest.mark.skipif(NGINX is None, reason="nginx is not installed (set CITA_NGINX to an nginx binary)")
def test_agent_websocket_through_nginx(relay, tmp_path):
    from demo.serving import free_port

    cert, key = _self_signed(tmp_path)
    https_port, http_port = free_port(), free_port()
    site = NGINX_SITE.read_text(encoding="utf-8")
    site = site.replace("listen 80;", f"listen 127.0.0.1:{http_port};").replace("listen [::]:80;", "")
    site = site.replace("listen 443 ssl;", f"listen 127.0.0.1:{https_port} ssl;").replace("listen [::]:443 ssl;", "")
    site = site.replace(f"server 127.0.0.1:{RELAY_PORT};", f"server 127.0.0.1:{relay.port};")
    site = re.sub(r"ssl_certificate\s+\S+;", f"ssl_certificate {cert};", site)
    site = re.sub(r"ssl_certificate_key\s+\S+;", f"ssl_certificate_key {key};", site)
    for path in ("logs", "tmp"):
        (tmp_path / path).mkdir()
    conf = tmp_path / "nginx.conf"
    conf.write_text(
        f"{_root_user_line()}worker_processes 1;\npid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/logs/error.log;\n"
        "events { worker_connections 64; }\n"
        "http {\n"
        f"  access_log off;\n  client_body_temp_path {tmp_path}/tmp/body;\n  proxy_temp_path {tmp_path}/tmp/proxy;\n"
        f"  fastcgi_temp_path {tmp_path}/tmp/fcgi;\n  uwsgi_temp_path {tmp_path}/tmp/uwsgi;\n"
        f"  scgi_temp_path {tmp_path}/tmp/scgi;\n"
        f"{site}\n}}\n",
        encoding="utf-8",
    )
    check = subprocess.run([NGINX, "-t", "-p", str(tmp_path), "-c", str(conf)], capture_output=True, text=True,
                           timeout=30)
    assert check.returncode == 0, check.stderr
    proxy_url = f"https://127.0.0.1:{https_port}"
    with _running([NGINX, "-p", str(tmp_path), "-c", str(conf), "-g", "daemon off;"], proxy_url,
                  tmp_path / "nginx.out"):
        _agent_goes_through(proxy_url, relay)
        redirect = httpx.get(f"http://127.0.0.1:{http_port}/agent", timeout=5)
        assert redirect.status_code == 301 and redirect.headers["location"].startswith("https://")


@pytest.mark.skipif(CADDY is None, reason="caddy is not installed (set CITA_CADDY to a caddy binary)")
def test_agent_websocket_through_caddy(relay, tmp_path):
    from demo.serving import free_port

    https_port = free_port()
    site = CADDYFILE.read_text(encoding="utf-8")
    # Caddy's own throw-away CA instead of Let's Encrypt, on loopback only, with no admin port.
    site = site.replace("relay.example.com {", f"https://127.0.0.1:{https_port} {{\n\tbind 127.0.0.1\n\ttls internal")
    site = site.replace(f"reverse_proxy 127.0.0.1:{RELAY_PORT}", f"reverse_proxy 127.0.0.1:{relay.port}")
    site = re.sub(r"output file \S+", "output stderr", site)
    config = tmp_path / "Caddyfile"
    config.write_text("{\n\tadmin off\n\tauto_https disable_redirects\n\tskip_install_trust\n}\n"
                      + site, encoding="utf-8")
    env = {**os.environ, "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "data"),
           "XDG_CONFIG_HOME": str(tmp_path / "config")}
    proxy_url = f"https://127.0.0.1:{https_port}"
    with _running([CADDY, "run", "--config", str(config), "--adapter", "caddyfile"], proxy_url,
                  tmp_path / "caddy.out", env=env):
        _agent_goes_through(proxy_url, relay)
