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
    """A driver setting that is unknown or cannot be read; the message names the key and what is allowed."""


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
        raise DriverSettingError(f"the setting {self.name!r} must be {_KIND_WORDS[self.kind]}, not {raw!r}")

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "help": self.help, "help_en": self.help_en,
                "default": self.default, "required": self.required}


_KIND_WORDS = {"str": "text", "int": "a whole number", "bool": "yes or no"}


def check_driver_settings(declared: Iterable[DriverSetting], values: Mapping[str, Any],
                          *, complete: bool = True) -> dict[str, Any]:
    """``values`` checked against what the driver declares: unknown keys refused, kinds converted, defaults
    filled in. With ``complete`` a required setting that is missing is refused too."""
    by_name = {s.name: s for s in declared}
    unknown = sorted(set(values) - set(by_name))
    if unknown:
        known = ", ".join(sorted(by_name)) or "none"
        raise DriverSettingError(f"unknown driver setting {', '.join(map(repr, unknown))}; this driver takes: {known}")
    out: dict[str, Any] = {}
    for name, setting in by_name.items():
        if name in values:
            out[name] = setting.parse(values[name])
        elif setting.default is not None:
            out[name] = setting.default
        elif complete:
            raise DriverSettingError(f"the driver needs the setting {name!r} ({setting.help_en or setting.help}): "
                                     f"cita-agent configure --set {name}=VALUE")
    return out


def parse_assignments(items: Iterable[str]) -> dict[str, str]:
    """``["service=Consulta", "x=1"]`` -> ``{"service": "Consulta", "x": "1"}``; an item without "=" is refused."""
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise DriverSettingError(f"{item!r} is not KEY=VALUE")
        out[key.strip()] = value
    return out
