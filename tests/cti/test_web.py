"""The web session client against the phone simulator, over real HTTP.

Firmware answers the simulator does not play (odd refusals, slow or
oversized answers) come from a small stub server, also over real HTTP.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
import hashlib
import json
import logging
import re
from typing import Any

import aiohttp
from aiohttp import web
import pytest
from yarl import URL

from custom_components.grandstream.cti import GrandstreamClient
from custom_components.grandstream.cti.errors import (
    GrandstreamAccountNotAllowedError,
    GrandstreamAuthenticationError,
    GrandstreamConnectionError,
    GrandstreamForbiddenError,
    GrandstreamLockedError,
    GrandstreamNotAuthorizedError,
    GrandstreamRejectedError,
    GrandstreamResponseError,
    GrandstreamSessionExpiredError,
    GrandstreamTimeoutError,
    GrandstreamWrongPasswordError,
)
from custom_components.grandstream.cti.web import GrandstreamWebSession
from custom_components.grandstream.cti.web_models import (
    WebLoginGeneration,
    WebRole,
    WebSessionInfo,
)
from simulator import PhoneProfile, SimulatedPhone

from ..helpers.phone import PASSCODE
from ..helpers.ports import free_port

USER_PASSWORD = "Us3r-Secret"
HOOK = "http://192.0.2.1:8123/api/webhook/abc?mac=$mac&remote=$remote"


def make_web(
    phone: SimulatedPhone,
    session: aiohttp.ClientSession,
    password: str = PASSCODE,
    **kwargs: Any,
) -> GrandstreamWebSession:
    """A web session for the simulated phone."""
    options: dict[str, Any] = {"request_timeout": 2.0, "use_ssl": phone.profile.https}
    options.update(kwargs)
    return GrandstreamWebSession(phone.address, password, session=session, **options)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def secrets_of(phone: SimulatedPhone) -> list[str]:
    """Every session id and password proof the phone has seen."""
    found = [s.sid for s in phone.web.sessions]
    for request in phone.web.requests:
        found += [request.params.get("sid", ""), request.params.get("password", "")]
        if request.function == "dologin" and request.status == 200:
            found.append(request.params.get("password", ""))
    return [secret for secret in found if secret]


# ---------------------------------------------------------------------------
# Login generations


@pytest.mark.parametrize("cookie_style", ["sid", "identity"])
async def test_current_generation(
    profile: PhoneProfile,
    phone: SimulatedPhone,
    session: aiohttp.ClientSession,
    cookie_style: str,
) -> None:
    """Hashed login, settings through config_get/config_update, cookies of both styles.

    The fixture's session uses aiohttp's default cookie jar, which drops the
    cookies of an IP host: the session works only because the client sends
    them itself.
    """
    profile.web_cookie_style = cookie_style
    profile.firmware = "1.0.3.35"
    web = make_web(phone, session)
    info = await web.login()
    assert info == WebSessionInfo(
        generation=WebLoginGeneration.CURRENT,
        username="admin",
        role=WebRole.ADMIN,
        raw_role="admin",
        mac="00:0b:82:12:34:56",
        firmware="1.0.3.35",
        default_auth=False,
    )
    assert web.info == info
    assert web.base_url == phone.base_url
    assert web.generation is WebLoginGeneration.CURRENT
    assert await web.get(["P8310", "1561", "phone_model"]) == {
        "P8310": "",
        "1561": "1",
        "phone_model": "GXP2170",
    }
    await web.put({"P8310": HOOK})
    assert profile.action_urls == {"incoming": HOOK}
    access, dologin = phone.web.calls("access")[0], phone.web.calls("dologin")[0]
    assert access.params["access"] == sha256("admin")
    assert dologin.params["username"] == "admin"
    assert re.fullmatch(r"[0-9a-f]{64}", dologin.params["password"])
    assert PASSCODE not in dologin.params["password"]
    assert [r.session_user for r in phone.web.calls("config_get")] == ["admin"]
    assert phone.web.calls("config_update")[0].session_user == "admin"
    assert len(session.cookie_jar) == 0


async def test_older_generation(
    profile: PhoneProfile, phone: SimulatedPhone, session: aiohttp.ClientSession
) -> None:
    """Plain login, api.values.*, and never a values request without a session."""
    profile.web_login = "older"
    web = make_web(phone, session)
    info = await web.login()
    assert info.generation is WebLoginGeneration.OLDER
    assert (info.role, info.mac, info.firmware) == (WebRole.UNKNOWN, None, None)
    assert await web.write_and_verify({"P8310": HOOK, "P1561": "0"}) == {
        "P8310": True,
        "P1561": True,
    }
    assert await web.get(["8310", "phone_model"]) == {
        "8310": HOOK,
        "phone_model": "GXP2170",
    }
    with pytest.raises(ValueError):
        await web.get([":dnd"])
    assert phone.web.calls("config_get") == []
    values_calls = phone.web.calls("api.values.get") + phone.web.calls(
        "api.values.post"
    )
    assert len(values_calls) == 3
    assert all(r.session_user == "admin" for r in values_calls)
    assert profile.click_to_dial is False


async def test_values_never_read_without_a_session(
    profile: PhoneProfile, phone: SimulatedPhone, session: aiohttp.ClientSession
) -> None:
    """CVE-2026-2329: api.values.get is never sent unauthenticated."""
    profile.web_login = "older"
    web = make_web(phone, session, generation=WebLoginGeneration.OLDER)
    with pytest.raises(GrandstreamSessionExpiredError):
        await web.get(["P8310"])
    with pytest.raises(GrandstreamSessionExpiredError):
        await web.put({"P8310": HOOK})
    await web.login()
    phone.web.expire_sessions()
    with pytest.raises(GrandstreamSessionExpiredError):
        await web.get(["P8310"])
    # The expired answer ended our session: the next call sends nothing.
    with pytest.raises(GrandstreamSessionExpiredError):
        await web.get(["P8310"])
    assert len(phone.web.calls("api.values.get")) == 1


@pytest.mark.parametrize("generation", ["current", "older"])
async def test_detection_sends_no_password(
    profile: PhoneProfile,
    phone: SimulatedPhone,
    session: aiohttp.ClientSession,
    generation: str,
) -> None:
    profile.web_login = generation
    web = make_web(phone, session)
    assert await web.detect_generation() == WebLoginGeneration(generation)
    assert [r.function for r in phone.web.requests] == ["access"]
    assert PASSCODE not in json.dumps([r.params for r in phone.web.requests])
    assert phone.failures == 0


@pytest.mark.usefixtures("socket_enabled")
async def test_https(profile: PhoneProfile) -> None:
    """Same-origin headers name the https origin; the certificate is self-signed."""
    profile.https = True
    async with SimulatedPhone(profile) as phone, aiohttp.ClientSession() as session:
        async with make_web(phone, session) as web:
            assert web.base_url.startswith("https://")
            assert await web.get(["1561"]) == {"1561": "1"}
        assert phone.web.calls("dologin")[0].headers["Origin"] == phone.base_url
        assert [e.reason for e in phone.web.ended] == ["logout"]


async def test_known_generation_skips_detection(
    profile: PhoneProfile, phone: SimulatedPhone, session: aiohttp.ClientSession
) -> None:
    profile.web_login = "older"
    await make_web(phone, session, generation=WebLoginGeneration.OLDER).login()
    assert [r.function for r in phone.web.requests] == ["dologin"]


async def test_wrong_generation_given_sends_no_password(
    profile: PhoneProfile, phone: SimulatedPhone, session: aiohttp.ClientSession
) -> None:
    """Told "current" by mistake, the client stops instead of trying encodings."""
    profile.web_login = "older"
    web = make_web(phone, session, generation=WebLoginGeneration.CURRENT)
    with pytest.raises(GrandstreamResponseError, match="access"):
        await web.login()
    assert phone.web.calls("dologin") == []


# ---------------------------------------------------------------------------
# Roles and read-back


@pytest.mark.parametrize("generation", ["current", "older"])
async def test_user_role_writes_caught_by_read_back(
    profile: PhoneProfile,
    phone: SimulatedPhone,
    session: aiohttp.ClientSession,
    generation: str,
) -> None:
    """The user role's ignored write answers success; the read-back tells."""
    profile.web_login = generation
    profile.user_password = USER_PASSWORD
    profile.web_user_writable = ["1561"]
    async with make_web(phone, session, USER_PASSWORD, username="user") as web:
        if generation == "current":
            assert web.info is not None
            assert web.info.role is WebRole.USER
        assert await web.write_and_verify({"P8310": HOOK, "P1561": "0"}) == {
            "P8310": False,
            "P1561": True,
        }
    assert profile.action_urls == {}
    async with make_web(phone, session) as web:
        assert await web.write_and_verify({"P8310": HOOK}) == {"P8310": True}
    assert profile.action_urls == {"incoming": HOOK}


async def test_cloud_managed_phone(
    profile: PhoneProfile, phone: SimulatedPhone, session: aiohttp.ClientSession
) -> None:
    profile.gdms_managed = True
    async with make_web(phone, session) as web:
        assert await web.write_and_verify({"P8310": HOOK, "P1561": "0"}) == {
            "P8310": False,
            "P1561": False,
        }


async def test_action_url_limit(
    profile: PhoneProfile, phone: SimulatedPhone, session: aiohttp.ClientSession
) -> None:
    """256 characters are kept; a longer URL is dropped and the old one stays."""
    longest = HOOK + "x" * (256 - len(HOOK))
    async with make_web(phone, session) as web:
        assert await web.write_and_verify({"P8310": longest}) == {"P8310": True}
        assert await web.write_and_verify({"P8310": longest + "y"}) == {"P8310": False}
        assert await web.get(["P8310"]) == {"P8310": longest}


async def test_missing_slot_and_named_keys(
    profile: PhoneProfile, phone: SimulatedPhone, session: aiohttp.ClientSession
) -> None:
    profile.web_missing_keys = ["22171"]
    phone.set_dnd(True)
    async with make_web(phone, session) as web:
        assert await web.write_and_verify({"P22171": HOOK}) == {"P22171": False}
        assert await web.get(
            ["P22171", "vendor_fullname", ":dnd", "AccountRegistered1", "P9999"]
        ) == {
            "P22171": "",
            "vendor_fullname": "Grandstream Networks, Inc.",
            ":dnd": "1",
            "AccountRegistered1": "1",
            "P9999": "",
        }


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda web: web.get(["P83,10"]), ValueError),
        (lambda web: web.get(["P8310&sid=x"]), ValueError),
        (lambda web: web.get("P8310"), TypeError),
        (lambda web: web.get([f"P{n}" for n in range(65)]), ValueError),
        (lambda web: web.put({":dnd": "1"}), ValueError),
        (lambda web: web.put({"P1561": 1}), TypeError),
    ],
)
async def test_bad_keys_send_nothing(
    phone: SimulatedPhone,
    session: aiohttp.ClientSession,
    call: Callable[[GrandstreamWebSession], Awaitable[Any]],
    error: type[Exception],
) -> None:
    async with make_web(phone, session) as web:
        sent = len(phone.web.requests)
        with pytest.raises(error):
            await call(web)
        assert len(phone.web.requests) == sent
        assert await web.get([]) == {}
        await web.put({})


def test_only_known_usernames(session: aiohttp.ClientSession) -> None:
    with pytest.raises(ValueError):
        GrandstreamWebSession("192.0.2.1", "x", session=session, username="root")


# ---------------------------------------------------------------------------
# Refusals: one attempt, never a retry


async def test_wrong_password_costs_one_attempt(
    phone: SimulatedPhone, session: aiohttp.ClientSession
) -> None:
    web = make_web(phone, session, "wrong-password")
    with pytest.raises(GrandstreamWrongPasswordError) as err:
        await web.login()
    assert err.value.attempts_left == 4
    assert "4 attempts left" in str(err.value)
    assert phone.failures == 1
    # The latch: neither login() nor the context manager sends it again.
    with pytest.raises(GrandstreamAuthenticationError):
        await web.login()
    with pytest.raises(GrandstreamAuthenticationError):
        async with web:
            pass
    assert len(phone.web.calls("dologin")) == 1
    assert phone.failures == 1
    assert not web.logged_in


async def test_lockout_shared_with_cti(
    profile: PhoneProfile, phone: SimulatedPhone, session: aiohttp.ClientSession
) -> None:
    """Wrong CTI passcodes and wrong web passwords lock the same account."""
    for _ in range(3):
        cti = GrandstreamClient(phone.address, "wrong", session=session)
        with pytest.raises(GrandstreamAuthenticationError):
            await cti.phone_status()
    with pytest.raises(GrandstreamWrongPasswordError) as wrong:
        await make_web(phone, session, "wrong").login()
    assert wrong.value.attempts_left == 1
    with pytest.raises(GrandstreamLockedError) as locked:
        await make_web(phone, session, "wrong").login()
    assert locked.value.lock_time is not None
    assert 0 < locked.value.lock_time <= profile.lockout_duration
    # Locked on both sides, the right password included.
    with pytest.raises(GrandstreamLockedError):
        await make_web(phone, session).login()
    with pytest.raises(GrandstreamLockedError):
        await GrandstreamClient(phone.address, PASSCODE, session=session).accounts()


async def test_account_not_allowed(
    profile: PhoneProfile, phone: SimulatedPhone, session: aiohttp.ClientSession
) -> None:
    profile.user_password = USER_PASSWORD
    profile.web_denied_users = ["user"]
    web = make_web(phone, session, USER_PASSWORD, username="user")
    with pytest.raises(GrandstreamAccountNotAllowedError):
        await web.login()
    with pytest.raises(GrandstreamAuthenticationError):
        await web.login()
    assert len(phone.web.calls("dologin")) == 1


async def test_same_origin_refusal(
    profile: PhoneProfile, phone: SimulatedPhone
) -> None:
    """A phone checking its own address refuses a client that used a host name."""
    profile.web_origin_check = "address"
    # The system resolver: the optional aiodns one may not match its pycares.
    connector = aiohttp.TCPConnector(resolver=aiohttp.ThreadedResolver())
    async with aiohttp.ClientSession(connector=connector) as by_name:
        web = GrandstreamWebSession(
            f"localhost:{phone.port}", PASSCODE, session=by_name
        )
        with pytest.raises(GrandstreamForbiddenError):
            await web.login()
    assert phone.failures == 0
    assert phone.web.calls("dologin") == []


async def test_same_origin_headers_and_content_length(
    phone: SimulatedPhone, session: aiohttp.ClientSession
) -> None:
    """Every POST and PUT carries Origin, Referer and Content-Length."""
    async with make_web(phone, session, refresh_after=0.0) as web:
        await web.write_and_verify({"P8310": HOOK})
    sent = [r for r in phone.web.requests if r.method != "GET"]
    assert {r.function for r in sent} == {
        "access",
        "dologin",
        "dorefresh",
        "config_update",
        "dologout",
    }
    for request in sent:
        assert request.status == 200
        assert request.headers["Origin"] == phone.base_url
        assert request.headers["Referer"] == phone.base_url + "/"
        assert request.headers["Content-Length"] == str(len(request.body.encode()))
    assert phone.web.sessions == []


# ---------------------------------------------------------------------------
# Sessions


async def test_our_login_ends_a_person_session(
    phone: SimulatedPhone, session: aiohttp.ClientSession
) -> None:
    """Visible in the simulator; the phone's answer says nothing about it."""
    phone.web.person_login("admin")
    web = make_web(phone, session)
    await web.login()
    assert not phone.web.person_logged_in("admin")
    assert [(e.holder, e.reason) for e in phone.web.ended] == [("person", "replaced")]
    # And the reverse: the person logs in again and ends ours.
    phone.web.person_login("admin")
    with pytest.raises(GrandstreamSessionExpiredError):
        await web.get(["P8310"])
    assert not web.logged_in
    assert web.info is None


@pytest.mark.parametrize("style", ["body", "http401"])
async def test_expired_session(
    profile: PhoneProfile,
    phone: SimulatedPhone,
    session: aiohttp.ClientSession,
    style: str,
) -> None:
    profile.web_expired_style = style
    web = make_web(phone, session)
    await web.login()
    phone.web.expire_sessions()
    with pytest.raises(GrandstreamSessionExpiredError):
        await web.put({"P8310": HOOK})
    assert profile.action_urls == {}
    await web.logout()  # nothing to end: no request
    assert phone.web.calls("dologout") == []
    # A password the phone accepted may log in again when the caller asks.
    await web.login()
    assert await web.write_and_verify({"P8310": HOOK}) == {"P8310": True}


async def test_refresh_keeps_the_session(
    profile: PhoneProfile, phone: SimulatedPhone, session: aiohttp.ClientSession
) -> None:
    now = [0.0]
    phone.web.clock = lambda: now[0]
    step = profile.web_session_timeout * 0.8
    async with make_web(phone, session, refresh_after=None) as web:
        now[0] += step
        await web.refresh()
        now[0] += step
        assert await web.get(["1561"]) == {"1561": "1"}
        now[0] += step
        with pytest.raises(GrandstreamSessionExpiredError):
            await web.get(["1561"])
        with pytest.raises(GrandstreamSessionExpiredError):
            await web.refresh()
    assert len(phone.web.calls("dorefresh")) == 1


async def test_refresh_when_due(
    phone: SimulatedPhone, session: aiohttp.ClientSession
) -> None:
    """With refresh_after reached, a request first sends dorefresh."""
    now = [0.0]
    phone.web.clock = lambda: now[0]
    async with make_web(phone, session, refresh_after=0.0) as web:
        now[0] += phone.profile.web_session_timeout * 0.8
        await web.get(["1561"])
        now[0] += phone.profile.web_session_timeout * 0.8
        await web.get(["1561"])
    functions = [r.function for r in phone.web.requests]
    assert functions[2:] == [
        "dorefresh",
        "config_get",
        "dorefresh",
        "config_get",
        "dologout",
    ]


async def test_login_twice_is_one_login(
    phone: SimulatedPhone, session: aiohttp.ClientSession
) -> None:
    web = make_web(phone, session)
    first = await web.login()
    assert await web.login() is first
    assert len(phone.web.calls("dologin")) == 1


# ---------------------------------------------------------------------------
# Logout


async def test_logout_at_context_exit(
    phone: SimulatedPhone, session: aiohttp.ClientSession
) -> None:
    async with make_web(phone, session) as web:
        assert web.logged_in
        assert len(phone.web.sessions) == 1
    assert not web.logged_in
    assert phone.web.sessions == []
    assert [e.reason for e in phone.web.ended] == ["logout"]


async def test_logout_after_an_error(
    phone: SimulatedPhone, session: aiohttp.ClientSession
) -> None:
    with pytest.raises(RuntimeError, match="boom"):
        async with make_web(phone, session):
            raise RuntimeError("boom")
    assert phone.web.sessions == []
    assert [e.reason for e in phone.web.ended] == ["logout"]


async def test_logout_after_cancellation(
    phone: SimulatedPhone, session: aiohttp.ClientSession
) -> None:
    inside = asyncio.Event()

    async def task() -> None:
        async with make_web(phone, session):
            inside.set()
            await asyncio.Event().wait()

    running = asyncio.create_task(task())
    await inside.wait()
    running.cancel()
    with pytest.raises(asyncio.CancelledError):
        await running
    assert phone.web.sessions == []
    assert [e.reason for e in phone.web.ended] == ["logout"]


async def test_logout_from_a_phone_that_is_gone(
    phone: SimulatedPhone, session: aiohttp.ClientSession
) -> None:
    web = make_web(phone, session)
    await web.login()
    await phone.stop()
    await web.logout()
    assert not web.logged_in


# ---------------------------------------------------------------------------
# Cookie jar


@pytest.mark.usefixtures("socket_enabled")
async def test_shared_cookie_jar_neither_needed_nor_polluted(
    profile: PhoneProfile, phone: SimulatedPhone
) -> None:
    """A jar that keeps IP cookies ends up without the phone's, even stale ones."""
    profile.web_cookie_style = "identity"
    jar = aiohttp.CookieJar(unsafe=True)
    url = URL(phone.base_url)
    jar.update_cookies({"session-identity": "stale", "session-role": "user"}, url)
    jar.update_cookies({"unrelated": "kept"}, URL("http://192.0.2.99/"))
    async with (
        aiohttp.ClientSession(cookie_jar=jar) as session,
        make_web(phone, session) as web,
    ):
        assert await web.write_and_verify({"P8310": HOOK}) == {"P8310": True}
        assert [m.key for m in jar] == ["unrelated"]
    assert [m.key for m in jar] == ["unrelated"]


# ---------------------------------------------------------------------------
# Secrets


async def test_no_secret_in_any_message(
    phone: SimulatedPhone,
    session: aiohttp.ClientSession,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Password, its hashes and the session id: not in reprs, errors or logs."""
    caplog.set_level(logging.DEBUG)
    shown: list[str] = []
    wrong = make_web(phone, session, "Wr0ng-Secret")
    with pytest.raises(GrandstreamWrongPasswordError) as refused:
        await wrong.login()
    shown += [str(refused.value), repr(refused.value), repr(wrong)]
    web = make_web(phone, session)
    info = await web.login()
    shown += [repr(web), repr(info), str(info)]
    # The answer log is public (captures, the integration's diagnostics): its
    # entries' reprs show status and content type, not bodies or cookies.
    logged = [*web.answer_log.answers(), *wrong.answer_log.answers()]
    assert {name for name, _ in logged} >= {"dologin"}  # the check below sees them
    shown += [repr(logged)]
    await phone.stop()
    for call in (web.get(["P8310"]), web.put({"P8310": HOOK}), web.refresh()):
        with pytest.raises(GrandstreamConnectionError) as gone:
            await call
        shown += [str(gone.value), repr(gone.value)]
    text = "\n".join([*shown, caplog.text])
    secrets = [PASSCODE, "Wr0ng-Secret", *secrets_of(phone)]
    assert len(secrets) >= 5
    for secret in secrets:
        assert secret not in text
    assert "config_get" in text


# ---------------------------------------------------------------------------
# Firmware answers the simulator does not play: a stub phone


class StubPhone:
    """Answers each function with what a test sets; everything else is sane."""

    def __init__(self) -> None:
        self.address = ""
        self.answers: dict[str, tuple[int, str]] = {
            "access": (200, '{"response":"success","body":"n0nce"}'),
            "dologin": (
                200,
                '{"response":"success","body":{"sid":"' + "f" * 64 + '"}}',
            ),
            "config_get": (200, '{"configs":[]}'),
            "config_update": (200, '{"response":"success"}'),
            "api.values.post": (
                200,
                '{"response":"success","body":{"status":"right"}}',
            ),
            "dologout": (200, '{"response":"success"}'),
        }
        self.stalled: set[str] = set()
        self.seen: list[str] = []
        self._release = asyncio.Event()

    async def handle(self, request: web.Request) -> web.StreamResponse:
        function = request.match_info["function"]
        self.seen.append(function)
        if function in self.stalled:
            await self._release.wait()
        status, text = self.answers.get(function, (404, "<html>404</html>"))
        # {password} and {sid} echo what was sent; {SID} echoes it upper case.
        sent = {**request.query, **(await request.post())}
        for name in ("password", "sid"):
            value = str(sent.get(name, ""))
            text = text.replace(f"{{{name}}}", value)
            text = text.replace(f"{{{name.upper()}}}", value.upper())
        return web.Response(status=status, text=text)

    def release(self) -> None:
        self._release.set()


@pytest.fixture
async def stub(socket_enabled: None) -> AsyncIterator[StubPhone]:
    stub_phone = StubPhone()
    app = web.Application()
    app.router.add_route("*", "/cgi-bin/{function}", stub_phone.handle)
    runner = web.AppRunner(app, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    stub_phone.address = f"127.0.0.1:{runner.addresses[0][1]}"
    try:
        yield stub_phone
    finally:
        stub_phone.release()
        await runner.cleanup()


def stub_web(
    stub: StubPhone, session: aiohttp.ClientSession, **kwargs: Any
) -> GrandstreamWebSession:
    options: dict[str, Any] = {"request_timeout": 2.0, **kwargs}
    return GrandstreamWebSession(stub.address, PASSCODE, session=session, **options)


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        (
            (200, '{"response":"error","body":"something new"}'),
            GrandstreamNotAuthorizedError,
        ),
        ((401, "<html>401</html>"), GrandstreamNotAuthorizedError),
        ((200, '{"response":"error","body":"wrong"}'), GrandstreamWrongPasswordError),
        (
            (200, '{"response":"error","body":"locked","lockTime":"7"}'),
            GrandstreamLockedError,
        ),
    ],
)
async def test_login_refusals_latch(
    stub: StubPhone,
    session: aiohttp.ClientSession,
    answer: tuple[int, str],
    error: type[Exception],
) -> None:
    """Any refusal of the password stops it from being sent again."""
    stub.answers["dologin"] = answer
    web = stub_web(stub, session)
    with pytest.raises(error) as raised:
        await web.login()
    if isinstance(raised.value, GrandstreamWrongPasswordError):
        assert raised.value.attempts_left is None
    if isinstance(raised.value, GrandstreamLockedError):
        assert raised.value.lock_time == 7
    with pytest.raises(GrandstreamAuthenticationError):
        await web.login()
    assert stub.seen.count("dologin") == 1


@pytest.mark.parametrize(
    ("function", "answer", "error"),
    [
        (
            "dologin",
            (200, '{"response":"success","body":{"role":"admin"}}'),
            GrandstreamResponseError,
        ),
        ("dologin", (500, "<html>500</html>"), GrandstreamResponseError),
        ("access", (200, '{"response":"success","body":""}'), GrandstreamResponseError),
        ("access", (200, "<html>login</html>"), GrandstreamResponseError),
        (
            "access",
            (200, '{"response":"error","body":"locked","lockTime":3}'),
            GrandstreamLockedError,
        ),
        (
            "access",
            (200, '{"response":"error","body":"busy"}'),
            GrandstreamRejectedError,
        ),
        ("access", (411, "<html>411</html>"), GrandstreamResponseError),
        ("access", (200, '["n0nce"]'), GrandstreamResponseError),
    ],
)
async def test_login_failures_that_are_not_refusals(
    stub: StubPhone,
    session: aiohttp.ClientSession,
    function: str,
    answer: tuple[int, str],
    error: type[Exception],
) -> None:
    """Garbage is an error, never a reason to try another encoding."""
    stub.answers[function] = answer
    with pytest.raises(error):
        await stub_web(stub, session).login()
    assert stub.seen.count("dologin") <= 1


async def test_config_get_variants(
    stub: StubPhone, session: aiohttp.ClientSession
) -> None:
    stub.answers["config_get"] = (
        200,
        (
            '{"response":"success","body":{"configs":[{"pvalue":"8310","value":null},'
            '{"pvalue":1561,"value":"1"}]}}'
        ),
    )
    async with stub_web(stub, session) as web:
        assert await web.get(["P8310", "1561"]) == {"P8310": "", "1561": "1"}
        stub.answers["config_get"] = (
            200,
            '{"response":"success","body":"unauthorized"}',
        )
        with pytest.raises(GrandstreamSessionExpiredError):
            await web.get(["1561"])


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        ((200, '{"configs":"none"}'), GrandstreamResponseError),
        ((200, '{"configs":[{"value":"1"}]}'), GrandstreamResponseError),
        ((200, '{"configs":["x"]}'), GrandstreamResponseError),
        ((200, '{"response":"error","body":"nope"}'), GrandstreamRejectedError),
        ((200, "x" * 70_000), GrandstreamResponseError),
        ((403, "<html>403</html>"), GrandstreamForbiddenError),
        ((200, "not json"), GrandstreamResponseError),
    ],
)
async def test_bad_settings_answers(
    stub: StubPhone,
    session: aiohttp.ClientSession,
    answer: tuple[int, str],
    error: type[Exception],
) -> None:
    stub.answers["config_get"] = answer
    async with stub_web(stub, session) as web:
        with pytest.raises(error):
            await web.get(["1561"])


@pytest.mark.parametrize(
    ("generation", "function", "answer"),
    [
        ("current", "config_update", (200, '{"configs":[]}')),
        ("current", "config_update", (200, '{"response":"error","body":"denied"}')),
        (
            "older",
            "api.values.post",
            (200, '{"response":"success","body":{"status":"wrong"}}'),
        ),
    ],
)
async def test_refused_writes(
    stub: StubPhone,
    session: aiohttp.ClientSession,
    generation: str,
    function: str,
    answer: tuple[int, str],
) -> None:
    stub.answers[function] = answer
    async with stub_web(
        stub, session, generation=WebLoginGeneration(generation)
    ) as web:
        with pytest.raises(GrandstreamResponseError):
            await web.put({"P8310": HOOK})


async def test_echoed_secrets_are_hidden(
    stub: StubPhone, session: aiohttp.ClientSession
) -> None:
    """A refusal quoting the password or session id, in any case, is redacted."""
    stub.answers["dologin"] = (
        200,
        '{"response":"error","body":"bad {password} / {password}"}',
    )
    web = stub_web(stub, session, generation=WebLoginGeneration.OLDER)
    with pytest.raises(GrandstreamNotAuthorizedError) as refused:
        await web.login()
    assert str(refused.value) == "The phone refused the login: bad *** / ***"
    stub.answers["dologin"] = (
        200,
        '{"response":"success","body":{"sid":"AB' + "c" * 30 + '"}}',
    )
    stub.answers["config_get"] = (200, '{"response":"error","body":"{SID} unknown"}')
    async with stub_web(stub, session) as web:
        with pytest.raises(GrandstreamRejectedError) as rejected:
            await web.get(["1561"])
    assert str(rejected.value).endswith("refused: *** unknown")


async def test_timeout(stub: StubPhone, session: aiohttp.ClientSession) -> None:
    stub.stalled.add("access")
    with pytest.raises(GrandstreamTimeoutError):
        await stub_web(stub, session, request_timeout=0.1).login()


async def test_logout_never_raises(
    stub: StubPhone, session: aiohttp.ClientSession
) -> None:
    """A stalled or failing logout ends the session on our side regardless."""
    web = stub_web(stub, session, request_timeout=0.1)
    await web.login()
    stub.stalled.add("dologout")
    await web.logout()
    assert not web.logged_in
    stub.stalled.clear()
    stub.answers["dologout"] = (500, "<html>500</html>")
    await web.login()
    await web.logout()
    assert stub.seen.count("dologout") == 2


@pytest.mark.usefixtures("socket_enabled")
async def test_unreachable(session: aiohttp.ClientSession) -> None:
    web = GrandstreamWebSession(f"127.0.0.1:{free_port()}", PASSCODE, session=session)
    with pytest.raises(GrandstreamConnectionError) as err:
        await web.login()
    assert PASSCODE not in str(err.value)
