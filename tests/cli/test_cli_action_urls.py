"""``action-urls show | set | clear``: one login, the slot rules, read back, logout."""

from __future__ import annotations

from typing import Any

import pytest

from custom_components.grandstream.cti import DEFAULT_EVENTS
from simulator import PhoneProfile, SimulatedPhone

from ..helpers.cli import WRONG, Result, cli
from ..helpers.phone import PASSCODE

TARGET = "http://192.0.2.5:8765/grandstream"
OTHER = "http://192.0.2.99/other?event=incoming"
USER_PASSWORD = "Us3r-Pa55word"


async def set_urls(
    phone: SimulatedPhone, *options: str, url: str = TARGET, **run: Any
) -> Result:
    """``action-urls set PHONE --url URL OPTIONS`` (``run``: how ``cli`` runs it)."""
    return await cli(
        ["action-urls", "set", phone.address, "--url", url, *options], **run
    )


def logged_out(phone: SimulatedPhone) -> bool:
    """One login, and it ended with a logout."""
    return (
        len(phone.web.calls("dologin")) == 1
        and phone.web.sessions == []
        and [e.reason for e in phone.web.ended] == ["logout"]
    )


@pytest.mark.parametrize("web_login", ["current", "older"])
async def test_set_then_show(socket_enabled: None, web_login: str) -> None:
    """Empty slots are written and read back; show lists every slot."""
    profile = PhoneProfile.preset("wp826", passcode=PASSCODE, web_login=web_login)
    async with SimulatedPhone(profile) as phone:
        result = await set_urls(phone)
        assert result.code == 0, result.text
        assert (
            f"Done: {len(DEFAULT_EVENTS)} slot(s) ({len(DEFAULT_EVENTS)} written now)"
            in result.out
        )
        assert logged_out(phone)
        assert phone.profile.action_urls["incoming"] == (
            f"{TARGET}?e=incoming&m=$mac&r=$remote&a=$active_user"
        )
        assert phone.profile.action_urls["boot"] == (
            f"{TARGET}?e=boot&m=$mac&p=$product&v=$program_version"
        )
        assert set(phone.profile.action_urls) == set(DEFAULT_EVENTS)
        shown = await cli(["action-urls", "show", phone.address, "--json"])
        text = await cli(["action-urls", "show", phone.address])
    slots = shown.json()["slots"]
    assert slots["incoming"]["pvalue"] == "P8310"
    assert slots["incoming"]["value"].startswith(TARGET)
    assert slots["offhook"]["value"] == ""
    assert "offhook            P8308   (empty)" in text.out


async def test_set_again_writes_nothing(phone: SimulatedPhone) -> None:
    """Already ours: done, nothing written."""
    await set_urls(phone)
    result = await set_urls(phone, "--json")
    data = result.json()
    assert data["ok"] is True
    assert data["written"] == []
    assert len(data["done"]) == len(DEFAULT_EVENTS)


async def test_someone_elses_slot_is_left_alone(phone: SimulatedPhone) -> None:
    """A used slot stays as it is (exit 8) until --force takes it over."""
    phone.store_action_url("incoming", OTHER)
    result = await set_urls(phone)
    assert result.code == 8
    assert f"left alone, someone else's: incoming = {OTHER}" in result.out
    assert phone.profile.action_urls["incoming"] == OTHER
    assert phone.profile.action_urls["missed"].startswith(TARGET)
    forced = await set_urls(phone, "--force", "--json")
    assert forced.json()["written"] == ["incoming"]
    assert phone.profile.action_urls["incoming"].startswith(TARGET)


async def test_ignored_by_the_phone(phone: SimulatedPhone) -> None:
    """The user role's writes are ignored with a success answer: reported, exit 6."""
    phone.profile.user_password = USER_PASSWORD
    result = await set_urls(
        phone,
        "--username",
        "user",
        "--events",
        "incoming,missed",
        passcode=USER_PASSWORD,
        secrets=(PASSCODE, USER_PASSWORD),
    )
    assert result.code == 6
    assert "IGNORED by the phone: incoming" in result.out
    assert "IGNORED by the phone: missed" in result.out
    assert phone.profile.action_urls == {}


async def test_cloud_managed_json(phone: SimulatedPhone) -> None:
    """A cloud-managed phone ignores every write."""
    phone.profile.gdms_managed = True
    result = await set_urls(phone, "--events", "all", "--json")
    data = result.json()
    assert data["exit_code"] == 6
    assert len(data["ignored"]) == 22


async def test_too_long(phone: SimulatedPhone) -> None:
    """A URL the phone would drop is not written."""
    long_target = "http://192.0.2.5/" + "x" * 240
    result = await set_urls(phone, "--events", "boot", url=long_target)
    assert result.code == 6
    assert "longer than the phone stores (256): boot" in result.out
    assert phone.profile.action_urls == {}


async def test_clear_ours_only(phone: SimulatedPhone) -> None:
    """clear --url empties our slots and leaves the others."""
    await set_urls(phone)
    phone.store_action_url("offhook", OTHER)
    result = await cli(["action-urls", "clear", phone.address, "--url", TARGET])
    assert result.code == 8
    assert phone.profile.action_urls == {"offhook": OTHER}
    forced = await cli(["action-urls", "clear", phone.address, "--force"])
    assert forced.code == 0, forced.text
    assert phone.profile.action_urls == {}


async def test_clear_needs_a_target(phone: SimulatedPhone) -> None:
    """Neither --url nor --force: exit 2, no login."""
    result = await cli(["action-urls", "clear", phone.address])
    assert result.code == 2
    assert phone.web.requests == []


@pytest.mark.parametrize("url", ["192.0.2.5/x", "http://192.0.2.5/x?e=1"])
async def test_bad_url(phone: SimulatedPhone, url: str) -> None:
    """A URL that is not a bare http(s) URL: exit 2, no login."""
    result = await set_urls(phone, "--json", url=url)
    assert result.code == 2
    assert result.json()["error"]["type"] == "BadInput"
    assert phone.web.requests == []


async def test_wrong_password(phone: SimulatedPhone) -> None:
    """A refused web login: its words, exit 4, exactly one attempt."""
    result = await cli(["action-urls", "show", phone.address], passcode=WRONG)
    assert result.code == 4
    assert "The phone said: wrong4" in result.err
    assert len(phone.web.calls("dologin")) == 1
    assert phone.failures == 1


async def test_account_not_allowed(phone: SimulatedPhone) -> None:
    """user is not allow on the web login."""
    phone.profile.web_denied_users = ["admin"]
    result = await cli(["action-urls", "show", phone.address, "--json"])
    assert result.code == 4
    assert result.json()["error"]["phone_said"] == "user is not allow"


async def test_locked(phone: SimulatedPhone) -> None:
    """A locked web login: exit 5 with the lock time; nothing else sent."""
    for _ in range(phone.profile.lockout_threshold):
        phone.count_login_failure()
    result = await cli(["action-urls", "show", phone.address])
    assert result.code == 5
    assert "The phone said: locked (lockTime " in result.err
    assert [r.function for r in phone.web.requests] == ["access", "dologin"]


async def test_set_and_clear_a_bare_address(phone: SimulatedPhone) -> None:
    """A URL ending in / (a listener's address): its slots are recognised as ours."""
    url = "http://127.0.0.1:8765/"
    assert (await set_urls(phone, url=url)).code == 0
    assert phone.profile.action_urls["incoming"].startswith(f"{url}?e=incoming")
    again = await set_urls(phone, "--json", url=url)
    assert again.json()["written"] == []
    cleared = await cli(["action-urls", "clear", phone.address, "--url", url])
    assert cleared.code == 0, cleared.text
    assert phone.profile.action_urls == {}
