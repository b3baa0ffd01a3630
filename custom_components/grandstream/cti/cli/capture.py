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

import contextlib
import hashlib
import json
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
    redact_text,
)
from .codes import ExitCode, error_data, exit_code_for
from .connect import make_client, make_web
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
    # Before anything is sent: a folder that cannot be written must not cost
    # the phone a request (nor a password attempt).
    created, problem = _writable(folder)
    if problem is not None:
        return bad_input(current.terminal, current.json, problem)
    try:
        return await _capture(current, folder, passcode)
    finally:
        if created:
            _remove_if_empty(folder)


async def _capture(current: Run, folder: Path, passcode: str) -> ExitCode:
    host, use_ssl = await current.where()
    client = make_client(host, use_ssl, passcode, current.session, current.args)
    failure: GrandstreamError | None = None
    accepted = False
    for read in (client.phone_status, client.line_status, client.accounts):
        try:
            await read()
        except GrandstreamError as err:
            failure = failure or err
            if not accepted or isinstance(
                err, GrandstreamAuthenticationError | GrandstreamConnectionError
            ):
                # Until one read has succeeded the passcode is unproven: an
                # answer we cannot read may hide a refusal, and each further
                # request with it could count towards the lockout. Never the
                # refused passcode again; nothing more from a phone gone.
                failure = err
                break
        else:
            accepted = True
    model, firmware = current.args.model, current.args.firmware
    web_answers: list[Any] = []
    # The web login is one more password attempt: only with a passcode the
    # phone has accepted over CTI.
    if current.args.web and accepted:
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
    redacted = taken.redacted(Redactor([passcode, *web_secrets(web_answers, passcode)]))
    try:
        files = redacted.write(folder)
    except OSError as err:
        return bad_input(
            current.terminal,
            current.json,
            f"Cannot write into {safe(folder, 200)}: {err.strerror or err}",
        )
    if failure is not None and current.json:
        # One document for a script: what was written, and what went wrong.
        code = exit_code_for(failure)
        message = safe(redact_text(str(failure), passcode), 1000)
        data = error_data(failure, code, message)
        current.terminal.json({**data, **_written(folder, redacted, files)})
        return code
    _report(current, folder, redacted, files)
    if failure is not None:
        raise failure
    return ExitCode.OK


def web_secrets(answers: list[Any], passcode: str) -> list[str]:
    """What the web session's answers grant access with: cookie values, the
    nonce, the login proof made from it, a session id in a login's body.

    Removed wherever they appear, whatever member or text they sit in.
    """
    found: set[str] = set()
    for function, raw in answers:
        found.update(v for k, v in raw.cookies.items() if _grants(k) and v)
        if function not in ("access", "dologin"):
            continue
        try:
            envelope = json.loads(raw.text)
        except (ValueError, RecursionError):
            continue
        if not isinstance(envelope, dict):
            continue
        if str(envelope.get("response", "")).strip().lower() != "success":
            continue  # a refusal ("wrong4", "locked") grants nothing
        body = envelope.get("body")
        if isinstance(body, str) and body:
            found.add(body)
            if function == "access":
                found.add(hashlib.sha256((passcode + body).encode()).hexdigest())
        elif isinstance(body, dict):
            found.update(
                v for k, v in body.items() if _grants(k) and isinstance(v, str) and v
            )
    return sorted(found)


def _grants(name: str) -> bool:
    """Whether a cookie or login member of this name holds a session id.

    Not the role ("admin" would be swept out of every answer) nor the
    expiry flag, nor MAC and firmware, which the redactor treats by shape.
    """
    name = name.lower()
    if name in ("session-role", "session_role", "session_expiring"):
        return False
    return any(part in name for part in ("sid", "session", "token"))


def _usable(folder: Path) -> bool:
    """A new or empty folder: a capture never mixes with other files.

    (Blocking, like the writing: the command line runs nothing else meanwhile.)
    """
    return not folder.exists() or (folder.is_dir() and not any(folder.iterdir()))


def _writable(folder: Path) -> tuple[bool, str | None]:
    """Create ``folder`` and try a file in it: whether it was created, and
    what went wrong, if anything."""
    created = not folder.exists()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        trial = folder / ".grandstream-cti-write-test"
        trial.write_bytes(b"")
        trial.unlink()
    except OSError as err:
        return created, f"Cannot write into {safe(folder, 200)}: {err.strerror or err}"
    return created, None


def _remove_if_empty(folder: Path) -> None:
    """Nothing was written: leave no empty folder behind."""
    with contextlib.suppress(OSError):
        if not any(folder.iterdir()):
            folder.rmdir()


def _written(folder: Path, taken: Capture, files: list[Path]) -> dict[str, Any]:
    return {
        "folder": str(folder),
        "files": [str(path.relative_to(folder)) for path in files],
        "manifest": taken.manifest_dict(),
    }


def _report(current: Run, folder: Path, taken: Capture, files: list[Path]) -> None:
    manifest = taken.manifest_dict()
    if current.json:
        current.terminal.json({"ok": True, **_written(folder, taken, files)})
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
