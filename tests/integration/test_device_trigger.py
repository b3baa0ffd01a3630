"""Device triggers: automations react to the phone's calls."""

from __future__ import annotations

from homeassistant.components import automation
from homeassistant.components.device_automation import DeviceAutomationType
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import (
    async_get_device_automations,
    async_mock_service,
)

from custom_components.grandstream.const import DOMAIN
from custom_components.grandstream.device_trigger import TRIGGER_SCHEMA
from simulator import SimulatedPhone

from ..helpers.entries import device_by_identifier
from ..helpers.phone import PHONE_MAC
from ..helpers.waiting import poll, settle

TRIGGER_TYPES = [
    "incoming_call",
    "missed_call",
    "call_answered",
    "call_ended",
    "outgoing_call",
]


def phone_device(hass: HomeAssistant) -> dr.DeviceEntry:
    """The device of the simulated phone."""
    device = device_by_identifier(hass, PHONE_MAC)
    assert device is not None
    return device


async def set_up_automations(hass: HomeAssistant, device_id: str) -> None:
    """One automation per trigger type, each calling test.automation."""
    assert await async_setup_component(
        hass,
        automation.DOMAIN,
        {
            automation.DOMAIN: [
                {
                    "triggers": [
                        {
                            "trigger": "device",
                            "domain": DOMAIN,
                            "device_id": device_id,
                            "type": trigger_type,
                        }
                    ],
                    "actions": [
                        {
                            "action": "test.automation",
                            "data_template": {
                                "type": trigger_type,
                                "number": "tel:{{ trigger.event.data.remote_number }}",
                                "name": "name:{{ trigger.event.data.remote_name }}",
                            },
                        }
                    ],
                }
                for trigger_type in TRIGGER_TYPES
            ]
        },
    )


@pytest.mark.usefixtures("push_integration")
async def test_get_triggers(hass: HomeAssistant) -> None:
    """Every phone offers the five call triggers."""
    device = phone_device(hass)
    triggers = await async_get_device_automations(
        hass, DeviceAutomationType.TRIGGER, device.id
    )
    ours = [t for t in triggers if t["domain"] == DOMAIN]
    assert sorted(t["type"] for t in ours) == sorted(TRIGGER_TYPES)
    for trigger in ours:
        assert trigger["device_id"] == device.id
        assert trigger["platform"] == "device"
        TRIGGER_SCHEMA(trigger)


@pytest.mark.usefixtures("push_integration")
async def test_triggers_fire(hass: HomeAssistant, phone: SimulatedPhone) -> None:
    """Incoming, answered, ended, missed and outgoing calls run automations."""
    calls: list[ServiceCall] = async_mock_service(hass, "test", "automation")
    await set_up_automations(hass, phone_device(hass).id)

    phone.incoming_call("+4930123456", "Erika Mustermann")
    await settle(hass, phone)
    phone.answer()
    await settle(hass, phone)
    phone.remote_hangup()
    await settle(hass, phone)
    phone.incoming_call("+4930555666", "Max Muster")
    await settle(hass, phone)
    phone.miss_call()
    await settle(hass, phone)
    phone.make_call("+4940987654")
    await settle(hass, phone)
    await poll(hass)
    await hass.async_block_till_done()

    # (Templates would turn "+49…" into a number: hence the prefixes.)
    assert [(c.data["type"], c.data["number"], c.data["name"]) for c in calls] == [
        ("incoming_call", "tel:+4930123456", "name:Erika Mustermann"),
        ("call_answered", "tel:+4930123456", "name:Erika Mustermann"),
        ("call_ended", "tel:+4930123456", "name:Erika Mustermann"),
        ("incoming_call", "tel:+4930555666", "name:Max Muster"),
        ("missed_call", "tel:+4930555666", "name:Max Muster"),
        ("outgoing_call", "tel:+4940987654", "name:None"),
    ]


@pytest.mark.usefixtures("push_integration")
async def test_trigger_of_other_device_silent(
    hass: HomeAssistant, phone: SimulatedPhone
) -> None:
    """A trigger for another device does not fire on this phone's calls."""
    calls: list[ServiceCall] = async_mock_service(hass, "test", "automation")
    await set_up_automations(hass, "some-other-device")
    phone.incoming_call("+4930123456")
    await settle(hass, phone)
    assert calls == []
