"""What one fetch learnt about a phone: its status, lines and accounts."""

from __future__ import annotations

from dataclasses import dataclass

from .accounts import AccountBook
from .cti import Account, LineState, LineStatus, PhoneState, PhoneStatus


@dataclass(frozen=True, slots=True)
class PhoneSnapshot:
    """Everything one fetch learnt about the phone."""

    status: PhoneStatus
    lines: tuple[LineStatus, ...]
    # The phone's SIP accounts (lines carry the user's account numbers).
    book: AccountBook

    @property
    def accounts(self) -> tuple[Account, ...]:
        """The SIP accounts the phone lists."""
        return self.book.accounts

    def line(self, number: int) -> LineStatus | None:
        """Return line ``number`` if the phone reports it."""
        return next((ls for ls in self.lines if ls.line == number), None)

    @property
    def ringing(self) -> bool:
        """Whether any line is ringing."""
        return any(ls.state is LineState.RINGING for ls in self.lines)

    @property
    def in_call(self) -> bool:
        """Whether any line has a call up (talking or held)."""
        return any(ls.in_call for ls in self.lines)

    def unknown_states(self) -> list[tuple[str, str]]:
        """(``phone``/``line``, the raw state) for every state we do not know."""
        unknown = []
        if self.status.state is PhoneState.UNKNOWN:
            unknown.append(("phone", self.status.raw_state))
        unknown += [
            ("line", ls.raw_state) for ls in self.lines if ls.state is LineState.UNKNOWN
        ]
        return unknown
