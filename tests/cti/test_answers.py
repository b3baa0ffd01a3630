"""A success is a success: command answers in the shapes firmware gives."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from custom_components.grandstream.cti import (
    GrandstreamClient,
    GrandstreamInvalidRequestError,
    GrandstreamRejectedError,
)

from .conftest import ScriptedPhone

type Command = Callable[[GrandstreamClient], Awaitable[object]]

COMMANDS: dict[str, tuple[str, Command]] = {
    "phone_operation": ("api-phone_operation", lambda client: client.end_call()),
    "send_key": ("api-send_key", lambda client: client.send_keys("1")),
    "sys_operation": ("api-sys_operation", lambda client: client.reboot()),
    "make_call": ("api-make_call", lambda client: client.make_call("200")),
}
ACCEPTED = ["true", "1", '"complete"', '"savereboot"', '"ok"', '"True"', "{}"]
REFUSED = ["false", '"false"', '" FALSE "', '"failed"', '"unknown"']


def envelope(outcome: str, body: str) -> str:
    return f'{{"response":"{outcome}","body":{body}}}'


@pytest.mark.parametrize("body", ACCEPTED)
@pytest.mark.parametrize("command", sorted(COMMANDS))
async def test_success_envelope_is_accepted(
    scripted: ScriptedPhone,
    scripted_client: GrandstreamClient,
    command: str,
    body: str,
) -> None:
    """Any body but a failure word inside "success" means done."""
    function, send = COMMANDS[command]
    scripted.answer(function, envelope("success", body))
    await send(scripted_client)
    assert [name for name, _ in scripted.requests] == [function]


@pytest.mark.parametrize("body", REFUSED)
@pytest.mark.parametrize("command", sorted(COMMANDS))
async def test_failure_word_is_a_refusal(
    scripted: ScriptedPhone,
    scripted_client: GrandstreamClient,
    command: str,
    body: str,
) -> None:
    """false, "failed" or "unknown" are refusals, even inside "success"."""
    function, send = COMMANDS[command]
    scripted.answer(function, envelope("success", body))
    with pytest.raises(GrandstreamRejectedError) as err:
        await send(scripted_client)
    assert "refused" in str(err.value)


@pytest.mark.parametrize("command", sorted(COMMANDS))
async def test_error_envelope_is_a_refusal(
    scripted: ScriptedPhone, scripted_client: GrandstreamClient, command: str
) -> None:
    """ "response":"error" refuses whatever the body; Invalid Request by name."""
    function, send = COMMANDS[command]
    scripted.answer(function, envelope("error", "true"))
    with pytest.raises(GrandstreamRejectedError):
        await send(scripted_client)
    scripted.answer(function, envelope("error", '"Invalid Request"'))
    with pytest.raises(GrandstreamInvalidRequestError):
        await send(scripted_client)
