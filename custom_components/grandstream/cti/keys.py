"""The key vocabulary of api-send_key, and dialling strings turned into keys.

Everything is validated before a request is sent: a phone presses what it
understands and silently answers ``unknown`` for the rest, which would leave
half a sequence typed. Validation is strict ASCII: a control character (CR,
LF, NUL, tab) or a non-ASCII look-alike must never reach the phone's URL.
"""

from __future__ import annotations

from collections.abc import Iterable
import re

from .errors import GrandstreamError

# Key names from the CTI guide and from other clients; the evidence for each
# (some have no public source) is in docs/phone-protocol.md §6. FLASH is left
# out on purpose: at least one GXP1165 rejects it.
FIXED_KEYS: frozenset[str] = frozenset(
    {
        *"0123456789",
        "STAR",
        # The pound key is ``#`` itself, percent-encoded ``%23`` in the URL
        # (vendor manual, docs/phone-protocol.md §6); ``POUND`` is only
        # accepted as input and translated.
        "#",
        "SEND",
        "OK",
        "ONHOOK",
        "OFFHOOK",
        "LOCK",
        "UNLOCK",
        "UP",
        "DOWN",
        "LEFT",
        "RIGHT",
        "SOFT1",
        "SOFT2",
        "SOFT3",
        "SOFT4",
        "MUTE",
        "VUP",
        "VDOWN",
        "SPEAKER",
        "HOLD",
        "CONF",
        "TRANSFER",
        "HEADSET",
    }
)
# Numbered keys: multi-purpose keys and line keys.
_NUMBERED_KEY = re.compile(r"^(MPK|LINE)([1-9][0-9]?)$")
# Other spellings people type for the two non-digit keypad keys.
_ALIASES = {"*": "STAR", "POUND": "#"}

MAX_KEYS = 64
SEPARATOR = ":"

# Characters people use to make a number readable; dropped before dialling.
# Only these: ``\s`` would also let CR, LF and tab through into the URL.
_DECORATION = re.compile(r"[ \-().\/]")
# What may remain: an optional leading +, then digits, * # and , (pause).
# fullmatch, never ``$``: ``$`` also matches before a trailing newline.
_DIALABLE = re.compile(r"\+?[0-9*#,]+")
MAX_NUMBER_LENGTH = 40


class GrandstreamInvalidKeysError(GrandstreamError, ValueError):
    """A key sequence or number that cannot be sent to the phone."""


def normalize_key(name: str) -> str:
    """Return the phone's spelling of one key, or raise if it is unknown.

    Case does not matter and surrounding spaces are dropped; ``*`` means
    ``STAR`` and ``POUND`` means ``#``. Only printable ASCII is considered:
    ``str.upper`` turns some non-ASCII letters into ASCII ones (``ſ`` → ``S``).
    """
    key = name.strip(" ")
    if not key.isascii() or not key.isprintable():
        raise GrandstreamInvalidKeysError(f"Unknown key: {name[:20]!r}")
    key = key.upper()
    key = _ALIASES.get(key, key)
    if key in FIXED_KEYS or _NUMBERED_KEY.fullmatch(key):
        return key
    raise GrandstreamInvalidKeysError(f"Unknown key: {name[:20]!r}")


def parse_keys(keys: str | Iterable[str]) -> tuple[str, ...]:
    """Validate keys given as a list or in the phone's colon form ``1:2:SEND``."""
    if isinstance(keys, str):
        keys = keys.split(SEPARATOR) if keys.strip(" ") else []
    result = tuple(normalize_key(key) for key in keys)
    if not result:
        raise GrandstreamInvalidKeysError("No keys to send")
    if len(result) > MAX_KEYS:
        raise GrandstreamInvalidKeysError(
            f"Too many keys: {len(result)} (at most {MAX_KEYS})"
        )
    return result


def normalize_number(number: str) -> str:
    """Drop spaces, dashes, brackets, dots and slashes; refuse anything else.

    Dropped: ASCII space, ``-``, ``(``, ``)``, ``.``, ``/``. Kept: a leading
    ``+``, ASCII digits, ``*``, ``#`` and ``,`` (a dialling pause). Anything
    else (letters, tabs, CR/LF, NUL, other control or non-ASCII characters)
    is refused.
    """
    cleaned = _DECORATION.sub("", number)
    if not cleaned or not _DIALABLE.fullmatch(cleaned):
        raise GrandstreamInvalidKeysError("Not a dialable number")
    if len(cleaned) > MAX_NUMBER_LENGTH:
        raise GrandstreamInvalidKeysError("Number is too long")
    return cleaned


def number_to_keys(number: str, *, international_prefix: str = "00") -> tuple[str, ...]:
    """Turn a number into the key presses that dial it, ending with SEND.

    The keypad has no ``+`` key, so a leading ``+`` becomes the international
    call prefix (``00`` in most of the world). A pause (``,``) cannot be typed
    and is refused.
    """
    cleaned = normalize_number(number)
    if "," in cleaned:
        raise GrandstreamInvalidKeysError("A pause cannot be typed on the keypad")
    if cleaned.startswith("+"):
        cleaned = international_prefix + cleaned[1:]
    return parse_keys([*cleaned, "SEND"])


# How much slower than nominal a phone may press keys before sequences held
# with key_sequence_hold() could overlap. The interval is not documented
# ("about a second"); a phone 25 % slower than assumed already interleaved
# three sequences when the hold was exactly count × interval.
KEY_SLOWDOWN_MARGIN = 1.6


def key_sequence_hold(count: int, interval: float) -> float:
    """Seconds to keep the phone reserved after it accepted ``count`` keys.

    ``interval × (1.6 × count + 1)``. The phone presses the first key at once
    and the others ``interval`` apart, so it needs ``(count − 1) × interval``.
    The hold outlasts that for any phone up to 60 % slower than ``interval``
    (``1.6 × (count − 1) < 1.6 × count + 1``), and a phone 50 % slower still
    leaves at least 2.6 intervals of slack for the delay between its answer
    and its first press. The constant part scales with the interval, so a
    fast test phone is not held for a real phone's second.
    """
    if count < 0 or interval < 0:
        raise ValueError("count and interval must not be negative")
    return interval * (KEY_SLOWDOWN_MARGIN * count + 1)
