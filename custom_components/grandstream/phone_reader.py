"""Reading a phone: one snapshot of its status, lines and accounts.

Requests go one after the other: a passcode changed on the phone is then
refused once, not once per request sent together (five refusals lock it).
Confirming a push needs the lines alone: one request, the phone's status
following from the lines until the next full read (a poll).
Accounts change rarely (registration), so they are read every few minutes
or when a push says registration changed; when only they fail, the phone
keeps the accounts we know rather than going blank.
"""

from __future__ import annotations

from collections.abc import Callable
import time

from .accounts import AccountBook
from .const import ACCOUNTS_REFRESH_INTERVAL, LOGGER
from .cti import (
    Account,
    GrandstreamAuthenticationError,
    GrandstreamClient,
    GrandstreamError,
)
from .snapshot import PhoneSnapshot


class PhoneReader:
    """Reads snapshots of one phone through its client."""

    def __init__(
        self, client: GrandstreamClient, clock: Callable[[], float] | None = None
    ) -> None:
        """No accounts known yet: the first read fetches them."""
        self._client = client
        # Looked up when used: tests move time by patching time.monotonic.
        self._clock = clock or _monotonic
        self._accounts: tuple[Account, ...] = ()
        self._accounts_read_at: float | None = None

    def invalidate_accounts(self) -> None:
        """Read the accounts with the next snapshot (registration changed)."""
        self._accounts_read_at = None

    async def read_lines(self, previous: PhoneSnapshot) -> PhoneSnapshot:
        """The lines alone; status and accounts follow from ``previous``."""
        return previous.with_lines(tuple(await self._client.line_status()))

    async def read(self) -> PhoneSnapshot:
        """Status, lines, and the accounts when due; raises the client's errors."""
        status = await self._client.phone_status()
        lines = await self._client.line_status()
        if self._accounts_due():
            try:
                self._accounts = tuple(await self._client.accounts())
                self._accounts_read_at = self._clock()
            except GrandstreamAuthenticationError:
                raise
            except GrandstreamError as err:
                # Lines and status are fine: keep the accounts we know and
                # try again next time rather than blank the whole phone.
                LOGGER.debug("Could not read the accounts of %s: %s", self._client, err)
        return PhoneSnapshot(
            status=status,
            lines=tuple(lines),
            book=AccountBook.of(self._accounts),
            read_status=status,
        )

    def _accounts_due(self) -> bool:
        return (
            self._accounts_read_at is None
            or self._clock() - self._accounts_read_at
            > ACCOUNTS_REFRESH_INTERVAL.total_seconds()
        )


def _monotonic() -> float:
    return time.monotonic()
