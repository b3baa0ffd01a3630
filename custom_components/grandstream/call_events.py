"""Call events: what automations, entities and the call-back list hear of calls.

The call tracker (call_tracker.py) produces them; the coordinator publishes
them on the event entity, the ``grandstream_call`` bus event and to its
subscribers. Values are bounded here, whatever the phone or a push says.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Final

from homeassistant.core import Context

from .action_urls import Push

# Bounds for what reaches states and events, whatever the phone or a push says.
MAX_NUMBER_LENGTH: Final = 64
MAX_NAME_LENGTH: Final = 100
# A push arriving this long after line status showed the same change still
# counts as push working; phones send pushes about a second after the event.
PUSH_GRACE: Final = 5.0


class CallEventType(StrEnum):
    """Events automations can react to."""

    INCOMING = "incoming"
    OUTGOING = "outgoing"
    ANSWERED = "answered"
    ENDED = "ended"
    MISSED = "missed"
    HELD = "held"
    RESUMED = "resumed"


class Direction(StrEnum):
    """Which way a call goes."""

    INCOMING = "incoming"
    OUTGOING = "outgoing"
    # A call we first saw already connected (its start went unreported).
    UNKNOWN = "unknown"


class Source(StrEnum):
    """Who reported a change first."""

    PUSH = "push"
    POLL = "poll"


class Evidence(StrEnum):
    """What one tracker update tells about the phone's pushes."""

    # A push's change, shown by the line status read after it: push works.
    PUSH_CONFIRMED = "push_confirmed"
    # A change the line status showed first, whose push came within the grace.
    PUSH_IN_GRACE = "push_in_grace"
    # A change the line status showed that no push had reported (yet).
    UNREPORTED_CHANGE = "unreported_change"


@dataclass(frozen=True, slots=True)
class CallEvent:
    """One call event, as fired on the event entity and the bus."""

    type: CallEventType
    remote_number: str | None = None
    remote_name: str | None = None
    line: int | None = None
    # The account number as users know it (1 = first), see accounts.py.
    account: int | None = None
    account_sip_user: str | None = None
    account_name: str | None = None
    direction: Direction = Direction.UNKNOWN
    # Whole seconds the call was connected, on ``ended`` when known.
    duration: int | None = None
    source: Source = Source.POLL
    # When the event happened (time.time()), for records kept by subscribers.
    at: float = 0.0
    # The context the bus event was fired with (call_bus.py); the event
    # entity's state shares it, so the logbook describes that state change.
    context: Context | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        """Take type and direction as text too (the enums are the vocabulary)."""
        object.__setattr__(self, "type", CallEventType(self.type))
        object.__setattr__(self, "direction", Direction(self.direction or "unknown"))

    def as_dict(self) -> dict[str, Any]:
        """Event data (without the type); an unknown direction is None."""
        return {
            "remote_number": self.remote_number,
            "remote_name": self.remote_name,
            "line": self.line,
            "account": self.account,
            "account_sip_user": self.account_sip_user,
            "account_name": self.account_name,
            "direction": (
                None if self.direction is Direction.UNKNOWN else self.direction.value
            ),
            "duration": self.duration,
        }


@dataclass
class TrackerUpdate:
    """What one update produced."""

    events: list[CallEvent] = field(default_factory=list)
    # Calls announced before whose name became known now (the line status
    # arrived after the push's event went out): for entities showing the
    # call, not new events for automations.
    named: list[CallEvent] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    # Pushes the phone's line status contradicted, or about calls we do not know.
    ignored_pushes: int = 0
    # Incoming pushes no line showed, kept as possible short rings (rule 3).
    held_pushes: int = 0
    # Such rings whose end push never came (or that did not fit): likely forged.
    rings_given_up: int = 0
    # Pushes that were about a call we know (or now know): push is alive.
    accepted: list[Push] = field(default_factory=list)
