"""Telephone numbers as phones write them, and the one rule for "the same party".

Phones and pushes write one party's number in several ways: ``+49 30
123456``, ``0049 30 123456``, ``030 123456``, or ``123456`` without the area
code. The call tracker, call control and the call-back list must agree on
when two of them are the same caller, so there is exactly one rule, here.
"""

from __future__ import annotations

from enum import StrEnum
import re
from typing import Final

# A number without area code shorter than this is an extension, not a
# subscriber number: it never matches the tail of a longer number.
MIN_LOCAL_DIGITS: Final = 6
# A national number needs this many digits (trunk 0 included) before its
# digits can stand for the end of an international one.
_MIN_NATIONAL_DIGITS: Final = 5
# E.164 country codes have 1 to 3 digits.
_MAX_COUNTRY_CODE_DIGITS: Final = 3

_NOT_DIGIT = re.compile(r"\D")


class NumberKind(StrEnum):
    """How a number is written, which decides how it compares."""

    INTERNATIONAL = "international"  # +CC… or 00CC…
    NATIONAL = "national"  # trunk 0, area code, subscriber number
    LOCAL = "local"  # subscriber number or extension alone
    NONE = "none"  # no digits at all ("anonymous", a SIP name)


def digits(number: str | None) -> str:
    """Only the digits of ``number``."""
    return _NOT_DIGIT.sub("", number or "")


def number_kind(number: str | None) -> NumberKind:
    """How ``number`` is written."""
    all_digits = digits(number)
    if not all_digits:
        return NumberKind.NONE
    if (number or "").strip().startswith("+") or all_digits.startswith("00"):
        return NumberKind.INTERNATIONAL
    if all_digits.startswith("0"):
        return NumberKind.NATIONAL
    return NumberKind.LOCAL


def same_party(a: str | None, b: str | None) -> bool:
    """Whether two reported numbers reach the same party.

    - the same kind: the same digits (after ``+``/``00`` for international);
    - international and national: the trunk prefix rule of E.164 — ``0`` + N
      is ``+CC`` N for a country code of 1 to 3 digits (``030 123456`` is
      ``+49 30 123456``);
    - local and longer: the longer one ends with the local number, which must
      have at least ``MIN_LOCAL_DIGITS`` digits (extension ``2001`` is not
      ``+49 30 5552001``);
    - without digits on both sides ("anonymous"): the same text, whatever
      its case — as far as anyone can tell, the same (unknown) party. A
      number with digits never matches one without.
    """
    kind_a, kind_b = number_kind(a), number_kind(b)
    if NumberKind.NONE in (kind_a, kind_b):
        text_a, text_b = (a or "").strip().casefold(), (b or "").strip().casefold()
        return kind_a is kind_b and bool(text_a) and text_a == text_b
    if kind_a is kind_b:
        return _significant(a, kind_a) == _significant(b, kind_b)
    if NumberKind.LOCAL in (kind_a, kind_b):
        local, other = (a, b) if kind_a is NumberKind.LOCAL else (b, a)
        local_digits = digits(local)
        return len(local_digits) >= MIN_LOCAL_DIGITS and digits(other).endswith(
            local_digits
        )
    international, national = (a, b) if kind_a is NumberKind.INTERNATIONAL else (b, a)
    return _trunk_match(_significant(international, NumberKind.INTERNATIONAL), national)


def _significant(number: str | None, kind: NumberKind) -> str:
    """The digits that identify the party, within one kind of number."""
    all_digits = digits(number)
    if kind is NumberKind.INTERNATIONAL and all_digits.startswith("00"):
        if not (number or "").strip().startswith("+"):
            return all_digits[2:]
    return all_digits


def _trunk_match(international: str, national: str | None) -> bool:
    local = digits(national)
    if len(local) < _MIN_NATIONAL_DIGITS:
        return False
    significant = local[1:]  # without the trunk 0
    country_code = len(international) - len(significant)
    return (
        international.endswith(significant)
        and 1 <= country_code <= _MAX_COUNTRY_CODE_DIGITS
    )
