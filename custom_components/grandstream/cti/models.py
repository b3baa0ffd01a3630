"""Typed models of what the phone reports, and tolerant parsers for them.

Firmware differs in small ways (whitespace, ``acct`` as ``""`` or a number
counted from 0 or from 1, ``conf`` present or not, 2 to 16 lines,
``remotename`` repeating the number). The parsers accept every variant we
know of and never raise on an unknown state string: it becomes ``UNKNOWN``
and the raw value is kept for logging.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
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
    """One line of the phone.

    ``account`` is the account as the user knows it: 1 is the first account,
    as in the phone's menus and ``api-get_accounts``; None where the phone
    did not say. ``raw_account`` is ``acct`` exactly as the phone sent it
    (its meaning depends on the phone's base, see :func:`account_base`).
    Idle lines report an account too on some firmware; it means nothing.
    """

    line: int
    state: LineState
    raw_state: str
    account: int | None
    active: bool
    conference: bool
    remote_name: str
    remote_number: str
    raw_account: str = ""

    @property
    def in_call(self) -> bool:
        """Whether a call is up on this line (talking or held)."""
        return self.state in (LineState.CONNECTED, LineState.ON_HOLD)

    @property
    def reported_account(self) -> int | None:
        """``acct`` as a number, before any base is applied; None if blank."""
        return _int_or_none(self.raw_account)

    def with_account_base(self, base: int) -> LineStatus:
        """This line with ``account`` worked out for a phone counting from ``base``."""
        return replace(self, account=account_number(self.reported_account, base))


def account_base(lines: Iterable[LineStatus]) -> int:
    """Whether the phone counts ``acct`` from 0 or from 1.

    Rule: if any line reports ``acct`` 0, the phone counts from 0 (``acct`` 0
    is the first account); otherwise it counts from 1. Captures behind it: a
    WP826 sends 0 on every line (idle, ringing, connected) for its first
    account, which ``api-get_accounts`` lists as id 1; a GXP21xx/16xx sends 1
    on idle lines and 2 on a line in a call on account 2; the CTI guides show
    ``""`` on idle lines and the account id in a call. A phone counting from
    0 whose every line is busy on another account cannot be recognised from
    one answer; callers remember a 0 once seen (the base never changes).
    """
    return 0 if any(line.reported_account == 0 for line in lines) else 1


def account_number(reported: int | None, base: int) -> int | None:
    """The user's account number (1 = first) for ``acct`` on a phone counting from ``base``.

    ``""`` or a missing ``acct`` (``reported`` None) means unknown: None.
    """
    if reported is None:
        return None
    return reported + 1 - base


@dataclass(frozen=True, slots=True)
class PhoneStatus:
    """Overall status of the phone.

    ``idle_call_allowed`` is ``misc`` read as a flag. Its meaning is not
    established: captures show ``"0"`` on idle phones too, and the vendor
    comment "1 = idle call allowed" is unverified. Derive nothing from it.
    """

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


def parse_line(entry: Mapping[str, Any], base: int = 1) -> LineStatus:
    """Parse one entry of api-get_line_status; ``base``: see :func:`account_base`."""
    line = _int_or_none(entry.get("line"))
    if line is None:
        raise GrandstreamResponseError("Line status entry without a line number")
    raw_state = _text(entry.get("state"))
    number = _text(entry.get("remotenumber"))
    name = _text(entry.get("remotename"))
    if name == number:
        # Without a caller name some firmware repeat the number as the name.
        name = ""
    raw_account = _text(entry.get("acct"))
    return LineStatus(
        line=line,
        state=parse_line_state(raw_state),
        raw_state=raw_state,
        account=account_number(_int_or_none(raw_account), base),
        active=_flag(entry.get("active", 0)),
        conference=_flag(entry.get("conf", 0)),
        remote_name=name,
        remote_number=number,
        raw_account=raw_account,
    )


def parse_lines(body: Any, *, known_base: int | None = None) -> list[LineStatus]:
    """Parse the body of api-get_line_status, sorted by line number.

    Account numbers are worked out with the base these lines show
    (:func:`account_base`), or ``known_base`` where a caller already saw the
    phone count from 0.
    """
    if isinstance(body, Mapping):
        body = [body]
    if not isinstance(body, list) or not all(isinstance(e, Mapping) for e in body):
        raise GrandstreamResponseError("Line status is not a list of lines")
    lines = sorted((parse_line(entry) for entry in body), key=lambda ls: ls.line)
    base = account_base(lines)
    if known_base is not None:
        base = min(base, known_base)
    if base == 1:
        return lines
    return [line.with_account_base(base) for line in lines]


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
