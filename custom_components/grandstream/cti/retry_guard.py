"""Stop aiohttp from sending a phone command a second time.

aiohttp resends an idempotent request (every GET, and the CTI interface is
GET only) once when the connection fails with ``ClientOSError`` or
``ServerDisconnectedError`` (``retry_persistent_connection`` in
aiohttp/client.py, 3.11 to 3.13; there is no public switch). For a status
read that is welcome. For a command it is not: a phone that reset the
connection after reading ``acceptcall`` or ``api-send_key`` may already have
carried it out, and the resend answers a second call or types the keys twice.

The client marks every command request through ``trace_request_ctx``, and
every read that carries a passcode the phone has not accepted yet (each
attempt of a wrong passcode counts towards the phone's lockout). The
trace configuration returned by :func:`command_retry_guard` counts the
connection attempts of each marked request (a new connection or a reused one:
aiohttp signals exactly one of the two per attempt) and raises on the second.
aiohttp releases the connection slot when a trace callback raises
(connector.py) and lets a ``ClientError`` out unchanged, so the resend never
reaches the phone and the client reports the command's fate as unknown.

Without the guard installed on the session, commands and unproven passcodes
may be sent twice after a dropped connection; other reads retry either way. Create the session with
``ClientSession(trace_configs=[command_retry_guard()])`` (in Home Assistant,
``async_create_clientsession(hass, trace_configs=[command_retry_guard()])``).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType, SimpleNamespace
from typing import Any, Final, cast

from aiohttp import ClientError, ClientSession, TraceConfig

_MARK: Final = "grandstream_command"
# One read-only marker shared by every command request: what the guard counts
# lives in aiohttp's per-request trace context, never in this mapping.
COMMAND_REQUEST: Final[Mapping[str, Any]] = MappingProxyType({_MARK: True})
_ATTEMPTS: Final = "grandstream_connection_attempts"


class CommandRetryRefusedError(ClientError):
    """aiohttp tried to send a marked command a second time; the guard stopped it."""


def command_retry_guard() -> TraceConfig:
    """A trace configuration that lets every marked command out only once."""
    config = TraceConfig()
    # The signals' annotations differ between aiohttp/aiosignal releases (some
    # describe the callback as taking one argument); the callback signature
    # is the documented one, so the lists are used untyped.
    for signal in (config.on_connection_create_start, config.on_connection_reuseconn):
        cast(Any, signal).append(_count_attempt)
    return config


def has_command_retry_guard(session: ClientSession) -> bool:
    """Whether ``session`` was created with :func:`command_retry_guard`."""
    return any(
        _count_attempt in cast(Any, config.on_connection_create_start)
        for config in session.trace_configs
    )


async def _count_attempt(
    session: ClientSession, context: SimpleNamespace, params: object
) -> None:
    request = context.trace_request_ctx
    if not isinstance(request, Mapping) or not request.get(_MARK):
        return
    attempts = getattr(context, _ATTEMPTS, 0) + 1
    setattr(context, _ATTEMPTS, attempts)
    if attempts > 1:
        raise CommandRetryRefusedError(
            "Not resending a phone command after the connection dropped"
        )
