"""The phone's accounts, as users know them.

Users think in the account numbers of the phone's menus and of
``grandstream.dial``'s ``account``: 1 is the first account, as
``api-get_accounts`` lists it. Line status does not agree on a base
(docs/phone-protocol.md §3); the client works out each phone's base and
reports lines with the user's number (``cti.account_base``: a phone that
reports ``acct`` 0 on any line counts from 0, otherwise from 1).

Pushes fill ``$active_user`` with the account's SIP user id on the phones
seen so far; it is matched against the accounts' SIP users and otherwise
left unknown (the line status read with the push tells).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .cti import Account


@dataclass(frozen=True, slots=True)
class AccountBook:
    """The SIP accounts the phone lists."""

    accounts: tuple[Account, ...] = ()

    @classmethod
    def of(cls, accounts: Sequence[Account]) -> AccountBook:
        """A book of these accounts."""
        return cls(accounts=tuple(accounts))

    def number_for_push(self, active_user: str) -> int | None:
        """The account number a push's ``$active_user`` names, if it is known."""
        if not active_user:
            return None
        for account in self.accounts:
            if account.sip_user and account.sip_user == active_user:
                return account.id
        return None

    def account(self, number: int | None) -> Account | None:
        """The account with this number, if the phone listed it."""
        if number is None:
            return None
        return next((a for a in self.accounts if a.id == number), None)
