"""``probe``: what the phone tells without the passcode, then one request set with it.

The phone's own request log is the witness: without a passcode not one CTI request;
with one, exactly phone status, lines, accounts in that order; for a wrong one,
exactly one request, and the phone's words in the output.
"""

from __future__ import annotations

from aiohttp import web
import pytest

from devtools.processes import free_port
from simulator import PhoneProfile, SimulatedPhone

from ..helpers.cli import WRONG, cli
from ..helpers.phone import PASSCODE, fast_profile

AUTHENTICATED = ["api-get_phone_status", "api-get_line_status", "api-get_accounts"]


def cti_functions(phone: SimulatedPhone) -> list[str]:
    return [request.function for request in phone.requests]


async def test_without_passcode(phone: SimulatedPhone) -> None:
    """Schemes and login generation, and not one request that could lock the phone."""
    result = await cli(["probe", phone.address], passcode=None)
    assert result.code == 0, result.text
    assert f"HTTP  port {phone.port}: answers (HTTP 404" in result.out
    assert f"HTTPS port {phone.port}:" in result.out
    assert "plain HTTP, the passcode crosses the network in clear text" in result.out
    assert "Web login: current generation" in result.out
    assert "No passcode given" in result.out
    assert phone.requests == []
    assert phone.web.calls("dologin") == []
    assert phone.failures == 0


async def test_no_passcode_flag_wins_over_the_environment(
    phone: SimulatedPhone,
) -> None:
    """--no-passcode: the environment's passcode is not even read."""
    result = await cli(["probe", phone.address, "--no-passcode"])
    assert result.code == 0
    assert phone.requests == []


async def test_prompt_enter_skips(phone: SimulatedPhone) -> None:
    """In a terminal probe asks; Enter means without a passcode."""
    prompts: list[str] = []

    def secret(prompt: str) -> str:
        prompts.append(prompt)
        return ""

    result = await cli(
        ["probe", phone.address], passcode=None, interactive=True, secret=secret
    )
    assert result.code == 0
    assert prompts == ["Phone passcode (web password) (Enter to skip): "]
    assert phone.requests == []


@pytest.mark.parametrize(
    ("preset", "lines", "numbering", "accounts"),
    [
        ("guide", 4, "not shown yet", 1),
        ("wp826", 4, "0-based", 1),
        ("wp826-3line", 3, "0-based", 1),
        ("gxp21xx", 8, "1-based: idle lines report acct 1", 2),
    ],
)
async def test_with_passcode_every_profile(
    socket_enabled: None, preset: str, lines: int, numbering: str, accounts: int
) -> None:
    """One request set, and what it means: lines, numbering, registration."""
    profile = PhoneProfile.preset(preset, passcode=PASSCODE, key_interval=0.02)
    async with SimulatedPhone(profile) as phone:
        result = await cli(["probe", phone.address])
        assert result.code == 0, result.text
        assert cti_functions(phone) == AUTHENTICATED
    assert f"Lines: {lines}" in result.out
    assert f"Account numbering: {numbering}" in result.out
    assert f"Accounts: {accounts}" in result.out
    assert "account 1 Office: 1001@pbx.example.test, registered" in result.out
    assert "Phone: available: at least one account is registered" in result.out
    assert "add --web" in result.out


async def test_numbering_from_a_call(phone: SimulatedPhone) -> None:
    """The guide's phone shows its base only on a line in a call."""
    phone.incoming_call("+4930123456", "Erika", account=1)
    result = await cli(["probe", phone.address, "--json"])
    data = result.json()
    assert data["account_numbering"]["base"] == 1
    assert data["account_numbering"]["meaning"].startswith("probably 1-based")
    assert data["lines"][0]["state"] == "ringing"
    assert data["lines"][0]["account"] == 1


@pytest.mark.parametrize("web_login", ["current", "older"])
async def test_web_identity(socket_enabled: None, web_login: str) -> None:
    """--web: model, firmware and MAC from one login, which ends with a logout."""
    profile = PhoneProfile.preset(
        "wp826", passcode=PASSCODE, web_login=web_login, web_cookie_style="identity"
    )
    async with SimulatedPhone(profile) as phone:
        result = await cli(["probe", phone.address, "--web"])
        assert result.code == 0, result.text
        assert len(phone.web.calls("dologin")) == 1
        assert phone.web.sessions == []
        assert [e.reason for e in phone.web.ended] == ["logout"]
    assert "Model: WP826" in result.out
    if web_login == "current":
        assert "Web login: current generation" in result.out
        assert "Firmware: 1.0.3.35" in result.out
        assert "MAC: 00:0b:82:12:34:56" in result.out
    else:
        assert "Web login: older generation" in result.out
        assert "Firmware: not told" in result.out


async def test_web_says_whose_password_it_tries(phone: SimulatedPhone) -> None:
    """CTI cannot tell an admin from a user passcode: --help and the output say
    that --web logs in as admin unless told, and what that costs."""
    helped = await cli(["probe", "--help"], passcode=None)
    assert "--username user" in " ".join(helped.out.split())
    assert "wrong admin password" in " ".join(helped.out.split())
    captured = await cli(["capture", "--help"], passcode=None)
    assert "--username user" in " ".join(captured.out.split())
    result = await cli(["probe", phone.address, "--web"])
    assert result.code == 0, result.text
    assert "one login as admin" in result.out
    assert "counts as one wrong admin password" in result.out
    as_user = await cli(["probe", phone.address, "--web", "--username", "user"])
    assert "wrong admin password" not in as_user.out
    data = (await cli(["probe", phone.address, "--web", "--json"])).json()
    assert data["web_username"] == "admin"


async def test_web_factory_password_warning(socket_enabled: None) -> None:
    """A phone still on its factory password is told so."""
    profile = PhoneProfile.preset("wp826", passcode="admin")
    async with SimulatedPhone(profile) as phone:
        result = await cli(
            ["probe", phone.address, "--web", "--json"], passcode="admin", secrets=()
        )
    data = result.json()
    assert data["default_password"] is True
    assert data["model"] == "WP826"
    assert data["web_role"] == "admin"


async def test_web_refused_after_cti(phone: SimulatedPhone) -> None:
    """The web account refuses: its words, exit 4, one login."""
    phone.profile.web_denied_users = ["admin"]
    result = await cli(["probe", phone.address, "--web"])
    assert result.code == 4
    assert "The phone said: user is not allow" in result.out
    assert len(phone.web.calls("dologin")) == 1


@pytest.mark.parametrize("profile", [fast_profile(https=True)])
async def test_https(phone: SimulatedPhone) -> None:
    """HTTPS answers: it is used, and said to be encrypted."""
    result = await cli(["probe", phone.address])
    assert result.code == 0, result.text
    assert (
        f"Using https://127.0.0.1:{phone.port}: the passcode travels encrypted"
        in result.out
    )
    assert cti_functions(phone) == AUTHENTICATED


@pytest.mark.parametrize("profile", [fast_profile(extra_https_port=True)])
async def test_both_schemes_on_their_ports(phone: SimulatedPhone) -> None:
    """HTTP on one port, HTTPS on another: both answer, HTTPS is used."""
    result = await cli(
        ["probe", phone.address, "--https-port", str(phone.https_port), "--json"]
    )
    data = result.json()
    assert data["schemes"]["https"]["answered"] is True
    assert data["schemes"]["http"]["answered"] is True
    assert data["using"] == f"https://127.0.0.1:{phone.https_port}"
    assert data["authenticated"] is True


async def test_forced_scheme(phone: SimulatedPhone) -> None:
    """http:// typed: HTTPS is not tried."""
    result = await cli(["probe", f"http://{phone.address}/", "--json"])
    data = result.json()
    assert list(data["schemes"]) == ["http"]
    assert data["ok"] is True


async def test_unreachable(socket_enabled: None) -> None:
    """Nothing listens: exit 3, and it says so."""
    result = await cli(["probe", f"127.0.0.1:{free_port()}", "--timeout", "2"])
    assert result.code == 3
    assert "Nothing answers" in result.out


# -- refusals: the phone's words, every cause, exactly one request ---------------------


@pytest.mark.parametrize(
    "style", ["body", "success", "http401", "text", "text_upper", "html"]
)
async def test_wrong_passcode_unauthorized_shapes(
    phone: SimulatedPhone, style: str
) -> None:
    """Every shape of "unauthorized": one request, exit 4, every cause named."""
    phone.profile.unauthorized_style = style
    result = await cli(["probe", phone.address], passcode=WRONG)
    assert result.code == 4
    assert len(phone.requests) == 1
    assert phone.failures == 1
    assert "The phone said: unauthorized" in result.out
    assert "The passcode may be wrong" in result.out
    assert "Remote Control Pop up Window Support" in result.out
    assert "Model" not in result.out


async def test_popup_window_with_the_right_passcode(phone: SimulatedPhone) -> None:
    """The pop-up setting refuses the right passcode: the cause is named."""
    phone.profile.popup_window_enabled = True
    result = await cli(["probe", phone.address, "--json"])
    assert result.code == 4
    data = result.json()
    assert data["authenticated"] is False
    assert data["refusal"]["phone_said"] == "unauthorized"
    assert any("Pop up Window" in cause for cause in data["refusal"]["causes"])
    assert len(phone.requests) == 1


async def test_locked(phone: SimulatedPhone) -> None:
    """Locked with lockTime: exit 5, the lock time, one request."""
    phone.profile.wrong_passcode_style = "countdown"
    for _ in range(phone.profile.lockout_threshold):
        phone.count_login_failure()
    result = await cli(["probe", phone.address, "--json"])
    assert result.code == 5
    data = result.json()
    assert data["refusal"]["phone_said"].startswith("locked (lockTime ")
    assert data["refusal"]["lock_time"] > 0
    assert len(phone.requests) == 1


@pytest.mark.parametrize(
    ("setting", "passcode", "code", "shown", "witness"),
    [
        # wrongN: the attempts left, in the phone's words; sent once.
        (
            ("wrong_passcode_style", "countdown"),
            WRONG,
            4,
            ["The phone said: wrong4", "4 attempts left"],
            ("requests", 1),
        ),
        # user is not allow: exit 4 and what to do.
        (
            ("account_not_allowed", True),
            PASSCODE,
            4,
            [
                "The phone said: user is not allow",
                "may not use the phone's remote or web interface",
            ],
            ("requests", 1),
        ),
        # HTTP 403: refused before the passcode was judged; the settings named.
        (
            ("cti_enabled", False),
            PASSCODE,
            6,
            ["The phone said: HTTP 403", "Action URI Support", "Allowed IP"],
            ("failures", 0),
        ),
    ],
    ids=["wrong_countdown", "account_not_allowed", "forbidden"],
)
async def test_refusal_in_the_phones_words(
    phone: SimulatedPhone,
    *,
    setting: tuple[str, object],
    passcode: str,
    code: int,
    shown: list[str],
    witness: tuple[str, int],
) -> None:
    """The exit code, what the phone said and what to do; one attempt at most."""
    setattr(phone.profile, *setting)
    result = await cli(["probe", phone.address], passcode=passcode)
    assert result.code == code
    for text in shown:
        assert text in result.out
    counted, expected = witness
    assert {"requests": len(phone.requests), "failures": phone.failures}[
        counted
    ] == expected


# -- what only a scripted phone plays ------------------------------------------------


async def scripted_phone(access: web.Response) -> web.AppRunner:
    """A phone whose start page has a title and whose access answers ``access``."""
    cti: list[str] = []

    async def start_page(_: web.Request) -> web.Response:
        return web.Response(
            text="<html><head><title> GXP2170 \n Login </title></head></html>",
            content_type="text/html",
            # A terminal control sequence (C1 CSI: newer aiohttp refuses to
            # send C0 controls in a header, a phone's server need not).
            headers={"Server": "lighttpd\x9b2J"},
        )

    async def access_answer(_: web.Request) -> web.Response:
        return access

    bodies = {
        "api-get_phone_status": "available",
        "api-get_line_status": [{"line": 1, "state": "idle", "acct": ""}],
        "api-get_accounts": [],
    }

    async def cti_answer(request: web.Request) -> web.Response:
        function = request.match_info["function"]
        cti.append(function)
        return web.json_response({"response": "success", "body": bodies[function]})

    app = web.Application()
    app["cti"] = cti
    app.router.add_get("/", start_page)
    app.router.add_post("/cgi-bin/access", access_answer)
    app.router.add_get("/cgi-bin/{function}", cti_answer)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    return runner


async def test_web_login_locked_keeps_the_passcode(socket_enabled: None) -> None:
    """access says locked: the passcode is not sent at all; exit 5; title and server told."""
    runner = await scripted_phone(
        web.json_response({"response": "error", "body": "locked", "lockTime": 42})
    )
    try:
        port = runner.addresses[0][1]
        result = await cli(["probe", f"127.0.0.1:{port}"])
        assert runner.app["cti"] == []
    finally:
        await runner.cleanup()
    assert result.code == 5
    assert (
        "Web login: LOCKED after too many wrong passwords (lockTime 42)" in result.out
    )
    assert "The passcode was not sent: the phone is locked." in result.out
    assert "server 'lighttpd\\\\x9b2J'" in result.out
    assert "page 'GXP2170 Login'" in result.out


async def test_web_login_generation_unknown(socket_enabled: None) -> None:
    """access answers garbage: said, and the CTI part goes on."""
    runner = await scripted_phone(web.Response(status=500, text="oops"))
    try:
        port = runner.addresses[0][1]
        result = await cli(["probe", f"127.0.0.1:{port}", "--json"])
    finally:
        await runner.cleanup()
    data = result.json()
    assert data["web_login"] is None
    assert data["phone_status"]["state"] == "available"
    assert data["registered"] is False
    assert result.code == 0
