"""Call control shared by buttons and actions.

Both a dashboard button and an automation's action end up here, so that a
phone refusing a command reads the same whichever way the user got there.
The phone's operations act on "the" ringing or active call; to act on a
given line we first check the line and, where another line has the focus,
press that line's key, all while holding the phone so nothing interleaves.
Every command, with the reads around it, is bounded by one request timeout
(plus the time key presses take), however the phone behaves.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
import logging
from typing import Final, TypedDict

from . import errors
from .coordinator import HELPER_READ_TIMEOUT, CommandBudget, GrandstreamCoordinator
from .cti import (
    DialMethod,
    GrandstreamClient,
    GrandstreamInvalidRequestError,
    LineState,
    LineStatus,
    number_to_keys,
    same_number,
)

# Lines whose call can be hung up, and lines whose call can be held.
_HANGUP_STATES: Final = frozenset(
    {LineState.DIALING, LineState.CALLING, LineState.CONNECTED, LineState.ON_HOLD}
)
_HOLD_STATES: Final = frozenset({LineState.CONNECTED, LineState.ON_HOLD})


class DialResult(TypedDict):
    """What the dial action returns for each phone."""

    line: int | None
    method: str


def _line(lines: Sequence[LineStatus], number: int) -> LineStatus:
    for status in lines:
        if status.line == number:
            return status
    raise errors.invalid_input("invalid_line", line=str(number), count=str(len(lines)))


async def _lines_now(coordinator: GrandstreamCoordinator) -> Sequence[LineStatus]:
    """The lines as the phone shows them now, or as last read when it is slow."""
    lines = await coordinator.async_helper_read()
    if lines is None:
        return coordinator.data.lines
    return lines


async def answer(coordinator: GrandstreamCoordinator, line: int | None = None) -> None:
    """Answer the ringing call, or the one ringing on ``line``."""

    async def run(client: GrandstreamClient, budget: CommandBudget) -> None:
        if line is None:
            await client.accept_call()
            return
        async with client.exclusive():
            lines = await _lines_now(coordinator)
            if _line(lines, line).state is not LineState.RINGING:
                raise errors.refused("no_ringing_call")
            if sum(ls.state is LineState.RINGING for ls in lines) == 1:
                await client.accept_call()
            else:
                # Several calls ring: the line key picks up that one.
                budget.allow_keys(1)
                await client.send_keys([f"LINE{line}"])

    await coordinator.async_command(run, refused_key="no_ringing_call")


async def reject(coordinator: GrandstreamCoordinator, line: int | None = None) -> None:
    """Reject the ringing call (``line``, if given, must be ringing)."""

    async def run(client: GrandstreamClient, budget: CommandBudget) -> None:
        async with client.exclusive():
            if line is not None:
                lines = await _lines_now(coordinator)
                if _line(lines, line).state is not LineState.RINGING:
                    raise errors.refused("no_ringing_call")
                if sum(ls.state is LineState.RINGING for ls in lines) > 1:
                    # rejectcall takes the phone's choice of ringing call and
                    # no key rejects a given line: refuse rather than guess.
                    raise errors.refused("reject_line_ambiguous")
            await client.reject_call()

    await coordinator.async_command(run, refused_key="no_ringing_call")


async def hangup(coordinator: GrandstreamCoordinator, line: int | None = None) -> None:
    """End the active call, or the call on ``line``."""
    await _on_call_line(coordinator, line, _HANGUP_STATES, GrandstreamClient.end_call)


async def hold(coordinator: GrandstreamCoordinator, line: int | None = None) -> None:
    """Hold the active call or resume the held one (on ``line``, if given)."""
    await _on_call_line(
        coordinator, line, _HOLD_STATES, GrandstreamClient.hold_call, toggle=True
    )


async def _on_call_line(
    coordinator: GrandstreamCoordinator,
    line: int | None,
    states: frozenset[LineState],
    operation: Callable[[GrandstreamClient], Awaitable[None]],
    *,
    toggle: bool = False,
) -> None:
    async def run(client: GrandstreamClient, budget: CommandBudget) -> None:
        async with client.exclusive():
            if line is not None:
                lines = await _lines_now(coordinator)
                target = _line(lines, line)
                if target.state not in states:
                    raise errors.refused("no_active_call")
                if not target.active:
                    # The phone acts on the focused line: bring this one to
                    # the front. For hold, that alone resumes the held call.
                    budget.allow_keys(1)
                    await client.send_keys([f"LINE{line}"])
                    if toggle:
                        return
            await operation(client)

    await coordinator.async_command(run, refused_key="no_active_call")


async def reset_missed_calls(coordinator: GrandstreamCoordinator) -> None:
    """Mark the missed calls as seen (nothing is sent to the phone)."""
    coordinator.reset_missed_calls()


async def restart(coordinator: GrandstreamCoordinator) -> None:
    """Reboot the phone."""

    async def run(client: GrandstreamClient, budget: CommandBudget) -> None:
        # A reboot counts as done when the connection drops after the request
        # went out, which a stale kept-alive connection to a phone that is
        # off would imitate: make sure the phone answers first.
        await client.phone_status()
        await client.reboot()
        # Poll soon to see the outage, and re-verify push afterwards.
        coordinator.phone_restarting()

    await coordinator.async_command(run)


async def send_keys(coordinator: GrandstreamCoordinator, keys: Sequence[str]) -> None:
    """Press ``keys`` (already validated) and return once they are pressed."""

    async def run(client: GrandstreamClient, budget: CommandBudget) -> None:
        budget.allow_keys(len(keys))
        await client.send_keys(keys)

    await coordinator.async_command(run)


async def dial(
    coordinator: GrandstreamCoordinator, number: str, account: int | None
) -> DialResult:
    """Dial ``number`` and tell which line the call started on, if known."""

    async def run(
        client: GrandstreamClient, budget: CommandBudget
    ) -> tuple[dict[int, LineState], DialMethod, Sequence[LineStatus] | None]:
        async with client.exclusive():
            # Fresh "before" and "after" pictures, taken while holding the
            # phone, tell which line the call started on.
            before = {ls.line: ls.state for ls in await _lines_now(coordinator)}
            # Typing the number is no substitute when an account was asked
            # for (the keys use the default one) or a call is up or ringing
            # (the digits would go out as tones, SEND may answer).
            allow_keys = account is None and not any(
                state in _HANGUP_STATES or state is LineState.RINGING
                for state in before.values()
            )
            try:
                await client.make_call(number, account)
                method = DialMethod.CLICK_TO_DIAL
            except GrandstreamInvalidRequestError:
                # Mostly click-to-dial switched off: type the number instead.
                if not allow_keys:
                    raise
                keys = number_to_keys(number)
                budget.allow_keys(len(keys))
                await client.send_keys(keys)
                method = DialMethod.KEYS
            # The call went out: an unknown line is no failure, and reading it
            # must not turn a placed call into a timeout (a retry would dial
            # again), so the read gets only the time left.
            after = await coordinator.async_helper_read(
                min(HELPER_READ_TIMEOUT, budget.remaining() - 0.2)
            )
            return before, method, after

    before, method, lines = await coordinator.async_command(run)
    matching, fresh = _candidates(number, before, lines or ())
    if method is DialMethod.KEYS:
        if lines and not matching and not fresh:
            # The phone took the keys but no call shows: a locked keypad
            # swallows them, and during a call they are only DTMF.
            raise errors.refused("invalid_request", error="")
        coordinator.log_once(
            "dial_by_keys",
            logging.INFO,
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
    busy = [ls for ls in lines if ls.state in _HANGUP_STATES | {LineState.FAILED}]
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
