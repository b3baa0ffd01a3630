"""``watch``: line changes as they happen, and (``--listen``) the phone's pushes.

Lines are polled; a phone that goes away (a reboot, an HTTP 5xx) is reported
once and watched until it is back. A refused passcode ends the watch at once:
it is never sent again. So does a dropped or timed-out request before the
phone has accepted the passcode once (it may have judged it).

The push receiver is a bare HTTP/1.1 server on purpose: phones send display
names with raw spaces in the request line, which most HTTP servers refuse,
and every push is unauthenticated text that is printed escaped and bounded.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime
from typing import Any
from urllib.parse import unquote

from .. import (
    GrandstreamCertificateError,
    GrandstreamConnectionDroppedError,
    GrandstreamConnectionError,
    GrandstreamError,
    GrandstreamResponseError,
    GrandstreamTimeoutError,
    LineStatus,
    redact_text,
)
from .calls import line_data, line_text
from .codes import ExitCode
from .context import Run
from .terminal import Terminal, safe

# A push is one request line and a few headers.
MAX_REQUEST_HEAD = 8192
READ_TIMEOUT = 5.0
# The one-letter parameters of the URLs action-urls set writes.
_NAMES = {
    "e": "event",
    "m": "mac",
    "r": "remote",
    "a": "account",
    "p": "model",
    "v": "firmware",
    "c": "call_id",
}
_ANSWER = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
_BAD = b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


def _now() -> str:
    return datetime.now().astimezone().strftime("%H:%M:%S")


def parse_push_query(raw: str) -> dict[str, str]:
    """Parameters of a push as phones mean them (a ``+`` stays a ``+``)."""
    params: dict[str, str] = {}
    for part in raw.split("&")[:32]:
        name, _, value = part.partition("=")
        name = unquote(name).strip()
        if name:
            params.setdefault(_NAMES.get(name, name), unquote(value))
    return params


class PushPrinter:
    """Receives pushes on a port and prints each one."""

    def __init__(self, terminal: Terminal, as_json: bool) -> None:
        self._terminal = terminal
        self._json = as_json
        self.received = 0

    async def handle(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        """One connection: read the request head, answer 200, print."""
        peer = writer.get_extra_info("peername")
        sender = str(peer[0]) if isinstance(peer, tuple) and peer else "?"
        try:
            async with asyncio.timeout(READ_TIMEOUT):
                head = await reader.readuntil(b"\r\n\r\n")
        except (TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            head = b""
        except OSError:
            head = b""
        lines = head.decode("latin-1").split("\r\n")
        request = lines[0].split(" ") if lines and lines[0] else []
        try:
            writer.write(_ANSWER if len(request) >= 3 else _BAD)
            await writer.drain()
        except OSError:
            pass
        finally:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()
        if len(request) < 3:
            return
        # Raw spaces in the target: everything between method and version.
        target = " ".join(request[1:-1])
        path, _, query = target.partition("?")
        agent = next(
            (
                line.split(":", 1)[1].strip()
                for line in lines[1:]
                if line.lower().startswith("user-agent:")
            ),
            "",
        )
        self.received += 1
        self.print_push(sender, request[0], path, query, agent)

    def print_push(
        self, sender: str, method: str, path: str, query: str, agent: str
    ) -> None:
        """Say what arrived, escaped."""
        params = parse_push_query(query)
        if self._json:
            self._terminal.json(
                {
                    "type": "push",
                    "time": _now(),
                    "from": sender,
                    "method": safe(method, 16),
                    "path": safe(path, 300),
                    "params": {safe(k, 40): safe(v, 300) for k, v in params.items()},
                    "user_agent": safe(agent, 200),
                }
            )
            return
        event = params.pop("event", "")
        details = " ".join(f"{safe(k, 40)}={safe(v, 120)}" for k, v in params.items())
        from_agent = f" [{safe(agent, 120)}]" if agent else ""
        self._terminal.out(
            f"{_now()} push from {sender}: {safe(event, 40) or safe(path, 120)}"
            f" {details}{from_agent}".rstrip()
        )


async def watch(current: Run) -> ExitCode:
    """Poll lines (and receive pushes) until --duration or Ctrl+C."""
    args = current.args
    terminal = current.terminal
    server: asyncio.Server | None = None
    if args.listen is not None:
        printer = PushPrinter(terminal, current.json)
        try:
            server = await asyncio.start_server(
                printer.handle,
                args.listen_host,
                args.listen,
                limit=MAX_REQUEST_HEAD,
            )
        except OSError as err:
            terminal.err(
                f"Error: cannot listen on {safe(args.listen_host, 64)}:{args.listen}: "
                f"{err.strerror or err}"
            )
            return ExitCode.BAD_INPUT
        port = server.sockets[0].getsockname()[1]
        _say(
            current,
            {"type": "listening", "host": args.listen_host, "port": port},
            f"Receiving pushes on http://{args.listen_host}:{port}/ "
            f"(point the phone there: action-urls set --url http://<this "
            f"computer>:{port}/)",
        )
    try:
        async with asyncio.timeout(args.duration):
            if not args.no_poll:
                return await _poll(current)
            await asyncio.Event().wait()  # pushes only, until the time is up
            return ExitCode.OK  # pragma: no cover - the wait never ends by itself
    except TimeoutError:
        return ExitCode.OK
    finally:
        if server is not None:
            server.close()
            await server.wait_closed()


def _say(current: Run, data: dict[str, Any], text: str) -> None:
    if current.json:
        current.terminal.json(data)
    else:
        current.terminal.out(text)


async def _poll(current: Run) -> ExitCode:
    client = await current.cti_client()
    _say(
        current,
        {"type": "watching", "phone": client.base_url},
        f"Watching {client.base_url} (Ctrl+C ends)",
    )
    known: dict[int, LineStatus] = {}
    away = False
    # Whether the phone has accepted the passcode in this watch: until then a
    # request whose fate is unknown may have been judged, so it is not repeated.
    accepted = False
    while True:
        try:
            lines = await client.line_status()
        except GrandstreamError as err:
            if not _away(err, accepted=accepted):
                if not accepted and isinstance(err, GrandstreamConnectionError):
                    current.terminal.err(
                        "The phone has not accepted the passcode yet, and this "
                        "request may have reached it: not repeating it (each try "
                        "with a wrong passcode counts towards the lockout)."
                    )
                raise  # a refusal or garbage: never guess, never resend
            if not away:
                away = True
                # As every message of the command line: the passcode hidden first.
                said = redact_text(str(err), current.passcode or "")
                _say(
                    current,
                    {"type": "away", "time": _now(), "error": safe(said, 300)},
                    f"{_now()} phone away: {safe(said, 200)}",
                )
        else:
            accepted = True
            if away:
                away = False
                _say(current, {"type": "back", "time": _now()}, f"{_now()} phone back")
            for line in lines:
                before = known.get(line.line)
                if before == line:
                    continue
                known[line.line] = line
                data = {"type": "line", "time": _now(), **line_data(line)}
                if before is not None:
                    data["previous"] = before.state.value
                _say(current, data, f"{_now()} {line_text(line)}")
        await asyncio.sleep(current.args.interval)


def _away(err: GrandstreamError, *, accepted: bool) -> bool:
    """Whether ``err`` means "the phone is away for now": keep watching.

    Never-connected errors (refused, no route) cost no password attempt and
    are always safe to repeat. A dropped or timed-out request may have been
    judged by the phone: repeated only once the passcode has been accepted.
    An HTTP 5xx, once accepted, is a phone busy or starting up; a 200 with
    garbage never is.
    """
    if isinstance(err, GrandstreamCertificateError):
        return False  # no later try trusts it more
    if isinstance(err, GrandstreamConnectionDroppedError | GrandstreamTimeoutError):
        return accepted
    if isinstance(err, GrandstreamConnectionError):
        return True
    return (
        accepted
        and type(err) is GrandstreamResponseError
        and err.status is not None
        and err.status >= 500
    )
