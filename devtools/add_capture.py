"""``scripts/add-capture PATH``: a phone's capture becomes a test fixture.

PATH is a capture folder (``grandstream-cti capture HOST -o DIR``), a capture
file, or a diagnostics file as Home Assistant downloads it. The capture is
redacted again with a fresh redactor — whoever sent it, nothing personal
goes into the repository — checked to show the same lines, states and
accounts after that, and written to ``tests/fixtures/captures/<model>-
<firmware>/`` (``-2``, ``-3`` … when taken). The parametrised tests find
every folder there by themselves.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
import re
import sys

from custom_components.grandstream.cti import (
    Capture,
    CaptureFormatError,
    Redactor,
    load_capture,
)

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures" / "captures"
_UNSAFE = re.compile(r"[^a-z0-9._-]+")


def folder_name(capture: Capture) -> str:
    """``<model>-<firmware>`` in lower case, ``unknown`` for what is not known."""
    parts = (
        capture.manifest.model or "unknown",
        capture.manifest.firmware or "unknown",
    )
    name = "-".join(_UNSAFE.sub("_", part.strip().lower()) for part in parts)
    return name.strip("._-") or "unknown"


def free_folder(root: Path, name: str) -> Path:
    """``root/name``, or ``name-2``, ``name-3``… if it is taken."""
    candidate, number = root / name, 1
    while candidate.exists():
        number += 1
        candidate = root / f"{name}-{number}"
    return candidate


def add_capture(source: Path, root: Path = FIXTURES, name: str | None = None) -> Path:
    """Redact ``source`` again and write it as a fixture; returns its folder."""
    capture = load_capture(source)
    redacted = capture.redacted(Redactor())
    if redacted.shows() != capture.shows():
        # Redaction keeps the shape by design; this would be a bug in it.
        raise CaptureFormatError(
            "Redacting the capture again changed what it shows: please report this"
        )
    note = f"{capture.manifest.note} (added by scripts/add-capture)".strip()
    redacted = replace(redacted, manifest=replace(redacted.manifest, note=note))
    target = free_folder(root, _UNSAFE.sub("_", name) if name else folder_name(capture))
    redacted.write(target)
    return target


def say(text: str) -> None:
    """One line for the person who runs it."""
    sys.stdout.write(text + "\n")


def main(argv: Sequence[str] | None = None) -> int:
    """The command line."""
    parser = argparse.ArgumentParser(
        prog="scripts/add-capture",
        description="Add a phone's capture (a capture folder or a diagnostics file) "
        "to tests/fixtures/captures, redacted again; the tests pick it up.",
    )
    parser.add_argument("path", type=Path, help="capture folder or diagnostics file")
    parser.add_argument(
        "--as", dest="name", metavar="NAME", help="folder name (default MODEL-FIRMWARE)"
    )
    parser.add_argument("--root", type=Path, default=FIXTURES, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        target = add_capture(args.path, args.root, args.name)
    except CaptureFormatError as err:
        sys.stderr.write(f"Error: {err}\n")
        return 2
    capture = load_capture(target)
    shows = capture.shows()
    where = target.relative_to(REPO) if target.is_relative_to(REPO) else target
    say(f"Added {where}")
    say(f"  answers: {', '.join(a.function for a in capture.cti) or 'none'}")
    if capture.web:
        say(f"  web answers: {len(capture.web)}")
    if shows["phone_state"] is not None:
        say(f"  phone: {shows['phone_state']}")
    for line in shows["lines"] or []:
        account = "" if line["account"] is None else f", account {line['account']}"
        say(f"  line {line['line']}: {line['state']}{account}")
    for value in capture.unknown:
        say(f"  not understood: {value.kind} {value.value!r} ({value.count}x)")
    say(
        "Tested by tests/integration/test_replay.py, tests/simulator/test_replay.py "
        "and tests/cti/test_redaction.py (no code to write); look at the files "
        "before you commit them."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
