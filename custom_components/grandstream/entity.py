"""Base entity shared by every platform."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from homeassistant.core import callback
from homeassistant.helpers.device_registry import CONNECTION_NETWORK_MAC, DeviceInfo
from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .const import CONF_FIRMWARE, CONF_MODEL, DOMAIN, MANUFACTURER
from .coordinator import GrandstreamConfigEntry, GrandstreamCoordinator, PhoneSnapshot


def device_key(entry: GrandstreamConfigEntry) -> str:
    """Identity of the phone: its MAC when known, else the entry id (never an IP)."""
    return entry.unique_id or entry.entry_id


def device_info(entry: GrandstreamConfigEntry, base_url: str) -> DeviceInfo:
    """Describe the phone for the device registry."""
    info = DeviceInfo(
        identifiers={(DOMAIN, device_key(entry))},
        manufacturer=MANUFACTURER,
        name=entry.title,
        configuration_url=base_url,
        model=entry.data.get(CONF_MODEL),
        sw_version=entry.data.get(CONF_FIRMWARE),
    )
    if entry.unique_id:
        info["connections"] = {(CONNECTION_NETWORK_MAC, entry.unique_id)}
    return info


class GrandstreamEntity(CoordinatorEntity[GrandstreamCoordinator]):
    """An entity of one phone, named after what it shows."""

    _attr_has_entity_name = True

    def __init__(self, coordinator: GrandstreamCoordinator, key: str) -> None:
        """Attach the entity to the phone's device with a stable unique id."""
        super().__init__(coordinator)
        entry = coordinator.config_entry
        self._attr_unique_id = f"{device_key(entry)}_{key}"
        self._attr_device_info = device_info(entry, coordinator.client.base_url)


class GrandstreamDescribedEntity(GrandstreamEntity):
    """An entity whose behaviour comes from its entity description."""

    def __init__(
        self, coordinator: GrandstreamCoordinator, description: EntityDescription
    ) -> None:
        """Attach the entity and keep its description."""
        super().__init__(coordinator, description.key)
        self.entity_description = description


def track_new_items[K](
    entry: GrandstreamConfigEntry,
    keys_fn: Callable[[PhoneSnapshot], Iterable[K]],
    add_fn: Callable[[list[K]], None],
) -> None:
    """Call ``add_fn`` with items (lines, accounts) the first time each is seen.

    Phones report their lines and accounts; an account added on the phone
    later gets its entities without a reload.
    """
    coordinator = entry.runtime_data.coordinator
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
