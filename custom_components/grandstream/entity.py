"""Entity bases, one per source of data.

- ``GrandstreamEntity``: shows the phone's latest snapshot (lines, status,
  accounts); available while the phone answers.
- ``GrandstreamRecordEntity``: shows Home Assistant's own record of what
  happened (last caller, push health, Do Not Disturb, the call-back list),
  which the coordinator keeps across restarts and announces through its
  ``record_changed`` signal; available while the phone's entry is loaded,
  since that record stays true when the phone is unreachable. Entities only
  read it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from homeassistant.core import callback
from homeassistant.helpers.entity import Entity, EntityDescription
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .coordinator import GrandstreamConfigEntry, GrandstreamCoordinator
from .identity import device_info, entity_unique_id
from .snapshot import PhoneSnapshot


class GrandstreamEntity(CoordinatorEntity[GrandstreamCoordinator]):
    """An entity showing the phone's latest snapshot, described by its description."""

    _attr_has_entity_name = True

    def __init__(
        self, coordinator: GrandstreamCoordinator, description: EntityDescription
    ) -> None:
        """Attach the entity to the phone's device with a stable unique id."""
        super().__init__(coordinator)
        self.entity_description = description
        entry = coordinator.config_entry
        self._attr_unique_id = entity_unique_id(entry, description.key)
        self._attr_device_info = device_info(entry, coordinator.client.base_url)


class GrandstreamRecordEntity(Entity):
    """An entity showing what Home Assistant recorded of the phone's calls and pushes."""

    _attr_has_entity_name = True
    _attr_should_poll = False

    def __init__(
        self, coordinator: GrandstreamCoordinator, description: EntityDescription
    ) -> None:
        """Attach the entity to the phone's device with a stable unique id."""
        self.coordinator = coordinator
        self.entity_description = description
        entry = coordinator.config_entry
        self._attr_unique_id = entity_unique_id(entry, description.key)
        self._attr_device_info = device_info(entry, coordinator.client.base_url)

    async def async_added_to_hass(self) -> None:
        """Show the record as it changes."""
        await super().async_added_to_hass()
        self.async_on_remove(self.coordinator.record_changed.connect(self._changed))

    @callback
    def _changed(self, _news: None) -> None:
        self.async_write_ha_state()


def track_new_items[K](
    entry: GrandstreamConfigEntry,
    keys_fn: Callable[[PhoneSnapshot], Iterable[K]],
    add_fn: Callable[[list[K]], None],
) -> None:
    """Call ``add_fn`` with items (lines, accounts) the first time each is seen.

    Phones report their lines and accounts; an account added on the phone
    later gets its entities without a reload.
    """
    coordinator = entry.runtime_data
    known: set[K] = set()

    @callback
    def _check() -> None:
        if not coordinator.last_update_success:
            return
        new = [key for key in keys_fn(coordinator.data) if key not in known]
        if new:
            known.update(new)
            add_fn(new)

    _check()
    entry.async_on_unload(coordinator.async_add_listener(_check))
