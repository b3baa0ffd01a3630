"""Parsers of the web session API's answers: every variant we know of."""

from __future__ import annotations

from typing import Any

import pytest

from custom_components.grandstream.cti.errors import GrandstreamResponseError
from custom_components.grandstream.cti.web_models import (
    WebLoginGeneration,
    WebRequest,
    WebRole,
    check_key,
    config_key,
    normalize_mac,
    parse_attempts_left,
    parse_lock_time,
    parse_login,
    parse_values,
    values_key,
)

SID = "0123456789abcdef" * 4


def login(body: Any, cookies: dict[str, str] | None = None) -> Any:
    return parse_login(
        body,
        generation=WebLoginGeneration.CURRENT,
        username="admin",
        cookies=cookies or {},
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("00:0B:82:12:34:56", "00:0b:82:12:34:56"),
        ("00-0b-82-12-34-56", "00:0b:82:12:34:56"),
        ("000b82123456", "00:0b:82:12:34:56"),
        (" C0:74:AD:00:00:01 ", "c0:74:ad:00:00:01"),
        ("00:0B:82:12:34", None),
        ("00:0B:82:12:34:5G", None),
        ("00:0B:82:12:34:56:78", None),
        ("", None),
        (None, None),
        (123, None),
    ],
)
def test_normalize_mac(value: Any, expected: str | None) -> None:
    assert normalize_mac(value) == expected


def test_login_answer_in_full() -> None:
    answer = login(
        {
            "sid": SID,
            "role": "Admin",
            "ver": "1.0.3.35",
            "mac": "00:0B:82:12:34:56",
            "defaultAuth": "true",
        }
    )
    assert answer.sid == SID
    assert SID not in repr(answer)
    assert answer.cookie_role == "Admin"
    info = answer.info
    assert (info.role, info.raw_role) == (WebRole.ADMIN, "Admin")
    assert (info.mac, info.firmware, info.default_auth) == (
        "00:0b:82:12:34:56",
        "1.0.3.35",
        True,
    )


@pytest.mark.parametrize(
    ("body", "cookies"),
    [
        (SID, {}),
        ({}, {"sid": SID}),
        ({}, {"session-identity": SID, "session-role": "admin"}),
    ],
)
def test_session_id_from_string_body_or_cookie(
    body: Any, cookies: dict[str, str]
) -> None:
    answer = login(body, cookies)
    assert answer.sid == SID
    assert answer.info.role is WebRole.UNKNOWN
    assert answer.info.default_auth is None


@pytest.mark.parametrize(
    "body",
    [{}, {"sid": ""}, {"sid": 12345678}, {"sid": "short"}, {"sid": "bad sid; x=1"}],
)
def test_unusable_session_id(body: Any) -> None:
    with pytest.raises(GrandstreamResponseError):
        login(body)


def test_unknown_role_and_unsafe_cookie_role() -> None:
    answer = login({"sid": SID, "role": "super user", "defaultAuth": "false"})
    assert answer.info.role is WebRole.UNKNOWN
    assert answer.info.raw_role == "super user"
    # Not a cookie value: not sent back as one.
    assert answer.cookie_role == ""
    assert answer.info.default_auth is False
    assert login({"sid": SID, "defaultAuth": "maybe"}).info.default_auth is None
    assert login({"sid": SID, "defaultAuth": 1}).info.default_auth is True


@pytest.mark.parametrize(
    ("envelope", "expected"),
    [
        ({"body": "locked", "lockTime": 5}, 5),
        ({"body": "locked", "lockTime": " 12 "}, 12),
        ({"body": {"status": "locked", "lockTime": 3}}, 3),
        ({"body": "locked", "lockTime": True}, None),
        ({"body": "locked"}, None),
    ],
)
def test_lock_time(envelope: dict[str, Any], expected: int | None) -> None:
    assert parse_lock_time(envelope) == expected


def test_attempts_left() -> None:
    assert parse_attempts_left("wrong4") == 4
    assert parse_attempts_left("wrong") is None


@pytest.mark.parametrize(
    ("key", "config", "values"),
    [
        ("P8310", "8310", "P8310"),
        ("8310", "8310", "P8310"),
        ("phone_model", "phone_model", "phone_model"),
        (":dnd", ":dnd", ":dnd"),
    ],
)
def test_key_spellings(key: str, config: str, values: str) -> None:
    assert check_key(key) == key
    assert config_key(key) == config
    assert values_key(key) == values


@pytest.mark.parametrize("key", ["", "8310,1561", "P8310:P1561", "a b", "x&y", "a.b"])
def test_keys_that_could_break_a_request(key: str) -> None:
    with pytest.raises(ValueError):
        check_key(key)


def test_values_body() -> None:
    assert parse_values({"P8310": None, "8311": 5}) == {"P8310": "", "P8311": "5"}
    with pytest.raises(GrandstreamResponseError):
        parse_values(["P8310"])


def test_a_web_request_keeps_its_secrets_out_of_its_repr() -> None:
    """The login proof and the session id never show in a repr (logs, tracebacks)."""
    request = WebRequest(
        "POST", "dologin", form={"username": "admin", "password": "proof-secret"}
    ).with_sid("sid-secret")
    assert "dologin" in repr(request)
    assert "secret" not in repr(request)
