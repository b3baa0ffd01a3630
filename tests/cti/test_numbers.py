"""The one rule for "the same party", used by the tracker, call control and the list."""

from __future__ import annotations

import pytest

from custom_components.grandstream.cti import NumberKind, number_kind, same_party


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        # The same kind of number: the same digits.
        ("+4930123456", "+4930123456", True),
        ("+4930123456", "004930123456", True),
        ("1001", "1001", True),
        ("201", "1201", False),
        ("030 1234567", "089 1234567", False),  # another area code
        ("+49 30 1234567", "+49 40 1234567", False),
        ("+4930123456", "+4930654321", False),
        # International and national: the trunk prefix (0 + N is +CC N for a
        # country code of 1-3 digits), also for short numbers.
        ("+49 30 123456", "030123456", True),
        ("+4930123456", "030123456", True),
        ("+49 89 1234", "089 1234", True),
        ("0891234", "0049891234", True),
        ("+1 555 0100", "0555 0100", True),
        ("+49891234", "0791234", False),
        ("+4912345 891234", "0891234", False),  # no country code that long
        ("+49 1234", "01234", True),
        ("+49 123", "0123", False),  # too short to tell
        ("+49891234", "+43891234", False),
        ("0891234", "0891235", False),
        # A local number (no area code) is the end of a longer one, unless
        # it is an extension (fewer than six digits): only equal then.
        ("5551234", "+49 30 5551234", True),
        ("5551234", "030 5551234", True),
        ("4930123456", "+4930123456", True),  # the + lost on the way
        ("2001", "+49 30 5552001", False),
        ("2001", "030 5552001", False),
        ("2001", "0049305552001", False),
        ("123", "0123", False),
        # Without digits: the same text is the same (unknown) party; a
        # number with digits is never one without.
        ("anonymous", "anonymous", True),
        ("Anonymous ", "anonymous", True),
        ("anonymous", "unavailable", False),
        ("", "", False),
        ("+4930123456", "", False),
        ("+4930123456", "anonymous", False),
        (None, "1001", False),
        (None, None, False),
    ],
)
def test_same_party(a: str | None, b: str | None, same: bool) -> None:
    """Which numbers reach the same party, both ways round."""
    assert same_party(a, b) is same
    assert same_party(b, a) is same


@pytest.mark.parametrize(
    ("number", "kind"),
    [
        ("+49 30 123456", NumberKind.INTERNATIONAL),
        ("0049 30 123456", NumberKind.INTERNATIONAL),
        ("030 123456", NumberKind.NATIONAL),
        ("123456", NumberKind.LOCAL),
        ("2001", NumberKind.LOCAL),
        ("anonymous", NumberKind.NONE),
        ("", NumberKind.NONE),
        (None, NumberKind.NONE),
    ],
)
def test_number_kind(number: str | None, kind: NumberKind) -> None:
    """How a number is written decides how it compares."""
    assert number_kind(number) is kind
