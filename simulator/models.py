"""Small value types shared by the simulator modules.

They live apart from ``phone.py`` so that the control API, the fleet and the
tests can import them without pulling in the whole phone implementation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final, Literal, get_args

FaultKind = Literal[
    "latency",
    "http500",
    "truncated",
    "bad_header",
    "non_json",
    "html",
    "reset",
    "refuse",
]
FAULT_KINDS: Final[frozenset[str]] = frozenset(get_args(FaultKind))

# Every event name a phone can report through an Action URL
# (docs/phone-protocol.md §7).
# The simulator emits most of them; transfer, busy/idle, rejected and answered
# events exist on real phones, so templates for them are accepted even though
# they never fire.
EVENTS: Final[tuple[str, ...]] = (
    "boot",
    "registered",
    "unregistered",
    "offhook",
    "onhook",
    "incoming",
    "outgoing",
    "missed",
    "established",
    "terminated",
    "dnd_on",
    "dnd_off",
    "forward_on",
    "forward_off",
    "blind_transfer",
    "attended_transfer",
    "hold",
    "unhold",
    "busy",
    "idle",
    "rejected",
    "answered",
)


class SimulatorError(RuntimeError):
    """A Python-side control call that the phone cannot carry out.

    Raised for things like "ring" when no line is free, so a test fails loudly
    instead of silently driving the simulator into an impossible state.
    """


@dataclass(frozen=True)
class Fault:
    """A misbehaviour injected into the CTI answers.

    Kinds: ``latency`` (answer after ``delay`` seconds: a hang), ``http500``,
    ``truncated`` (the action happens, half the answer arrives),
    ``bad_header`` (the action happens, the answer's header is malformed),
    ``non_json``, ``html`` (a login page), ``reset`` (the request is read,
    then the connection is reset without an answer) and ``refuse`` (the
    phone stops listening: new connections are refused, the control API
    included, as during a reboot; needs ``duration`` or a ``set_fault(None)``).

    ``count`` limits how many CTI requests are affected and ``duration`` how
    many seconds; the fault ends at whichever comes first. ``None`` for both
    keeps it until it is cleared, which suits "the phone is broken" scenarios.
    """

    kind: FaultKind
    delay: float = 0.0
    count: int | None = None
    duration: float | None = None

    def __post_init__(self) -> None:
        # Validate here so a typo in a test or in the control API fails at
        # once rather than silently injecting nothing.
        if self.kind not in FAULT_KINDS:
            msg = f"unknown fault kind {self.kind!r}; expected one of {sorted(FAULT_KINDS)}"
            raise ValueError(msg)
        if self.delay < 0:
            raise ValueError("fault delay must not be negative")
        if self.count is not None and self.count < 1:
            raise ValueError("fault count must be positive or None")
        if self.duration is not None and self.duration <= 0:
            raise ValueError("fault duration must be positive or None")
        if self.kind == "refuse" and self.count is not None:
            raise ValueError("a refuse fault ends by duration, not count")


@dataclass(frozen=True)
class LoggedRequest:
    """One CTI request as the phone received it (passcode included, verbatim)."""

    time: float
    method: str
    path: str
    function: str
    # Left out of repr: they hold the passcode as the phone received it.
    params: dict[str, str] = field(repr=False)
    remote: str | None
    # The query string exactly as it arrived, still percent-encoded.
    raw_query: str = field(default="", repr=False)


@dataclass(frozen=True)
class PressedKey:
    """One key the phone pressed while working through a send_key sequence."""

    time: float
    key: str
    sequence: int
    # True when the keypad was locked and the phone swallowed the key.
    ignored: bool = False


@dataclass
class SentPush:
    """One Action URL the phone tried to send.

    ``time`` is when the phone began (before connecting), ``sent`` when the
    request was handed to the socket (None when it never got that far), both
    ``time.monotonic()``: the clock is system-wide, so another process on the
    machine (the benchmark) can compare its own timestamps with them.
    """

    time: float
    event: str
    url: str
    status: int | None = None
    error: str | None = None
    # The call the event is about (None for boot, registration, DND...).
    call_id: int | None = None
    sent: float | None = None


@dataclass(frozen=True)
class SimEvent:
    """An event the phone emitted, whether or not an Action URL was configured.

    Tests use this list to check the order of events without running a
    receiving server.
    """

    time: float
    name: str
    line: int | None = None
    call_id: int | None = None
