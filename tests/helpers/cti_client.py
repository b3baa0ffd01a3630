"""A CTI client for the simulated phone, with test-sized timings."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import aiohttp

from custom_components.grandstream.cti import GrandstreamClient
from simulator import SimulatedPhone

from .phone import PASSCODE

# A command the client sends, for tests that run the same check over several.
type Command = Callable[[GrandstreamClient], Awaitable[object]]

# The client's commands by name, each with the CTI function it sends.
COMMANDS: dict[str, tuple[str, Command]] = {
    "acceptcall": ("api-phone_operation", lambda client: client.accept_call()),
    "endcall": ("api-phone_operation", lambda client: client.end_call()),
    "make_call": ("api-make_call", lambda client: client.make_call("200")),
    "reboot": ("api-sys_operation", lambda client: client.reboot()),
    "send_key": ("api-send_key", lambda client: client.send_keys("1:2")),
}


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
