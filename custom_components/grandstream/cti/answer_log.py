"""What a client heard: raw answers, and the values nobody understood.

Kept in memory for a capture (``capture.py``: the integration's diagnostics,
the command line's ``capture``). Bounded, and raw: redaction happens when a
capture is made, not on every poll.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Final

from .transport import RawAnswer

# Distinct unknown values kept per log, and how much of each.
MAX_UNKNOWN: Final = 64
MAX_UNKNOWN_LENGTH: Final = 80


@dataclass(frozen=True, slots=True)
class UnknownValue:
    """A value the code did not understand, and how often it came.

    ``kind``: ``line_state``, ``phone_state``, ``refusal`` (an answer that
    said no, or nothing usable, in words nobody has recorded), ``push_event``,
    ``encoding`` (an answer that is no valid UTF-8).
    """

    kind: str
    value: str
    count: int


class AnswerLog:
    """The last raw answer per request name, or the answers in order.

    ``sequence=False`` (a CTI client): one answer per function, the last.
    ``sequence=True`` (a web session): every answer in the order they came,
    the oldest dropped beyond ``limit``.
    """

    def __init__(self, *, sequence: bool = False, limit: int = 32) -> None:
        """An empty log."""
        self._sequence = sequence
        self._limit = limit
        self._last: OrderedDict[str, RawAnswer] = OrderedDict()
        self._in_order: list[tuple[str, RawAnswer]] = []
        self._unknown: dict[tuple[str, str], int] = {}

    def record(self, name: str, answer: RawAnswer) -> None:
        """Keep ``answer`` to the request ``name`` (a CTI function, a web step)."""
        if not answer.utf8:
            # Phones are meant to send UTF-8: which ones do not is worth knowing.
            self.count_unknown("encoding", f"{name}: not UTF-8")
        if self._sequence:
            self._in_order.append((name, answer))
            del self._in_order[: -self._limit]
            return
        # In the order first asked, so captures list them the same each time.
        self._last[name] = answer
        while len(self._last) > self._limit:
            self._last.popitem(last=False)

    def count_unknown(self, kind: str, value: str) -> None:
        """Count one value of ``kind`` that the code did not understand."""
        key = (kind, " ".join(value.split())[:MAX_UNKNOWN_LENGTH])
        if key in self._unknown or len(self._unknown) < MAX_UNKNOWN:
            self._unknown[key] = self._unknown.get(key, 0) + 1

    def answers(self) -> list[tuple[str, RawAnswer]]:
        """(name, answer) pairs: in the order they came, or one per name."""
        if self._sequence:
            return list(self._in_order)
        return list(self._last.items())

    def unknown(self) -> list[UnknownValue]:
        """Every unknown value with its count, in the order first seen."""
        return [
            UnknownValue(kind, value, count)
            for (kind, value), count in self._unknown.items()
        ]
