"""Find out whether a phone speaks HTTPS or only HTTP, without the passcode.

Over plain HTTP the passcode crosses the network in every request, so HTTPS
is preferred wherever the phone offers it. The probe is an unauthenticated
``GET /`` (the web interface's start page): any HTTP answer, 404 and 401
included, proves the scheme works. It never carries the passcode, so it can
never count towards the phone's lockout.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from aiohttp import ClientError, ClientSession
from yarl import URL

from .client import build_base_url
from .errors import GrandstreamConnectionError

# Total time for both probes; each probe gets half, so a phone that silently
# drops HTTPS still leaves time to try HTTP.
DEFAULT_DETECT_TIMEOUT = 10.0
# The start page is read only far enough to know it is an HTTP answer.
_PROBE_READ_BYTES = 4096
_DEFAULT_PORTS = {"https": 443, "http": 80}


@dataclass(frozen=True, slots=True)
class DetectedScheme:
    """How to reach the phone.

    ``host`` is what to store and pass to the client: the address with a
    port only where it is not the scheme's default (``192.0.2.10``,
    ``phone.lan:8443``, ``[2001:db8::1]:8080``).
    """

    use_ssl: bool
    host: str


async def detect_scheme(
    host: str,
    *,
    session: ClientSession,
    timeout: float = DEFAULT_DETECT_TIMEOUT,  # noqa: ASYNC109 - split between probes
    http_port: int | None = None,
    https_port: int | None = None,
) -> DetectedScheme:
    """Try HTTPS, then HTTP; return the first that answers.

    A port typed with ``host`` is used for both schemes. Otherwise HTTPS is
    tried on ``https_port`` (default 443) and HTTP on ``http_port``
    (default 80). Certificates are not verified: phones ship self-signed
    ones. Raises :class:`GrandstreamConnectionError` when neither answers
    within ``timeout`` seconds in total, ``ValueError`` when ``host`` is not
    a host name or address (see :func:`build_base_url`).
    """
    typed = build_base_url(host, use_ssl=False)
    address = typed.host or ""
    typed_port = typed.explicit_port
    failures: list[str] = []
    for scheme, default_override in (("https", https_port), ("http", http_port)):
        port = typed_port or default_override or _DEFAULT_PORTS[scheme]
        url = URL.build(scheme=scheme, host=address, port=port, path="/")
        try:
            async with asyncio.timeout(timeout / 2):
                async with session.get(
                    url, ssl=False, allow_redirects=False
                ) as response:
                    await response.content.read(_PROBE_READ_BYTES)
        except TimeoutError:
            failures.append(f"{scheme}: no answer")
            continue
        except (ClientError, OSError) as err:
            failures.append(f"{scheme}: {type(err).__name__}")
            continue
        return DetectedScheme(
            use_ssl=scheme == "https", host=_stored_host(address, port, scheme)
        )
    raise GrandstreamConnectionError(
        f"Neither HTTPS nor HTTP answered at {_stored_host(address, typed_port, '')} "
        f"({'; '.join(failures)})"
    )


def _stored_host(address: str, port: int | None, scheme: str) -> str:
    text = f"[{address}]" if ":" in address else address
    if port is None or port == _DEFAULT_PORTS.get(scheme):
        return text
    return f"{text}:{port}"
