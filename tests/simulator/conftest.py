"""Fixtures of the simulator's own tests (no Home Assistant involved)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from simulator import PhoneProfile, SimulatedPhone

from ..helpers.simulator_http import FAST


@pytest.fixture(autouse=True)
def _allow_sockets(socket_enabled: None) -> None:
    """The simulator needs real 127.0.0.1 sockets, which the test plugin blocks."""


@pytest.fixture
async def phone() -> AsyncIterator[SimulatedPhone]:
    """A simulated phone with the fast test settings."""
    async with SimulatedPhone(PhoneProfile(**FAST)) as sim:
        yield sim


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    """A session that never reuses a connection.

    force_close: aiohttp silently retries idempotent requests once when a
    reused keep-alive connection is reset, which would hide the faults.
    """
    connector = aiohttp.TCPConnector(force_close=True)
    async with aiohttp.ClientSession(connector=connector) as client:
        yield client
