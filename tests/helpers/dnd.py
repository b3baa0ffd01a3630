"""The Do Not Disturb switch's test helpers: turning it, counting MUTE, push verified."""

from __future__ import annotations

from homeassistant.components.switch import DOMAIN as SWITCH_DOMAIN
from homeassistant.const import ATTR_ENTITY_ID, SERVICE_TURN_OFF, SERVICE_TURN_ON
from homeassistant.core import HomeAssistant

from simulator import SimulatedPhone

from .waiting import settle

DND = "switch.front_desk_do_not_disturb"
PUSH = "sensor.front_desk_push"


async def verify_push(hass: HomeAssistant, phone: SimulatedPhone) -> None:
    """A call over push: the line status confirms it, push is verified."""
    phone.incoming_call("+4940111222")
    await settle(hass, phone)
    phone.miss_call()
    await settle(hass, phone)
    assert hass.states.get(PUSH).state == "verified"


async def switch(hass: HomeAssistant, on: bool) -> None:
    """Turn the switch on or off and wait for the answer."""
    await hass.services.async_call(
        SWITCH_DOMAIN,
        SERVICE_TURN_ON if on else SERVICE_TURN_OFF,
        {ATTR_ENTITY_ID: DND},
        blocking=True,
    )


def mutes(phone: SimulatedPhone) -> int:
    """How many MUTE keys the phone was sent."""
    return sum(
        request.params.get("keys", "").split(":").count("MUTE")
        for request in phone.calls("send_key")
    )
