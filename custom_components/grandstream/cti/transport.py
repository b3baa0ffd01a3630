"""One HTTP request to a phone, its failures turned into the clients' errors.

Both clients (CTI and web session) send through here, so a phone that is
slow, unreachable or hangs up reads the same whichever interface was used,
and no message ever carries what ``hide`` removes (passcodes, session ids).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from aiohttp import (
    ClientConnectorCertificateError,
    ClientConnectorError,
    ClientError,
    ClientOSError,
    ClientPayloadError,
    ClientResponseError,
    ClientSession,
    ServerDisconnectedError,
)
from yarl import URL

from .errors import (
    GrandstreamCertificateError,
    GrandstreamConnectionDroppedError,
    GrandstreamConnectionError,
    GrandstreamResponseError,
    GrandstreamTimeoutError,
)
from .retry_guard import COMMAND_REQUEST, CommandRetryRefusedError


@dataclass(frozen=True, slots=True)
class RawAnswer:
    """What the phone answered, before any parsing.

    Body and cookies stay out of the repr: they carry session ids and nonces
    (the answer logs are public, and a repr ends up in logs and tracebacks).
    """

    status: int
    body: bytes = field(repr=False)
    content_type: str = ""
    # Cookies the answer set (name → value).
    cookies: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def utf8(self) -> bool:
        """Whether the body is valid UTF-8 (what phones are meant to send)."""
        try:
            self.body.decode("utf-8")
        except UnicodeDecodeError:
            return False
        return True

    @property
    def text(self) -> str:
        """The body as text: UTF-8, or else Latin-1, which maps every byte to
        one character, so that ``text.encode("latin-1")`` gives the body back."""
        try:
            return self.body.decode("utf-8")  # decoded once, not checked first
        except UnicodeDecodeError:
            return self.body.decode("latin-1")


async def send(
    session: ClientSession,
    method: str,
    url: URL,
    *,
    where: str,
    time_limit: float,
    ssl: bool,
    hide: Callable[[str], str],
    max_body: int,
    params: Mapping[str, str] | None = None,
    data: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    command: bool = False,
    once: bool = False,
) -> RawAnswer:
    """Send one request and read at most ``max_body`` bytes of the answer.

    ``where`` names the request in messages (never with its query: the
    passcode travels there). ``command`` marks requests that change
    something on the phone: they are never resent (see ``retry_guard``) and
    a connection dropped after sending them leaves their fate unknown.
    ``once`` marks reads that must not be resent either (a passcode the
    phone has not accepted yet: every attempt counts towards its lockout).
    """
    try:
        async with asyncio.timeout(time_limit):
            async with session.request(
                method,
                url,
                params=params,
                data=data,
                headers=headers,
                ssl=ssl,
                allow_redirects=False,
                trace_request_ctx=COMMAND_REQUEST if command or once else None,
            ) as response:
                status = response.status
                content_type = response.headers.get("Content-Type", "")
                cookies = {
                    name: morsel.value for name, morsel in response.cookies.items()
                }
                body = await response.content.read(max_body + 1)
    except TimeoutError:
        if command:
            raise GrandstreamTimeoutError(
                f"No answer within {time_limit:g} s to {where}: the command may "
                "have been carried out",
                command_sent=True,
            ) from None
        raise GrandstreamTimeoutError(
            f"Timeout after {time_limit:g} s waiting for {where}"
        ) from None
    except CommandRetryRefusedError:
        raise _dropped(where, command) from None
    except ClientConnectorCertificateError:
        raise GrandstreamCertificateError(
            f"The certificate of {where} is not trusted (phones ship self-signed "
            "ones): turn certificate checks off, or trust the phone's CA here"
        ) from None
    except ClientResponseError as err:
        # Something came back that is no HTTP answer (a malformed status line
        # or header): the phone was reached and may have acted on it.
        raise _unreadable(where, err, hide, command) from None
    except (ServerDisconnectedError, ClientOSError, ClientPayloadError) as err:
        if not isinstance(err, ClientConnectorError):
            raise _dropped(where, command) from None
        # Never connected (refused, no route, name unknown): below.
        raise _unreachable(where, err, hide) from None
    except (ClientError, OSError) as err:
        raise _unreachable(where, err, hide) from None
    if len(body) > max_body:
        raise GrandstreamResponseError(f"Oversized answer from {where}")
    return RawAnswer(status, body, content_type, cookies)


def _dropped(where: str, command: bool) -> GrandstreamConnectionDroppedError:
    if command:
        return GrandstreamConnectionDroppedError(
            f"The phone closed the connection after {where} was sent, before "
            "answering: the command may have been carried out",
            command_sent=True,
        )
    return GrandstreamConnectionDroppedError(
        f"The phone dropped the connection for {where}"
    )


def _unreadable(
    where: str, err: ClientResponseError, hide: Callable[[str], str], command: bool
) -> GrandstreamResponseError:
    detail = hide(str(err.message) or type(err).__name__)[:120]
    if command:
        return GrandstreamResponseError(
            f"{where} answered with a broken HTTP answer ({detail}): the command "
            "may have been carried out",
            command_sent=True,
        )
    return GrandstreamResponseError(
        f"{where} answered with a broken HTTP answer ({detail})"
    )


def _unreachable(
    where: str, err: BaseException, hide: Callable[[str], str]
) -> GrandstreamConnectionError:
    # aiohttp's messages may quote the request URL, passcode included.
    detail = hide(str(err) or type(err).__name__)
    return GrandstreamConnectionError(f"Cannot reach {where}: {detail}")
