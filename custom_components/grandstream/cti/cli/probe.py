"""``probe``: what a phone tells, first without the passcode, then with it once.

Without a passcode: which schemes answer (an unauthenticated ``GET /``), what
the answer says (server, page title), and the web login generation (whether
``/cgi-bin/access`` exists; only the username's hash is sent). With a
passcode: one request set, phone status then lines then accounts, sent one
at a time so that a wrong passcode costs exactly one request; a refusal is
explained with every cause known and the passcode is not sent again.
``--web`` then logs in to the web interface with the accepted passcode for
model, firmware and MAC, as ``--username`` (admin unless told): CTI accepts
the user account's password too and does not say whose it was, so a user
passcode costs one admin attempt there (said in the help and the output).
"""

from __future__ import annotations

import asyncio
from dataclasses import asdict, dataclass
import re
from typing import Any

from aiohttp import (
    ClientConnectorCertificateError,
    ClientConnectorError,
    ClientError,
    ClientSession,
    ClientSSLError,
)
from yarl import URL

from .. import (
    GrandstreamAuthenticationError,
    GrandstreamError,
    GrandstreamLockedError,
    LineState,
    LineStatus,
    PhoneState,
    PhoneStatus,
    WebLoginGeneration,
    build_base_url,
    redact_text,
)
from .calls import account_data, account_text, line_data, line_text, status_data
from .codes import ExitCode, error_data, exit_code_for
from .connect import make_client, make_web
from .context import Run
from .terminal import Terminal, safe

_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_READ_BYTES = 4096
_DEFAULT_PORTS = {"https": 443, "http": 80}


@dataclass
class SchemeAnswer:
    """How one scheme answered an unauthenticated ``GET /``."""

    scheme: str
    port: int
    answered: bool
    status: int | None = None
    server: str | None = None
    title: str | None = None
    error: str | None = None
    # False: not asked (the port already answered the other scheme).
    tried: bool = True


async def _try_scheme(
    session: ClientSession, host: str, scheme: str, port: int, limit: float
) -> SchemeAnswer:
    url = URL.build(scheme=scheme, host=host, port=port, path="/")
    try:
        async with asyncio.timeout(limit):
            async with session.get(url, ssl=False, allow_redirects=False) as response:
                raw = await response.content.read(_READ_BYTES)
                status = response.status
                server = response.headers.get("Server")
    except TimeoutError:
        return SchemeAnswer(scheme, port, answered=False, error="no answer")
    except (ClientSSLError, ClientConnectorCertificateError):
        return SchemeAnswer(scheme, port, answered=False, error="no TLS on this port")
    except ClientConnectorError as err:
        reason = err.os_error.strerror or type(err.os_error).__name__
        return SchemeAnswer(
            scheme, port, answered=False, error=f"cannot connect ({reason})"
        )
    except (ClientError, OSError) as err:
        return SchemeAnswer(scheme, port, answered=False, error=type(err).__name__)
    title_match = _TITLE.search(raw.decode("utf-8", errors="replace"))
    title = " ".join(title_match.group(1).split()) if title_match else None
    return SchemeAnswer(
        scheme,
        port,
        answered=True,
        status=status,
        server=safe(server, 120) if server else None,
        title=safe(title, 120) if title else None,
    )


def account_numbering(lines: list[LineStatus]) -> tuple[int | None, str]:
    """Whether the phone counts ``acct`` from 0 or 1, and why we think so."""
    reported = [(line, line.reported_account) for line in lines]
    numbers = [number for _, number in reported if number is not None]
    if 0 in numbers:
        return 0, (
            "0-based: the phone reports acct 0 for its first account (acct N is "
            "account N+1), as a WP826 does"
        )
    if any(n is not None and line.state is LineState.IDLE for line, n in reported):
        return 1, (
            "1-based: idle lines report acct 1 for the first account, as a GXP21xx does"
        )
    if numbers:
        return 1, (
            "probably 1-based: only lines in a call report an account (a phone "
            "counting from 0 would show 0 for its first account)"
        )
    return None, (
        "not shown yet: idle lines report no account, as in the CTI guides; a line "
        "in a call shows it"
    )


def _phone_meaning(status: PhoneStatus) -> str:
    return {
        PhoneState.AVAILABLE: "available: at least one account is registered",
        PhoneState.UNAVAILABLE: "unavailable: no account is registered",
        PhoneState.RINGING: "ringing",
        PhoneState.BUSY: "busy: a call is up",
    }.get(status.state, f"{safe(status.raw_state, 40)} (a state we do not know)")


class _Report:
    """Collects the probe's findings as text lines and as JSON."""

    def __init__(self, terminal: Terminal, as_json: bool) -> None:
        self.terminal = terminal
        self.as_json = as_json
        self.data: dict[str, Any] = {}

    def line(self, text: str) -> None:
        if not self.as_json:
            self.terminal.out(text)

    def refusal(self, what: str, err: GrandstreamError, passcode: str) -> ExitCode:
        """Report ``err`` under ``what`` as ``--json`` reports any error; its code."""
        code = exit_code_for(err)
        message = safe(redact_text(str(err), passcode), 500)
        said = self.data[what] = error_data(err, code, message)["error"]
        self.line(f"  REFUSED: {message}")
        if words := said["phone_said"]:
            self.line(f"  The phone said: {words}")
        for cause in said["causes"]:
            self.line(f"    - {cause}")
        return code


async def probe(current: Run) -> ExitCode:
    """Tell what the phone tells; see the module's docstring."""
    args = current.args
    report = _Report(current.terminal, current.json)
    typed = build_base_url(current.address.host, use_ssl=False)
    address = typed.host or ""
    typed_port = typed.explicit_port
    host_text = f"[{address}]" if ":" in address else address
    report.data["host"] = current.address.host
    report.line(f"Probing {safe(current.address.host, 120)}")

    schemes: tuple[str, ...] = ("https", "http")
    if current.address.use_ssl is not None:
        schemes = ("https",) if current.address.use_ssl else ("http",)
    answers: dict[str, SchemeAnswer] = {}
    limit = min(args.timeout, 5.0)
    for scheme in schemes:
        override = args.https_port if scheme == "https" else args.http_port
        port = override or typed_port or _DEFAULT_PORTS[scheme]
        https = answers.get("https")
        if https is not None and https.answered and https.port == port:
            # One port speaks one protocol: plain HTTP to a TLS port is only noise.
            answers[scheme] = SchemeAnswer(scheme, port, answered=False, tried=False)
            report.line(
                f"  {scheme.upper():5} port {port}: not tried (it answers HTTPS)"
            )
            continue
        answer = await _try_scheme(current.session, address, scheme, port, limit)
        answers[scheme] = answer
        if answer.answered:
            said = ", ".join(
                part
                for part in (
                    f"HTTP {answer.status}",
                    f"server {answer.server!r}" if answer.server else "",
                    f"page {answer.title!r}" if answer.title else "",
                )
                if part
            )
            report.line(f"  {scheme.upper():5} port {port}: answers ({said})")
        else:
            report.line(f"  {scheme.upper():5} port {port}: {answer.error}")
    report.data["schemes"] = {name: asdict(answer) for name, answer in answers.items()}
    chosen = next((a for a in answers.values() if a.answered), None)
    if chosen is None:
        report.data["ok"] = False
        report.data["exit_code"] = int(ExitCode.UNREACHABLE)
        report.line(
            "Nothing answers: check the address, the port and that the phone is on."
        )
        if current.json:
            current.terminal.json(report.data)
        return ExitCode.UNREACHABLE
    use_ssl = chosen.scheme == "https"
    host = f"{host_text}:{chosen.port}"
    report.data["using"] = f"{chosen.scheme}://{host}"
    if use_ssl:
        report.line(f"Using {chosen.scheme}://{host}: the passcode travels encrypted.")
    else:
        report.line(
            f"Using {chosen.scheme}://{host}: plain HTTP, the passcode crosses the "
            "network in clear text with every request."
        )

    locked = await _web_generation(current, report, host, use_ssl)
    code = ExitCode.OK
    if locked:
        # A passcode sent now is refused whatever it is, and may prolong the lock.
        code = ExitCode.LOCKED
        report.data["authenticated"] = None
        if current.passcode is not None:
            report.line("The passcode was not sent: the phone is locked.")
    elif current.passcode is None:
        report.data["authenticated"] = None
        report.line(
            "No passcode given: nothing more without one (give --passcode-file, "
            "GRANDSTREAM_PASSCODE or type it when asked)."
        )
    else:
        code = await _authenticated(current, report, host, use_ssl)
    report.data["ok"] = code is ExitCode.OK
    report.data["exit_code"] = int(code)
    if current.json:
        current.terminal.json(report.data)
    return code


async def _web_generation(
    current: Run, report: _Report, host: str, use_ssl: bool
) -> bool:
    """Report the web login generation; True if the phone says it is locked."""
    web = make_web(host, use_ssl, "", current.session, current.args)
    try:
        generation = await web.detect_generation()
    except GrandstreamLockedError as err:
        report.data["web_login"] = None
        report.data["web_login_locked"] = err.lock_time
        report.line(
            "  Web login: LOCKED after too many wrong passwords"
            + ("" if err.lock_time is None else f" (lockTime {err.lock_time})")
            + ": wait before sending any passcode."
        )
        return True
    except GrandstreamError as err:
        report.data["web_login"] = None
        report.line(f"  Web login: could not tell ({safe(str(err), 200)})")
        return False
    report.data["web_login"] = generation.value
    if generation is WebLoginGeneration.CURRENT:
        report.line("  Web login: current generation (access + hashed password)")
    else:
        report.line(
            "  Web login: older generation (plain password, no /cgi-bin/access)"
        )
    return False


async def _authenticated(
    current: Run, report: _Report, host: str, use_ssl: bool
) -> ExitCode:
    passcode = current.need_passcode()
    client = make_client(host, use_ssl, passcode, current.session, current.args)
    report.line("With the passcode (phone status, lines, accounts; one at a time):")
    try:
        # The first request alone proves the passcode: a refusal ends here.
        status = await client.phone_status()
        lines = await client.line_status()
        accounts = await client.accounts()
    except GrandstreamError as err:
        # False: refused; None: the phone never judged the passcode.
        report.data["authenticated"] = (
            False if isinstance(err, GrandstreamAuthenticationError) else None
        )
        return report.refusal("refusal", err, passcode)
    report.data["authenticated"] = True
    report.data["phone_status"] = status_data(status)
    report.data["lines"] = [line_data(line) for line in lines]
    report.data["accounts"] = [account_data(a) for a in accounts]
    base, meaning = account_numbering(lines)
    report.data["account_numbering"] = {"base": base, "meaning": meaning}
    report.data["registered"] = any(a.registered for a in accounts)
    report.line(f"  Phone: {_phone_meaning(status)}")
    report.line(f"  Accounts: {len(accounts)}")
    for account in accounts:
        report.line(f"    {account_text(account)}")
    report.line(f"  Lines: {len(lines)}")
    for line in lines:
        report.line(f"    {line_text(line)}")
    report.line(f"  Account numbering: {meaning}")
    if not current.args.web:
        report.data["model"] = None
        report.line(
            "  Model, firmware, MAC: not told over CTI; add --web to read them "
            "through the web interface (one login with this passcode)."
        )
        return ExitCode.OK
    return await _web_identity(current, report, host, use_ssl, passcode)


async def _web_identity(
    current: Run,
    report: _Report,
    host: str,
    use_ssl: bool,
    passcode: str,
) -> ExitCode:
    web = make_web(host, use_ssl, passcode, current.session, current.args)
    username = current.args.username
    report.line(f"Web interface (one login as {username}, then logout):")
    report.data["web_username"] = username
    if username == "admin":
        # Nothing over CTI tells whose password was accepted.
        report.line(
            "  (CTI accepted this passcode, but it accepts the user account's too: if "
            "it is the user's, this login counts as one wrong admin password. "
            "--username user logs in as user.)"
        )
    try:
        async with web:
            info = web.info
            values = await web.get(["phone_model"])
    except GrandstreamError as err:
        return report.refusal("web_refusal", err, passcode)
    model = safe(values.get("phone_model", ""), 40).strip() or None
    firmware = info.firmware if info else None
    mac = info.mac if info else None
    report.data |= {
        "model": model,
        "firmware": firmware,
        "mac": mac,
        "web_role": info.role.value if info else None,
        "default_password": info.default_auth if info else None,
    }
    report.line(f"  Model: {model or 'not told'}")
    report.line(f"  Firmware: {safe(firmware, 40) if firmware else 'not told'}")
    report.line(f"  MAC: {mac or 'not told'}")
    if info is not None and info.default_auth:
        report.line(
            f"  WARNING: the {username} account still has its factory password: "
            "change it on the phone's web page."
        )
    return ExitCode.OK
