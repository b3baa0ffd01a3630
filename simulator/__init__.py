"""Simulated Grandstream CTI phone for tests and demos (no Home Assistant imports).

The phone itself needs aiohttp; it is imported on first use, so that
``python -m simulator ctl`` (standard library only) runs on any Python.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .models import Fault, LoggedRequest, PressedKey, SentPush, SimEvent, SimulatorError
from .profile import PhoneProfile, SimAccount

if TYPE_CHECKING:
    from .fleet import PhoneFleet
    from .phone import SimLine, SimulatedPhone


def __getattr__(name: str) -> Any:
    if name == "PhoneFleet":
        from .fleet import PhoneFleet  # noqa: PLC0415

        return PhoneFleet
    if name in ("SimLine", "SimulatedPhone"):
        from . import phone  # noqa: PLC0415

        return getattr(phone, name)
    raise AttributeError(name)


__all__ = [
    "Fault",
    "LoggedRequest",
    "PhoneFleet",
    "PhoneProfile",
    "PressedKey",
    "SentPush",
    "SimAccount",
    "SimEvent",
    "SimLine",
    "SimulatedPhone",
    "SimulatorError",
]
