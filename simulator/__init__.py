"""Simulated Grandstream CTI phone for tests and demos (no Home Assistant imports)."""

from .fleet import PhoneFleet
from .models import Fault, LoggedRequest, PressedKey, SentPush, SimEvent, SimulatorError
from .phone import SimLine, SimulatedPhone
from .profile import PhoneProfile, SimAccount

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
