"""Typed models of what the phone reports, and tolerant parsers for them.

Firmware differs in small ways (whitespace, ``acct`` as ``""`` or a number,
``conf`` present or not, 2 to 16 lines, ``remotename`` repeating the number).
The parsers accept every variant we know of and never raise on an unknown
state string: it becomes ``UNKNOWN`` and the raw value is kept for logging.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from .errors import GrandstreamResponseError


class LineState(StrEnum):
    """State of one line, as reported by api-get_line_status."""

    IDLE = "idle"
    RINGING = "ringing"
    DIALING = "dialing"
    CALLING = "calling"
    CONNECTED = "connected"
    ON_HOLD = "onhold"
    FAILED = "failed"
    UNKNOWN = "unknown"


class PhoneState(StrEnum):
    """State of the phone, as reported by api-get_phone_status."""

    AVAILABLE = "available"
    UNAVAILABLE = "unavailable"
    RINGING = "ringing"
    BUSY = "busy"
    UNKNOWN = "unknown"


# Spellings seen from other firmware for the same states.
_LINE_STATE_ALIASES = {"hold": LineState.ON_HOLD, "on_hold": LineState.ON_HOLD}


@dataclass(frozen=True, slots=True)
class LineStatus:
    """One line of the phone."""

    line: int
    state: LineState
    raw_state: str
    account: int | None
    active: bool
    conference: bool
    remote_name: str
    remote_number: str

    @property
    def in_call(self) -> bool:
        """Whether a call is up on this line (talking or held)."""
        return self.state in (LineState.CONNECTED, LineState.ON_HOLD)


@dataclass(frozen=True, slots=True)
class PhoneStatus:
    """Overall status of the phone."""

    state: PhoneState
    raw_state: str
    idle_call_allowed: bool | None


@dataclass(frozen=True, slots=True)
class Account:
    """A SIP account configured on the phone; ``id`` is 1-based."""

    id: int
    sip_user: str
    name: str
    server: str
    registered: bool


def _text(value: Any) -> str:
    """Return a stripped string for any scalar, '' for None."""
    if value is None:
        return ""
    return str(value).strip()


def _int_or_none(value: Any) -> int | None:
    """Parse ``1``, ``"1"`` or ``" 1 "``; ``""``/None/garbage give None."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    text = _text(value)
    try:
        return int(text)
    except ValueError:
        return None


def _flag(value: Any) -> bool:
    """Parse 0/1, "0"/"1", true/false as a boolean."""
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


def parse_line_state(raw: str) -> LineState:
    """Map a state string to ``LineState``; unknown strings become UNKNOWN."""
    key = raw.strip().lower()
    try:
        return LineState(key)
    except ValueError:
        return _LINE_STATE_ALIASES.get(key, LineState.UNKNOWN)


def parse_phone_state(raw: str) -> PhoneState:
    """Map a status string to ``PhoneState``; unknown strings become UNKNOWN."""
    try:
        return PhoneState(raw.strip().lower())
    except ValueError:
        return PhoneState.UNKNOWN


def parse_line(entry: Mapping[str, Any]) -> LineStatus:
    """Parse one entry of api-get_line_status."""
    line = _int_or_none(entry.get("line"))
    if line is None:
        raise GrandstreamResponseError("Line status entry without a line number")
    raw_state = _text(entry.get("state"))
    number = _text(entry.get("remotenumber"))
    name = _text(entry.get("remotename"))
    if name == number:
        # Without a caller name some firmware repeat the number as the name.
        name = ""
    account = _int_or_none(entry.get("acct"))
    return LineStatus(
        line=line,
        state=parse_line_state(raw_state),
        raw_state=raw_state,
        account=account,
        active=_flag(entry.get("active", 0)),
        conference=_flag(entry.get("conf", 0)),
        remote_name=name,
        remote_number=number,
    )


def parse_lines(body: Any) -> list[LineStatus]:
    """Parse the body of api-get_line_status, sorted by line number."""
    if isinstance(body, Mapping):
        body = [body]
    if not isinstance(body, list) or not all(isinstance(e, Mapping) for e in body):
        raise GrandstreamResponseError("Line status is not a list of lines")
    return sorted((parse_line(entry) for entry in body), key=lambda ls: ls.line)


def parse_phone_status(body: Any, envelope: Mapping[str, Any]) -> PhoneStatus:
    """Parse api-get_phone_status; ``misc`` sits next to ``body``."""
    misc: Any = envelope.get("misc")
    if isinstance(body, Mapping):
        # Tolerate firmware that nests the fields inside the body.
        misc = body.get("misc", misc)
        body = body.get("status", body.get("state", ""))
    if not isinstance(body, str):
        raise GrandstreamResponseError("Phone status is not a string")
    raw = body.strip()
    return PhoneStatus(
        state=parse_phone_state(raw),
        raw_state=raw,
        idle_call_allowed=None if misc is None else _flag(misc),
    )


def parse_accounts(body: Any) -> list[Account]:
    """Parse api-get_accounts."""
    if isinstance(body, Mapping):
        body = [body]
    if not isinstance(body, list):
        raise GrandstreamResponseError("Accounts are not a list")
    accounts = []
    for position, entry in enumerate(body, start=1):
        if not isinstance(entry, Mapping):
            raise GrandstreamResponseError("Account entry is not an object")
        account_id = _int_or_none(entry.get("id"))
        accounts.append(
            Account(
                id=position if account_id is None else account_id,
                sip_user=_text(entry.get("sip_id", entry.get("sip_user"))),
                name=_text(entry.get("name")),
                server=_text(entry.get("sip_server", entry.get("server"))),
                registered=_flag(entry.get("reg", 0)),
            )
        )
    return accounts
