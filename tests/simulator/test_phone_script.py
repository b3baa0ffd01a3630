"""``scripts/phone``: the demo's phone driven from the command line."""

from __future__ import annotations

import asyncio

import pytest

from devtools import phone as phone_script
from simulator import SimulatedPhone


async def test_miss_with_a_number_misses_that_call_not_the_one_ringing(
    phone: SimulatedPhone, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``miss --number N`` while another call rings: N rings on its own line, N is missed."""
    monkeypatch.setattr(phone_script, "RING_BEFORE_MISS", 0.0)
    phone.incoming_call("0301234", "Max Muster")
    code = await asyncio.to_thread(
        phone_script.main, ["--url", phone.base_url, "miss", "--number", "0309999"]
    )
    assert code == 0
    lines = {line["line"]: line for line in phone.state()["lines"]}
    # The call that was ringing before still rings; the new number was missed.
    assert lines[1]["state"] == "ringing"
    assert lines[1]["remotenumber"] == "0301234"
    assert lines[2]["state"] == "idle"
    assert [e.line for e in phone.events if e.name == "missed"] == [2]
