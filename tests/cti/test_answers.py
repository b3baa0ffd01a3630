"""A success is a success: command answers in the shapes firmware gives."""

from __future__ import annotations

import pytest

from custom_components.grandstream.cti import (
    GrandstreamClient,
    GrandstreamInvalidRequestError,
    GrandstreamRejectedError,
)

from ..helpers.cti_client import COMMANDS
from ..helpers.scripted_phone import ScriptedPhone

# A command of each CTI function that changes something.
SENDS = ["endcall", "make_call", "reboot", "send_key"]
ACCEPTED = ["true", "1", '"complete"', '"savereboot"', '"ok"', '"True"', "{}"]
REFUSED = ["false", '"false"', '" FALSE "', '"failed"', '"unknown"']


def envelope(outcome: str, body: str) -> str:
    return f'{{"response":"{outcome}","body":{body}}}'


@pytest.mark.parametrize(
    ("body", "refused"),
    [
        # Any body but a failure word inside "success" means done...
        *((body, False) for body in ACCEPTED),
        # ...while false, "failed" or "unknown" are refusals, even there.
        *((body, True) for body in REFUSED),
    ],
)
@pytest.mark.parametrize("command", SENDS)
async def test_body_of_a_success_envelope(
    scripted: ScriptedPhone,
    scripted_client: GrandstreamClient,
    command: str,
    body: str,
    refused: bool,
) -> None:
    """A "success" envelope is a refusal only with a failure word as its body."""
    function, send = COMMANDS[command]
    scripted.answer(function, envelope("success", body))
    if refused:
        with pytest.raises(GrandstreamRejectedError) as err:
            await send(scripted_client)
        assert "refused" in str(err.value)
    else:
        await send(scripted_client)
        assert [name for name, _ in scripted.requests] == [function]


@pytest.mark.parametrize("command", SENDS)
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
