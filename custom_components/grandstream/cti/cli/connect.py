"""Reaching the phone: the address typed, the scheme, one aiohttp session."""

from __future__ import annotations

import argparse
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from aiohttp import ClientSession

from .. import (
    GrandstreamClient,
    GrandstreamWebSession,
    build_base_url,
    command_retry_guard,
    detect_scheme,
)


@dataclass(frozen=True, slots=True)
class Address:
    """The phone as typed: host (with a port, if any) and a scheme, if given."""

    host: str
    # True/False when the user said (https://, --https, http://, --http);
    # None: detect, preferring HTTPS.
    use_ssl: bool | None


def parse_address(text: str, args: argparse.Namespace) -> Address:
    """Split ``https://host:port`` into host and scheme; ValueError if not a host."""
    typed = text.strip()
    use_ssl: bool | None = None
    lowered = typed.lower()
    if lowered.startswith("https://"):
        use_ssl = True
    elif lowered.startswith("http://"):
        use_ssl = False
    if getattr(args, "https", False):
        use_ssl = True
    elif getattr(args, "http", False):
        use_ssl = False
    # Validates, and drops the scheme and a trailing slash.
    url = build_base_url(typed, use_ssl=bool(use_ssl))
    host = url.raw_authority if url.explicit_port else url.raw_host or ""
    if ":" in host and not host.startswith("[") and url.explicit_port is None:
        host = f"[{host}]"
    return Address(host=host, use_ssl=use_ssl)


@asynccontextmanager
async def phone_session() -> AsyncIterator[ClientSession]:
    """A session that never sends a command twice (see ``command_retry_guard``)."""
    async with ClientSession(trace_configs=[command_retry_guard()]) as session:
        yield session


async def resolve(
    address: Address,
    session: ClientSession,
    timeout: float,  # noqa: ASYNC109
) -> tuple[str, bool]:
    """Host and scheme to use: as typed, or HTTPS where the phone answers it."""
    if address.use_ssl is not None:
        return address.host, address.use_ssl
    detected = await detect_scheme(address.host, session=session, timeout=timeout)
    return detected.host, detected.use_ssl


def make_client(
    host: str,
    use_ssl: bool,
    passcode: str,
    session: ClientSession,
    args: argparse.Namespace,
) -> GrandstreamClient:
    """A CTI client for one run."""
    return GrandstreamClient(
        host,
        passcode,
        session=session,
        use_ssl=use_ssl,
        verify_ssl=args.verify_ssl,
        request_timeout=args.timeout,
        key_interval=getattr(args, "key_interval", 1.0),
    )


def make_web(
    host: str,
    use_ssl: bool,
    password: str,
    session: ClientSession,
    args: argparse.Namespace,
) -> GrandstreamWebSession:
    """A web session for one run (one login attempt at most)."""
    return GrandstreamWebSession(
        host,
        password,
        session=session,
        username=getattr(args, "username", "admin"),
        use_ssl=use_ssl,
        verify_ssl=args.verify_ssl,
        request_timeout=args.timeout,
    )
