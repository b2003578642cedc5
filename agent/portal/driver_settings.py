"""Settings a driver declares for itself (which service to book, which location...), and their checking.

They are stored in the agent's settings under the driver's name, set with `cita-agent configure --set KEY=VALUE`,
and given to the driver as ``settings={...}``. A key the driver does not declare is refused, never dropped.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

KINDS = ("str", "int", "bool")
_TRUE = ("1", "true", "yes", "si", "sí", "on")
_FALSE = ("0", "false", "no", "off")


class DriverSettingError(ValueError):
    """A driver setting that is unknown or cannot be read; the message names the key and what is allowed
    (``str()`` is English; ``text("es")`` the clinic's IT person's Spanish)."""

    def __init__(self, message: str, *, spanish: str = "") -> None:
        super().__init__(message)
        self.spanish = spanish

    def text(self, language: str) -> str:
        return self.spanish if language == "es" and self.spanish else str(self)


@dataclass(frozen=True)
class DriverSetting:
    name: str  # lower-case words joined by "_" (``service``, ``staff_member``)
    kind: str = "str"  # "str" | "int" | "bool"
    help: str = ""  # Spanish, shown in the wizard
    help_en: str = ""
    default: str | int | bool | None = None  # None: the setting is required

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"driver setting {self.name!r}: kind must be one of {', '.join(KINDS)}")

    @property
    def required(self) -> bool:
        return self.default is None

    def parse(self, raw: Any) -> str | int | bool:
        """The value as its kind; text (from the command line) is converted, anything else must match."""
        if self.kind == "bool":
            if isinstance(raw, bool):
                return raw
            if isinstance(raw, str) and raw.strip().casefold() in _TRUE + _FALSE:
                return raw.strip().casefold() in _TRUE
        elif self.kind == "int":
            if isinstance(raw, int) and not isinstance(raw, bool):
                return raw
            if isinstance(raw, str) and raw.strip().lstrip("-").isdigit():
                return int(raw.strip())
        elif isinstance(raw, str):
            return raw.strip()
        raise DriverSettingError(f"the setting {self.name!r} must be {_KIND_WORDS[self.kind]}, not {raw!r}",
                                 spanish=f"el ajuste {self.name!r} debe ser {_KIND_WORDS_ES[self.kind]}, no {raw!r}")

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "help": self.help, "help_en": self.help_en,
                "default": self.default, "required": self.required}


_KIND_WORDS = {"str": "text", "int": "a whole number", "bool": "yes or no"}
_KIND_WORDS_ES = {"str": "un texto", "int": "un número entero", "bool": "sí o no"}


def check_driver_settings(declared: Iterable[DriverSetting], values: Mapping[str, Any],
                          *, complete: bool = True) -> dict[str, Any]:
    """``values`` checked against what the driver declares: unknown keys refused, kinds converted, defaults
    filled in. With ``complete`` a required setting that is missing is refused too."""
    by_name = {s.name: s for s in declared}
    unknown = sorted(set(values) - set(by_name))
    if unknown:
        named, known = ", ".join(map(repr, unknown)), ", ".join(sorted(by_name))
        raise DriverSettingError(
            f"unknown driver setting {named}; this driver takes: {known or 'none'}",
            spanish=f"este sistema no tiene el ajuste {named}; los que acepta: {known or 'ninguno'}",
        )
    out: dict[str, Any] = {}
    for name, setting in by_name.items():
        if name in values:
            out[name] = setting.parse(values[name])
        elif setting.default is not None:
            out[name] = setting.default
        elif complete:
            raise DriverSettingError(
                f"the driver needs the setting {name!r} ({setting.help_en or setting.help}): "
                f"cita-agent configure --set {name}=VALUE",
                spanish=f"este sistema necesita el ajuste {name!r} ({setting.help or setting.help_en}):"
                f" cita-agent configure --set {name}=VALOR",
            )
    return out


def parse_assignments(items: Iterable[str]) -> dict[str, str]:
    """``["service=Consulta", "x=1"]`` -> ``{"service": "Consulta", "x": "1"}``; an item without "=" is refused."""
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise DriverSettingError(f"{item!r} is not KEY=VALUE", spanish=f"{item!r} no tiene la forma AJUSTE=VALOR")
        out[key.strip()] = value
    return out
