"""HTTPS first: which scheme a phone speaks, found without the passcode."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp
import pytest

from custom_components.grandstream.cti import (
    DetectedScheme,
    GrandstreamConnectionError,
    detect_scheme,
)
from custom_components.grandstream.cti.scheme import _stored_host
from simulator import PhoneProfile, SimulatedPhone

from ..helpers.phone import fast_profile
from ..helpers.ports import free_port


@pytest.fixture(autouse=True)
async def quiet_handshakes() -> AsyncIterator[None]:
    """Mute the server side of handshakes that fail on purpose.

    Probing a port with the wrong scheme makes the server's TLS handshake
    fail, which asyncio reports to the loop's exception handler.
    """
    loop = asyncio.get_running_loop()
    handler = loop.get_exception_handler()
    loop.set_exception_handler(lambda _loop, _context: None)
    try:
        yield
    finally:
        loop.set_exception_handler(handler)


async def start(profile: PhoneProfile) -> SimulatedPhone:
    """A simulated phone serving ``profile``'s transport."""
    phone = SimulatedPhone(profile)
    await phone.start()
    return phone


@pytest.fixture
async def both(socket_enabled: None) -> AsyncIterator[SimulatedPhone]:
    """A phone with HTTP on one port and HTTPS on another."""
    phone = await start(fast_profile(extra_https_port=True))
    yield phone
    await phone.stop()


async def test_https_preferred(
    both: SimulatedPhone, session: aiohttp.ClientSession
) -> None:
    """Both schemes answer: HTTPS wins, and no CTI request was made."""
    assert both.https_port is not None
    assert both.https_port != both.port
    found = await detect_scheme(
        "127.0.0.1", session=session, http_port=both.port, https_port=both.https_port
    )
    assert found == DetectedScheme(use_ssl=True, host=f"127.0.0.1:{both.https_port}")
    assert both.requests == []
    assert both.failures == 0


async def test_http_when_https_is_not_offered(
    phone: SimulatedPhone, session: aiohttp.ClientSession
) -> None:
    """HTTP only (HTTPS port closed): plain HTTP, on the HTTP port."""
    closed = free_port()
    found = await detect_scheme(
        "127.0.0.1", session=session, http_port=phone.port, https_port=closed
    )
    assert found == DetectedScheme(use_ssl=False, host=phone.address)
    assert phone.requests == []


@pytest.mark.usefixtures("socket_enabled")
@pytest.mark.parametrize("https", [False, True])
async def test_typed_port_is_tried_with_both_schemes(
    session: aiohttp.ClientSession, https: bool
) -> None:
    """A port typed by the user: HTTPS on it, else HTTP on it."""
    phone = await start(fast_profile(https=https))
    try:
        found = await detect_scheme(phone.address, session=session)
        assert found == DetectedScheme(use_ssl=https, host=phone.address)
        # A pasted scheme is only decoration: the probe decides.
        pasted = await detect_scheme(f"http://{phone.address}/", session=session)
        assert pasted == found
        assert phone.requests == []
    finally:
        await phone.stop()


async def test_neither_scheme_answers(session: aiohttp.ClientSession) -> None:
    """Nothing listening: a connection error naming the address."""
    closed = free_port()
    with pytest.raises(GrandstreamConnectionError) as err:
        await detect_scheme(f"127.0.0.1:{closed}", session=session, timeout=2.0)
    assert f"127.0.0.1:{closed}" in str(err.value)
    assert "https" in str(err.value)


@pytest.mark.usefixtures("socket_enabled")
async def test_silent_phone_is_given_up_on(session: aiohttp.ClientSession) -> None:
    """A host that accepts connections and never answers costs at most the timeout."""
    accepted: list[asyncio.StreamWriter] = []

    async def hang(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.append(writer)

    server = await asyncio.start_server(hang, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        with pytest.raises(GrandstreamConnectionError) as err:
            await detect_scheme(f"127.0.0.1:{port}", session=session, timeout=0.4)
        assert "no answer" in str(err.value)
        # Both schemes were tried, each on the typed port.
        assert len(accepted) == 2
    finally:
        for writer in accepted:
            writer.close()
        server.close()
        await server.wait_closed()


@pytest.mark.parametrize(
    ("address", "port", "scheme", "stored"),
    [
        ("192.0.2.10", 443, "https", "192.0.2.10"),
        ("192.0.2.10", 80, "http", "192.0.2.10"),
        ("192.0.2.10", 443, "http", "192.0.2.10:443"),
        ("phone.lan", 8443, "https", "phone.lan:8443"),
        ("2001:db8::1", 8080, "http", "[2001:db8::1]:8080"),
        ("2001:db8::1", 443, "https", "[2001:db8::1]"),
    ],
)
def test_stored_host(address: str, port: int, scheme: str, stored: str) -> None:
    """The port is kept only where it is not the scheme's default."""
    assert _stored_host(address, port, scheme) == stored
