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
from .entity import GrandstreamEntity

# Commands are serialised by the client; no need to limit them here too.
PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class GrandstreamButtonDescription(ButtonEntityDescription):
    """A button and what pressing it does."""

    press_fn: Callable[[GrandstreamCoordinator], Awaitable[None]]
    # Pressable while the phone is unreachable (nothing is sent to it).
    needs_phone: bool = True


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
        key="hangup", translation_key="hangup", press_fn=call_control.hangup
    ),
    GrandstreamButtonDescription(
        key="hold", translation_key="hold", press_fn=call_control.hold
    ),
    GrandstreamButtonDescription(
        key="reset_missed_calls",
        translation_key="reset_missed_calls",
        press_fn=call_control.reset_missed_calls,
        needs_phone=False,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: GrandstreamConfigEntry,
    async_add_entities: AddEntitiesCallback,
) -> None:
    """Add the phone's buttons."""
    coordinator = entry.runtime_data
    async_add_entities(
        GrandstreamButton(coordinator, description) for description in BUTTONS
    )


class GrandstreamButton(GrandstreamEntity, ButtonEntity):
    """A button of the phone."""

    entity_description: GrandstreamButtonDescription

    @property
    def available(self) -> bool:
        """Buttons that send nothing to the phone work while it is away."""
        return super().available or not self.entity_description.needs_phone

    async def async_press(self) -> None:
        """Send the command to the phone."""
        await self.entity_description.press_fn(self.coordinator)
