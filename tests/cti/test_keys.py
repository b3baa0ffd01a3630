"""Keys and numbers: what reaches the phone, how it is spelled, how long it takes."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from itertools import groupby

import aiohttp
import pytest

from custom_components.grandstream.cti import (
    GrandstreamClient,
    GrandstreamInvalidKeysError,
    LineState,
    client as client_module,
    key_sequence_hold,
    normalize_key,
    normalize_number,
    parse_keys,
)
from simulator import SimulatedPhone

from ..helpers.cti_client import make_client
from ..helpers.phone import PASSCODE

# -- the pound key --------------------------------------------------------------


@pytest.mark.parametrize("spelling", ["#", "POUND", "pound", " # "])
async def test_pound_key_goes_out_as_percent_23(
    client: GrandstreamClient, phone: SimulatedPhone, spelling: str
) -> None:
    """# and POUND both become the vendor's # key: %23 on the wire, # decoded."""
    await client.send_keys(["1", spelling, "SEND"])
    await phone.wait_idle_keys()  # (the presses' timing is not the point here)
    request = phone.calls("api-send_key")[0]
    assert "keys=1:%23:SEND" in request.raw_query
    assert request.params["keys"] == "1:#:SEND"
    assert [key.key for key in phone.key_log] == ["1", "#", "SEND"]
    assert phone.line(1).remote_number == "1#"


async def test_dialled_number_with_pound_goes_out_as_keys(
    client: GrandstreamClient, phone: SimulatedPhone
) -> None:
    """Click-to-dial off: a number with # is typed with the # key."""
    phone.profile.click_to_dial = False
    await client.dial("*21#")
    request = phone.calls("api-send_key")[0]
    assert "keys=STAR:2:1:%23:SEND" in request.raw_query
    assert (await client.line_status())[0].remote_number == "*21#"


async def test_make_call_sends_pound_encoded(
    client: GrandstreamClient, phone: SimulatedPhone
) -> None:
    """Click-to-dial carries # in the number, percent-encoded like any URL value."""
    await client.make_call("*21#")
    request = phone.calls("api-make_call")[0]
    assert "phonenumber=*21%23" in request.raw_query
    assert request.params["phonenumber"] == "*21#"


async def test_phone_refuses_pound_unless_its_firmware_takes_it(
    phone: SimulatedPhone, session: aiohttp.ClientSession
) -> None:
    """The simulator catches a client that sends POUND (default firmware)."""
    url = f"{phone.base_url}/cgi-bin/api-send_key"
    params = {"passcode": PASSCODE, "keys": "1:POUND"}
    async with session.get(url, params=params) as response:
        assert await response.json(content_type=None) == {
            "response": "error",
            "body": "unknown",
        }
    phone.profile.accepts_pound_key = True
    async with session.get(url, params=params) as response:
        assert (await response.json(content_type=None))["body"] == "complete"
    await phone.wait_idle_keys()
    assert [key.key for key in phone.key_log] == ["1", "#"]


# -- strict input -------------------------------------------------------------


# Control, non-ASCII and other characters: refused in numbers and keys alike.
UNDIALABLE = [
    "123\r\nX-Injected: 1",
    "123\n",
    "+49\r",
    "12\t34",
    "12\x0034",
    "12\x1b34",
    "12\u00a034",  # no-break space
    "12\u200b34",  # zero-width space
    "\uff11\uff12\uff13",  # full-width digits
    "\u0661\u0662",  # Arabic-Indic digits
    "12\u221234",  # minus sign, not a hyphen
    "12ab",
    "sip:100@pbx",
    "1;2",
    "12%0A",
]
UNCLEAN_KEYS = [
    "1:SEND\r\n",
    "1\n",
    "\tSEND",
    "SEND\x00",
    "\u017fend",  # long s: upper() would make it SEND
    "l\u0131ne1",  # dotless i: upper() would make it LINE1
    "\uff33\uff25\uff2e\uff24",  # full-width SEND
    "1:%23",
]


@pytest.mark.parametrize(
    ("text", "parse", "sends"),
    [
        *((number, normalize_number, ("make_call", "dial")) for number in UNDIALABLE),
        *((keys, parse_keys, ("send_keys",)) for keys in UNCLEAN_KEYS),
    ],
)
async def test_unclean_input_never_reaches_the_phone(
    client: GrandstreamClient,
    phone: SimulatedPhone,
    text: str,
    parse: Callable[[str], object],
    sends: tuple[str, ...],
) -> None:
    """Numbers and keys (as strict as numbers) are refused before any request."""
    with pytest.raises(GrandstreamInvalidKeysError):
        parse(text)
    for send in sends:
        with pytest.raises(GrandstreamInvalidKeysError):
            await getattr(client, send)(text)
    assert phone.requests == []


@pytest.mark.parametrize(
    ("number", "cleaned"),
    [
        ("+49 (30) 123-45.67/8", "+493012345678"),
        (" *21# ", "*21#"),
        ("123,45", "123,45"),
    ],
)
def test_separators_are_dropped(number: str, cleaned: str) -> None:
    """ASCII space, - ( ) . / are decoration; the rest is kept."""
    assert normalize_number(number) == cleaned


def test_key_spellings() -> None:
    """Case and surrounding spaces do not matter; * and POUND are aliases."""
    assert normalize_key(" send ") == "SEND"
    assert normalize_key("*") == "STAR"
    assert normalize_key("Pound") == "#"
    assert normalize_key("line3") == "LINE3"


# -- key sequences on a slower phone -------------------------------------------


def test_key_sequence_hold() -> None:
    """The hold outlasts a phone 50 % (and even 60 %) slower than nominal."""
    assert key_sequence_hold(8, 1.0) == pytest.approx(13.8)
    assert key_sequence_hold(0, 1.0) == pytest.approx(1.0)
    for count in range(1, 65):
        needed_when_slower = 1.6 * (count - 1)
        assert key_sequence_hold(count, 1.0) > needed_when_slower + 1.0
        assert key_sequence_hold(count, 0.5) == pytest.approx(
            key_sequence_hold(count, 1.0) / 2
        )
    with pytest.raises(ValueError):
        key_sequence_hold(-1, 1.0)


def blocks(phone: SimulatedPhone) -> list[int]:
    """The sequence ids of the pressed keys, one entry per uninterrupted run."""
    return [sequence for sequence, _ in groupby(k.sequence for k in phone.key_log)]


@pytest.mark.timeout(20)
async def test_sequences_do_not_interleave_on_a_slower_phone(
    phone: SimulatedPhone,
    session: aiohttp.ClientSession,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A phone 50 % slower than the client assumes: three 8-key sequences stay apart.

    The same scenario with the old hold (count × interval) interleaves, so the
    set-up does tell the two apart.
    """
    nominal = 0.04
    phone.profile.key_interval = nominal * 1.5
    client = make_client(phone, session, key_interval=nominal)
    sequences = [[digit] * 8 for digit in "123"]

    await asyncio.gather(*(client.send_keys(keys) for keys in sequences))
    await phone.wait_idle_keys()
    assert len(phone.key_log) == 24
    assert len(blocks(phone)) == 3
    assert (await client.line_status())[0].state is LineState.DIALING

    phone.clear_logs()
    monkeypatch.setattr(
        client_module, "key_sequence_hold", lambda count, interval: count * interval
    )
    await asyncio.gather(*(client.send_keys(keys) for keys in sequences))
    await phone.wait_idle_keys()
    assert len(blocks(phone)) > 3
