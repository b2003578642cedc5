"""The widget archive a clinic's Kommo admin uploads to the integration (KOMMO.md §2b): without it, Kommo never runs
the bot's ``widget_request`` step.

``widget_files`` is pure (the archive's files as bytes, by path); ``write_widget_zip`` writes them as one zip with
the files at its root, as Kommo wants. The widget itself does nothing but unlock the Salesbot step: its
``salesbot_designer`` handler adds to the bot the ``widget_request`` to the clinic's relay URL with the four data
keys the relay reads (docs/set-up-kommo.md).
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

from relay.kommo_widget_art import png_bytes, render_logo

LOCALES = ("es", "en", "pt")
HANDLER_CODE = "cita_bridge"
DEFAULT_NAME = "Cita Bridge"
DEFAULT_SUPPORT_LINK = "https://example.com/cita-bridge"
DEFAULT_SUPPORT_EMAIL = "soporte@example.com"
MAX_IMAGE_BYTES = 300 * 1024

# Kommo's names and exact sizes (KOMMO.md §2b). The two squares are the bare mark; the others sit it on white.
LOGOS: dict[str, tuple[int, int]] = {
    "logo_min.png": (84, 84),
    "logo_medium.png": (240, 84),
    "logo.png": (130, 100),
    "logo_main.png": (400, 272),
    "logo_small.png": (108, 108),
}

# What the bot step sends: the relay reads exactly these four keys (relay/widget_request.py).
REQUEST_DATA = {
    "lead_id": "{{lead.id}}",
    "message": "{{message_text}}",
    "name": "{{contact.name}}",
    "phone": "{{contact.phone}}",
}

_TEXTS: dict[str, dict[str, object]] = {
    "es": {
        "description": (
            "Tus pacientes reservan hora por WhatsApp: el bot muestra las horas libres de la agenda de la clínica"
            " y agenda la que eligen, sin que nadie copie nada a mano."
        ),
        "short_description": "Reservas de horas por WhatsApp con la agenda de tu clínica",
        "handler": "Cita Bridge: horas libres y reserva",
        "relay_url": "Dirección de la clínica en el relay (https://…/kommo/tu-clinica)",
    },
    "en": {
        "description": (
            "Your patients book on WhatsApp: the bot shows the free times of the clinic's own agenda and books the"
            " one they pick, with nobody copying anything by hand."
        ),
        "short_description": "WhatsApp appointment booking with your clinic's agenda",
        "handler": "Cita Bridge: free times and booking",
        "relay_url": "The clinic's relay address (https://…/kommo/your-clinic)",
    },
    "pt": {
        "description": (
            "Seus pacientes marcam consultas pelo WhatsApp: o bot mostra os horários livres da agenda da clínica"
            " e marca o que escolherem, sem ninguém copiar nada à mão."
        ),
        "short_description": "Agendamento de consultas pelo WhatsApp com a agenda da sua clínica",
        "handler": "Cita Bridge: horários livres e agendamento",
        "relay_url": "Endereço da clínica no relay (https://…/kommo/sua-clinica)",
    },
}


@dataclass(frozen=True)
class WidgetOptions:
    name: str = DEFAULT_NAME
    version: str = "1.0.0"
    relay_url: str = ""  # pre-filled in the bot designer (the admin can change it there)
    support_link: str = DEFAULT_SUPPORT_LINK
    support_email: str = DEFAULT_SUPPORT_EMAIL


def manifest(options: WidgetOptions) -> dict[str, object]:
    """manifest.json: every text is an i18n key (``widget.name`` is ``{"widget": {"name": …}}`` in i18n/<lang>.json)."""
    relay_setting: dict[str, object] = {"name": "salesbot.relay_url", "type": "text", "required": True}
    if options.relay_url:
        relay_setting["default_value"] = options.relay_url
    return {
        "widget": {
            "name": "widget.name",
            "description": "widget.description",
            "short_description": "widget.short_description",
            "version": options.version,
            "interface_version": 2,
            "init_once": False,
            "locale": list(LOCALES),
            "installation": True,
            "support": {"link": options.support_link, "email": options.support_email},
        },
        "locations": ["settings", "salesbot_designer"],
        "salesbot_designer": {
            HANDLER_CODE: {
                "name": "salesbot.handler_name",
                "settings": {"relay_url": relay_setting},
            }
        },
    }


def i18n(locale: str, options: WidgetOptions) -> dict[str, object]:
    texts = _TEXTS[locale]
    return {
        "widget": {
            "name": options.name,
            "description": texts["description"],
            "short_description": texts["short_description"],
        },
        "salesbot": {"handler_name": texts["handler"], "relay_url": texts["relay_url"]},
    }


def script_js() -> str:
    """The widget's code: its only job is to turn the designer's handler into the bot's widget_request step."""
    data = json.dumps(REQUEST_DATA)
    return f"""define([], function () {{
  // Cita Bridge: the Salesbot handler becomes a widget_request to the clinic's relay. Nothing else runs here.
  return function () {{
    this.callbacks = {{
      render: function () {{ return true; }},
      init: function () {{ return true; }},
      bind_actions: function () {{ return true; }},
      settings: function () {{ return true; }},
      onSave: function () {{ return true; }},
      destroy: function () {{}},
      onSalesbotDesignerSave: function (handler_code, params) {{
        var step = {{question: [{{handler: "widget_request", params: {{url: params.relay_url, data: {data}}}}}]}};
        return JSON.stringify([step]);
      }}
    }};
    return this;
  }};
}});
"""


def widget_files(options: WidgetOptions | None = None) -> dict[str, bytes]:
    """Every file of the archive by its path inside the zip."""
    options = options or WidgetOptions()
    files = {"manifest.json": _json_bytes(manifest(options))}
    for locale in LOCALES:
        files[f"i18n/{locale}.json"] = _json_bytes(i18n(locale, options))
    for name, (width, height) in LOGOS.items():
        if width == height:
            rgba = render_logo(width, height, background=None, mark_share=1.0)
        else:
            rgba = render_logo(width, height)
        files[f"images/{name}"] = png_bytes(width, height, rgba)
    files["script.js"] = script_js().encode("utf-8")
    return files


def write_widget_zip(path: Path, options: WidgetOptions | None = None) -> list[str]:
    """Write the archive to ``path``; return the files it holds."""
    files = widget_files(options)
    for name, content in files.items():
        if name.startswith("images/") and len(content) > MAX_IMAGE_BYTES:
            raise ValueError(f"{name} is {len(content)} bytes: Kommo takes at most {MAX_IMAGE_BYTES}")
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, content)
    return list(files)


def _json_bytes(value: object) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
