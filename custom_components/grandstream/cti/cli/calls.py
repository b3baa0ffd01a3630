"""Reads and commands over CTI: status, lines, dial, keys, call control, reboot."""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable
from typing import Any

from .. import (
    Account,
    GrandstreamClient,
    LineState,
    LineStatus,
    PhoneStatus,
    parse_keys,
)
from .codes import ExitCode
from .context import Run, bad_input
from .terminal import Terminal, safe


def line_data(line: LineStatus) -> dict[str, Any]:
    """One line as ``--json`` shows it."""
    return {
        "line": line.line,
        "state": line.state.value,
        "raw_state": line.raw_state,
        "account": line.account,
        "raw_account": line.raw_account,
        "remote_number": line.remote_number,
        "remote_name": line.remote_name,
        "active": line.active,
        "conference": line.conference,
    }


def line_text(line: LineStatus) -> str:
    """One line for a person: ``line 2: ringing +4930123 (Erika), account 1``."""
    state = line.state.value
    if line.state is LineState.UNKNOWN and line.raw_state:
        state = f"{safe(line.raw_state, 40)} (unknown state)"
    text = f"line {line.line}: {state}"
    if line.remote_number or line.remote_name:
        text += f" {safe(line.remote_number, 64)}".rstrip()
        if line.remote_name:
            text += f" ({safe(line.remote_name, 64)})"
    if line.account is not None and line.state is not LineState.IDLE:
        text += f", account {line.account}"
    return text


def account_data(account: Account) -> dict[str, Any]:
    """One account as ``--json`` shows it."""
    return {
        "id": account.id,
        "name": account.name,
        "sip_user": account.sip_user,
        "server": account.server,
        "registered": account.registered,
    }


def account_text(account: Account) -> str:
    """One account for a person."""
    name = f" {safe(account.name, 64)}" if account.name else ""
    where = f"{safe(account.sip_user, 64)}@{safe(account.server, 128)}"
    registered = "registered" if account.registered else "NOT registered"
    return f"account {account.id}{name}: {where}, {registered}"


def status_data(status: PhoneStatus) -> dict[str, Any]:
    """The phone's status as ``--json`` shows it."""
    return {
        "state": status.state.value,
        "raw_state": status.raw_state,
        "misc": status.idle_call_allowed,
    }


async def status(current: Run) -> ExitCode:
    """The phone's state and its accounts (two reads, one after the other)."""
    client = await current.cti_client()
    phone = await client.phone_status()
    accounts = await client.accounts()
    return _show(
        current,
        client,
        {
            "status": status_data(phone),
            "accounts": [account_data(a) for a in accounts],
        },
        [
            f"{client.base_url}: {safe(phone.raw_state or '?', 40)}",
            *(f"  {account_text(account)}" for account in accounts),
        ],
    )


async def lines(current: Run) -> ExitCode:
    """Every line's state."""
    client = await current.cti_client()
    found = await client.line_status()
    return _show(
        current,
        client,
        {"lines": [line_data(line) for line in found]},
        [line_text(line) for line in found],
    )


def _show(
    current: Run, client: GrandstreamClient, data: dict[str, Any], text: list[str]
) -> ExitCode:
    """What was read: one JSON document for a script, or lines for a person."""
    if current.json:
        current.terminal.json({"ok": True, "phone": client.base_url, **data})
    else:
        for line in text:
            current.terminal.out(line)
    return ExitCode.OK


async def dial(current: Run) -> ExitCode:
    """Dial a number; says whether click-to-dial or the keypad did it."""
    args = current.args
    client = await current.cti_client()
    method = await client.dial(
        args.number,
        args.account,
        international_prefix=args.international_prefix,
        allow_keys=not args.no_keys,
    )
    return _done(
        current,
        f"Dialling {safe(args.number, 64)} ({method.value.replace('_', '-')}); "
        "the line status shows how the call goes",
        method=method.value,
    )


async def send_keys(current: Run) -> ExitCode:
    """Press keys; returns once the phone has pressed them."""
    keys = parse_keys(":".join(current.args.keys))
    client = await current.cti_client()
    await client.send_keys(keys)
    return _done(current, f"Pressed {':'.join(keys)}", keys=list(keys))


async def _operation(
    current: Run, action: Callable[[GrandstreamClient], Awaitable[None]], text: str
) -> ExitCode:
    client = await current.cti_client()
    await action(client)
    return _done(current, text)


async def answer(current: Run) -> ExitCode:
    """Answer the ringing call."""
    return await _operation(current, GrandstreamClient.accept_call, "Answered")


async def hangup(current: Run) -> ExitCode:
    """End the active call."""
    return await _operation(current, GrandstreamClient.end_call, "Hung up")


async def reject(current: Run) -> ExitCode:
    """Reject the ringing call."""
    return await _operation(current, GrandstreamClient.reject_call, "Rejected")


async def hold(current: Run) -> ExitCode:
    """Hold or resume the active call."""
    return await _operation(
        current, GrandstreamClient.hold_call, "Hold toggled (held, or resumed)"
    )


def confirm_reboot(terminal: Terminal, args: argparse.Namespace) -> ExitCode | None:
    """Ask before rebooting (unless --yes): None to go on, or the exit code.

    Blocking: called before the event loop starts and before anything is sent.
    """
    if args.yes:
        return None
    if not terminal.interactive:
        return bad_input(
            terminal, args.json, "Not rebooting without --yes (nobody to ask)"
        )
    question = (
        f"Reboot {safe(args.host, 80)}? Calls end and the phone is away "
        "for about a minute. [y/N] "
    )
    try:
        reply = terminal.ask(question)
    except EOFError:
        reply = ""
    if reply.strip().lower() not in ("y", "yes"):
        terminal.err("Not rebooted")
        return ExitCode.OK
    return None


async def reboot(current: Run) -> ExitCode:
    """Reboot (the question was asked before: ``confirm_reboot``)."""
    client = await current.cti_client()
    await client.reboot()
    return _done(current, "Rebooting: the phone is away for about a minute")


def _done(current: Run, text: str, **data: Any) -> ExitCode:
    if current.json:
        current.terminal.json({"ok": True, **data})
    else:
        current.terminal.out(text)
    return ExitCode.OK
