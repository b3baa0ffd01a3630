"""``action-urls show | set | clear``: the phone's Action URL slots, by web session.

One login attempt (the same lockout rule as CTI), then read or write, read
back, log out — also when something fails half-way. Slots holding someone
else's URL are left alone unless ``--force``.
"""

from __future__ import annotations

from functools import partial

from .. import (
    ACTION_URL_SLOTS,
    ActionUrlReport,
    action_urls_for,
    clear_action_urls,
    is_own_action_url,
    read_action_urls,
    write_action_urls,
)
from .codes import ExitCode
from .context import Run, bad_input
from .terminal import safe


async def action_urls(current: Run) -> ExitCode:
    """Dispatch show, set and clear."""
    action = current.args.slots_command
    wanted: dict[str, str] = {}
    if action == "set":
        try:
            wanted = action_urls_for(current.args.url.strip(), current.args.events)
        except ValueError as err:
            return bad_input(current.terminal, current.json, str(err))
    elif action == "clear" and not current.args.url and not current.args.force:
        return bad_input(
            current.terminal,
            current.json,
            "Say whose slots to clear: --url URL, or --force for all",
        )
    web = await current.web_session()
    async with web:
        if action == "show":
            return _show(current, await read_action_urls(web))
        if action == "set":
            is_ours = partial(is_own_action_url, target=current.args.url.strip())
            report = await write_action_urls(
                web, wanted, is_ours=is_ours, take_over=current.args.force
            )
        else:
            url = (current.args.url or "").strip()
            report = await clear_action_urls(
                web,
                is_ours=partial(is_own_action_url, target=url) if url else None,
                events=current.args.events,
                force=current.args.force,
            )
    return _report(current, report)


def _show(current: Run, values: dict[str, str]) -> ExitCode:
    if current.json:
        current.terminal.json(
            {
                "ok": True,
                "slots": {
                    event: {"pvalue": f"P{ACTION_URL_SLOTS[event]}", "value": value}
                    for event, value in values.items()
                },
            }
        )
        return ExitCode.OK
    for event, value in values.items():
        slot = f"P{ACTION_URL_SLOTS[event]}"
        current.terminal.out(f"{event:18} {slot:7} {safe(value, 300) or '(empty)'}")
    return ExitCode.OK


def _report(current: Run, report: ActionUrlReport) -> ExitCode:
    if report.ignored or report.too_long:
        code = ExitCode.REFUSED
    elif report.foreign:
        code = ExitCode.PARTLY_DONE
    else:
        code = ExitCode.OK
    if current.json:
        current.terminal.json(
            {
                "ok": code is ExitCode.OK,
                "exit_code": int(code),
                "done": list(report.done),
                "written": list(report.written),
                "foreign": {e: report.before[e] for e in report.foreign},
                "ignored": list(report.ignored),
                "too_long": list(report.too_long),
            }
        )
        return code
    out = current.terminal.out
    out(
        f"Done: {len(report.done)} slot(s)"
        + (f" ({len(report.written)} written now)" if report.written else "")
    )
    for event in report.foreign:
        out(
            f"  left alone, someone else's: {event} = "
            f"{safe(report.before[event], 200)} (--force takes it over)"
        )
    for event in report.ignored:
        out(
            f"  IGNORED by the phone: {event} (written, read back unchanged: the user "
            "role, a cloud-managed phone, or a slot this model lacks)"
        )
    for event in report.too_long:
        out(f"  not written, longer than the phone stores (256): {event}")
    out("Logged out.")
    return code
