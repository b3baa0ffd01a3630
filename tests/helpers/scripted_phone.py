"""A scripted phone: single answers in shapes no simulator profile produces.

The simulator plays whole phones; some tests need single answers (an envelope
with ``lockTime`` inside the body, a refusal page in HTML, captured bytes from
a fixture file). The ``scripted`` fixture serves this over real aiohttp on
127.0.0.1, so the client parses them off the wire.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from aiohttp import web

from .phone import PASSCODE


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
