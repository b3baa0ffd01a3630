"""Do Not Disturb from Home Assistant: MUTE on an idle phone, confirmed by its push.

What is known (docs/phone-protocol.md §5, §7): no CTI request reads or sets
Do Not Disturb; the MUTE key toggles it while the phone is idle (during a call
it mutes the microphone), and the phone reports every change through its DND
Action URLs (``dnd_on``/``dnd_off``), which set ``record.dnd``.

So a request to switch it:

- sends nothing when the phone already reports the requested state;
- is refused while any line is in use (``call_control.toggle_dnd`` checks
  the lines again, read afresh, while holding the phone);
- presses MUTE once, never twice, and waits (bounded) for the push that
  reports the new state; without it the request fails and the switch keeps
  showing what the phone last reported;
- when the phone reports the opposite (Home Assistant did not know the state
  before, and the toggle went the other way), it says so instead of pressing
  again.

Requests to one phone run one after the other (the switch holds a lock), so
two requests never toggle in between each other's confirmations.
"""

from __future__ import annotations

import asyncio
from typing import Final

from homeassistant.core import callback
from homeassistant.exceptions import HomeAssistantError

from . import call_control, errors
from .coordinator import GrandstreamCoordinator

# How long the phone has to report the new state once it took the key (the
# phone pushes about a second after an event; key presses take about one).
DND_CONFIRMATION_TIMEOUT: Final = 5.0


async def async_set_dnd(coordinator: GrandstreamCoordinator, on: bool) -> None:
    """Switch Do Not Disturb on or off; returns once the phone confirmed it."""
    if coordinator.record.dnd is on:
        return  # the phone said so itself: nothing to press
    name = coordinator.config_entry.title
    if call_control.phone_busy(coordinator.data.lines):
        # The snapshot already shows a call: no request to the phone at all.
        raise errors.cannot_now("dnd_during_call", name=name)
    before = coordinator.record.dnd
    reported = asyncio.get_running_loop().create_future()

    @callback
    def record_changed(_news: None) -> None:
        # The record changes for other reasons too (a call, push health):
        # only a new Do Not Disturb state is the phone's answer.
        dnd = coordinator.record.dnd
        if dnd is not None and dnd is not before and not reported.done():
            reported.set_result(dnd)

    # Listening before the key goes out: the push may beat the command's return.
    disconnect = coordinator.record_changed.connect(record_changed)
    try:
        await call_control.toggle_dnd(coordinator)
        try:
            async with asyncio.timeout(DND_CONFIRMATION_TIMEOUT):
                now_on: bool = await reported
        except TimeoutError:
            raise _not_confirmed(coordinator, on) from None
    finally:
        disconnect()
    if now_on is not on:
        # It was on while Home Assistant did not know: MUTE switched it off
        # (or the other way round). One request, one key press.
        if now_on:
            raise errors.refused("dnd_went_on", name=name)
        raise errors.refused("dnd_went_off", name=name)


def _not_confirmed(coordinator: GrandstreamCoordinator, on: bool) -> HomeAssistantError:
    """No DND push after MUTE: the phone's DND Action URLs are probably missing."""
    name = coordinator.config_entry.title
    seconds = f"{DND_CONFIRMATION_TIMEOUT:g}"
    push = coordinator.push_health.value
    if on:
        return errors.refused(
            "dnd_on_not_confirmed", name=name, seconds=seconds, push=push
        )
    return errors.refused(
        "dnd_off_not_confirmed", name=name, seconds=seconds, push=push
    )
