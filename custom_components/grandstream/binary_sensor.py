"""Binary sensors: ringing, in call, account registration (all from the snapshot).

Do Not Disturb was a binary sensor here; it is a switch now (switch.py; the
entry's migration moved it, see replaced_entities.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from homeassistant.components.binary_sensor import (
    BinarySensorDeviceClass,
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddEntitiesCallback

from .coordinator import GrandstreamConfigEntry
from .cti import LineState
from .entity import GrandstreamEntity, track_new_items
from .snapshot import PhoneSnapshot

# Read-only: everything comes from the coordinator.
PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class GrandstreamBinarySensorDescription(BinarySensorEntityDescription):
    """A binary sensor and how to read it from a snapshot."""

    value_fn: Callable[[PhoneSnapshot], bool | None]
    attributes_fn: Callable[[PhoneSnapshot], dict[str, Any] | None] = lambda _: None


def _from_push(
    states: frozenset[LineState],
) -> Callable[[PhoneSnapshot], dict[str, Any]]:
    """Whether the value comes from a push the phone has not confirmed yet.

    So it does when a pushed line is in ``states`` (on from a push) or idle
    (a call a push ended).
    """

    def attributes(data: PhoneSnapshot) -> dict[str, Any]:
        pushed = (data.line(number) for number in data.pushed_lines)
        return {
            "from_push": any(
                line is not None and line.state in states | {LineState.IDLE}
                for line in pushed
            )
        }

    return attributes


PHONE_BINARY_SENSORS: tuple[GrandstreamBinarySensorDescription, ...] = (
    GrandstreamBinarySensorDescription(
        key="ringing",
        translation_key="ringing",
        value_fn=lambda data: data.ringing,
        attributes_fn=_from_push(frozenset({LineState.RINGING})),
    ),
    GrandstreamBinarySensorDescription(
        key="in_call",
        translation_key="in_call",
        value_fn=lambda data: data.in_call,
        attributes_fn=_from_push(frozenset({LineState.CONNECTED, LineState.ON_HOLD})),
    ),
)


def account_registered(account_id: int) -> GrandstreamBinarySensorDescription:
    """The description of the registration sensor of account ``account_id``."""

    def registered(data: PhoneSnapshot) -> bool | None:
        account = next((a for a in data.accounts if a.id == account_id), None)
        return None if account is None else account.registered

    return GrandstreamBinarySensorDescription(
        key=f"account_{account_id}_registered",
        translation_key="account_registered",
        translation_placeholders={"account": str(account_id)},
        device_class=BinarySensorDeviceClass.CONNECTIVITY,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=registered,
    )


async def async_setup_entry(
    hass: HomeAssistant,
    entry: GrandstreamConfigEntry,
    async_add_entities: AddEntitiesCallback,
) -> None:
    """Add the phone's binary sensors, and one per account it reports."""
    coordinator = entry.runtime_data
    async_add_entities(
        GrandstreamBinarySensor(coordinator, description)
        for description in PHONE_BINARY_SENSORS
    )
    track_new_items(
        entry,
        lambda data: [account.id for account in data.accounts],
        lambda ids: async_add_entities(
            GrandstreamBinarySensor(coordinator, account_registered(account_id))
            for account_id in ids
        ),
    )


class GrandstreamBinarySensor(GrandstreamEntity, BinarySensorEntity):
    """A binary sensor of the phone's snapshot."""

    entity_description: GrandstreamBinarySensorDescription

    @property
    def is_on(self) -> bool | None:
        """Read the value from the latest snapshot."""
        return self.entity_description.value_fn(self.coordinator.data)

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """Attributes from the latest snapshot."""
        return self.entity_description.attributes_fn(self.coordinator.data)
