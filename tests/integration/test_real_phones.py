"""The core scenarios against each captured phone the simulator plays.

Real phones differ (docs/phone-protocol.md §3): the WP826 reports ``acct`` 0
for its first account on every line and repeats the number as the name once
connected; a GXP21xx answers spaced JSON, has 8 lines, reports ``acct`` 1 on
idle lines and the account id in a call, and sends non-ASCII names; the
guides show ``acct`` "" on idle lines. Whatever the phone, users see the same
calls, lines and account numbers (1 = the phone's first account).
"""

from __future__ import annotations

from typing import Any

from homeassistant.core import Event, HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)

from custom_components.grandstream.const import EVENT_CALL
from simulator import PhoneProfile, SimulatedPhone

from ..helpers.actions import act
from ..helpers.entries import device_id
from ..helpers.phone import PASSCODE
from ..helpers.push import CallEvents
from ..helpers.waiting import missed_call, settle

PROFILES = ["guide", "wp826", "wp826-3line", "gxp21xx"]
NUMBER = "+4930123456"
NAMES = {
    "guide": "Erika Mustermann",
    "wp826": "Erika Mustermann",
    "wp826-3line": "Erika Mustermann",
    # A captured GXP21xx showed a Cyrillic name.
    "gxp21xx": "Ирина Петрова",
}


@pytest.fixture(params=PROFILES)
def profile(request: pytest.FixtureRequest) -> PhoneProfile:
    """Each captured phone, fast enough for tests."""
    return PhoneProfile.preset(
        request.param,
        passcode=PASSCODE,
        key_interval=0.02,
        reboot_duration=0.3,
        lockout_duration=5.0,
    )


@pytest.fixture
def entry(wired_entry: MockConfigEntry) -> MockConfigEntry:
    """The phone set up with push (see ``wired_entry``)."""
    return wired_entry


def _calls(events: list[Event[dict[str, Any]]]) -> list[tuple[Any, ...]]:
    return [
        (
            e.data["type"],
            e.data["line"],
            e.data["remote_number"],
            e.data["remote_name"],
            e.data["account"],
            e.data["account_sip_user"],
        )
        for e in events
    ]


def _line(hass: HomeAssistant, number: int) -> Any:
    return hass.states.get(f"sensor.front_desk_line_{number}")


async def test_ring_answer_hold_hang_up(
    hass: HomeAssistant, entry: MockConfigEntry, phone: SimulatedPhone
) -> None:
    """A call's whole life reads the same on every phone."""
    profile = phone.profile.model + phone.profile.firmware
    name = NAMES["gxp21xx"] if phone.profile.lines == 8 else NAMES["guide"]
    device = device_id(hass, entry)
    events = async_capture_events(hass, EVENT_CALL)

    phone.incoming_call(NUMBER, name)
    await settle(hass, phone)
    state = _line(hass, 1)
    assert state.state == "ringing", profile
    assert state.attributes["remote_number"] == NUMBER
    assert state.attributes["account"] == 1
    assert state.attributes["account_sip_user"] == "1001"

    phone.answer()
    await settle(hass, phone)
    assert _line(hass, 1).state == "connected"
    # The WP826 repeats the number as the name once connected: no name then.
    assert _line(hass, 1).attributes["remote_name"] in (name, None)

    await act(hass, "hold", device)
    await settle(hass, phone)
    assert _line(hass, 1).state == "on_hold"
    await act(hass, "hold", device)
    await settle(hass, phone)
    assert _line(hass, 1).state == "connected"

    phone.remote_hangup(1)
    await settle(hass, phone)
    assert _line(hass, 1).state == "idle"
    assert [e[0] for e in _calls(events)] == [
        "incoming",
        "answered",
        "held",
        "resumed",
        "ended",
    ]
    # One call, one account, whichever source saw each change first.
    assert {(e[1], e[2], e[4], e[5]) for e in _calls(events)} == {
        (1, NUMBER, 1, "1001")
    }
    assert _calls(events)[0][3] == name


@pytest.mark.usefixtures("entry")
async def test_missed_call(
    hass: HomeAssistant, phone: SimulatedPhone, call_events: CallEvents
) -> None:
    """A ring that stops unanswered is one missed call, on the right account."""
    await missed_call(hass, phone, NUMBER)
    assert [e[0] for e in _calls(call_events)] == ["incoming", "missed"]
    assert _calls(call_events)[-1][4] == 1
    assert hass.states.get("sensor.front_desk_missed_calls").state == "1"


async def test_dial(
    hass: HomeAssistant, entry: MockConfigEntry, phone: SimulatedPhone
) -> None:
    """Dialling from Home Assistant starts the call the phone reports."""
    device = device_id(hass, entry)
    events = async_capture_events(hass, EVENT_CALL)
    response = await act(hass, "dial", device, number="+49 40 987654")
    assert response == {device: {"line": 1, "method": "click_to_dial"}}
    await settle(hass, phone)
    assert _line(hass, 1).state == "calling"
    phone.remote_answer(1)
    await settle(hass, phone)
    phone.remote_hangup(1)
    await settle(hass, phone)
    assert [e[0] for e in _calls(events)] == ["outgoing", "answered", "ended"]
    assert _calls(events)[0][4] == 1


@pytest.mark.usefixtures("entry")
async def test_second_account_is_account_two(
    hass: HomeAssistant, phone: SimulatedPhone
) -> None:
    """On a phone with two accounts, a call on the second says account 2."""
    if phone.profile.account(2) is None:
        pytest.skip("this phone has one account")
    events = async_capture_events(hass, EVENT_CALL)
    phone.incoming_call(NUMBER, account=2)
    await settle(hass, phone)
    assert _line(hass, 1).attributes["account"] == 2
    sip_user = phone.profile.account(2).sip_id  # type: ignore[union-attr]
    assert _calls(events)[0][4:] == (2, sip_user)
