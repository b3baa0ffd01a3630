"""Clients for the simulated phone, and a scripted server for single answers.

The simulator plays whole phones; these tests also need single answers in
shapes no profile produces (an envelope with ``lockTime`` inside the body, a
refusal page in HTML, captured bytes from a fixture file). The server is
real aiohttp on 127.0.0.1, so the client parses them off the wire.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

import aiohttp
from aiohttp import web
import pytest

from custom_components.grandstream.cti import GrandstreamClient
from simulator import SimulatedPhone

from ..conftest import PASSCODE


def make_client(
    phone: SimulatedPhone, session: aiohttp.ClientSession, **kwargs: object
) -> GrandstreamClient:
    """A client for the simulated phone, with a test-sized key interval."""
    options: dict[str, object] = {
        "key_interval": phone.profile.key_interval,
        "request_timeout": 2.0,
    }
    options.update(kwargs)
    return GrandstreamClient(
        phone.address,
        kwargs.pop("passcode", PASSCODE),  # type: ignore[arg-type]
        session=session,
        use_ssl=phone.profile.https,
        **{k: v for k, v in options.items() if k != "passcode"},  # type: ignore[arg-type]
    )


@pytest.fixture
def client(phone: SimulatedPhone, session: aiohttp.ClientSession) -> GrandstreamClient:
    """A client with the right passcode."""
    return make_client(phone, session)


@dataclass
class Answer:
    """What the scripted phone sends back."""

    body: bytes
    status: int = 200
    content_type: str = "text/plain"


@dataclass
class ScriptedPhone:
    """Answers every ``/cgi-bin/<function>`` request with ``answers[function]``."""

    answers: dict[str, Answer] = field(default_factory=dict)
    default: Answer = field(
        default_factory=lambda: Answer(b'{"response":"success","body":"available"}')
    )
    # (function, raw query) of every request, passcode included.
    requests: list[tuple[str, str]] = field(default_factory=list)
    address: str = ""

    def answer(self, function: str, body: str | bytes, **options: object) -> None:
        """Script the answer to ``function``."""
        raw = body.encode() if isinstance(body, str) else body
        self.answers[function] = Answer(raw, **options)  # type: ignore[arg-type]

    def passcode_requests(self, passcode: str = PASSCODE) -> int:
        """How many requests carried ``passcode``."""
        return sum(
            1
            for _, query in self.requests
            if dict(parse_qsl(query)).get("passcode") == passcode
        )

    async def handle(self, request: web.Request) -> web.Response:
        """Log the request and send the scripted answer verbatim."""
        function = request.match_info["function"]
        self.requests.append((function, request.rel_url.raw_query_string))
        answer = self.answers.get(function, self.default)
        return web.Response(
            body=answer.body,
            status=answer.status,
            headers={"Content-Type": answer.content_type},
        )


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
