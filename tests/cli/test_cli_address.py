"""How the typed address becomes host and scheme."""

from __future__ import annotations

import argparse

import pytest

from custom_components.grandstream.cti.cli.connect import Address, parse_address


@pytest.mark.parametrize(
    ("typed", "flags", "expected"),
    [
        ("192.0.2.10", {}, Address("192.0.2.10", None)),
        ("192.0.2.10:8080", {}, Address("192.0.2.10:8080", None)),
        ("https://phone.lan/", {}, Address("phone.lan", True)),
        ("HTTP://phone.lan:81", {}, Address("phone.lan:81", False)),
        ("http://phone.lan", {"https": True}, Address("phone.lan", True)),
        ("https://phone.lan", {"http": True}, Address("phone.lan", False)),
        ("2001:db8::1", {}, Address("[2001:db8::1]", None)),
        ("[2001:db8::1]:8443", {}, Address("[2001:db8::1]:8443", None)),
    ],
)
def test_parse_address(typed: str, flags: dict[str, bool], expected: Address) -> None:
    """Scheme from the prefix or the flags (flags win); the port kept."""
    args = argparse.Namespace(**{"https": False, "http": False, **flags})
    assert parse_address(typed, args) == expected
