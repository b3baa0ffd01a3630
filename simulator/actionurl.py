"""Action URL templating and the raw HTTP GET a phone sends.

Kept separate from the phone so the quirks (no percent-encoding, literal
unknown variables) can be tested on their own.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import contextlib
import re
import ssl
from typing import Final
from urllib.parse import urlsplit

# Variables the phone fills in (docs/phone-protocol.md §7).  The regex
# alternation is ordered longest first so ``$display_remote`` is not eaten by
# ``$remote``; anything else that starts with ``$`` is left untouched, as real
# phones do.
VARIABLES: Final[tuple[str, ...]] = (
    "phone_ip",
    "mac",
    "product",
    "program_version",
    "hardware_version",
    "language",
    "local",
    "display_local",
    "remote",
    "display_remote",
    "active_user",
    "call-id",
    "duration",
    "calldirection",
    "active_host",
)
_VARIABLE_RE: Final = re.compile(
    r"\$("
    + "|".join(re.escape(v) for v in sorted(VARIABLES, key=len, reverse=True))
    + r")"
)


def fill_template(template: str, values: dict[str, str]) -> str:
    """Substitute the ``$variables`` the phone can fill; leave the others literal."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        return values.get(name, match.group(0))

    return _VARIABLE_RE.sub(replace, template)


async def send_raw_get(
    url: str,
    user_agent: str,
    timeout: float,  # noqa: ASYNC109
    *,
    on_sent: Callable[[], None] | None = None,
) -> int:
    """Send ``GET url`` exactly as written and return the HTTP status code.

    ``timeout`` is a parameter (ASYNC109) because it comes from the profile,
    per phone, and covers connect plus answer. ``on_sent`` is called as soon
    as the request is handed to the socket (the benchmark times pushes from
    that moment).

    aiohttp and urllib would percent-encode spaces and other characters; a
    real phone does not, and the integration must survive that, so the
    request line is written by hand.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"unsupported action URL {url!r}")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    ssl_context: ssl.SSLContext | None = None
    if parts.scheme == "https":
        # Phones do not verify the receiver's certificate in practice.
        ssl_context = ssl.create_default_context()
        ssl_context.check_hostname = False
        ssl_context.verify_mode = ssl.CERT_NONE
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    host_header = parts.netloc.rpartition("@")[2]
    request = (
        f"GET {target} HTTP/1.1\r\n"
        f"Host: {host_header}\r\n"
        f"User-Agent: {user_agent}\r\n"
        "Accept: */*\r\n"
        "Connection: close\r\n\r\n"
    )
    async with asyncio.timeout(timeout):
        reader, writer = await asyncio.open_connection(
            parts.hostname, port, ssl=ssl_context
        )
        try:
            writer.write(request.encode("utf-8"))
            if on_sent is not None:
                on_sent()
            await writer.drain()
            status_line = await reader.readline()
        finally:
            writer.close()
            # The receiver may reset the connection after answering; the
            # status is what matters.
            with contextlib.suppress(OSError):
                await writer.wait_closed()
    fields = status_line.decode("latin-1").split()
    if len(fields) < 2 or not fields[1].isdigit():
        raise ValueError(f"bad status line {status_line!r}")
    return int(fields[1])
