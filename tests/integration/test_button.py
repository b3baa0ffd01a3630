"""Buttons: call control and restart, pressed through Home Assistant."""

from __future__ import annotations

from datetime import timedelta

from homeassistant.components.button import DOMAIN as BUTTON_DOMAIN, SERVICE_PRESS
from homeassistant.const import (
    ATTR_ENTITY_ID,
    STATE_OFF,
    STATE_ON,
    STATE_UNAVAILABLE,
    Platform,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from syrupy.assertion import SnapshotAssertion

from simulator import SimulatedPhone

from ..helpers.entities import (
    ANSWER,
    HANG_UP,
    HOLD,
    IN_CALL,
    LINE_1,
    MISSED,
    PHONE_STATUS,
    REJECT,
    RESET_MISSED,
    RESTART,
    RINGING,
)
from ..helpers.phone import PASSCODE
from ..helpers.snapshots import snapshot_one_platform
from ..helpers.waiting import AdvanceTime

pytestmark = pytest.mark.freeze_time(tick=True)


async def press(hass: HomeAssistant, entity_id: str) -> None:
    """Press a button the way a dashboard does."""
    await hass.services.async_call(
        BUTTON_DOMAIN, SERVICE_PRESS, {ATTR_ENTITY_ID: entity_id}, blocking=True
    )
    # The read that shows the result follows the press.
    await hass.async_block_till_done()


@pytest.fixture
async def ringing(
    phone: SimulatedPhone, init_integration: MockConfigEntry, advance_time: AdvanceTime
) -> None:
    """A call rings on the set-up phone, and Home Assistant has seen it."""
    phone.incoming_call("+4930123456")
    await advance_time(timedelta(seconds=5))


@pytest.mark.freeze_time("2025-06-01T12:00:00+00:00")
async def test_snapshot(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, snapshot: SnapshotAssertion
) -> None:
    """Every button."""
    await snapshot_one_platform(hass, mock_config_entry, snapshot, Platform.BUTTON)


@pytest.mark.usefixtures("init_integration")
async def test_answer_hold_hang_up(
    hass: HomeAssistant, phone: SimulatedPhone, advance_time: AdvanceTime
) -> None:
    """A whole call handled from Home Assistant, each step seen at once."""
    phone.incoming_call("+4930123456", "Ada Lovelace")
    await advance_time(timedelta(seconds=5))
    state = hass.states.get(LINE_1)
    assert state.state == "ringing"
    assert state.attributes["remote_number"] == "+4930123456"
    assert state.attributes["remote_name"] == "Ada Lovelace"
    assert hass.states.get(RINGING).state == STATE_ON
    assert hass.states.get(PHONE_STATUS).state == "ringing"

    await press(hass, ANSWER)
    assert phone.line(1).state == "connected"
    assert hass.states.get(LINE_1).state == "connected"
    assert hass.states.get(IN_CALL).state == STATE_ON
    assert hass.states.get(RINGING).state == STATE_OFF
    assert hass.states.get(PHONE_STATUS).state == "busy"

    # Within the refresh cooldown the result shows a moment later.
    await press(hass, HOLD)
    assert phone.line(1).state == "onhold"
    await advance_time(timedelta(seconds=1.5))
    assert hass.states.get(LINE_1).state == "on_hold"
    assert hass.states.get(IN_CALL).state == STATE_ON

    await press(hass, HOLD)
    await advance_time(timedelta(seconds=1.5))
    assert hass.states.get(LINE_1).state == "connected"

    await press(hass, HANG_UP)
    await advance_time(timedelta(seconds=1.5))
    assert phone.line(1).state == "idle"
    assert hass.states.get(LINE_1).state == "idle"
    assert hass.states.get(IN_CALL).state == STATE_OFF
    assert hass.states.get(PHONE_STATUS).state == "available"

    assert [r.params["cmd"] for r in phone.calls("phone_operation")] == [
        "acceptcall",
        "holdcall",
        "holdcall",
        "endcall",
    ]


@pytest.mark.usefixtures("ringing")
async def test_remote_hangup(
    hass: HomeAssistant, phone: SimulatedPhone, advance_time: AdvanceTime
) -> None:
    """The far end hanging up shows after the next refresh."""
    await press(hass, ANSWER)
    assert hass.states.get(LINE_1).state == "connected"

    phone.remote_hangup()
    assert hass.states.get(LINE_1).state == "connected"
    await advance_time(timedelta(seconds=5))
    assert hass.states.get(LINE_1).state == "idle"
    assert hass.states.get(IN_CALL).state == STATE_OFF


@pytest.mark.usefixtures("ringing")
async def test_reject(hass: HomeAssistant, phone: SimulatedPhone) -> None:
    """Rejecting a ringing call frees the line."""
    await press(hass, REJECT)

    assert phone.line(1).state == "idle"
    assert hass.states.get(LINE_1).state == "idle"
    assert hass.states.get(RINGING).state == STATE_OFF
    assert phone.calls("phone_operation")[-1].params["cmd"] == "rejectcall"


@pytest.mark.usefixtures("init_integration")
@pytest.mark.parametrize(
    ("button", "translation_key"),
    [
        (ANSWER, "no_ringing_call"),
        (REJECT, "no_ringing_call"),
        (HANG_UP, "no_active_call"),
        (HOLD, "no_active_call"),
    ],
)
async def test_nothing_to_act_on(
    hass: HomeAssistant, button: str, translation_key: str
) -> None:
    """A button without a call to act on says why, translated."""
    with pytest.raises(HomeAssistantError) as exc_info:
        await press(hass, button)
    assert exc_info.value.translation_domain == "grandstream"
    assert exc_info.value.translation_key == translation_key


@pytest.mark.usefixtures("init_integration")
@pytest.mark.parametrize(
    "button",
    [
        ANSWER,
        REJECT,
        HANG_UP,
        HOLD,
        RESTART,
    ],
)
async def test_phone_unreachable(
    hass: HomeAssistant,
    phone: SimulatedPhone,
    caplog: pytest.LogCaptureFixture,
    button: str,
) -> None:
    """A press while the phone is gone fails with a translated reason."""
    await phone.stop()

    with pytest.raises(HomeAssistantError) as exc_info:
        await press(hass, button)
    # A kept-alive connection the stopping phone closed while the command
    # went out looks like one closed after the command: "unanswered".
    assert exc_info.value.translation_key in ("cannot_connect", "command_unanswered")
    assert PASSCODE not in str(exc_info.value)
    assert PASSCODE not in caplog.text


@pytest.mark.usefixtures("ringing")
async def test_restart(
    hass: HomeAssistant, phone: SimulatedPhone, advance_time: AdvanceTime
) -> None:
    """Restart reboots the phone; its entities are unavailable until it is back."""
    await press(hass, RESTART)

    assert phone.calls("sys_operation")[-1].params["request"] == "REBOOT"
    assert not phone.online
    assert hass.states.get(LINE_1).state == STATE_UNAVAILABLE
    assert hass.states.get(RINGING).state == STATE_UNAVAILABLE
    assert hass.states.get(PHONE_STATUS).state == STATE_UNAVAILABLE

    await phone.wait_online()
    await advance_time(timedelta(seconds=5))

    # The reboot dropped the call.
    assert hass.states.get(LINE_1).state == "idle"
    assert hass.states.get(RINGING).state == STATE_OFF
    assert hass.states.get(PHONE_STATUS).state == "available"


@pytest.mark.usefixtures("ringing")
async def test_reset_missed_calls_while_phone_unreachable(
    hass: HomeAssistant, phone: SimulatedPhone, advance_time: AdvanceTime
) -> None:
    """Resetting sends nothing to the phone, so it works while the phone is away."""
    phone.miss_call()
    await advance_time(timedelta(seconds=5))
    assert hass.states.get(MISSED).state == "1"

    await phone.stop()
    await advance_time(timedelta(seconds=5))
    assert hass.states.get(ANSWER).state == STATE_UNAVAILABLE
    assert hass.states.get(RESET_MISSED).state != STATE_UNAVAILABLE

    await press(hass, RESET_MISSED)
    assert hass.states.get(MISSED).state == "0"
