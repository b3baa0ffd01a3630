"""``capture``: what the phone answers, as it answers it, redacted, into a folder.

One request set over CTI (phone status, lines, accounts, one at a time: a
wrong passcode costs one attempt, and its refusal is captured too); with
``--web``, once the passcode is accepted, one login to read the Action URL
slots and Click-To-Dial, then logout. Everything is redacted by shape before
it is written (``redact.py``): no passcode, session id, number, name or
address leaves the computer in it. The folder is what the simulator replays
(``python -m simulator --replay``) and what ``scripts/add-capture`` turns
into a test.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .. import (
    ACTION_URL_SLOTS,
    Capture,
    GrandstreamAuthenticationError,
    GrandstreamConnectionError,
    GrandstreamError,
    Redactor,
    __version__,
    capture_of,
)
from .codes import ExitCode
from .connect import make_client, make_web, resolve
from .context import Run, bad_input
from .terminal import safe

# What --web reads: every Action URL slot, Click-To-Dial, model and vendor.
WEB_KEYS = (
    *(f"P{pvalue}" for pvalue in ACTION_URL_SLOTS.values()),
    "P1561",
    "phone_model",
    "vendor_fullname",
)


async def capture(current: Run) -> ExitCode:
    """Capture, redact, write; a refusal is written too, then reported."""
    folder = Path(current.args.output)
    if not _usable(folder):
        return bad_input(
            current.terminal,
            current.json,
            f"{safe(folder, 200)} exists and is not an empty folder",
        )
    passcode = current.need_passcode()
    host, use_ssl = await resolve(
        current.address, current.session, current.args.timeout
    )
    client = make_client(host, use_ssl, passcode, current.session, current.args)
    failure: GrandstreamError | None = None
    for read in (client.phone_status, client.line_status, client.accounts):
        try:
            await read()
        except (GrandstreamAuthenticationError, GrandstreamConnectionError) as err:
            # Never the refused passcode again; nothing more from a phone gone.
            failure = err
            break
        except GrandstreamError as err:
            failure = failure or err
    model, firmware = current.args.model, current.args.firmware
    web_answers: list[Any] = []
    if current.args.web and not isinstance(
        failure, GrandstreamAuthenticationError | GrandstreamConnectionError
    ):
        web = make_web(host, use_ssl, passcode, current.session, current.args)
        try:
            async with web:
                firmware = firmware or (web.info.firmware if web.info else None)
                values = await web.get(WEB_KEYS)
                model = model or values.get("phone_model", "").strip() or None
        except GrandstreamError as err:
            failure = failure or err
        web_answers = web.answer_log.answers()
    taken = capture_of(
        source="command line",
        tool="grandstream-cti",
        tool_version=__version__,
        cti=client.answer_log,
        web=web_answers,
        model=model,
        firmware=firmware,
    )
    if not taken.cti and not taken.web:
        if failure is not None:
            raise failure
        return ExitCode.FAILED  # pragma: no cover - a read always answers or raises
    redacted = taken.redacted(Redactor([passcode]))
    files = redacted.write(folder)
    _report(current, folder, redacted, files)
    if failure is not None:
        raise failure
    return ExitCode.OK


def _usable(folder: Path) -> bool:
    """A new or empty folder: a capture never mixes with other files.

    (Blocking, like the writing: the command line runs nothing else meanwhile.)
    """
    return not folder.exists() or (folder.is_dir() and not any(folder.iterdir()))


def _report(current: Run, folder: Path, taken: Capture, files: list[Path]) -> None:
    manifest = taken.manifest_dict()
    if current.json:
        current.terminal.json(
            {
                "ok": True,
                "folder": str(folder),
                "files": [str(path.relative_to(folder)) for path in files],
                "manifest": manifest,
            }
        )
        return
    out = current.terminal.out
    out(f"Captured into {safe(folder, 200)}:")
    for path in files:
        out(f"  {safe(path.relative_to(folder), 200)}")
    what = ", ".join(manifest["cti"]) or "no CTI answer"
    if manifest["web"]:
        what += f"; {len(manifest['web'])} web answers"
    out(f"Answers: {what}.")
    shows = manifest["shows"]
    if shows["lines"] is not None:
        out(f"The phone shows {len(shows['lines'])} lines.")
    for value in taken.unknown:
        out(f"Not understood: {value.kind} {safe(value.value, 80)!r} ({value.count}x)")
    out(
        "Redacted: no passcode, session id, phone number, name or address is in "
        "it (numbers and names keep only their shape). Look before you send it."
    )
