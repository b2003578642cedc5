"""The Kommo widget archive as the clinic's admin uploads it: `cita-relay kommo-widget` writes a zip that follows
every rule of KOMMO.md §2b, read back the way Kommo reads it (Pillow for the images)."""

from __future__ import annotations

import io
import json
import sys
import zipfile
from pathlib import Path

import pytest
from PIL import Image
from test_cli import cita_relay

from relay.kommo_widget_art import render_mark

ROOT = Path(__file__).resolve().parents[2]
LOGO_SIZES = {
    "images/logo_min.png": (84, 84),
    "images/logo_medium.png": (240, 84),
    "images/logo.png": (130, 100),
    "images/logo_main.png": (400, 272),
    "images/logo_small.png": (108, 108),
}


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> zipfile.ZipFile:
    out = tmp_path_factory.mktemp("widget") / "cita-bridge.zip"
    made = cita_relay(
        "kommo-widget", "--out", str(out), "--name", "Citas Clínica Sol",
        "--relay-url", "https://relay.example.com/kommo/clinica-sol",
    )
    assert made.returncode == 0, made.stderr
    assert str(out) in made.stdout and "Upload" in made.stdout
    return zipfile.ZipFile(out)


def _json(archive: zipfile.ZipFile, name: str) -> dict:
    return json.loads(archive.read(name).decode("utf-8"))


def _i18n_keys(manifest: dict) -> set[str]:
    """Every text of the manifest that Kommo looks up in i18n/<locale>.json."""
    widget = manifest["widget"]
    keys = {widget["name"], widget["description"], widget["short_description"]}
    for handler in manifest["salesbot_designer"].values():
        keys.add(handler["name"])
        keys.update(setting["name"] for setting in handler.get("settings", {}).values())
    for setting in manifest.get("settings", {}).values():
        keys.add(setting["name"])
    return keys


def _lookup(tree: dict, dotted: str) -> object:
    node: object = tree
    for part in dotted.split("."):
        assert isinstance(node, dict) and part in node, f"no {dotted!r}"
        node = node[part]
    return node


def test_files_sit_at_the_root_of_the_zip(archive):
    names = set(archive.namelist())
    assert {"manifest.json", "i18n/es.json", "i18n/en.json", "i18n/pt.json", *LOGO_SIZES} <= names
    assert all(not name.startswith("/") and ".." not in name for name in names)
    assert archive.testzip() is None


def test_manifest_follows_kommo_rules(archive):
    manifest = _json(archive, "manifest.json")
    widget = manifest["widget"]
    assert widget["interface_version"] == 2
    assert widget["installation"] is True
    assert isinstance(widget["init_once"], bool)
    assert widget["locale"] == ["es", "en", "pt"]
    assert widget["version"].count(".") == 2
    assert widget["support"]["link"].startswith("https://") and "@" in widget["support"]["email"]
    assert "salesbot_designer" in manifest["locations"]
    [handler] = manifest["salesbot_designer"].values()
    relay_url = handler["settings"]["relay_url"]
    assert relay_url["default_value"] == "https://relay.example.com/kommo/clinica-sol"
    # The handler's code puts the bot's widget_request to that URL, with the four keys the relay reads.
    script = archive.read("script.js").decode("utf-8")
    assert "onSalesbotDesignerSave" in script and '"widget_request"' in script and "params.relay_url" in script
    for key, placeholder in (("lead_id", "{{lead.id}}"), ("message", "{{message_text}}"),
                             ("name", "{{contact.name}}"), ("phone", "{{contact.phone}}")):
        assert f'"{key}": "{placeholder}"' in script


@pytest.mark.parametrize("locale", ["es", "en", "pt"])
def test_every_i18n_key_the_manifest_names_exists(archive, locale):
    manifest = _json(archive, "manifest.json")
    texts = _json(archive, f"i18n/{locale}.json")
    for key in _i18n_keys(manifest):
        value = _lookup(texts, key)
        assert isinstance(value, str) and value.strip(), f"{locale}: {key} is empty"
    assert _lookup(texts, "widget.name") == "Citas Clínica Sol"


@pytest.mark.parametrize(("name", "size"), sorted(LOGO_SIZES.items()))
def test_logos_have_kommo_sizes_and_weights(archive, name, size):
    content = archive.read(name)
    assert len(content) < 300 * 1024
    image = Image.open(io.BytesIO(content))
    image.load()
    assert image.format == "PNG"
    assert image.size == size
    rgba = image.convert("RGBA")
    width, height = size
    # The product's mark sits in the middle: its teal tile on the left edge of the mark, white card inside.
    centre = rgba.getpixel((width // 2, height // 2))
    assert centre[3] == 255
    teal = [rgba.getpixel((x, height // 2)) for x in range(width)]
    assert any(abs(p[0] - 14) < 4 and abs(p[1] - 124) < 4 and abs(p[2] - 102) < 4 for p in teal), "no teal tile"


def test_the_mark_is_the_agent_icon():
    """The relay draws the installer's icon itself (its image carries no installer/): the very same pixels."""
    sys.path.insert(0, str(ROOT / "installer"))
    try:
        import app_icon
    finally:
        sys.path.remove(str(ROOT / "installer"))
    for size in (32, 84):
        assert render_mark(size) == app_icon.render(size).rgba


def test_a_bad_name_is_refused(tmp_path):
    refused = cita_relay("kommo-widget", "--out", str(tmp_path / "w.zip"), "--name", " ")
    assert refused.returncode == 2 and "--name" in refused.stderr
    assert not (tmp_path / "w.zip").exists()


@pytest.mark.parametrize(("url", "said"), [
    ("https://relay.example.com/kommo/oauth/clinica-sol", "redirect URI"),  # pasted minutes before, in step 1
    ("https://relay.example.com", "ends in /kommo/<clinic>"),
    ("http://relay.example.com/kommo/clinica-sol", "Kommo only calls https"),
    ("clinicasol", "Kommo only calls https"),
])
def test_a_bot_address_that_cannot_work_is_refused_with_the_reason(tmp_path, url, said):
    """The widget pre-fills the bot's address: one that only fails later (a 405 or 404 the admin never sees) is
    refused when the archive is made."""
    made = cita_relay("kommo-widget", "--out", str(tmp_path / "w.zip"), "--relay-url", url)
    assert made.returncode == 2 and said in made.stderr and not (tmp_path / "w.zip").exists()
