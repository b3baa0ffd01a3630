"""The ``grandstream_call`` bus event: one per call event, for automations.

Data: ``device_id``, ``type`` and the call event's own data (see
``CallEvent.as_dict``). Each event is fired with a context of its own, which
the call event carries on to the event entity: its state change then shares
the context, and the logbook shows it with this event's description
(logbook.py), instead of only "detected an event".
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import Context, HomeAssistant, callback

from . import identity
from .call_events import CallEvent
from .const import EVENT_CALL


@callback
def fire_call_event(
    hass: HomeAssistant, entry: ConfigEntry[Any], event: CallEvent
) -> CallEvent:
    """Fire ``event`` on the bus; return it with the context it was fired with."""
    context = Context()
    device = identity.phone_device(hass, entry)
    hass.bus.async_fire(
        EVENT_CALL,
        {"device_id": device.id if device else None, "type": event.type.value}
        | event.as_dict(),
        context=context,
    )
    return replace(event, context=context)
