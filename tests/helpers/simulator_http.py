"""Talking to the simulator over HTTP as a test does, and a raw receiver for pushes."""

from __future__ import annotations

import asyncio
import json
import ssl
from typing import Any

import aiohttp

from simulator import SimulatedPhone

# Profile settings that make a simulated phone fast enough for tests.
FAST: dict[str, Any] = {
    "key_interval": 0.02,
    "reboot_duration": 0.3,
    "lockout_duration": 0.3,
    "failed_duration": 0.2,
}


async def cti(
    session: aiohttp.ClientSession,
    phone: SimulatedPhone,
    function: str,
    *,
    method: str = "GET",
    passcode: str | None = "admin",
    ssl_arg: ssl.SSLContext | bool = True,
    **params: str,
) -> tuple[int, str, str]:
    """Call a CTI function; return (status, text, content type)."""
    if passcode is not None:
        params = {"passcode": passcode, **params}
    url = f"{phone.base_url}/cgi-bin/{function}"
    if method == "GET":
        request = session.get(url, params=params, ssl=ssl_arg)
    else:
        request = session.post(url, data=params, ssl=ssl_arg)
    async with request as response:
        return (
            response.status,
            await response.text(),
            response.headers.get("Content-Type", ""),
        )


async def body(
    session: aiohttp.ClientSession,
    phone: SimulatedPhone,
    function: str,
    *,
    passcode: str | None = "admin",
    **params: str,
) -> Any:
    """Call a CTI function that must answer 200; return its JSON."""
    status, text, _ = await cti(session, phone, function, passcode=passcode, **params)
    assert status == 200
    return json.loads(text)


async def control(
    session: aiohttp.ClientSession,
    phone: SimulatedPhone,
    name: str,
    data: dict[str, Any] | None = None,
    *,
    expect: int = 200,
) -> Any:
    url = f"{phone.base_url}/_sim/{name}"
    request = (
        session.get(url, ssl=False)
        if data is None
        else session.post(url, json=data, ssl=False)
    )
    async with request as response:
        assert response.status == expect, await response.text()
        return await response.json()


class RawReceiver:
    """A raw TCP server that records request lines exactly as received."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.server: asyncio.Server | None = None
        self.port = 0

    async def __aenter__(self) -> RawReceiver:
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *_: object) -> None:
        assert self.server is not None
        self.server.close()
        await self.server.wait_closed()

    async def _handle(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        self.lines.append(head.split(b"\r\n")[0].decode("utf-8"))
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        )
        await writer.drain()
        writer.close()
        await writer.wait_closed()
