"""The client against each captured phone the simulator plays."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from custom_components.grandstream.cti import GrandstreamClient, LineState, PhoneState
from simulator import PhoneProfile, SimulatedPhone

from ..helpers.phone import PASSCODE


def fast_preset(name: str, **changes: Any) -> PhoneProfile:
    """A captured phone's profile, sped up for tests."""
    return PhoneProfile.preset(
        name,
        passcode=PASSCODE,
        key_interval=0.02,
        reboot_duration=0.3,
        lockout_duration=5.0,
        **changes,
    )


# name, lines, account reported on idle lines, active flag on the call, misc
PRESETS = [
    ("guide", 4, None, True, True),
    ("wp826", 4, 1, False, False),
    ("wp826-3line", 3, 1, False, False),
    ("gxp21xx", 8, 1, True, False),
]


@pytest.mark.parametrize(
    ("profile", "lines", "idle_account", "active", "idle_misc"),
    [(fast_preset(name), *rest) for name, *rest in PRESETS],
    ids=[name for name, *_ in PRESETS],
)
async def test_call_on_the_first_account(
    phone: SimulatedPhone,
    client: GrandstreamClient,
    *,
    lines: int,
    idle_account: int | None,
    active: bool,
    idle_misc: bool,
) -> None:
    """Whatever the phone's acct base, the first account is account 1."""
    idle = await client.line_status()
    assert len(idle) == lines
    assert {line.account for line in idle} == {idle_account}
    assert (await client.phone_status()).idle_call_allowed is idle_misc

    phone.incoming_call("+4930123456")
    ringing = (await client.line_status())[0]
    assert (ringing.state, ringing.account, ringing.remote_name) == (
        LineState.RINGING,
        1,
        "",
    )
    await client.accept_call()
    connected = (await client.line_status())[0]
    assert connected.state is LineState.CONNECTED
    assert connected.account == 1
    assert connected.active is active
    assert connected.remote_number == "+4930123456"
    assert connected.remote_name == ""
    assert (await client.phone_status()).state is PhoneState.BUSY


@pytest.mark.parametrize("profile", [fast_preset("wp826")])
async def test_wp826_reports_acct_zero_everywhere(
    phone: SimulatedPhone, client: GrandstreamClient
) -> None:
    """Raw acct 0 on idle, ringing and connected lines alike."""
    phone.incoming_call("200")
    assert {line.raw_account for line in await client.line_status()} == {"0"}
    await client.accept_call()
    lines = await client.line_status()
    assert {line.raw_account for line in lines} == {"0"}
    assert all(line.conference is False for line in lines)


@pytest.mark.parametrize("profile", [fast_preset("gxp21xx")])
async def test_gxp_second_account_and_cyrillic_name(
    phone: SimulatedPhone, client: GrandstreamClient
) -> None:
    """acct 2 for a call on account 2 is account 2; non-ASCII names pass."""
    line = phone.incoming_call("+74951234567", name="Иван Петров", account=2)
    await client.accept_call()
    call = (await client.line_status())[line - 1]
    assert (call.account, call.raw_account) == (2, "2")
    assert call.remote_name == "Иван Петров"
    assert [account.id for account in await client.accounts()] == [1, 2]


@pytest.mark.parametrize("body", ["true", "complete", "1"])
async def test_every_operation_success_body_is_success(
    phone: SimulatedPhone,
    session: aiohttp.ClientSession,
    client: GrandstreamClient,
    body: str,
) -> None:
    """true, "complete" or 1: the phone did it, and the client says so."""
    phone.profile.operation_success_body = body
    phone.incoming_call("200")
    await client.accept_call()
    assert phone.line(1).state == "connected"
    # The simulator really sent that body.
    url = f"{phone.base_url}/cgi-bin/api-phone_operation"
    params = {"passcode": PASSCODE, "cmd": "holdcall"}
    async with session.get(url, params=params) as response:
        sent = await response.json(content_type=None)
    assert sent["body"] == {"true": True, "complete": "complete", "1": 1}[body]
