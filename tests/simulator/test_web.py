"""The simulator's web session API, over real HTTP on 127.0.0.1."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
import hashlib
from http.cookies import Morsel
import json
import re
from typing import Any

import aiohttp
import pytest

from simulator import PhoneProfile, SimulatedPhone
from simulator.__main__ import build_ctl_parser, ctl_request
from simulator.models import SimulatorError
from simulator.web import ACTION_URL_PVALUES

pytestmark = pytest.mark.enable_socket

PASSWORD = "Adm1n-Secret"
USER_PASSWORD = "Us3r-Secret"
SID_RE = re.compile(r"[0-9a-f]{64}")


@pytest.fixture
def profile() -> PhoneProfile:
    return PhoneProfile(
        passcode=PASSWORD,
        user_password=USER_PASSWORD,
        key_interval=0.02,
        reboot_duration=0.3,
        lockout_duration=5.0,
    )


@pytest.fixture
async def phone(profile: PhoneProfile) -> AsyncIterator[SimulatedPhone]:
    async with SimulatedPhone(profile) as sim:
        yield sim


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    # No cookie jar: every test states the cookies it sends.
    async with aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(force_close=True),
        cookie_jar=aiohttp.DummyCookieJar(),
    ) as client:
        yield client


@dataclass
class Answer:
    status: int
    text: str
    content_type: str
    cookies: dict[str, Morsel[str]]

    @property
    def json(self) -> Any:
        return json.loads(self.text)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def same_origin(phone: SimulatedPhone) -> dict[str, str]:
    return {"Origin": phone.base_url, "Referer": phone.base_url + "/"}


def session_cookies(
    phone: SimulatedPhone, sid: str, role: str = "admin"
) -> dict[str, str]:
    if phone.profile.web_cookie_style == "sid":
        return {"sid": sid}
    return {"session-identity": sid, "session-role": role}


async def call(
    http: aiohttp.ClientSession,
    phone: SimulatedPhone,
    method: str,
    function: str,
    *,
    form: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
    json_body: Any = None,
    headers: dict[str, str] | None = None,
    cookies: dict[str, str] | None = None,
) -> Answer:
    sent = dict(same_origin(phone) if headers is None else headers)
    if cookies:
        sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    async with http.request(
        method,
        f"{phone.base_url}/cgi-bin/{function}",
        params=query,
        data=form if json_body is None else None,
        json=json_body,
        headers=sent,
    ) as response:
        return Answer(
            response.status,
            await response.text(),
            response.content_type,
            dict(response.cookies),
        )


async def login(
    http: aiohttp.ClientSession,
    phone: SimulatedPhone,
    username: str = "admin",
    password: str = PASSWORD,
) -> Answer:
    proof = password
    if phone.profile.web_login == "current":
        access = await call(
            http, phone, "POST", "access", form={"access": sha256(username)}
        )
        assert access.status == 200
        proof = sha256(password + access.json["body"])
    return await call(
        http, phone, "POST", "dologin", form={"username": username, "password": proof}
    )


async def logged_in(
    http: aiohttp.ClientSession,
    phone: SimulatedPhone,
    username: str = "admin",
    password: str = PASSWORD,
) -> tuple[str, dict[str, str]]:
    """Log in; return the sid and the cookies that carry the session."""
    answer = await login(http, phone, username, password)
    assert answer.json["response"] == "success", answer.text
    sid = answer.json["body"]["sid"]
    return sid, session_cookies(phone, sid, username)


async def config_get(
    http: aiohttp.ClientSession,
    phone: SimulatedPhone,
    sid: str,
    cookies: dict[str, str],
    keys: str,
) -> Answer:
    return await call(
        http,
        phone,
        "GET",
        "config_get",
        query={"pvalues": keys, "sid": sid},
        cookies=cookies,
    )


async def config_update(
    http: aiohttp.ClientSession,
    phone: SimulatedPhone,
    sid: str,
    cookies: dict[str, str],
    values: dict[str, str],
) -> Answer:
    return await call(
        http,
        phone,
        "PUT",
        "config_update",
        query={"sid": sid},
        json_body={"alias": {}, "pvalue": values},
        cookies=cookies,
    )


def values_of(answer: Answer) -> dict[str, str]:
    return {entry["pvalue"]: entry["value"] for entry in answer.json["configs"]}


EXPIRED = {"response": "error", "body": {"status": "session-expired"}}


# ---------------------------------------------------------------------------
# Login


async def test_current_login_answer(
    phone: SimulatedPhone, http: aiohttp.ClientSession
) -> None:
    """access hands out a nonce; dologin wants sha256(password + nonce)."""
    phone.profile.mac = "000b82abcdef"
    access = await call(http, phone, "POST", "access", form={"access": sha256("admin")})
    assert access.json["response"] == "success"
    nonce = access.json["body"]
    answer = await call(
        http,
        phone,
        "POST",
        "dologin",
        form={"username": "admin", "password": sha256(PASSWORD + nonce)},
    )
    body = answer.json["body"]
    assert SID_RE.fullmatch(body.pop("sid"))
    assert body == {
        "role": "admin",
        "ver": phone.profile.firmware,
        "mac": "00:0B:82:AB:CD:EF",
        "defaultAuth": False,
    }
    cookie = answer.cookies["sid"]
    assert cookie["path"] == "/"
    assert [(s.username, s.holder) for s in phone.web.sessions] == [("admin", "client")]
    assert phone.web.calls("dologin")[0].session_user == "admin"


async def test_plain_password_refused_on_current_firmware(
    phone: SimulatedPhone, http: aiohttp.ClientSession
) -> None:
    """The right password sent in plain text is a wrong answer to the nonce."""
    await call(http, phone, "POST", "access", form={"access": sha256("admin")})
    answer = await call(
        http, phone, "POST", "dologin", form={"username": "admin", "password": PASSWORD}
    )
    assert answer.json == {"response": "error", "body": "wrong4"}
    assert phone.failures == 1


async def test_nonce_is_used_once(
    phone: SimulatedPhone, http: aiohttp.ClientSession
) -> None:
    access = await call(http, phone, "POST", "access", form={"access": sha256("admin")})
    proof = sha256(PASSWORD + access.json["body"])
    form = {"username": "admin", "password": proof}
    first = await call(http, phone, "POST", "dologin", form=form)
    again = await call(http, phone, "POST", "dologin", form=form)
    assert first.json["response"] == "success"
    assert again.json == {"response": "error", "body": "wrong4"}


async def test_access_wants_a_username_hash(
    phone: SimulatedPhone, http: aiohttp.ClientSession
) -> None:
    answer = await call(http, phone, "POST", "access", form={"access": "admin"})
    assert answer.json == {"response": "error", "body": "invalid"}
    assert phone.failures == 0


@pytest.mark.parametrize(
    ("username", "password", "default"),
    [("admin", "admin", True), ("user", "123", True), ("user", USER_PASSWORD, False)],
)
async def test_roles_and_default_passwords(
    phone: SimulatedPhone,
    http: aiohttp.ClientSession,
    username: str,
    password: str,
    default: bool,
) -> None:
    phone.profile.passcode = "admin" if default else PASSWORD
    phone.profile.user_password = password
    answer = await login(http, phone, username, password)
    assert answer.json["body"]["role"] == username
    assert answer.json["body"]["defaultAuth"] is default


async def test_identity_cookie_style(
    profile: PhoneProfile, phone: SimulatedPhone, http: aiohttp.ClientSession
) -> None:
    """GXP2170 style: session-identity and session-role, HttpOnly under /cgi-bin."""
    profile.web_cookie_style = "identity"
    answer = await login(http, phone)
    sid = answer.json["body"]["sid"]
    identity, role = answer.cookies["session-identity"], answer.cookies["session-role"]
    assert (identity.value, role.value) == (sid, "admin")
    assert identity["path"] == role["path"] == "/cgi-bin"
    assert identity["httponly"] is True
    assert "sid" not in answer.cookies
    cookies = session_cookies(phone, sid)
    assert (await config_get(http, phone, sid, cookies, "1561")).status == 200
    assert (await config_get(http, phone, sid, {"sid": sid}, "1561")).json == EXPIRED
    wrong_role = {"session-identity": sid, "session-role": "user"}
    assert (await config_get(http, phone, sid, wrong_role, "1561")).json == EXPIRED


@pytest.mark.parametrize("missing", ["cookie", "parameter", "both"])
async def test_session_needs_cookie_and_sid_parameter(
    phone: SimulatedPhone, http: aiohttp.ClientSession, missing: str
) -> None:
    sid, cookies = await logged_in(http, phone)
    query = {"pvalues": "1561"}
    if missing in ("cookie", "both"):
        cookies = {}
    if missing not in ("parameter", "both"):
        query["sid"] = sid
    answer = await call(http, phone, "GET", "config_get", query=query, cookies=cookies)
    assert answer.json == EXPIRED
    assert phone.web.calls("config_get")[-1].session_user is None
    good = await config_get(http, phone, sid, session_cookies(phone, sid), "1561")
    assert values_of(good) == {"1561": "1"}


async def test_older_generation(
    profile: PhoneProfile, phone: SimulatedPhone, http: aiohttp.ClientSession
) -> None:
    """No access, a plain password, only a sid back, api.values.* for settings."""
    profile.web_login = "older"
    access = await call(http, phone, "POST", "access", form={"access": sha256("admin")})
    assert access.status == 404
    answer = await call(
        http, phone, "POST", "dologin", form={"username": "admin", "password": PASSWORD}
    )
    assert list(answer.json["body"]) == ["sid"]
    sid = answer.json["body"]["sid"]
    cookies = session_cookies(phone, sid)
    assert (await config_get(http, phone, sid, cookies, "1561")).status == 404
    posted = await call(
        http,
        phone,
        "POST",
        "api.values.post",
        form={"P8310": "http://ha.test/hook", "P1561": "0", "sid": sid},
        cookies=cookies,
    )
    assert posted.json == {"response": "success", "body": {"status": "right"}}
    read = await call(
        http,
        phone,
        "POST",
        "api.values.get",
        form={"request": "P8310:P1561:P9999", "sid": sid},
        cookies=cookies,
    )
    assert read.json == {
        "response": "success",
        "body": {"P8310": "http://ha.test/hook", "P1561": "0", "P9999": ""},
    }
    assert profile.action_urls == {"incoming": "http://ha.test/hook"}
    assert profile.click_to_dial is False


async def test_values_get_needs_a_session(
    profile: PhoneProfile, phone: SimulatedPhone, http: aiohttp.ClientSession
) -> None:
    """The simulator plays fixed firmware: no settings without a session."""
    profile.web_login = "older"
    answer = await call(
        http, phone, "POST", "api.values.get", form={"request": "P8310"}
    )
    assert answer.json == EXPIRED


# ---------------------------------------------------------------------------
# HTTP rules


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Origin": "ORIGIN"},
        {"Referer": "ORIGIN/"},
        {"Origin": "http://evil.test", "Referer": "ORIGIN/"},
        {"Origin": "ORIGIN", "Referer": "http://evil.test/"},
    ],
    ids=["none", "origin-only", "referer-only", "foreign-origin", "foreign-referer"],
)
async def test_same_origin_check(
    phone: SimulatedPhone, http: aiohttp.ClientSession, headers: dict[str, str]
) -> None:
    """Every POST without same-origin Origin and Referer gets a bare HTML 403."""
    headers = {k: v.replace("ORIGIN", phone.base_url) for k, v in headers.items()}
    access = await call(
        http, phone, "POST", "access", form={"access": sha256("admin")}, headers=headers
    )
    login_answer = await call(
        http,
        phone,
        "POST",
        "dologin",
        form={"username": "admin", "password": PASSWORD},
        headers=headers,
    )
    for answer in (access, login_answer):
        assert answer.status == 403
        assert answer.content_type == "text/html"
        assert answer.text.startswith("<html>")
    # Refused before the password was looked at.
    assert phone.failures == 0
    assert phone.web.sessions == []


@pytest.mark.parametrize(("check", "status"), [("host", 200), ("address", 403)])
async def test_origin_compared_with_host_or_address(
    profile: PhoneProfile,
    phone: SimulatedPhone,
    http: aiohttp.ClientSession,
    check: str,
    status: int,
) -> None:
    """Reached by a host name, a phone checking its own address refuses."""
    profile.web_origin_check = check
    headers = {
        "Host": f"phone.lan:{phone.port}",
        "Origin": f"http://phone.lan:{phone.port}",
        "Referer": f"http://phone.lan:{phone.port}/",
    }
    answer = await call(
        http, phone, "POST", "access", form={"access": sha256("admin")}, headers=headers
    )
    assert answer.status == status


async def raw_post(phone: SimulatedPhone, function: str, extra: str) -> str:
    """POST with hand-written headers (aiohttp always adds Content-Length)."""
    reader, writer = await asyncio.open_connection(phone.host, phone.port)
    try:
        writer.write(
            (
                f"POST /cgi-bin/{function} HTTP/1.1\r\n"
                f"Host: {phone.address}\r\n"
                f"Origin: {phone.base_url}\r\n"
                f"Referer: {phone.base_url}/\r\n"
                f"{extra}Connection: close\r\n\r\n"
            ).encode()
        )
        await writer.drain()
        return (await reader.read()).decode()
    finally:
        writer.close()
        await writer.wait_closed()


async def test_empty_post_needs_content_length(phone: SimulatedPhone) -> None:
    without = await raw_post(phone, "dologout", "")
    assert without.startswith("HTTP/1.1 411")
    with_length = await raw_post(phone, "dologout", "Content-Length: 0\r\n")
    assert with_length.startswith("HTTP/1.1 200")


async def test_methods(phone: SimulatedPhone, http: aiohttp.ClientSession) -> None:
    """config_update is PUT only (a POST answers 501); GET dologin is refused."""
    sid, cookies = await logged_in(http, phone)
    post = await call(
        http,
        phone,
        "POST",
        "config_update",
        query={"sid": sid},
        json_body={"alias": {}, "pvalue": {"1561": "0"}},
        cookies=cookies,
    )
    assert post.status == 501
    assert (await call(http, phone, "GET", "dologin")).status == 405
    assert (await call(http, phone, "POST", "api.values.get")).status == 404
    assert phone.profile.click_to_dial is True


# ---------------------------------------------------------------------------
# Settings


async def test_config_get(phone: SimulatedPhone, http: aiohttp.ClientSession) -> None:
    phone.set_dnd(True)
    phone.profile.action_urls = {"terminated": "http://ha.test/end"}
    sid, cookies = await logged_in(http, phone)
    answer = await config_get(
        http,
        phone,
        sid,
        cookies,
        "P8314,1561,phone_model,vendor_fullname,AccountRegistered1,:dnd,9999",
    )
    assert answer.json["configs"][0] == {
        "alias": "action_url.terminated",
        "pvalue": "8314",
        "value": "http://ha.test/end",
    }
    assert values_of(answer) == {
        "8314": "http://ha.test/end",
        "1561": "1",
        "phone_model": "GXP2170",
        "vendor_fullname": "Grandstream Networks, Inc.",
        "AccountRegistered1": "1",
        ":dnd": "1",
        "9999": "",
    }
    assert answer.json["configs"][-1] == {"alias": "", "pvalue": "9999", "value": ""}


async def test_admin_writes_and_user_writes_ignored(
    profile: PhoneProfile, phone: SimulatedPhone, http: aiohttp.ClientSession
) -> None:
    """The user role's writes of admin-only settings answer success, change nothing."""
    profile.web_user_writable = ["1561"]
    sid, cookies = await logged_in(http, phone, "user", USER_PASSWORD)
    answer = await config_update(
        http, phone, sid, cookies, {"8310": "http://ha.test/ring", "1561": "0"}
    )
    assert answer.json == {"response": "success"}
    assert profile.action_urls == {}
    assert profile.click_to_dial is False  # the one setting "user" may change
    sid, cookies = await logged_in(http, phone)
    await config_update(http, phone, sid, cookies, {"8310": "http://ha.test/ring"})
    assert profile.action_urls == {"incoming": "http://ha.test/ring"}


async def test_cloud_managed_phone_ignores_writes(
    profile: PhoneProfile, phone: SimulatedPhone, http: aiohttp.ClientSession
) -> None:
    profile.gdms_managed = True
    sid, cookies = await logged_in(http, phone)
    answer = await config_update(
        http, phone, sid, cookies, {"8310": "http://ha.test/ring", "1561": "0"}
    )
    assert answer.json == {"response": "success"}
    assert values_of(await config_get(http, phone, sid, cookies, "8310,1561")) == {
        "8310": "",
        "1561": "1",
    }


async def test_missing_slot(
    profile: PhoneProfile, phone: SimulatedPhone, http: aiohttp.ClientSession
) -> None:
    """A slot the model lacks reads empty with an empty alias and keeps nothing."""
    profile.web_missing_keys = ["22171"]
    sid, cookies = await logged_in(http, phone)
    await config_update(http, phone, sid, cookies, {"22171": "http://ha.test/a"})
    answer = await config_get(http, phone, sid, cookies, "22171")
    assert answer.json["configs"] == [{"alias": "", "pvalue": "22171", "value": ""}]
    assert "answered" not in profile.action_urls
    assert "P22171" not in phone.web.slots()
    assert "P8310" in phone.web.slots()


async def test_action_url_store_limit(
    profile: PhoneProfile, phone: SimulatedPhone, http: aiohttp.ClientSession
) -> None:
    """256 characters are kept; a longer write is dropped, the old value stays."""
    kept = "http://ha.test/" + "a" * (256 - len("http://ha.test/"))
    sid, cookies = await logged_in(http, phone)
    await config_update(http, phone, sid, cookies, {"8310": kept})
    answer = await config_update(http, phone, sid, cookies, {"8310": kept + "b"})
    assert answer.json == {"response": "success"}
    assert values_of(await config_get(http, phone, sid, cookies, "8310")) == {
        "8310": kept
    }
    assert phone.store_action_url("incoming", "") is True
    assert "incoming" not in profile.action_urls
    with pytest.raises(SimulatorError):
        phone.store_action_url("nonsense", "http://ha.test/")


def test_every_documented_slot_has_an_event() -> None:
    from simulator.models import EVENTS

    assert set(ACTION_URL_PVALUES.values()) <= set(EVENTS)
    assert len(set(ACTION_URL_PVALUES.values())) == len(ACTION_URL_PVALUES)
    assert {"8304", "8310", "8314", "8325", "8329", "22171"} <= set(ACTION_URL_PVALUES)


async def test_written_settings_drive_the_phone(
    phone: SimulatedPhone, http: aiohttp.ClientSession
) -> None:
    """A written slot is where the next push goes; P1561 is click-to-dial."""
    sid, cookies = await logged_in(http, phone)
    await config_update(
        http, phone, sid, cookies, {"8310": "http://127.0.0.1:9/ring?n=$remote"}
    )
    phone.incoming_call("555")
    await phone.wait_pushes()
    assert [(p.event, p.url) for p in phone.pushes] == [
        ("incoming", "http://127.0.0.1:9/ring?n=555")
    ]
    await config_update(http, phone, sid, cookies, {"1561": "0"})
    assert phone.make_call("123") is None
    await config_update(http, phone, sid, cookies, {"1561": "1"})
    phone.remote_hangup()
    assert phone.make_call("123") is not None


# ---------------------------------------------------------------------------
# Sessions


async def test_expiry_and_refresh(
    profile: PhoneProfile, phone: SimulatedPhone, http: aiohttp.ClientSession
) -> None:
    now = [1000.0]
    phone.web.clock = lambda: now[0]
    sid, cookies = await logged_in(http, phone)
    now[0] += profile.web_session_timeout - 1
    refreshed = await call(
        http, phone, "POST", "dorefresh", form={"sid": sid}, cookies=cookies
    )
    assert refreshed.json["response"] == "success"
    now[0] += profile.web_session_timeout - 1
    assert (await config_get(http, phone, sid, cookies, "1561")).status == 200
    now[0] += 2
    assert (await config_get(http, phone, sid, cookies, "1561")).json == EXPIRED
    assert [(e.holder, e.reason) for e in phone.web.ended] == [("client", "expired")]
    again = await call(
        http, phone, "POST", "dorefresh", form={"sid": sid}, cookies=cookies
    )
    assert again.json == EXPIRED


async def test_expiry_as_http_401(
    profile: PhoneProfile, phone: SimulatedPhone, http: aiohttp.ClientSession
) -> None:
    profile.web_expired_style = "http401"
    sid, cookies = await logged_in(http, phone)
    assert phone.web.expire_sessions() == 1
    assert (await config_get(http, phone, sid, cookies, "1561")).status == 401


async def test_logout(phone: SimulatedPhone, http: aiohttp.ClientSession) -> None:
    sid, cookies = await logged_in(http, phone)
    # Without the cookie the phone cannot tell it is us: nothing ends.
    await call(http, phone, "POST", "dologout", form={"sid": sid})
    assert len(phone.web.sessions) == 1
    answer = await call(
        http, phone, "POST", "dologout", form={"sid": sid}, cookies=cookies
    )
    assert answer.json["response"] == "success"
    assert phone.web.sessions == []
    assert [(e.holder, e.reason) for e in phone.web.ended] == [("client", "logout")]
    assert (await config_get(http, phone, sid, cookies, "1561")).json == EXPIRED


async def test_one_session_per_account(
    phone: SimulatedPhone, http: aiohttp.ClientSession
) -> None:
    first, first_cookies = await logged_in(http, phone)
    user_sid, user_cookies = await logged_in(http, phone, "user", USER_PASSWORD)
    second, second_cookies = await logged_in(http, phone)
    assert (await config_get(http, phone, first, first_cookies, "1561")).json == EXPIRED
    assert (await config_get(http, phone, second, second_cookies, "1561")).status == 200
    assert (await config_get(http, phone, user_sid, user_cookies, "1561")).status == 200
    assert [(e.username, e.reason) for e in phone.web.ended] == [("admin", "replaced")]


async def test_several_sessions_where_allowed(
    profile: PhoneProfile, phone: SimulatedPhone, http: aiohttp.ClientSession
) -> None:
    profile.web_one_session_per_account = False
    first, first_cookies = await logged_in(http, phone)
    await logged_in(http, phone)
    assert (await config_get(http, phone, first, first_cookies, "1561")).status == 200
    assert len(phone.web.sessions) == 2


async def test_a_person_in_the_web_ui(
    phone: SimulatedPhone, http: aiohttp.ClientSession
) -> None:
    """Our login ends a person's session, and theirs ends ours."""
    phone.web.person_login("admin")
    assert phone.web.person_logged_in("admin")
    sid, cookies = await logged_in(http, phone)
    assert not phone.web.person_logged_in("admin")
    assert [(e.holder, e.reason) for e in phone.web.ended] == [("person", "replaced")]
    phone.web.person_login("admin")
    assert (await config_get(http, phone, sid, cookies, "1561")).json == EXPIRED
    assert phone.web.ended[-1].holder == "client"
    assert phone.web.person_logout("admin") is True
    assert phone.web.person_logout("admin") is False
    with pytest.raises(ValueError):
        phone.web.person_login("root")


async def test_a_person_session_does_not_expire(
    phone: SimulatedPhone, http: aiohttp.ClientSession
) -> None:
    now = [0.0]
    phone.web.clock = lambda: now[0]
    phone.web.person_login("admin")
    now[0] += 10 * phone.profile.web_session_timeout
    assert phone.web.person_logged_in("admin")


async def test_reboot_ends_sessions(
    phone: SimulatedPhone, http: aiohttp.ClientSession
) -> None:
    sid, cookies = await logged_in(http, phone)
    await phone.reboot()
    await phone.wait_online()
    assert (await config_get(http, phone, sid, cookies, "1561")).json == EXPIRED
    assert [e.reason for e in phone.web.ended] == ["reboot"]


# ---------------------------------------------------------------------------
# Failures and the shared lockout


async def test_lockout_shared_with_cti(
    phone: SimulatedPhone, http: aiohttp.ClientSession
) -> None:
    """Wrong web passwords and wrong CTI passcodes count towards one lockout."""
    answers = [(await login(http, phone, password="wrong")).json for _ in range(2)]
    assert answers == [
        {"response": "error", "body": "wrong4"},
        {"response": "error", "body": "wrong3"},
    ]
    async with http.get(
        f"{phone.base_url}/cgi-bin/api-get_phone_status", params={"passcode": "nope"}
    ) as response:
        assert json.loads(await response.text())["body"] == "unauthorized"
    assert (await login(http, phone, password="wrong")).json["body"] == "wrong1"
    locked = (await login(http, phone, password="wrong")).json
    assert locked["body"] == "locked"
    assert 0 < locked["lockTime"] <= phone.profile.lockout_duration
    assert phone.locked
    # The right password changes nothing while the lock lasts, on both sides.
    assert (await login(http, phone)).json["body"] == "locked"
    async with http.get(
        f"{phone.base_url}/cgi-bin/api-get_phone_status", params={"passcode": PASSWORD}
    ) as response:
        assert json.loads(await response.text())["body"] == "locked"


async def test_right_password_resets_the_count(
    phone: SimulatedPhone, http: aiohttp.ClientSession
) -> None:
    await login(http, phone, password="wrong")
    await logged_in(http, phone)
    assert phone.failures == 0
    assert (await login(http, phone, password="wrong")).json["body"] == "wrong4"


async def test_unknown_username_is_a_wrong_password(
    phone: SimulatedPhone, http: aiohttp.ClientSession
) -> None:
    answer = await login(http, phone, username="root")
    assert answer.json == {"response": "error", "body": "wrong4"}


async def test_account_without_web_access(
    profile: PhoneProfile, phone: SimulatedPhone, http: aiohttp.ClientSession
) -> None:
    profile.web_denied_users = ["user"]
    answer = await login(http, phone, "user", USER_PASSWORD)
    assert answer.json == {"response": "error", "body": "user is not allow"}
    assert phone.failures == 0
    assert phone.web.sessions == []
    wrong = await login(http, phone, "user", "wrong")
    assert wrong.json["body"] == "wrong4"
    await logged_in(http, phone)


# ---------------------------------------------------------------------------
# Control API, ctl, profile


async def test_control_api(
    profile: PhoneProfile, phone: SimulatedPhone, http: aiohttp.ClientSession
) -> None:
    """Sessions and slots are visible; no password, hash or session id is."""

    async def control(name: str, data: dict[str, Any] | None = None) -> Any:
        url = f"{phone.base_url}/_sim/{name}"
        request = http.get(url) if data is None else http.post(url, json=data)
        async with request as response:
            assert response.status == 200, await response.text()
            return await response.json()

    await control("web_login", {"username": "admin"})
    sid, _ = await logged_in(http, phone)
    await control("profile", {"web_missing_keys": ["22171"], "user_password": "x1"})
    assert profile.user_password == "x1"
    state = await control("web")
    assert state["sessions"][0]["holder"] == "client"
    assert state["ended"] == [
        {"username": "admin", "holder": "person", "reason": "replaced"}
    ]
    assert "P22171" not in state["slots"]
    assert state["slots"]["P8310"] == ""
    logged = await control("web_requests")
    everything = json.dumps([state, logged, await control("state")])
    for secret in (sid, PASSWORD, USER_PASSWORD, "x1", sha256("admin")):
        assert secret not in everything
    login_entry = next(e for e in logged if e["function"] == "dologin")
    assert login_entry["params"]["password"] == "***"
    assert login_entry["origin"] == phone.base_url
    assert await control("web_expire", {}) == {"expired": 1}
    await control("web_login", {"username": "user"})
    await control("web_logout", {"username": "user"})
    assert not phone.web.person_logged_in("user")


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["web"], ("GET", "/_sim/web", None)),
        (["web-requests"], ("GET", "/_sim/web_requests", None)),
        (["web-login"], ("POST", "/_sim/web_login", {"username": "admin"})),
        (
            ["web-logout", "--username", "user"],
            ("POST", "/_sim/web_logout", {"username": "user"}),
        ),
        (["web-expire"], ("POST", "/_sim/web_expire", {})),
    ],
)
def test_ctl_web_commands(argv: list[str], expected: tuple[Any, ...]) -> None:
    assert ctl_request(build_ctl_parser().parse_args(argv)) == expected


@pytest.mark.parametrize(
    "changes",
    [
        {"web_login": "ancient"},
        {"web_cookie_style": "jar"},
        {"web_expired_style": "html"},
        {"web_origin_check": "none"},
        {"web_session_timeout": 0.0},
        {"web_denied_users": ["root"]},
        {"web_user_writable": ["P8310"]},
        {"web_missing_keys": "22171"},
    ],
)
def test_profile_rejects_impossible_web_settings(changes: dict[str, Any]) -> None:
    profile = PhoneProfile()
    with pytest.raises(ValueError):
        profile.update(changes)
    assert profile.web_login == "current"


def test_profile_hides_the_user_password() -> None:
    profile = PhoneProfile(user_password="Us3r-Secret")
    assert "Us3r-Secret" not in repr(profile)
    assert "user_password" not in profile.summary()
    assert profile.summary()["web_missing_keys"] == []
