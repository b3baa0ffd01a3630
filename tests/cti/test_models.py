"""Parsing of phone answers, keys and addresses without a phone."""

from __future__ import annotations

import pytest

from custom_components.grandstream.cti import (
    GrandstreamInvalidKeysError,
    GrandstreamResponseError,
    LineState,
    LineStatus,
    PhoneState,
    account_base,
    account_number,
    build_base_url,
    normalize_number,
    number_to_keys,
    parse_keys,
    redact_url,
)
from custom_components.grandstream.cti.models import (
    parse_accounts,
    parse_lines,
    parse_phone_status,
)


def test_line_tolerance() -> None:
    """Odd whitespace, numbers as strings, unknown and aliased states."""
    lines = parse_lines(
        [
            {"line": "2", "state": " transfer ", "acct": 1, "active": "1"},
            {"line": 1, "state": "HOLD", "acct": "", "remotename": "x"},
        ]
    )
    assert [line.line for line in lines] == [1, 2]
    assert lines[0].state is LineState.ON_HOLD
    assert lines[1].state is LineState.UNKNOWN
    assert lines[1].raw_state == "transfer"
    assert lines[1].active is True
    assert lines[0].account is None
    assert parse_lines({"line": 1, "state": "idle"})[0].state is LineState.IDLE


def idle_lines(*accts: object) -> list[LineStatus]:
    """Parsed idle lines reporting these ``acct`` values."""
    return parse_lines(
        [
            {"line": number, "state": "idle", "acct": acct}
            for number, acct in enumerate(accts, start=1)
        ]
    )


@pytest.mark.parametrize(
    ("accts", "base"),
    [
        ((0, 0, 0, 0), 0),  # WP826
        (("0", 1), 0),  # a 0 anywhere decides
        ((1, 2, 1), 1),  # GXP: 1 on idle lines, 2 for account 2
        (("", "1"), 1),  # the guides
        (("", ""), 1),
        ((), 1),
    ],
)
def test_account_base(accts: tuple[object, ...], base: int) -> None:
    """Any acct 0 means the phone counts from 0; otherwise from 1."""
    assert account_base(idle_lines(*accts)) == base


def test_account_numbers() -> None:
    """The user's number: 1 is the first account; blank stays unknown."""
    assert account_number(0, 0) == 1
    assert account_number(1, 0) == 2
    assert account_number(2, 1) == 2
    assert account_number(None, 0) is None
    assert [line.account for line in idle_lines(0, 1)] == [1, 2]
    assert [line.account for line in idle_lines(1, 2)] == [1, 2]
    assert [line.account for line in idle_lines("", " 2 ")] == [None, 2]
    assert [line.raw_account for line in idle_lines(0, "", " 2 ")] == ["0", "", "2"]
    # A caller that saw the phone count from 0 passes that on.
    lines = parse_lines([{"line": 1, "state": "connected", "acct": 1}], known_base=0)
    assert lines[0].account == 2


@pytest.mark.parametrize("body", ["nonsense", [1, 2], [{"state": "idle"}], None])
def test_line_garbage(body: object) -> None:
    """Garbage is a response error, never a crash."""
    with pytest.raises(GrandstreamResponseError):
        parse_lines(body)


def test_phone_status_variants() -> None:
    """misc next to the body, inside it, or absent."""
    status = parse_phone_status("available", {"misc": "1"})
    assert status.state is PhoneState.AVAILABLE
    assert status.idle_call_allowed is True
    nested = parse_phone_status({"status": "busy", "misc": 0}, {})
    assert nested.state is PhoneState.BUSY
    assert nested.idle_call_allowed is False
    odd = parse_phone_status("  Rebooting ", {})
    assert odd.state is PhoneState.UNKNOWN
    assert odd.idle_call_allowed is None
    with pytest.raises(GrandstreamResponseError):
        parse_phone_status(3, {})


def test_accounts_variants() -> None:
    """Missing ids fall back to the position; reg as string or bool."""
    accounts = parse_accounts(
        [{"sip_id": "1", "reg": "1"}, {"id": "7", "sip_user": "2", "reg": False}]
    )
    assert [(a.id, a.sip_user, a.registered) for a in accounts] == [
        (1, "1", True),
        (7, "2", False),
    ]
    assert parse_accounts({"id": 1})[0].id == 1
    for garbage in ("x", [1]):
        with pytest.raises(GrandstreamResponseError):
            parse_accounts(garbage)


def test_number_to_keys() -> None:
    """Decoration dropped, # kept, + typed as 00 (docs/phone-protocol.md §5)."""
    assert number_to_keys("+49 (30) 1234-5#") == (
        *"004930123",
        "4",
        "5",
        "#",
        "SEND",
    )
    assert number_to_keys("*21*", international_prefix="011") == (
        "STAR",
        "2",
        "1",
        "STAR",
        "SEND",
    )
    assert number_to_keys("+1 555", international_prefix="011")[:3] == ("0", "1", "1")


@pytest.mark.parametrize("number", ["", "  ", "12a", "1+2", "++1", "1" * 41, "1;2"])
def test_bad_numbers(number: str) -> None:
    """Anything that is not a dialable number is refused."""
    with pytest.raises(GrandstreamInvalidKeysError):
        normalize_number(number)


def test_pause_cannot_be_typed() -> None:
    """A pause is fine for click-to-dial but not as keys."""
    assert normalize_number("123,45") == "123,45"
    with pytest.raises(GrandstreamInvalidKeysError):
        number_to_keys("123,45")


def test_parse_keys() -> None:
    """Colon form, lists, symbols, numbered keys; refusals."""
    assert parse_keys("1:2:*:#:send") == ("1", "2", "STAR", "#", "SEND")
    assert parse_keys("POUND:pound: star ") == ("#", "#", "STAR")
    assert parse_keys(["mpk3", "LINE12", "soft4"]) == ("MPK3", "LINE12", "SOFT4")
    for bad in ("FLASH", "LINE0", "MPK100", "SOFT5", "", "1:"):
        with pytest.raises(GrandstreamInvalidKeysError):
            parse_keys(bad)
    assert len(parse_keys(["1"] * 64)) == 64


@pytest.mark.parametrize(
    ("host", "ssl", "expected"),
    [
        ("192.0.2.1", False, "http://192.0.2.1"),
        (" phone.lan:8080 ", False, "http://phone.lan:8080"),
        ("http://192.0.2.1/", True, "https://192.0.2.1"),
        ("2001:db8::1", False, "http://[2001:db8::1]"),
        ("[2001:db8::1]:8443", True, "https://[2001:db8::1]:8443"),
    ],
)
def test_base_url(host: str, ssl: bool, expected: str) -> None:
    """What users type becomes a clean base URL."""
    assert str(build_base_url(host, use_ssl=ssl)) == expected


@pytest.mark.parametrize("host", ["", "a b", "host/path", "user@host", "h?x"])
def test_bad_hosts(host: str) -> None:
    """Anything else is refused."""
    with pytest.raises(ValueError):
        build_base_url(host, use_ssl=False)


def test_redact_url() -> None:
    """Both secret parameters are hidden wherever they stand."""
    url = "http://p/cgi-bin/x?passcode=abc&password=abc&phonenumber=1"
    assert redact_url(url) == (
        "http://p/cgi-bin/x?passcode=***&password=***&phonenumber=1"
    )
