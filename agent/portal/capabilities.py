"""What a driver can do, declared by the driver and shown by `cita-agent drivers`."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DriverCapabilities:
    """``free_time``: "cells" when the web app paints free cells, "derived" when the driver computes free time
    from working hours, breaks and appointments. The flags say which optional operations the driver has."""

    free_time: str = "cells"
    can_cancel: bool = False
    can_find_by_phone: bool = False
    needs_service: bool = False

    def __post_init__(self) -> None:
        if self.free_time not in ("cells", "derived"):
            raise ValueError(f"free_time must be 'cells' or 'derived', not {self.free_time!r}")

    def labels(self, language: str = "en") -> list[str]:
        """Short words for a terminal: ``["reads free cells", "can cancel"]`` (``language`` "es": in Spanish)."""
        spanish = language == "es"
        if self.free_time == "cells":
            out = ["lee las horas libres de la agenda" if spanish else "reads free cells"]
        else:
            out = ["calcula las horas libres" if spanish else "derives free time"]
        if self.can_cancel:
            out.append("puede cancelar" if spanish else "can cancel")
        if self.can_find_by_phone:
            out.append("encuentra las citas por teléfono" if spanish else "finds by phone")
        if self.needs_service:
            out.append("necesita un servicio" if spanish else "needs a service")
        return out

    def to_json(self) -> dict[str, object]:
        return {
            "free_time": self.free_time,
            "can_cancel": self.can_cancel,
            "can_find_by_phone": self.can_find_by_phone,
            "needs_service": self.needs_service,
        }
