"""Captured phone answers (tests/fixtures/captures), parsed off the wire.

Each capture folder holds answers as a phone gave them (status, content type,
body); here they are served as such over real HTTP, one at a time.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from custom_components.grandstream.cti import (
    GrandstreamClient,
    LineState,
    LineStatus,
    PhoneState,
    load_capture,
)

from ..helpers.scripted_phone import ScriptedPhone

CAPTURES = Path(__file__).parents[1] / "fixtures" / "captures"
WP826_NUMBER = "0301234567"


def serve(scripted: ScriptedPhone, function: str, capture: str) -> None:
    """Answer ``function`` as the capture folder says the phone did."""
    answer = load_capture(CAPTURES / capture).answer(function)
    assert answer is not None, f"{capture} has no {function}"
    scripted.answer(
        function,
        answer.body.encode(),
        status=answer.status,
        content_type=answer.content_type,
    )


async def lines_of(
    scripted: ScriptedPhone, client: GrandstreamClient, capture: str
) -> list[LineStatus]:
    serve(scripted, "api-get_line_status", capture)
    return await client.line_status()


@pytest.mark.parametrize(
    "capture",
    [
        "gxp2124-unknown",
        "gxp1450-unknown",
        "wp826-1.0.3.35",
    ],
)
async def test_phone_status(
    scripted: ScriptedPhone, scripted_client: GrandstreamClient, capture: str
) -> None:
    """Both spacings of the envelope; misc "0" on an idle phone."""
    serve(scripted, "api-get_phone_status", capture)
    status = await scripted_client.phone_status()
    assert status.state is PhoneState.AVAILABLE
    assert status.raw_state == "available"


async def test_wp826_idle(
    scripted: ScriptedPhone, scripted_client: GrandstreamClient
) -> None:
    """acct 0 on every line is the first account: account 1, as the user knows it."""
    lines = await lines_of(scripted, scripted_client, "wp826-1.0.3.35")
    assert [line.line for line in lines] == [1, 2, 3, 4]
    assert {line.state for line in lines} == {LineState.IDLE}
    assert {line.account for line in lines} == {1}
    assert {line.raw_account for line in lines} == {"0"}
    assert not any(line.active or line.conference for line in lines)


async def test_wp826_call_from_ringing_to_hold(
    scripted: ScriptedPhone, scripted_client: GrandstreamClient
) -> None:
    """Ringing without a name, connected and held with the number repeated."""
    ringing = await lines_of(scripted, scripted_client, "wp826-1.0.3.35-ringing")
    connected = await lines_of(scripted, scripted_client, "wp826-1.0.3.35-connected")
    held = await lines_of(scripted, scripted_client, "wp826-1.0.1.87-onhold")
    assert [lines[0].state for lines in (ringing, connected, held)] == [
        LineState.RINGING,
        LineState.CONNECTED,
        LineState.ON_HOLD,
    ]
    for lines in (ringing, connected, held):
        first = lines[0]
        assert first.account == 1
        assert first.remote_number == WP826_NUMBER
        # The repeated number is no caller name.
        assert first.remote_name == ""
        assert first.active is False
    assert len(held) == 3


async def test_gxp_eight_lines_with_a_cyrillic_name(
    scripted: ScriptedPhone, scripted_client: GrandstreamClient
) -> None:
    """acct counts from 1 here: the call on account 2 is account 2."""
    lines = await lines_of(scripted, scripted_client, "gxp21xx-unknown")
    assert [line.line for line in lines] == list(range(1, 9))
    call = lines[1]
    assert call.state is LineState.CONNECTED
    assert call.account == 2
    assert call.raw_account == "2"
    assert call.active is True
    assert call.remote_name == "Иван Петров"
    assert call.remote_number == "+74951234567"
    idle = [line for line in lines if line is not call]
    assert {line.account for line in idle} == {1}
    assert not any(line.active for line in idle)


async def test_zero_based_phone_is_remembered(
    scripted: ScriptedPhone, scripted_client: GrandstreamClient
) -> None:
    """Once a phone showed acct 0, an answer without any 0 keeps that base.

    (Every line busy on the second account would otherwise read as account 1.)
    """
    await lines_of(scripted, scripted_client, "wp826-1.0.3.35")
    scripted.answer(
        "api-get_line_status",
        '{"response":"success","body":['
        '{"line":1,"state":"connected","acct":1,"remotename":"","remotenumber":"7",'
        '"active":0,"conf":0},'
        '{"line":2,"state":"onhold","acct":1,"remotename":"","remotenumber":"8",'
        '"active":0,"conf":0}]}',
    )
    lines = await scripted_client.line_status()
    assert [line.account for line in lines] == [2, 2]
    assert [line.raw_account for line in lines] == ["1", "1"]
