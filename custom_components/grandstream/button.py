"""Buttons: restart the phone and control calls from a dashboard."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from homeassistant.components.button import (
    ButtonDeviceClass,
    ButtonEntity,
    ButtonEntityDescription,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddEntitiesCallback

from . import call_control
from .coordinator import GrandstreamConfigEntry, GrandstreamCoordinator
from .entity import GrandstreamDescribedEntity

# Commands are serialised by the client; no need to limit them here too.
PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class GrandstreamButtonDescription(ButtonEntityDescription):
    """A button and what pressing it does."""

    press_fn: Callable[[GrandstreamCoordinator], Awaitable[None]]


BUTTONS: tuple[GrandstreamButtonDescription, ...] = (
    GrandstreamButtonDescription(
        key="restart",
        device_class=ButtonDeviceClass.RESTART,
        entity_category=EntityCategory.CONFIG,
        press_fn=call_control.restart,
    ),
    GrandstreamButtonDescription(
        key="answer", translation_key="answer", press_fn=call_control.answer
    ),
    GrandstreamButtonDescription(
        key="reject", translation_key="reject", press_fn=call_control.reject
    ),
    GrandstreamButtonDescription(
        key="hang_up", translation_key="hang_up", press_fn=call_control.hang_up
    ),
    GrandstreamButtonDescription(
        key="hold", translation_key="hold", press_fn=call_control.toggle_hold
    ),
    GrandstreamButtonDescription(
        key="reset_missed_calls",
        translation_key="reset_missed_calls",
        press_fn=call_control.reset_missed_calls,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: GrandstreamConfigEntry,
    async_add_entities: AddEntitiesCallback,
) -> None:
    """Add the phone's buttons."""
    coordinator = entry.runtime_data.coordinator
    async_add_entities(
        GrandstreamButton(coordinator, description) for description in BUTTONS
    )


class GrandstreamButton(GrandstreamDescribedEntity, ButtonEntity):
    """A button of the phone."""

    entity_description: GrandstreamButtonDescription

    async def async_press(self) -> None:
        """Send the command to the phone."""
        await self.entity_description.press_fn(self.coordinator)
