"""The "Call" event entity: one event per call change, for automations."""

from __future__ import annotations

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddEntitiesCallback

from .call_events import CallEvent, CallEventType
from .coordinator import GrandstreamConfigEntry
from .entity import GrandstreamRecordEntity

# Events come from the coordinator's call stream; nothing to poll or limit.
PARALLEL_UPDATES = 0

CALL_EVENT = EventEntityDescription(
    key="call",
    translation_key="call",
    event_types=[event_type.value for event_type in CallEventType],
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: GrandstreamConfigEntry,
    async_add_entities: AddEntitiesCallback,
) -> None:
    """Add the phone's call event entity."""
    async_add_entities([CallEventEntity(entry.runtime_data, CALL_EVENT)])


class CallEventEntity(GrandstreamRecordEntity, EventEntity):
    """Fires incoming, outgoing, answered, ended, missed, held and resumed."""

    async def async_added_to_hass(self) -> None:
        """Listen to the phone's call events (not to its record)."""
        self.async_on_remove(self.coordinator.call_events.connect(self._on_call))

    @callback
    def _on_call(self, event: CallEvent) -> None:
        if event.context is not None:
            # The bus event's: the logbook describes this state change with it.
            self.async_set_context(event.context)
        self._trigger_event(event.type.value, event.as_dict())
        self.async_write_ha_state()
