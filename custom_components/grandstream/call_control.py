"""Call control shared by buttons and actions.

Both a dashboard button and an automation's action end up here, so that a
phone refusing a command reads the same whichever way the user got there.
The phone's operations act on "the" ringing or active call; to act on a
given line we first check the line and, where another line has the focus,
press that line's key, all while holding the phone so nothing interleaves.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TypedDict

from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers.dispatcher import async_dispatcher_send

from .const import DOMAIN, SIGNAL_RESET_MISSED
from .coordinator import GrandstreamCoordinator
from .cti import (
    DialMethod,
    GrandstreamClient,
    GrandstreamError,
    LineState,
    LineStatus,
    same_number,
)

_CALL_STATES = {
    LineState.DIALING,
    LineState.CALLING,
    LineState.CONNECTED,
    LineState.ON_HOLD,
}
_TALK_STATES = {LineState.CONNECTED, LineState.ON_HOLD}


class DialResult(TypedDict):
    """What the dial action returns for each phone."""

    line: int | None
    method: str


def _refused(key: str) -> HomeAssistantError:
    return HomeAssistantError(translation_domain=DOMAIN, translation_key=key)


def _line(lines: Sequence[LineStatus], number: int) -> LineStatus:
    for status in lines:
        if status.line == number:
            return status
    raise ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key="invalid_line",
        translation_placeholders={"line": str(number), "count": str(len(lines))},
    )


async def answer(coordinator: GrandstreamCoordinator, line: int | None = None) -> None:
    """Answer the ringing call, or the one ringing on ``line``."""
    if line is None:
        await coordinator.async_command(
            GrandstreamClient.accept_call, refused_key="no_ringing_call"
        )
        return

    async def run(client: GrandstreamClient) -> None:
        async with client.exclusive():
            lines = await client.line_status()
            if _line(lines, line).state is not LineState.RINGING:
                raise _refused("no_ringing_call")
            if sum(ls.state is LineState.RINGING for ls in lines) == 1:
                await client.accept_call()
            else:
                # Several calls ring: the line key picks up that one.
                await client.send_keys([f"LINE{line}"])

    await coordinator.async_command(run, refused_key="no_ringing_call")


async def reject(coordinator: GrandstreamCoordinator, line: int | None = None) -> None:
    """Reject the ringing call (``line``, if given, must be ringing)."""

    async def run(client: GrandstreamClient) -> None:
        async with client.exclusive():
            if line is not None:
                lines = await client.line_status()
                if _line(lines, line).state is not LineState.RINGING:
                    raise _refused("no_ringing_call")
                if sum(ls.state is LineState.RINGING for ls in lines) > 1:
                    # rejectcall takes the phone's choice of ringing call and
                    # no key rejects a given line: refuse rather than guess.
                    raise _refused("reject_line_ambiguous")
            await client.reject_call()

    await coordinator.async_command(run, refused_key="no_ringing_call")


async def hang_up(coordinator: GrandstreamCoordinator, line: int | None = None) -> None:
    """End the active call, or the call on ``line``."""
    await _on_call_line(coordinator, line, _CALL_STATES, GrandstreamClient.end_call)


async def toggle_hold(
    coordinator: GrandstreamCoordinator, line: int | None = None
) -> None:
    """Hold the active call or resume the held one (on ``line``, if given)."""

    await _on_call_line(
        coordinator, line, _TALK_STATES, GrandstreamClient.hold_call, toggle=True
    )


async def _on_call_line(
    coordinator: GrandstreamCoordinator,
    line: int | None,
    states: set[LineState],
    operation: Callable[[GrandstreamClient], Awaitable[None]],
    *,
    toggle: bool = False,
) -> None:
    async def run(client: GrandstreamClient) -> None:
        async with client.exclusive():
            if line is not None:
                lines = await client.line_status()
                target = _line(lines, line)
                if target.state not in states:
                    raise _refused("no_active_call")
                if not target.active:
                    # The phone acts on the focused line: bring this one to
                    # the front. For hold, that alone resumes the held call.
                    await client.send_keys([f"LINE{line}"])
                    if toggle:
                        return
            await operation(client)

    await coordinator.async_command(run, refused_key="no_active_call")


async def reset_missed_calls(coordinator: GrandstreamCoordinator) -> None:
    """Set the missed-call counter back to zero (nothing is sent to the phone)."""
    async_dispatcher_send(
        coordinator.hass,
        SIGNAL_RESET_MISSED.format(coordinator.config_entry.entry_id),
    )


async def restart(coordinator: GrandstreamCoordinator) -> None:
    """Reboot the phone."""

    async def run(client: GrandstreamClient) -> None:
        await client.reboot()
        # A rebooted phone may come back without its Action URLs: poll fast
        # until its pushes prove themselves again (and see the outage soon).
        coordinator.config_entry.runtime_data.tracker.phone_restarted()

    await coordinator.async_command(run)


async def send_keys(coordinator: GrandstreamCoordinator, keys: Sequence[str]) -> None:
    """Press ``keys`` (already validated) and return once they are pressed."""
    await coordinator.async_command(lambda client: client.send_keys(keys))


async def dial(
    coordinator: GrandstreamCoordinator, number: str, account: int | None
) -> DialResult:
    """Dial ``number`` and tell which line the call started on, if known."""

    async def run(
        client: GrandstreamClient,
    ) -> tuple[dict[int, LineState], DialMethod, list[LineStatus]]:
        async with client.exclusive():
            # Fresh "before" and "after" pictures, taken while holding the
            # phone, tell which line the call started on.
            try:
                before = {ls.line: ls.state for ls in await client.line_status()}
            except GrandstreamError:
                before = {ls.line: ls.state for ls in coordinator.data.lines}
            # Typing the number is no substitute when an account was asked
            # for (the keys use the default one) or a call is up or ringing
            # (the digits would go out as tones, SEND may answer).
            allow_keys = account is None and not any(
                state in _CALL_STATES or state is LineState.RINGING
                for state in before.values()
            )
            method = await client.dial(number, account, allow_keys=allow_keys)
            try:
                return before, method, await client.line_status()
            except GrandstreamError:
                return before, method, []  # the call went out; the line is unknown

    before, method, lines = await coordinator.async_command(run)
    matching, fresh = _candidates(number, before, lines)
    if method is DialMethod.KEYS:
        if lines and not matching and not fresh:
            # The phone took the keys but no call shows: a locked keypad
            # swallows them, and during a call they are only DTMF.
            raise _refused("invalid_request")
        coordinator.log_once(
            "dial_by_keys",
            "%s refused click-to-dial, so numbers are dialled by key presses "
            "(slower, default account only). Enable it on the phone: Settings → "
            "Call Features → Click-To-Dial Feature",
            coordinator.config_entry.title,
        )
    return DialResult(line=_started_line(matching, fresh), method=method.value)


def _candidates(
    number: str, before: dict[int, LineState], lines: Sequence[LineStatus]
) -> tuple[list[LineStatus], list[LineStatus]]:
    """Lines with a call to ``number``, and lines with a call that were idle."""
    busy = [ls for ls in lines if ls.state in _CALL_STATES | {LineState.FAILED}]
    # A leading + may show as 00 or without prefix: same_number compares tails.
    matching = [ls for ls in busy if same_number(ls.remote_number, number)]
    fresh = [ls for ls in busy if before.get(ls.line) in (None, LineState.IDLE)]
    return matching, fresh


def _started_line(
    matching: Sequence[LineStatus], fresh: Sequence[LineStatus]
) -> int | None:
    """The line whose call matches the number, preferring lines idle before."""
    for candidates in ([ls for ls in matching if ls in fresh], matching, fresh):
        if len(candidates) == 1:
            return candidates[0].line
    return None
