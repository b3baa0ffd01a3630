"""Letting time pass for Home Assistant, and waiting for the phone's pushes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from simulator import SimulatedPhone

if TYPE_CHECKING:
    from custom_components.grandstream.coordinator import GrandstreamCoordinator

# What the ``advance_time`` fixture (tests/conftest.py) hands out.
type AdvanceTime = Callable[[timedelta], Awaitable[None]]


async def settle(hass: HomeAssistant, phone: SimulatedPhone) -> None:
    """Wait until the phone sent its pushes and Home Assistant handled them."""
    for _ in range(2):
        await phone.wait_pushes()
        await hass.async_block_till_done(wait_background_tasks=True)


async def poll(hass: HomeAssistant, seconds: float = 6) -> None:
    """Let ``seconds`` pass for Home Assistant's timers: a due poll runs.

    Works without freezing time: the simulator sleeps for real.
    """
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=seconds))
    await hass.async_block_till_done(wait_background_tasks=True)


async def catch_up(hass: HomeAssistant, phone: SimulatedPhone) -> None:
    """Let Home Assistant learn what the phone did: its pushes, else a poll."""
    if phone.profile.action_urls:
        await settle(hass, phone)
    else:
        await poll(hass)


async def missed_call(
    hass: HomeAssistant, phone: SimulatedPhone, number: str, name: str = ""
) -> None:
    """A call rings and the caller gives up; Home Assistant learns each step."""
    phone.incoming_call(number, name)
    await catch_up(hass, phone)
    phone.miss_call()
    await catch_up(hass, phone)


async def answered_call(
    hass: HomeAssistant, phone: SimulatedPhone, number: str
) -> None:
    """A call rings, is answered, and the caller hangs up; Home Assistant learns each step."""
    phone.incoming_call(number)
    await catch_up(hass, phone)
    phone.answer()
    await catch_up(hass, phone)
    phone.remote_hangup()
    await catch_up(hass, phone)


@dataclass
class Fetches:
    """How many reads of the phone the coordinator made."""

    count: int = 0


def after_first_fetch(
    coordinator: GrandstreamCoordinator, then: Callable[[], Awaitable[None]]
) -> Fetches:
    """Let ``then`` run once the first read is back, before the coordinator sees it.

    The phone changes (or time passes) between a read and its use: a race
    the simulator cannot stage on its own. Counts every read from now.
    """
    real_fetch = coordinator._fetch
    fetches = Fetches()

    async def fetch(previous: Any) -> Any:
        fetches.count += 1
        snapshot = await real_fetch(previous)
        if fetches.count == 1:
            await then()
        return snapshot

    coordinator._fetch = fetch  # type: ignore[method-assign]
    return fetches
