"""A clinic's Kommo installed with an authorization code, as Kommo hands it out: through the integration's redirect
URI (the relay exchanges the code by itself) or pasted by the operator (`set-kommo-oauth --auth-code-stdin`).
Everything real on loopback: the relay on uvicorn, the stand-in Kommo, the CLI as a subprocess."""

from __future__ import annotations

import httpx
import pytest
from playwright.async_api import async_playwright, expect
from relay_harness import ClinicInfo, RelayHarness, unique_name
from test_cli import cita_relay

from demo.kommo import StandInKommo, new_secret
from relay.kommo_oauth import install_state
from relay.operator_client import remember_address
from relay.store import ClinicDetails

PUBLIC = "https://relay.example.com"


def add_tokenless_clinic(relay: RelayHarness, kommo: StandInKommo, *, language: str = "es") -> ClinicInfo:
    """A clinic registered with its integration's keys and nothing else: as before the admin installs it."""
    name = unique_name("instalar")
    secret = new_secret()
    kommo.add_account(name, f"cid-{name}", secret, redirect_uri=f"{PUBLIC}/kommo/oauth/{name}")
    store = relay.store()
    try:
        token = store.add_clinic(
            ClinicDetails(name, kommo_subdomain=name, kommo_client_id=f"cid-{name}", kommo_client_secret=secret,
                          language=language, kommo_base_url=kommo.account_base_url(name))
        )
    finally:
        store.close_now()
    return ClinicInfo(name, name, token, secret)


def state_of(relay: RelayHarness, clinic: ClinicInfo) -> str:
    store = relay.store()
    try:
        return install_state(store.clinic(clinic.name))
    finally:
        store.close_now()


def auth_of(relay: RelayHarness, clinic: ClinicInfo) -> str:
    store = relay.store()
    try:
        return next(c.kommo_auth for c in store.list_clinics() if c.name == clinic.name)
    finally:
        store.close_now()


@pytest.fixture
def relay(make_relay) -> RelayHarness:
    return make_relay(public_url=PUBLIC)


async def test_installing_in_kommo_connects_the_clinic_and_a_patient_is_answered(relay, kommo):
    clinic = add_tokenless_clinic(relay, kommo)

    page = kommo.install(clinic.subdomain, f"{relay.url}/kommo/oauth/{clinic.name}", state=state_of(relay, clinic))

    assert page.status_code == 200, page.text
    assert "Cita Bridge quedó conectado con Kommo" in page.text and "is connected to Kommo" in page.text
    assert page.headers["cache-control"] == "no-store"
    assert kommo.code_exchanges(clinic.subdomain) == 1
    assert auth_of(relay, clinic) == "oauth"
    # The access token from the exchange is what the relay now continues the bot with (no refresh needed).
    await relay.agent(clinic)
    reply = await kommo.say(relay.widget_url(clinic), clinic.subdomain, "5001", "Hola")
    assert reply.accepted and reply.authorization_ok, reply.reason
    assert kommo.token_refreshes(clinic.subdomain) == 0


@pytest.mark.parametrize(
    ("tamper", "status", "words"),
    [
        ("state", 403, "no es el de esta clínica"),
        ("no_state", 403, "la integración se instaló desde Kommo, no desde el enlace"),
        ("referer", 403, "otra cuenta de Kommo"),
        ("no_code", 400, "no envió ningún código"),
    ],
)
def test_an_install_that_is_not_this_clinics_is_refused_with_a_reason(relay, kommo, tamper, status, words):
    clinic = add_tokenless_clinic(relay, kommo)
    params = {
        "code": kommo.issue_authorization_code(clinic.subdomain),
        "referer": f"{clinic.subdomain}.kommo.com",
        "state": state_of(relay, clinic),
    }
    if tamper == "state":
        params["state"] = install_state_for_someone_else(relay, kommo)
    elif tamper == "no_state":  # installed from Kommo's own page: no link, so no state
        del params["state"]
    elif tamper == "referer":
        params["referer"] = "otra-clinica.kommo.com"
    elif tamper == "no_code":
        del params["code"]

    page = httpx.get(f"{relay.url}/kommo/oauth/{clinic.name}", params=params, timeout=10)

    assert page.status_code == status
    assert words in page.text
    assert kommo.code_exchanges(clinic.subdomain) == 0
    assert auth_of(relay, clinic) == "none"
    if "code" in params:
        assert params["code"] not in page.text


def install_state_for_someone_else(relay: RelayHarness, kommo: StandInKommo) -> str:
    other = add_tokenless_clinic(relay, kommo)
    return state_of(relay, other)


def test_a_code_used_twice_tells_the_admin_to_copy_a_new_one(relay, kommo):
    clinic = add_tokenless_clinic(relay, kommo, language="en")
    redirect = f"{relay.url}/kommo/oauth/{clinic.name}"
    code = kommo.issue_authorization_code(clinic.subdomain)
    params = {"code": code, "referer": f"{clinic.subdomain}.kommo.com", "state": state_of(relay, clinic)}
    assert httpx.get(redirect, params=params, timeout=10).status_code == 200
    again = httpx.get(redirect, params=params, timeout=10)

    assert again.status_code == 400
    # An English clinic reads English first, then Spanish.
    assert again.text.index("a code lasts 20 minutes") < again.text.index("el código dura 20 minutos")
    assert "Integrations → Keys" in again.text


def test_unknown_clinic_gets_a_page_not_a_crash(relay):
    page = httpx.get(f"{relay.url}/kommo/oauth/nadie", params={"code": "x", "state": "y"}, timeout=10)
    assert page.status_code == 404 and "ninguna clínica" in page.text


async def test_the_operator_pastes_the_code(relay, kommo):
    clinic = add_tokenless_clinic(relay, kommo)
    redirect = f"{PUBLIC}/kommo/oauth/{clinic.name}"
    code = kommo.issue_authorization_code(clinic.subdomain)
    data = str(relay.settings.data_dir)

    pasted = cita_relay("set-kommo-oauth", clinic.name, "--auth-code-stdin", "--redirect-uri", redirect,
                        "--data", data, stdin=code + "\n")

    assert pasted.returncode == 0, pasted.stderr
    assert "conectada a Kommo" in pasted.stdout and f"check-clinic {clinic.name}" in pasted.stdout
    assert code not in pasted.stdout + pasted.stderr
    assert auth_of(relay, clinic) == "oauth"
    await relay.agent(clinic)
    reply = await kommo.say(relay.widget_url(clinic), clinic.subdomain, "5002", "Hola")
    assert reply.accepted, reply.reason
    assert kommo.token_refreshes(clinic.subdomain) == 0

    # The same code again: a clear sentence in the clinic's language, and the stored tokens stay.
    reused = cita_relay("set-kommo-oauth", clinic.name, "--auth-code-stdin", "--redirect-uri", redirect,
                        "--data", data, stdin=code + "\n")
    assert reused.returncode == 1
    assert "el código dura 20 minutos; copia uno nuevo en Kommo → Integraciones → Claves" in reused.stderr
    assert auth_of(relay, clinic) == "oauth"
    empty = cita_relay("set-kommo-oauth", clinic.name, "--auth-code-stdin", "--redirect-uri", redirect,
                       "--data", data, stdin="\n")
    assert empty.returncode == 2 and "No llegó ningún código por la entrada estándar" in empty.stderr
    assert f"check-clinic {clinic.name} --data {data}" in pasted.stdout  # the next step, on the same folder

    # A subdomain typed wrong: the address tried is named, with the command that fixes it.
    wrong_address = kommo.account_base_url(clinic.subdomain) + "x"
    assert cita_relay("set-kommo-account", clinic.name, "--kommo-subdomain", clinic.subdomain + "x",
                      "--kommo-base-url", wrong_address, "--data", data).returncode == 0
    wrong = cita_relay("set-kommo-oauth", clinic.name, "--auth-code-stdin", "--redirect-uri", redirect,
                       "--data", data, stdin=kommo.issue_authorization_code(clinic.subdomain) + "\n")
    assert wrong.returncode == 1, wrong.stderr
    assert f"se intentó en {wrong_address}" in wrong.stderr
    assert f"--kommo-subdomain SUBDOMINIO --data {data}`" in wrong.stderr  # the fix, runnable as printed


async def test_a_refresh_token_kommo_refuses_never_replaces_a_working_one(relay, kommo):
    """A wrong paste into `set-kommo-oauth` (the access token, the secret, a truncated token) silenced a working
    clinic while saying it was done: the token is tried with Kommo first, and a refused one is not stored."""
    clinic = add_tokenless_clinic(relay, kommo)
    redirect = f"{PUBLIC}/kommo/oauth/{clinic.name}"
    data = str(relay.settings.data_dir)
    code = kommo.issue_authorization_code(clinic.subdomain)
    assert cita_relay("set-kommo-oauth", clinic.name, "--auth-code-stdin", "--redirect-uri", redirect,
                      "--data", data, stdin=code + "\n").returncode == 0

    junk = cita_relay("set-kommo-oauth", clinic.name, "--redirect-uri", redirect, "--data", data,
                      stdin="not-a-refresh-token\n")
    assert junk.returncode == 1
    assert "Kommo no aceptó ese refresh token" in junk.stderr and "no se guardó nada" in junk.stderr
    assert f"`cita-relay kommo-install-link {clinic.name} --data {data}`" in junk.stderr  # runnable as printed
    assert "not-a-refresh-token" not in junk.stdout + junk.stderr
    await relay.agent(clinic)
    reply = await kommo.say(relay.widget_url(clinic), clinic.subdomain, "5003", "Hola")
    assert reply.accepted, reply.reason  # the clinic still answers its patients


def test_the_install_link_carries_the_clinics_state(relay, kommo):
    clinic = add_tokenless_clinic(relay, kommo, language="en")
    printed = cita_relay("kommo-install-link", clinic.name, "--data", str(relay.settings.data_dir),
                         "--public-url", PUBLIC)
    assert printed.returncode == 0, printed.stderr
    assert f"{PUBLIC}/kommo/oauth/{clinic.name}" in printed.stdout
    assert f"state={state_of(relay, clinic)}" in printed.stdout
    assert f"client_id=cid-{clinic.name}" in printed.stdout
    assert clinic.client_secret not in printed.stdout
    assert cita_relay("kommo-install-link", "nadie", "--data", str(relay.settings.data_dir)).returncode == 2


async def test_the_admin_sees_the_page_in_a_real_browser(relay, kommo, browser_path, test_output):
    """The redirect as Kommo sends the admin's browser there: the page reads well, in Spanish first."""
    clinic = add_tokenless_clinic(relay, kommo)
    params = {"code": kommo.issue_authorization_code(clinic.subdomain), "referer": f"{clinic.subdomain}.kommo.com",
              "state": state_of(relay, clinic)}
    ok = httpx.URL(f"{relay.url}/kommo/oauth/{clinic.name}", params=params)
    refused = httpx.URL(f"{relay.url}/kommo/oauth/{clinic.name}", params={"code": "x", "state": "not-it"})
    folder = test_output / "kommo-setup"
    folder.mkdir(exist_ok=True)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=browser_path, headless=True, args=["--no-sandbox", "--disable-gpu", "--no-first-run"]
        )
        try:
            page = await browser.new_page(viewport={"width": 900, "height": 600})
            await page.goto(str(ok))
            await expect(page.get_by_role("heading", name="Cita Bridge quedó conectado con Kommo")).to_be_visible()
            await expect(page.get_by_role("heading", name="Cita Bridge is connected to Kommo")).to_be_visible()
            await page.screenshot(path=str(folder / "install-done.png"))
            await page.goto(str(refused))
            await expect(page.get_by_role("heading", name="No se pudo conectar Cita Bridge con Kommo")).to_be_visible()
            await expect(page.get_by_text("kommo-install-link").first).to_be_visible()
            await page.screenshot(path=str(folder / "install-refused.png"))
        finally:
            await browser.close()
    assert auth_of(relay, clinic) == "oauth"


def test_the_install_link_of_a_relay_without_a_public_url_is_on_the_port_it_serves(relay, kommo):
    """A relay started with --port 19501 (no public URL): the link said 127.0.0.1:8700, the default port."""
    clinic = add_tokenless_clinic(relay, kommo, language="en")
    remember_address(relay.settings.data_dir, "http://127.0.0.1:19501")  # as `cita-relay serve --port 19501` does
    printed = cita_relay("kommo-install-link", clinic.name, "--data", str(relay.settings.data_dir))
    assert printed.returncode == 0, printed.stderr
    assert "http://127.0.0.1:19501/kommo/oauth/" in printed.stdout and ":8700" not in printed.stdout
