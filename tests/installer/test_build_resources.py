"""What the spec generates at build time, checked without building: the icon files decode to the picture
(Qt reads them as Windows and macOS would), and the Windows version resource carries the agent's version."""

from __future__ import annotations

import ast
import struct

import app_icon
import layout
import pytest
import windows_version

import agent


@pytest.fixture(scope="module")
def icons(tmp_path_factory) -> app_icon.IconFiles:
    return app_icon.write_icons(tmp_path_factory.mktemp("icons"), layout.ICON_BASENAME)


def test_icon_png_and_ico_decode_to_the_picture(icons):
    from PySide6.QtGui import QImage

    png = QImage(str(icons.png))
    assert (png.width(), png.height()) == (256, 256)
    assert png.pixelColor(2, 2).alpha() == 0, "the corners are transparent"
    card = png.pixelColor(80, 190)  # the white calendar card, beside the check mark
    assert (card.red(), card.green(), card.blue(), card.alpha()) == (255, 255, 255, 255)
    tile = png.pixelColor(20, 128)
    assert (tile.red(), tile.green(), tile.blue()) == app_icon.TEAL

    data = icons.ico.read_bytes()
    reserved, kind, count = struct.unpack_from("<HHH", data)
    assert (reserved, kind, count) == (0, 1, len(app_icon.ICO_SIZES))
    sides = [struct.unpack_from("<B", data, 6 + 16 * i)[0] or 256 for i in range(count)]
    assert sides == sorted(app_icon.ICO_SIZES)
    ico = QImage(str(icons.ico))
    assert not ico.isNull(), "Qt cannot read the .ico"


def test_icns_structure():
    data = app_icon.icns_bytes(lambda size: app_icon.Image(size, bytes(size * size * 4)))
    assert data[:4] == b"icns" and struct.unpack(">I", data[4:8])[0] == len(data)
    offset, kinds = 8, []
    while offset < len(data):
        kind, length = data[offset : offset + 4], struct.unpack(">I", data[offset + 4 : offset + 8])[0]
        assert data[offset + 8 : offset + 16] == b"\x89PNG\r\n\x1a\n"
        kinds.append(kind)
        offset += length
    assert offset == len(data)
    assert kinds == [kind for kind, _ in app_icon.ICNS_TYPES]


def _evaluate_version_file(text: str) -> dict:
    """Evaluate PyInstaller's version-file expression with stand-in constructors (pefile is Windows-only)."""
    names = ("VSVersionInfo", "FixedFileInfo", "StringFileInfo", "StringTable", "StringStruct", "VarFileInfo",
             "VarStruct")

    def node(name: str):
        return lambda *args, **kwargs: {"type": name, "args": args, "kwargs": kwargs}

    tree = ast.parse(text, mode="exec")
    assert len(tree.body) == 1 and isinstance(tree.body[0], ast.Expr)
    code = compile(ast.Expression(tree.body[0].value), "version", "eval")
    return eval(code, {"__builtins__": {}}, {name: node(name) for name in names})  # noqa: S307 - our own text


def test_windows_version_resource_carries_the_agent_version():
    version = agent.__version__
    assert layout.agent_version() == version
    info = _evaluate_version_file(windows_version.version_file_text(version, "cita-agent", "cita-agent.exe"))
    fixed = info["kwargs"]["ffi"]["kwargs"]
    assert fixed["filevers"] == fixed["prodvers"] == layout.numeric_version(version)
    table = info["kwargs"]["kids"][0]["args"][0][0]
    strings = {s["args"][0]: s["args"][1] for s in table["args"][1]}
    assert strings["ProductVersion"] == strings["FileVersion"] == version
    assert strings["OriginalFilename"] == "cita-agent.exe"
    assert strings["ProductName"] == layout.APP_DISPLAY_NAME


@pytest.mark.parametrize(("text", "numbers"), [("0.1.0", (0, 1, 0, 0)), ("1.2rc1", (1, 2, 0, 0)),
                                               ("2.10.3.dev4", (2, 10, 3, 0)), ("3", (3, 0, 0, 0))])
def test_numeric_version(text, numbers):
    assert layout.numeric_version(text) == numbers
