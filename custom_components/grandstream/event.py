"""The "Call" event entity: one event per call change, for automations."""

from __future__ import annotations

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddEntitiesCallback

from .call_tracker import CallEvent, CallEventType
from .coordinator import GrandstreamConfigEntry, GrandstreamCoordinator
from .entity import GrandstreamEntity

# Events are pushed by the call tracker; nothing to poll or limit.
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
    async_add_entities([CallEventEntity(entry.runtime_data.coordinator)])


class CallEventEntity(GrandstreamEntity, EventEntity):
    """Fires incoming, outgoing, answered, ended, missed, held, resumed …"""

    entity_description = CALL_EVENT

    def __init__(self, coordinator: GrandstreamCoordinator) -> None:
        """Create the entity."""
        super().__init__(coordinator, CALL_EVENT.key)

    @property
    def available(self) -> bool:
        """Pushes keep arriving while polls fail: events stay usable."""
        return True

    async def async_added_to_hass(self) -> None:
        """Listen to the phone's call tracker."""
        await super().async_added_to_hass()
        tracker = self.coordinator.config_entry.runtime_data.tracker
        self.async_on_remove(tracker.add_listener(self._on_call))

    @callback
    def _on_call(self, event: CallEvent) -> None:
        self._trigger_event(event.type.value, event.as_dict())
        self.async_write_ha_state()
