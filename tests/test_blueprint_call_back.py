"""The notify blueprint's "Call back" button, run in Home Assistant.

The blueprint is set up as an automation (its notifications recorded), a
call is missed on the simulated phone, and the button's action is played as
the Companion app sends it: the desk phone must dial the caller over its CTI
interface.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from homeassistant.components.blueprint.models import Blueprint, BlueprintInputs
from homeassistant.components.blueprint.schemas import BLUEPRINT_SCHEMA
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.setup import async_setup_component
from homeassistant.util.yaml import load_yaml_dict
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_mock_service,
)

from custom_components.grandstream.const import DOMAIN
from simulator import SimulatedPhone

from .blueprint_harness import notify_as_service
from .helpers.entries import device_by_identifier
from .helpers.phone import PHONE_MAC
from .helpers.waiting import missed_call, settle

BLUEPRINT = (
    Path(__file__).parents[1]
    / "blueprints"
    / "automation"
    / DOMAIN
    / "notify_calls.yaml"
)
NUMBER = "+4930123456"
NAME = "Erika Mustermann"


@pytest.fixture
async def notifications(
    hass: HomeAssistant, push_integration: MockConfigEntry
) -> list[ServiceCall]:
    """The blueprint running for the desk phone; what the app would be sent."""
    desk_phone = device_by_identifier(hass, PHONE_MAC)
    assert desk_phone is not None
    sent = async_mock_service(hass, "test", "notify")
    blueprint = Blueprint(
        load_yaml_dict(str(BLUEPRINT)),
        path=str(BLUEPRINT),
        expected_domain="automation",
        schema=BLUEPRINT_SCHEMA,
    )
    inputs = BlueprintInputs(
        blueprint,
        {
            "use_blueprint": {
                "path": "grandstream/notify_calls.yaml",
                "input": {
                    "desk_phone": desk_phone.id,
                    "notify_device": "pixel",
                    # The ring's Answer/Reject wait is not under test here.
                    "answer_timeout": 0.01,
                },
            }
        },
    )
    inputs.validate()
    config = notify_as_service(inputs.async_substitute())
    # Two notifications (incoming, missed) are sent, none is left out.
    assert str(config).count("test.notify") == 2
    assert "'domain': 'mobile_app'" not in str(config)
    automation = {"id": "notify_calls", **config}
    assert await async_setup_component(hass, "automation", {"automation": [automation]})
    await hass.async_block_till_done()
    return sent


async def tap(hass: HomeAssistant, data: dict[str, Any]) -> None:
    """The Companion app reports a tapped notification button."""
    hass.bus.async_fire("mobile_app_notification_action", data)
    await hass.async_block_till_done(wait_background_tasks=True)


def dialled(phone: SimulatedPhone) -> list[str]:
    """Numbers the desk phone was asked to call."""
    return [r.params["phonenumber"] for r in phone.calls("api-make_call")]


async def test_call_back_button_dials_the_caller(
    hass: HomeAssistant, notifications: list[ServiceCall], phone: SimulatedPhone
) -> None:
    """The missed-call notification's button makes the desk phone call back."""
    await missed_call(hass, phone, NUMBER, NAME)

    missed = notifications[-1]
    assert missed.data["title"] == "Missed call"
    assert missed.data["message"] == f"Missed call from {NAME}."
    desk_phone = device_by_identifier(hass, PHONE_MAC)
    assert desk_phone is not None
    [button] = missed.data["data"]["actions"]
    assert button == {
        "action": f"GRANDSTREAM_CALL_BACK|{desk_phone.id}|{NUMBER}",
        "title": "Call back",
    }

    await tap(hass, {"action": button["action"]})
    # The leading + survived the templates.
    assert dialled(phone) == [NUMBER]
    assert phone.line(1).state == "calling"

    # When Erika answers, the call-back list is done with her.
    phone.remote_answer(1)
    await settle(hass, phone)
    todo = hass.states.get("todo.front_desk_call_back")
    assert todo is not None
    assert todo.state == "0"
    phone.remote_hangup(1)
    await settle(hass, phone)


@pytest.mark.parametrize(
    "data",
    [
        {"action": "GRANDSTREAM_CALL_BACK|0123456789abcdef|+4930123456"},
        {"action": "GRANDSTREAM_ANSWER_01JABCDEF"},
        {"action": "SOMETHING_ELSE"},
        {},
    ],
    ids=["other desk phone", "answer button", "other notification", "no action"],
)
async def test_other_buttons_dial_nothing(
    hass: HomeAssistant,
    notifications: list[ServiceCall],
    phone: SimulatedPhone,
    data: dict[str, Any],
) -> None:
    """Buttons of other phones and notifications are not call backs."""
    await tap(hass, data)
    assert dialled(phone) == []


async def test_withheld_numbers_get_no_call_back_button(
    hass: HomeAssistant, notifications: list[ServiceCall], phone: SimulatedPhone
) -> None:
    """Nothing to dial: the notification has no button."""
    phone.profile.remotename_repeats_number = False
    phone.incoming_call("anonymous")
    await settle(hass, phone)
    phone.miss_call()
    await settle(hass, phone)

    missed = notifications[-1]
    assert missed.data["message"] == "Missed call from anonymous."
    assert missed.data["data"]["actions"] == []
