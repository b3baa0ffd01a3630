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

import asyncio
from collections.abc import Awaitable, Callable, Sequence
import logging
from typing import Final, TypedDict

from . import errors
from .const import REQUEST_TIMEOUT
from .coordinator import GrandstreamCoordinator
from .cti import (
    DEFAULT_KEY_INTERVAL,
    DialMethod,
    GrandstreamAuthenticationError,
    GrandstreamClient,
    GrandstreamError,
    LineState,
    LineStatus,
    key_sequence_hold,
    same_party,
)

# Lines whose call can be hung up, and lines whose call can be held.
_HANGUP_STATES: Final = frozenset(
    {LineState.DIALING, LineState.CALLING, LineState.CONNECTED, LineState.ON_HOLD}
)
_HOLD_STATES: Final = frozenset({LineState.CONNECTED, LineState.ON_HOLD})
# Line status reads that only help a command (which line rang, which line a
# call started on) give up sooner than the command itself.
HELPER_READ_TIMEOUT: Final = 3.0


class DialResult(TypedDict):
    """What the dial action returns for each phone."""

    line: int | None
    method: str


class CommandBudget:
    """How long a command may still take: one request timeout, plus key presses."""

    def __init__(self, deadline: asyncio.Timeout) -> None:
        """Wrap the command's deadline."""
        self._deadline = deadline

    def remaining(self) -> float:
        """Seconds left."""
        when = self._deadline.when()
        return (
            float("inf") if when is None else when - asyncio.get_running_loop().time()
        )

    def allow_keys(self, count: int) -> None:
        """The phone is about to press ``count`` keys: give it the time."""
        if (when := self._deadline.when()) is not None:
            self._deadline.reschedule(
                when + key_sequence_hold(count, DEFAULT_KEY_INTERVAL)
            )


async def _run[T](
    coordinator: GrandstreamCoordinator,
    command: Callable[[GrandstreamClient, CommandBudget], Awaitable[T]],
    *,
    refused_key: str | None = None,
) -> T:
    """Run a command on the phone, turning client errors into HA errors.

    The one place where buttons and actions meet the phone, so that every
    failure reads the same whichever way the user got there. The whole
    command, reads around it included, takes at most one request timeout,
    plus the time key presses take once the phone accepted them (the
    command says so through its budget).
    """
    entry = coordinator.config_entry
    try:
        async with asyncio.timeout(REQUEST_TIMEOUT) as deadline:
            result = await command(coordinator.client, CommandBudget(deadline))
    except TimeoutError:
        raise errors.refused("timeout") from None
    except GrandstreamError as err:
        if isinstance(err, GrandstreamAuthenticationError):
            entry.async_start_reauth(coordinator.hass)
        raise errors.command_error(err, refused_key=refused_key) from None
    # Show the result soon; the action does not wait for that read.
    entry.async_create_task(
        coordinator.hass,
        coordinator.async_request_refresh(),
        f"{coordinator.name} after command",
    )
    return result


async def _helper_read(
    coordinator: GrandstreamCoordinator, within: float = HELPER_READ_TIMEOUT
) -> list[LineStatus] | None:
    """Line status for a command's own use; None when the phone is slow."""
    if within <= 0:
        return None
    try:
        async with asyncio.timeout(within):
            return await coordinator.client.line_status()
    except (TimeoutError, GrandstreamError) as err:
        if isinstance(err, GrandstreamAuthenticationError):
            raise
        return None


def _line(lines: Sequence[LineStatus], number: int) -> LineStatus:
    for status in lines:
        if status.line == number:
            return status
    raise errors.invalid_input("invalid_line", line=str(number), count=str(len(lines)))


async def _lines_now(coordinator: GrandstreamCoordinator) -> Sequence[LineStatus]:
    """The lines as the phone shows them now, or as last read when it is slow."""
    lines = await _helper_read(coordinator)
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

    await _run(coordinator, run, refused_key="no_ringing_call")


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

    await _run(coordinator, run, refused_key="no_ringing_call")


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

    await _run(coordinator, run, refused_key="no_active_call")


async def reset_missed_calls(coordinator: GrandstreamCoordinator) -> None:
    """Mark the missed calls as seen (nothing is sent to the phone)."""
    coordinator.call_backs.complete_all()


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

    await _run(coordinator, run)


async def send_keys(coordinator: GrandstreamCoordinator, keys: Sequence[str]) -> None:
    """Press ``keys`` (already validated) and return once they are pressed."""

    async def run(client: GrandstreamClient, budget: CommandBudget) -> None:
        budget.allow_keys(len(keys))
        await client.send_keys(keys)

    await _run(coordinator, run)


def phone_busy(lines: Sequence[LineStatus]) -> bool:
    """Whether any line is in use: ringing, a call, or a state we do not know."""
    return any(ls.state is not LineState.IDLE for ls in lines)


def has_call(lines: Sequence[LineStatus]) -> bool:
    """Whether a line has a call to hang up (dialled, connected or held)."""
    return any(ls.state in _HANGUP_STATES for ls in lines)


async def toggle_dnd(coordinator: GrandstreamCoordinator) -> None:
    """Press MUTE on an idle phone, which toggles Do Not Disturb there.

    During a call (or a ring) MUTE would mute the microphone instead
    (docs/phone-protocol.md §5): the lines are read afresh while holding the
    phone, and the key is pressed only when every line is idle.
    """

    async def run(client: GrandstreamClient, budget: CommandBudget) -> None:
        async with client.exclusive():
            # Read afresh, never the last poll's picture: a call Home Assistant
            # has not seen yet would get its microphone muted.
            if phone_busy(await client.line_status()):
                raise errors.cannot_now(
                    "dnd_during_call", name=coordinator.config_entry.title
                )
            budget.allow_keys(1)
            await client.send_keys(["MUTE"])

    await _run(coordinator, run)


class PhoneInUseError(Exception):
    """The phone had a line in use when asked to dial only while idle."""


async def dial(
    coordinator: GrandstreamCoordinator,
    number: str,
    account: int | None,
    *,
    only_when_idle: bool = False,
) -> DialResult:
    """Dial ``number`` and tell which line the call started on, if known.

    ``only_when_idle``: read the lines afresh and raise ``PhoneInUseError``,
    sending nothing, when one is in use (voice: never dial into a call).
    """

    async def run(
        client: GrandstreamClient, budget: CommandBudget
    ) -> tuple[dict[int, LineState], DialMethod, Sequence[LineStatus] | None]:
        async with client.exclusive():
            # Fresh "before" and "after" pictures, taken while holding the
            # phone, tell which line the call started on.
            lines_before: Sequence[LineStatus]
            if only_when_idle:
                # Read afresh, never the last poll's picture (what _lines_now
                # falls back to when the phone is slow).
                lines_before = await client.line_status()
                if phone_busy(lines_before):
                    raise PhoneInUseError
            else:
                lines_before = await _lines_now(coordinator)
            before = {ls.line: ls.state for ls in lines_before}
            # Typing the number is no substitute when an account was asked
            # for (the keys use the default one) or a call is up or ringing
            # (the digits would go out as tones, SEND may answer).
            allow_keys = account is None and not any(
                state in _HANGUP_STATES or state is LineState.RINGING
                for state in before.values()
            )
            method = await client.dial(
                number, account, allow_keys=allow_keys, on_keys=budget.allow_keys
            )
            # The call went out: an unknown line is no failure, and reading it
            # must not turn a placed call into a timeout (a retry would dial
            # again), so the read gets only the time left.
            after = await _helper_read(
                coordinator, min(HELPER_READ_TIMEOUT, budget.remaining() - 0.2)
            )
            return before, method, after

    before, method, lines = await _run(coordinator, run)
    matching, fresh = _candidates(number, before, lines or ())
    if method is DialMethod.KEYS:
        if lines and not matching and not fresh:
            # The phone took the keys but no call shows: a locked keypad
            # swallows them, and during a call they are only DTMF.
            raise errors.refused("invalid_request")
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
    # A leading + may show as 00, or the phone may show the national form.
    matching = [ls for ls in busy if same_party(ls.remote_number, number)]
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
