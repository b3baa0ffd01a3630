"""Commands reach the phone at most once, even when aiohttp would resend them.

The simulator's ``reset`` fault reads the request, logs it, then resets the
connection: the situation in which aiohttp resends a GET once on its own.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from custom_components.grandstream.cti import (
    GrandstreamConnectionDroppedError,
    LineState,
    command_retry_guard,
    has_command_retry_guard,
)
from simulator import Fault, SimulatedPhone

from ..helpers.cti_client import COMMANDS, make_client
from ..helpers.phone import PASSCODE

# One command of each CTI function the simulator plays here (the call rings).
RESENT = ["acceptcall", "make_call", "send_key"]


@pytest.fixture
async def guarded_session(socket_enabled: None) -> AsyncIterator[aiohttp.ClientSession]:
    """A session as the integration creates it, with the retry guard."""
    async with aiohttp.ClientSession(trace_configs=[command_retry_guard()]) as session:
        yield session


@pytest.mark.parametrize("warm", [False, True], ids=["new", "reused"])
@pytest.mark.parametrize("command", RESENT)
async def test_command_sent_once_when_the_connection_resets(
    phone: SimulatedPhone,
    guarded_session: aiohttp.ClientSession,
    command: str,
    warm: bool,
) -> None:
    """Reset after the phone read the command: one request, and an honest error.

    ``warm`` first reads the status, so the command goes out on a reused
    keep-alive connection (aiohttp's other path into a connection).
    """
    function, send = COMMANDS[command]
    client = make_client(phone, guarded_session)
    phone.incoming_call("100")
    if warm:
        await client.phone_status()
    phone.set_fault(Fault("reset", count=1))
    with pytest.raises(GrandstreamConnectionDroppedError) as err:
        await send(client)
    assert len(phone.calls(function)) == 1
    assert "may have been carried out" in str(err.value)
    assert err.value.command_sent
    assert PASSCODE not in str(err.value)
    # The phone is fine afterwards and the passcode was never in doubt.
    await send(client)
    assert len(phone.calls(function)) == 2


async def test_reads_still_retry_with_the_guard(
    phone: SimulatedPhone, guarded_session: aiohttp.ClientSession
) -> None:
    """A status read with a proven passcode is safe to resend: aiohttp retries it."""
    client = make_client(phone, guarded_session)
    await client.phone_status()  # the phone accepts the passcode
    phone.set_fault(Fault("reset", count=1))
    lines = await client.line_status()
    assert {line.state for line in lines} == {LineState.IDLE}
    assert len(phone.calls("api-get_line_status")) == 2


async def test_an_unproven_passcode_is_sent_once_when_the_connection_resets(
    phone: SimulatedPhone, guarded_session: aiohttp.ClientSession
) -> None:
    """Until the phone accepted the passcode, a dropped read is not resent.

    The passcode may be a wrong one, and every try counts towards the
    phone's lockout: the first read goes out once, whatever aiohttp would do.
    """
    client = make_client(phone, guarded_session)
    phone.set_fault(Fault("reset", count=1))
    with pytest.raises(GrandstreamConnectionDroppedError) as err:
        await client.phone_status()
    assert len(phone.calls("api-get_phone_status")) == 1
    assert not err.value.command_sent
    assert PASSCODE not in str(err.value)
    # Proven afterwards, reads retry again.
    await client.phone_status()
    phone.set_fault(Fault("reset", count=1))
    await client.phone_status()
    assert len(phone.calls("api-get_phone_status")) == 4


async def test_without_the_guard_a_command_is_sent_twice(
    phone: SimulatedPhone, session: aiohttp.ClientSession
) -> None:
    """Why the guard exists: a plain session answers the call on the resend.

    The phone read ``acceptcall`` twice; had the first one been carried out
    before the reset, a second ringing call would have been answered too.
    """
    client = make_client(phone, session)
    assert not has_command_retry_guard(session)
    phone.incoming_call("100")
    phone.set_fault(Fault("reset", count=1))
    await client.accept_call()
    assert len(phone.calls("api-phone_operation")) == 2
    assert phone.line(1).state == "connected"


async def test_reboot_whose_connection_drops_is_sent_once(
    phone: SimulatedPhone, guarded_session: aiohttp.ClientSession
) -> None:
    """A reboot dropping the connection is success, and REBOOT went out once."""
    client = make_client(phone, guarded_session)
    phone.profile.reboot_drops_connection = True
    await client.reboot()
    assert [r.params["request"] for r in phone.calls("api-sys_operation")] == ["REBOOT"]
    await phone.wait_online()


def test_guard_is_recognised(guarded_session: aiohttp.ClientSession) -> None:
    """The integration can check that its session carries the guard."""
    assert has_command_retry_guard(guarded_session)
