"""Fixtures of the client tests: clients for the simulated phone, a scripted phone.

The scripted phone (tests/helpers/scripted_phone.py) serves single answers over
real aiohttp on 127.0.0.1, so the client parses them off the wire.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
from aiohttp import web
import pytest

from custom_components.grandstream.cti import GrandstreamClient
from simulator import SimulatedPhone

from ..helpers.cti_client import make_client
from ..helpers.phone import PASSCODE
from ..helpers.scripted_phone import ScriptedPhone


@pytest.fixture
def client(phone: SimulatedPhone, session: aiohttp.ClientSession) -> GrandstreamClient:
    """A client with the right passcode."""
    return make_client(phone, session)


@pytest.fixture
async def scripted(socket_enabled: None) -> AsyncIterator[ScriptedPhone]:
    """A scripted phone on 127.0.0.1."""
    phone = ScriptedPhone()
    app = web.Application()
    app.router.add_get("/cgi-bin/{function}", phone.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    phone.address = f"{host}:{port}"
    try:
        yield phone
    finally:
        await runner.cleanup()


@pytest.fixture
def scripted_client(
    scripted: ScriptedPhone, session: aiohttp.ClientSession
) -> GrandstreamClient:
    """A client for the scripted phone."""
    return GrandstreamClient(
        scripted.address,
        PASSCODE,
        session=session,
        request_timeout=2.0,
        key_interval=0.01,
    )
