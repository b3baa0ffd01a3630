"""How Home Assistant core words our strings in another language (scripts/ha-terms).

Core's translations ship inside the ``homeassistant`` package
(``components/<integration>/translations/<lang>.json``, references already
resolved). Where our English text equals a core English text, core's
translation of that same key is "Home Assistant's own words" for it: the
wording a user of that language already sees everywhere else.
"""

from __future__ import annotations

import argparse
from collections import Counter, defaultdict
from collections.abc import Iterator
import json
from pathlib import Path
import sys
from typing import Any

import homeassistant

CORE = Path(homeassistant.__file__).parent / "components"
OURS = (
    Path(__file__).parent.parent
    / "custom_components"
    / "grandstream"
    / "translations"
    / "en.json"
)
# Terms a telephony integration needs, as core's integrations word them
# (integration, key path in its translation file).
TERMS: tuple[tuple[str, str], ...] = (
    ("fritzbox_callmonitor", "entity.sensor.fritzbox_callmonitor.state.idle"),
    ("fritzbox_callmonitor", "entity.sensor.fritzbox_callmonitor.state.ringing"),
    ("fritzbox_callmonitor", "entity.sensor.fritzbox_callmonitor.state.dialing"),
    ("fritzbox_callmonitor", "entity.sensor.fritzbox_callmonitor.state.talking"),
    (
        "fritzbox_callmonitor",
        "entity.sensor.fritzbox_callmonitor.state_attributes.type.state.incoming",
    ),
    (
        "fritzbox_callmonitor",
        "entity.sensor.fritzbox_callmonitor.state_attributes.type.state.outgoing",
    ),
    (
        "fritzbox_callmonitor",
        "entity.sensor.fritzbox_callmonitor.state_attributes.from.name",
    ),
    (
        "fritzbox_callmonitor",
        "entity.sensor.fritzbox_callmonitor.state_attributes.duration.name",
    ),
    ("skybell", "entity.switch.do_not_disturb.name"),
    ("tuya", "entity.switch.do_not_disturb.name"),
)


# Core's common phrases (config flows, repairs): looked up by their English text.
PHRASES: tuple[str, ...] = (
    "Failed to connect",
    "Invalid authentication",
    "Device is already configured",
    "Unexpected error",
    "Re-authentication was successful",
    "Reconfiguration was successful",
    "Invalid host",
    "Timeout establishing connection",
    "Do not disturb",
    "Restart",
    "Missed calls",
    "Caller",
)


def flatten(data: Any, prefix: str = "") -> Iterator[tuple[str, str]]:
    """(dotted key path, text) for every string in a translation file."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield from flatten(value, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(data, str):
        yield prefix, data


def _load(path: Path) -> dict[str, str]:
    try:
        return dict(flatten(json.loads(path.read_text(encoding="utf-8"))))
    except (OSError, ValueError):
        return {}


def core_words(language: str) -> tuple[dict[str, list[str]], dict[str, Counter[str]]]:
    """English text → its core key paths; English text → core's words in ``language``."""
    where: dict[str, list[str]] = defaultdict(list)
    words: dict[str, Counter[str]] = defaultdict(Counter)
    for folder in sorted(CORE.glob("*/translations")):
        english = _load(folder / "en.json")
        other = _load(folder / f"{language}.json")
        for path, text in english.items():
            where[text].append(f"{folder.parent.name}:{path}")
            if path in other:
                words[text][other[path]] += 1
    return where, words


def _out(text: str) -> None:
    sys.stdout.write(text + "\n")


def main(argv: list[str] | None = None) -> int:
    """Print core's wording of our strings in one language."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "language", help="a core language code: de, fr, pt-BR, zh-Hans…"
    )
    parser.add_argument("--all", action="store_true", help="also the telephony terms")
    args = parser.parse_args(argv)
    if not any(CORE.glob(f"*/translations/{args.language}.json")):
        sys.stderr.write(f"core has no translations for {args.language!r}\n")
        return 2
    _, words = core_words(args.language)
    ours = _load(OURS)
    found = {
        path: words[text].most_common(1)[0] + (sum(words[text].values()),)
        for path, text in ours.items()
        if words.get(text)
    }
    _out(f"# {len(found)} of our {len(ours)} strings are worded by core too")
    _out("# (the same English may mean something else there: 'Number' can be a")
    _out("# count, 'Push' a button press; judge each one)")
    for path, (text, count, total) in sorted(found.items()):
        _out(f"{path}\t{ours[path]!r} → {text!r} ({count} of {total} core uses)")
    if args.all:
        _out("# core's common phrases")
        for phrase in PHRASES:
            common = words.get(phrase)
            best = common.most_common(3) if common else []
            _out(f"{phrase!r} → {best}")
        _out("# telephony and UI terms")
        for integration, path in TERMS:
            english = _load(CORE / integration / "translations" / "en.json").get(path)
            other = _load(
                CORE / integration / "translations" / f"{args.language}.json"
            ).get(path)
            _out(f"{integration}:{path}\t{english!r} → {other!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
