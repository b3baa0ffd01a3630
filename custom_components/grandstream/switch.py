"""Do Not Disturb as a switch: shown as the phone reports it, switched by MUTE.

The phone tells its Do Not Disturb state only through its DND pushes, so the
switch is available only while its pushes are verified: otherwise Home
Assistant could neither trust what it shows nor confirm a change. How a
change is made and confirmed is in dnd.py.
"""

from __future__ import annotations

import asyncio
from typing import Any

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddEntitiesCallback

from .const import DND_KEY
from .coordinator import GrandstreamConfigEntry, GrandstreamCoordinator
from .dnd import async_set_dnd
from .entity import GrandstreamRecordEntity
from .push_health import PushHealth

# One switch per phone; its own lock keeps a phone's requests in order.
PARALLEL_UPDATES = 0

DO_NOT_DISTURB = SwitchEntityDescription(key=DND_KEY, translation_key=DND_KEY)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: GrandstreamConfigEntry,
    async_add_entities: AddEntitiesCallback,
) -> None:
    """Add the phone's Do Not Disturb switch."""
    coordinator = entry.runtime_data
    async_add_entities([DoNotDisturbSwitch(coordinator, DO_NOT_DISTURB)])


class DoNotDisturbSwitch(GrandstreamRecordEntity, SwitchEntity):
    """Do Not Disturb as the phone last pushed it; unknown until it does."""

    def __init__(
        self, coordinator: GrandstreamCoordinator, description: SwitchEntityDescription
    ) -> None:
        """One request at a time: each waits for the phone's confirmation."""
        super().__init__(coordinator, description)
        self._requests = asyncio.Lock()

    @property
    def available(self) -> bool:
        """Only verified pushes can show and confirm the state."""
        return self.coordinator.push_health is PushHealth.VERIFIED

    @property
    def is_on(self) -> bool | None:
        """Whether Do Not Disturb is on; None until the phone reports it."""
        return self.coordinator.record.dnd

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Switch Do Not Disturb on (MUTE on the idle phone, confirmed by push)."""
        async with self._requests:
            await async_set_dnd(self.coordinator, True)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Switch Do Not Disturb off (MUTE on the idle phone, confirmed by push)."""
        async with self._requests:
            await async_set_dnd(self.coordinator, False)
