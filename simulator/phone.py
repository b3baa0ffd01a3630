"""A simulated Grandstream desk phone speaking the CTI HTTP interface.

The behaviour follows docs/phone-protocol.md, including the
quirks real phones show (HTTP 200 for auth errors, keys pressed one per
second, reboots that drop the connection, raw Action URLs).  Everything runs
on one asyncio loop, so state changes need no locks.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
import itertools
import json
import logging
import math
import re
import ssl
import time
from types import TracebackType
from typing import Any, Final, Self

from aiohttp import web

from .actionurl import fill_template, send_raw_get
from .control import add_control_routes
from .models import Fault, LoggedRequest, PressedKey, SentPush, SimEvent, SimulatorError
from .profile import OPERATION_SUCCESS_BODIES, PhoneProfile, SimAccount
from .tls import make_server_context
from .web import SimulatedWebInterface, add_web_routes

_LOGGER = logging.getLogger(__name__)

CTI_FUNCTIONS: Final[frozenset[str]] = frozenset(
    {
        "api-get_line_status",
        "api-get_phone_status",
        "api-get_accounts",
        "api-make_call",
        "api-phone_operation",
        "api-send_key",
        "api-sys_operation",
    }
)

# What the phone reads out rather than does.
READ_FUNCTIONS: Final[frozenset[str]] = frozenset(
    {"api-get_line_status", "api-get_phone_status", "api-get_accounts"}
)

# Line states in which the phone has the call "in hand" (off hook).
BUSY_STATES: Final[frozenset[str]] = frozenset(
    {"dialing", "calling", "connected", "onhold"}
)

_FIXED_KEYS: Final[frozenset[str]] = frozenset(
    {
        *"0123456789",
        "STAR",
        # The pound key is "#" itself, "%23" in the URL (phone-protocol.md §6).
        # POUND only where profile.accepts_pound_key says so.
        "#",
        "ONHOOK",
        "OFFHOOK",
        "OK",
        "LOCK",
        "UNLOCK",
        "UP",
        "DOWN",
        "LEFT",
        "RIGHT",
        "SEND",
        "SOFT1",
        "SOFT2",
        "SOFT3",
        "SOFT4",
        "MUTE",
        "VUP",
        "VDOWN",
        "SPEAKER",
        "HOLD",
        "CONF",
        "TRANSFER",
        "HEADSET",
    }
)
_NUMBERED_KEY_RE: Final = re.compile(r"(MPK|LINE)([1-9][0-9]?)")
# Dialable strings: digits, */#, a leading +, and SIP-URI-ish characters.
# Spaces or an empty number make the phone answer "Invalid Request".
_NUMBER_RE: Final = re.compile(r"\+?[0-9A-Za-z*#._@-]{1,64}")

_HTML_LOGIN: Final = (
    "<!DOCTYPE html><html><head><title>Grandstream Device Configuration</title>"
    '</head><body><form method="post" action="/cgi-bin/dologin">'
    '<input type="password" name="password"><input type="submit" value="Login">'
    "</form></body></html>"
)
_HTML_FORBIDDEN: Final = (
    "<html><head><title>403 Forbidden</title></head>"
    "<body><h1>Forbidden</h1></body></html>"
)
_HTML_UNAUTHORIZED: Final = (
    "<html><head><title>Unauthorized</title></head><body>Unauthorized</body></html>"
)
_HTML_500: Final = (
    "<html><head><title>500 Internal Server Error</title></head>"
    "<body><h1>Internal Server Error</h1></body></html>"
)


@dataclass
class SimLine:
    """State of one line key on the phone."""

    number: int
    state: str = "idle"
    account: int = 0  # 1-based account id, 0 while idle
    remote_number: str = ""
    remote_name: str = ""
    call_id: int | None = None
    direction: str = ""  # "incoming" / "outgoing"
    connected_at: float | None = None

    def clear(self) -> None:
        """Return the line to idle, forgetting the call."""
        self.state = "idle"
        self.account = 0
        self.remote_number = ""
        self.remote_name = ""
        self.call_id = None
        self.direction = ""
        self.connected_at = None


class SimulatedPhone:
    """One simulated phone with its own HTTP(S) server."""

    def __init__(self, profile: PhoneProfile | None = None) -> None:
        self.profile = profile if profile is not None else PhoneProfile()
        self.requests: list[LoggedRequest] = []
        self.key_log: list[PressedKey] = []
        self.pushes: list[SentPush] = []
        self.events: list[SimEvent] = []
        # RESET requests are only counted: the simulator never wipes itself.
        self.resets = 0
        self.dnd = False
        self.forward = False
        self.muted = False
        self.volume = 4
        self._lines: list[SimLine] = []
        self._sync_line_count()
        self._active: int | None = None
        self._offhook = False
        self._online = False
        self._failures = 0
        self._locked_until: float | None = None
        self._fault: Fault | None = None
        self._fault_left: int | None = None
        self._fault_until: float | None = None
        self._outage_task: asyncio.Task[None] | None = None
        self._listening_event = asyncio.Event()
        self._deaf_event = asyncio.Event()
        self._call_ids = itertools.count(1)
        self._sequence_ids = itertools.count(1)
        self._key_tasks: set[asyncio.Task[None]] = set()
        # (when due, event, URL, call id)
        self._push_queue: asyncio.Queue[tuple[float, str, str, int | None]] = (
            asyncio.Queue()
        )
        self._push_worker: asyncio.Task[None] | None = None
        self._reboot_task: asyncio.Task[None] | None = None
        # Per line: the timer that clears a failed call (one at a time).
        self._failed_timers: dict[int, asyncio.TimerHandle] = {}
        self._online_event = asyncio.Event()
        self._down_event = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._ssl: ssl.SSLContext | None = None
        self.certificate_pem: str | None = None
        self._host = "127.0.0.1"
        self._port = 0
        # The phones of this process in order, this one included (PhoneFleet
        # sets it): /_sim/fleet/... rings several of them at one moment.
        self.fleet: list[SimulatedPhone] = [self]
        # The web session API (login, settings); see simulator/web.py.
        self.web = SimulatedWebInterface(self)
        self._extra_https_port = 0

    # ------------------------------------------------------------------
    # Server lifecycle

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Start serving; ``port=0`` picks a free port (see :attr:`port`)."""
        self._host = host
        wants_tls = self.profile.https or self.profile.extra_https_port
        if wants_tls and self._ssl is None:
            self._ssl, self.certificate_pem = make_server_context(
                host, self.profile.model
            )
        await self._serve(port, 0)
        self._online = True
        self._online_event.set()
        self._push_worker = asyncio.create_task(self._run_push_worker())

    async def stop(self) -> None:
        """Stop the server and every background task."""
        if self._reboot_task is not None and not self._down_event.is_set():
            # Let a reboot finish closing its server rather than cancel it
            # half-way, which could leave the listening socket open.
            await self._down_event.wait()
        await self._end_outage()
        tasks: list[asyncio.Task[None]] = [*self._key_tasks]
        if self._reboot_task is not None:
            tasks.append(self._reboot_task)
        if self._push_worker is not None:
            tasks.append(self._push_worker)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._key_tasks.clear()
        self._reboot_task = None
        self._push_worker = None
        self._cancel_failed_timers()
        await self._unserve()
        self._online = False
        self._online_event.clear()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    async def _serve(self, port: int, extra_https_port: int) -> None:
        app = web.Application()
        app.router.add_get("/cgi-bin/{function}", self._handle_cti)
        app.router.add_post("/cgi-bin/{function}", self._handle_cti)
        add_control_routes(app, self)
        # Before the CTI routes' /cgi-bin/{function}, though aiohttp prefers
        # fixed paths anyway.
        add_web_routes(app, self.web)
        # A short shutdown timeout: a reboot must not wait for slow clients.
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
        try:
            await runner.setup()
            main_ssl = self._ssl if self.profile.https else None
            sites = [(port, main_ssl)]
            if self.profile.extra_https_port:
                sites.append((extra_https_port, self._ssl))
            for site_port, context in sites:
                site = web.TCPSite(
                    runner,
                    self._host,
                    site_port,
                    ssl_context=context,
                    reuse_address=True,
                )
                await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        # One socket per site, in the order the sites started.
        self._port = int(runner.addresses[0][1])
        if self.profile.extra_https_port:
            self._extra_https_port = int(runner.addresses[1][1])
        self._deaf_event.clear()
        self._listening_event.set()

    async def _unserve(self) -> None:
        if self._runner is not None:
            runner, self._runner = self._runner, None
            self._listening_event.clear()
            await runner.cleanup()
            self._deaf_event.set()

    async def _serve_again(self) -> None:
        # The OS may need a moment to free the ports; retry briefly.
        for attempt in range(50):
            try:
                await self._serve(self._port, self._extra_https_port)
                return
            except OSError:
                if attempt == 49:
                    raise
                await asyncio.sleep(0.1)

    @property
    def host(self) -> str:
        """The address the server listens on."""
        return self._host

    @property
    def port(self) -> int:
        """The TCP port (known after :meth:`start`)."""
        return self._port

    @property
    def address(self) -> str:
        """``host:port``, the form the integration's config flow asks for."""
        return f"{self._host}:{self._port}"

    @property
    def base_url(self) -> str:
        """``http(s)://host:port``."""
        scheme = "https" if self.profile.https else "http"
        return f"{scheme}://{self._host}:{self._port}"

    @property
    def https_port(self) -> int | None:
        """The port answering HTTPS, if any (the main one or the extra one)."""
        if self.profile.https:
            return self._port
        if self.profile.extra_https_port:
            return self._extra_https_port
        return None

    @property
    def https_base_url(self) -> str | None:
        """``https://host:port`` where the phone speaks HTTPS, else None."""
        port = self.https_port
        return None if port is None else f"https://{self._host}:{port}"

    @property
    def listening(self) -> bool:
        """False while the server is down (a reboot or a ``refuse`` fault)."""
        return self._runner is not None

    @property
    def online(self) -> bool:
        """False while the phone reboots."""
        return self._online

    @property
    def locked(self) -> bool:
        """True while the login lockout is in force."""
        if self._locked_until is None:
            return False
        if time.monotonic() >= self._locked_until:
            # The lockout expired: the phone forgives the earlier failures.
            self._locked_until = None
            self._failures = 0
            return False
        return True

    @property
    def failures(self) -> int:
        """Consecutive failed logins counted towards the lockout."""
        return self._failures

    @property
    def lock_remaining(self) -> float:
        """Seconds until the login lockout ends; 0 when not locked."""
        if not self.locked or self._locked_until is None:
            return 0.0
        return max(0.0, self._locked_until - time.monotonic())

    def count_login_failure(self) -> int:
        """Count a rejected password, from CTI and web login alike.

        Returns the attempts left before the lockout; 0 means locked now.
        """
        self._failures += 1
        if self._failures >= self.profile.lockout_threshold:
            self._locked_until = time.monotonic() + self.profile.lockout_duration
        return max(0, self.profile.lockout_threshold - self._failures)

    def count_login_success(self) -> None:
        """A right password resets the count towards the lockout."""
        self._failures = 0

    # ------------------------------------------------------------------
    # Logs and waiting helpers

    def calls(self, function: str) -> list[LoggedRequest]:
        """Logged CTI requests for one function (``"api-make_call"`` or ``"make_call"``)."""
        if not function.startswith("api-"):
            function = "api-" + function
        return [r for r in self.requests if r.function == function]

    def clear_logs(self) -> None:
        """Forget requests, keys, pushes and events recorded so far."""
        self.requests.clear()
        self.key_log.clear()
        self.pushes.clear()
        self.events.clear()

    async def wait_idle_keys(self) -> None:
        """Wait until every running send_key sequence has pressed its last key."""
        while self._key_tasks:
            await asyncio.gather(*self._key_tasks, return_exceptions=True)

    async def wait_pushes(self) -> None:
        """Wait until every queued Action URL has been sent (or dropped)."""
        await self._push_queue.join()

    async def wait_online(self) -> None:
        """Wait until the phone is back from a reboot."""
        await self._online_event.wait()

    async def wait_listening(self, listening: bool = True) -> None:
        """Wait until the server accepts connections again (or, False, refuses them)."""
        await (self._listening_event if listening else self._deaf_event).wait()

    def set_fault(self, fault: Fault | None) -> None:
        """Inject a fault into the following CTI answers (``None`` clears it).

        A ``refuse`` fault closes the server shortly afterwards (so that a
        control API call setting it still gets its answer); await
        ``wait_listening(False)`` to know it is down and ``wait_listening()``
        to know it is back.
        """
        self._fault = fault
        self._fault_left = fault.count if fault is not None else None
        self._fault_until = None
        if fault is not None and fault.duration is not None:
            self._fault_until = time.monotonic() + fault.duration
        if self._outage_task is not None:
            # Cancelling makes the running outage serve again (its finally).
            self._outage_task.cancel()
            self._outage_task = None
        if fault is not None and fault.kind == "refuse":
            self._outage_task = asyncio.create_task(self._refuse_connections(fault))

    async def _refuse_connections(self, fault: Fault) -> None:
        await asyncio.sleep(0.05)
        await self._unserve()
        try:
            if fault.duration is None:
                await asyncio.Event().wait()  # until cleared
            else:
                await asyncio.sleep(fault.duration)
        finally:
            if self._fault is fault:
                self._fault = None
            if self._online:
                await self._serve_again()

    async def _end_outage(self) -> None:
        task, self._outage_task = self._outage_task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def store_action_url(self, event: str, url: str) -> bool:
        """Write one Action URL as the phone's settings would (see the profile)."""
        return self.profile.store_action_url(event, url)

    @property
    def fault(self) -> Fault | None:
        """The fault currently injected, if any."""
        return self._fault

    # ------------------------------------------------------------------
    # Read-only views

    @property
    def lines(self) -> list[SimLine]:
        """The line objects (index 0 is line 1); treat them as read-only."""
        self._sync_line_count()
        return list(self._lines)

    def line(self, number: int) -> SimLine:
        """The line with this 1-based number."""
        self._sync_line_count()
        if not 1 <= number <= len(self._lines):
            raise SimulatorError(f"no line {number}")
        return self._lines[number - 1]

    @property
    def active_line(self) -> int | None:
        """The line the phone is focused on, if any."""
        return self._active

    def phone_misc(self) -> str:
        """The ``misc`` field next to the phone status."""
        if all(line.state == "idle" for line in self.lines):
            return self.profile.misc_idle
        return "0"

    def phone_status(self) -> str:
        """The body of api-get_phone_status."""
        states = {line.state for line in self.lines}
        if "ringing" in states:
            return "ringing"
        if states & BUSY_STATES:
            return "busy"
        if any(account.registered for account in self.profile.accounts):
            return "available"
        return "unavailable"

    def line_status(self) -> list[dict[str, Any]]:
        """The body of api-get_line_status."""
        entries: list[dict[str, Any]] = []
        for line in self.lines:
            active = (
                self.profile.active_flag == "focused" and line.number == self._active
            )
            entry: dict[str, Any] = {
                "line": line.number,
                "state": line.state,
                "acct": self._reported_acct(line),
                "remotename": self._reported_name(line),
                "remotenumber": line.remote_number,
                "active": 1 if active else 0,
            }
            if self.profile.include_conf:
                entry["conf"] = 0
            entries.append(entry)
        return entries

    def _reported_acct(self, line: SimLine) -> str | int:
        profile = self.profile
        account = line.account
        if not account and profile.acct_on_idle and profile.accounts:
            account = profile.accounts[0].id
        if not account:
            return ""
        value = account - 1 + profile.account_base
        return value if profile.acct_as_number else str(value)

    def _reported_name(self, line: SimLine) -> str:
        profile = self.profile
        if line.remote_name or not profile.remotename_repeats_number:
            return line.remote_name
        # Digits being typed are not a caller yet, so they are not echoed.
        if line.state == "dialing":
            return ""
        if line.state == "ringing" and not profile.remotename_repeats_while_ringing:
            return ""
        return line.remote_number

    def accounts_body(self) -> list[dict[str, Any]]:
        """The body of api-get_accounts."""
        return [
            {
                "id": account.id,
                "sip_server": account.server,
                "sip_id": account.sip_id,
                "name": account.name,
                "reg": 1 if account.registered else 0,
            }
            for account in self.profile.accounts
        ]

    def state(self) -> dict[str, Any]:
        """Everything the control API's ``GET /_sim/state`` shows."""
        return {
            "profile": self.profile.summary(),
            "online": self._online,
            "locked": self.locked,
            "failures": self._failures,
            "phone_status": self.phone_status(),
            "lines": self.line_status(),
            "accounts": self.accounts_body(),
            "dnd": self.dnd,
            "forward": self.forward,
            "muted": self.muted,
            "volume": self.volume,
            "resets": self.resets,
            "listening": self.listening,
            "fault": None
            if self._fault is None
            else {
                "kind": self._fault.kind,
                "delay": self._fault.delay,
                "count": self._fault_left,
                "duration": self._fault.duration,
            },
        }

    # ------------------------------------------------------------------
    # Call model: Python control (what the far end or the user does)

    def incoming_call(self, number: str, name: str = "", account: int = 1) -> int:
        """A call rings in on the first idle line; returns the line number."""
        self._require_online()
        if self.profile.account(account) is None:
            raise SimulatorError(f"no account {account}")
        line = self._first_idle()
        if line is None:
            raise SimulatorError("no idle line for the incoming call")
        line.state = "ringing"
        line.account = account
        line.remote_number = number
        line.remote_name = name
        line.call_id = next(self._call_ids)
        line.direction = "incoming"
        if not self._focused_busy():
            # An idle phone highlights the ringing line; a phone in a call
            # keeps its focus on that call.
            self._active = line.number
        self._emit("incoming", line)
        return line.number

    def answer(self, line: int | None = None) -> int:
        """The user picks up a ringing line (the first one by default)."""
        target = self._ringing(line)
        if target is None:
            raise SimulatorError("no ringing line to answer")
        self._connect_local(target)
        return target.number

    def remote_answer(self, line: int) -> None:
        """The far end answers an outgoing call that is "calling"."""
        target = self.line(line)
        if target.state != "calling":
            raise SimulatorError(f"line {line} is {target.state}, not calling")
        target.state = "connected"
        target.connected_at = time.monotonic()
        self._emit("established", target)

    def remote_hangup(self, line: int | None = None) -> int:
        """The far end hangs up (default: the focused or first busy line)."""
        target = self.line(line) if line is not None else self._default_call_line()
        if target is None:
            raise SimulatorError("no call to hang up")
        if target.state == "ringing":
            # A caller hanging up before anyone answered is a missed call.
            return self.miss_call(target.number)
        if target.state not in ("connected", "onhold", "calling"):
            raise SimulatorError(f"line {target.number} is {target.state}")
        self._end(target, "terminated")
        return target.number

    def miss_call(self, line: int | None = None) -> int:
        """The caller gives up while the line is still ringing."""
        target = self._ringing(line)
        if target is None:
            raise SimulatorError("no ringing line")
        self._end(target, "missed")
        return target.number

    def fail_call(self, line: int) -> None:
        """An outgoing call fails (busy, unreachable): the line shows "failed"."""
        target = self.line(line)
        if target.state != "calling":
            raise SimulatorError(f"line {line} is {target.state}, not calling")
        self._fail(target)

    def make_call(self, phonenumber: str, account: int = 0) -> int | None:
        """What api-make_call does; ``account`` is the 0-based index.

        Returns the line used, or ``None`` where the phone would answer
        "Invalid Request".
        """
        if not self._online:
            return None
        profile = self.profile
        if not profile.click_to_dial or profile.keypad_locked:
            return None
        if not _NUMBER_RE.fullmatch(phonenumber):
            return None
        if not 0 <= account < len(profile.accounts):
            return None
        line = self._first_idle()
        if line is None:
            return None
        return self._start_outgoing(line, phonenumber, profile.accounts[account])

    def set_registered(self, account: int, registered: bool) -> None:
        """Change an account's registration and fire registered/unregistered."""
        acct = self.profile.account(account)
        if acct is None:
            raise SimulatorError(f"no account {account}")
        if acct.registered == registered:
            return
        acct.registered = registered
        self._emit("registered" if registered else "unregistered", None, account=acct)

    def set_dnd(self, on: bool) -> None:
        """Switch Do Not Disturb (the MUTE key does this on an idle phone)."""
        if self.dnd != on:
            self.dnd = on
            self._emit("dnd_on" if on else "dnd_off", None)

    def set_forward(self, on: bool) -> None:
        """Switch call forwarding."""
        if self.forward != on:
            self.forward = on
            self._emit("forward_on" if on else "forward_off", None)

    async def reboot(self) -> None:
        """Reboot now; returns once the server is down (see :meth:`wait_online`)."""
        if not self._online:
            return
        self._go_offline()
        await self._down_event.wait()

    def schedule_reboot(self) -> None:
        """Start a reboot without waiting (for callers inside a request handler)."""
        if self._online:
            self._go_offline()

    # ------------------------------------------------------------------
    # Call model: the CTI / keypad side

    def phone_operation(self, cmd: str) -> bool:
        """What api-phone_operation does; returns the body (true/false)."""
        if cmd == "acceptcall":
            ringing = self._ringing(None)
            if ringing is None:
                return False
            self._connect_local(ringing)
            return True
        if cmd == "rejectcall":
            ringing = self._ringing(None)
            if ringing is None:
                return False
            self._end(ringing, "terminated")
            return True
        if cmd == "endcall":
            target = self._pick({"connected", "onhold", "calling", "dialing", "failed"})
            if target is None:
                return False
            self._hang_up_local(target)
            return True
        if cmd == "holdcall":
            target = self._pick({"connected", "onhold"})
            if target is None:
                return False
            self._toggle_hold(target)
            return True
        if cmd == "cancel":
            target = self._pick({"dialing", "calling", "failed"})
            if target is None:
                return False
            self._hang_up_local(target)
            return True
        return False

    def _press(self, key: str) -> None:
        """Apply one key press to the call model."""
        if key in ("LOCK", "UNLOCK"):
            self.profile.keypad_locked = key == "LOCK"
            return
        focused = self._line_or_none(self._active)
        if key.isdigit() or key in ("STAR", "#"):
            char = "*" if key == "STAR" else key
            if focused is not None and focused.state == "dialing":
                focused.remote_number += char
            elif focused is not None and focused.state in ("connected", "calling"):
                pass  # DTMF during a call: nothing visible changes
            elif self._ringing(None) is None:
                line = self._first_idle()
                if line is not None:
                    self._start_dialing(line, char)
            return
        if key in ("SEND", "OK"):
            if focused is not None and focused.state == "dialing":
                if focused.remote_number:
                    account = self.profile.account(focused.account)
                    if account is not None:
                        self._start_outgoing(focused, focused.remote_number, account)
            elif key == "OK" and (ringing := self._ringing(None)) is not None:
                self._connect_local(ringing)
            return
        if key in ("OFFHOOK", "SPEAKER", "HEADSET"):
            ringing = self._ringing(None)
            if ringing is not None and not self._focused_busy():
                self._connect_local(ringing)
            elif not self._offhook:
                line = self._first_idle()
                if line is not None:
                    self._start_dialing(line, "")
            elif key == "OFFHOOK" and ringing is not None:
                self._connect_local(ringing)
            return
        if key == "ONHOOK":
            target = self._pick({"connected", "onhold", "calling", "dialing", "failed"})
            if target is not None:
                self._hang_up_local(target)
            elif (ringing := self._ringing(None)) is not None:
                self._end(ringing, "terminated")
            return
        if key == "HOLD":
            target = self._pick({"connected", "onhold"})
            if target is not None:
                self._toggle_hold(target)
            return
        if key == "MUTE":
            if self._offhook:
                self.muted = not self.muted
            else:
                # On an idle phone MUTE toggles DND (docs/phone-protocol.md §5).
                self.set_dnd(not self.dnd)
            return
        if key in ("VUP", "VDOWN"):
            self.volume = max(0, min(8, self.volume + (1 if key == "VUP" else -1)))
            return
        match = _NUMBERED_KEY_RE.fullmatch(key)
        if match and match.group(1) == "LINE":
            self._press_line_key(int(match.group(2)))
        # MPK, arrows, soft keys, CONF and TRANSFER change nothing the CTI
        # interface can see; they are only recorded in key_log.

    def _press_line_key(self, number: int) -> None:
        if number > len(self.lines):
            return
        line = self.line(number)
        if line.state == "ringing":
            self._connect_local(line)
        elif line.state == "onhold":
            self._toggle_hold(line)
        elif line.state == "idle":
            self._start_dialing(line, "")
        else:
            self._active = line.number

    # ------------------------------------------------------------------
    # Transitions

    def _start_dialing(self, line: SimLine, digits: str) -> None:
        self._hold_others(line)
        registered = [a for a in self.profile.accounts if a.registered]
        default = registered[0] if registered else self.profile.accounts[0]
        line.clear()
        line.state = "dialing"
        line.account = default.id
        line.remote_number = digits
        self._active = line.number
        self._sync_hook()

    def _start_outgoing(self, line: SimLine, number: str, account: SimAccount) -> int:
        self._hold_others(line)
        line.state = "calling"
        line.account = account.id
        line.remote_number = number
        line.remote_name = ""
        line.call_id = next(self._call_ids)
        line.direction = "outgoing"
        self._active = line.number
        self._sync_hook()
        self._emit("outgoing", line)
        if not account.registered:
            # The request was accepted but the call cannot go anywhere; this
            # is why make_call's "true" proves nothing (docs/phone-protocol.md §5).
            self._fail(line)
        elif self.profile.auto_answer_outgoing:
            self.remote_answer(line.number)
        return line.number

    def _connect_local(self, line: SimLine) -> None:
        self._hold_others(line)
        line.state = "connected"
        line.connected_at = time.monotonic()
        self._active = line.number
        self._sync_hook()
        self._emit("established", line)

    def _toggle_hold(self, line: SimLine) -> None:
        if line.state == "connected":
            line.state = "onhold"
            self._emit("hold", line)
        elif line.state == "onhold":
            self._hold_others(line)
            line.state = "connected"
            self._active = line.number
            self._emit("unhold", line)

    def _hold_others(self, keep: SimLine) -> None:
        # Only one call can have the audio: taking another line holds the
        # connected one, as real phones do automatically.
        for other in self._lines:
            if other is not keep and other.state == "connected":
                other.state = "onhold"
                self._emit("hold", other)
            elif other is not keep and other.state == "dialing":
                other.clear()

    def _fail(self, line: SimLine) -> None:
        line.state = "failed"
        self._emit("terminated", line)
        call_id = line.call_id
        if (old := self._failed_timers.pop(line.number, None)) is not None:
            old.cancel()
        self._failed_timers[line.number] = asyncio.get_running_loop().call_later(
            self.profile.failed_duration, self._clear_failed, line.number, call_id
        )

    def _clear_failed(self, number: int, call_id: int | None) -> None:
        self._failed_timers.pop(number, None)
        line = self._line_or_none(number)
        if line is not None and line.state == "failed" and line.call_id == call_id:
            self._end(line, None)

    def _hang_up_local(self, line: SimLine) -> None:
        # Dialing never became a call and a failed call already reported
        # "terminated", so only real calls fire the event here.
        event = (
            "terminated" if line.state in ("connected", "onhold", "calling") else None
        )
        self._end(line, event)

    def _end(self, line: SimLine, event: str | None) -> None:
        if event is not None:
            # Emitted before clearing so $remote, $duration etc. are filled.
            self._emit(event, line)
        line.clear()
        if self._active == line.number:
            self._active = None
        self._refocus()
        self._sync_hook()

    def _refocus(self) -> None:
        if (
            self._line_or_none(self._active) is not None
            and self.line(self._active or 0).state != "idle"
        ):
            return
        self._active = None
        for states in (
            {"connected"},
            {"dialing", "calling"},
            {"ringing"},
            {"onhold"},
            {"failed"},
        ):
            for line in self._lines:
                if line.state in states:
                    self._active = line.number
                    return

    def _sync_hook(self) -> None:
        offhook = any(
            line.state in BUSY_STATES or line.state == "failed" for line in self._lines
        )
        if offhook != self._offhook:
            self._offhook = offhook
            if not offhook:
                self.muted = False
            self._emit("offhook" if offhook else "onhook", None)

    # ------------------------------------------------------------------
    # Helpers

    def _sync_line_count(self) -> None:
        # profile.lines may change at runtime; busy lines are never dropped.
        wanted = self.profile.lines
        while len(self._lines) < wanted:
            self._lines.append(SimLine(number=len(self._lines) + 1))
        while len(self._lines) > wanted and self._lines[-1].state == "idle":
            self._lines.pop()

    def _line_or_none(self, number: int | None) -> SimLine | None:
        if number is None or not 1 <= number <= len(self._lines):
            return None
        return self._lines[number - 1]

    def _first_idle(self) -> SimLine | None:
        for line in self.lines:
            if line.state == "idle":
                return line
        return None

    def _ringing(self, number: int | None) -> SimLine | None:
        if number is not None:
            line = self.line(number)
            return line if line.state == "ringing" else None
        for line in self.lines:
            if line.state == "ringing":
                return line
        return None

    def _focused_busy(self) -> bool:
        focused = self._line_or_none(self._active)
        return focused is not None and focused.state in BUSY_STATES

    def _pick(self, states: set[str]) -> SimLine | None:
        """The focused line if it is in ``states``, else the first such line."""
        focused = self._line_or_none(self._active)
        if focused is not None and focused.state in states:
            return focused
        for line in self.lines:
            if line.state in states:
                return line
        return None

    def _default_call_line(self) -> SimLine | None:
        return self._pick({"connected", "onhold", "calling"}) or self._ringing(None)

    def _require_online(self) -> None:
        if not self._online:
            raise SimulatorError("the phone is offline (rebooting or stopped)")

    def _cancel_failed_timers(self) -> None:
        for handle in self._failed_timers.values():
            handle.cancel()
        self._failed_timers.clear()

    # ------------------------------------------------------------------
    # Reboot

    def _go_offline(self) -> None:
        """Drop everything a power cycle drops; the server is closed by the caller."""
        self._online = False
        self._online_event.clear()
        for task in self._key_tasks:
            task.cancel()
        self._cancel_failed_timers()
        # A rebooting phone does not report "terminated" for the calls it
        # drops; they simply vanish.
        for line in self._lines:
            line.clear()
        self._active = None
        self._offhook = False
        self.muted = False
        self._failures = 0
        self._locked_until = None
        self.web.end_all_sessions("reboot")
        self._down_event.clear()
        self._reboot_task = asyncio.create_task(self._reboot_cycle())

    async def _reboot_cycle(self) -> None:
        # Let aiohttp flush a "savereboot" answer before the server closes;
        # closing the listening socket makes new connections fail with
        # "connection refused", like a phone that is powered down.
        await asyncio.sleep(0.05)
        await self._unserve()
        self._down_event.set()
        await asyncio.sleep(self.profile.reboot_duration)
        await self._serve_again()
        self._online = True
        self._online_event.set()
        self._emit("boot", None)
        for account in self.profile.accounts:
            if account.registered:
                self._emit("registered", None, account=account)

    # ------------------------------------------------------------------
    # Events and Action URLs

    def _emit(
        self, event: str, line: SimLine | None, account: SimAccount | None = None
    ) -> None:
        now = time.monotonic()
        self.events.append(
            SimEvent(
                time=now,
                name=event,
                line=line.number if line else None,
                call_id=line.call_id if line else None,
            )
        )
        template = self.profile.action_urls.get(event)
        if not template:
            return
        url = fill_template(template, self._variables(line, account))
        self._push_queue.put_nowait(
            (
                now + self.profile.action_url_delay,
                event,
                url,
                line.call_id if line else None,
            )
        )

    def _variables(
        self, line: SimLine | None, account: SimAccount | None
    ) -> dict[str, str]:
        profile = self.profile
        if account is None and line is not None and line.account:
            account = profile.account(line.account)
        if account is None:
            registered = [a for a in profile.accounts if a.registered]
            account = registered[0] if registered else None
        values = {
            "phone_ip": self._host,
            "mac": profile.formatted_mac(),
            "product": profile.model,
            "program_version": profile.firmware,
            "hardware_version": profile.hardware_version,
            "language": profile.language,
        }
        if account is not None:
            values |= {
                "local": account.sip_id,
                "display_local": account.name,
                "active_user": account.sip_id
                if profile.active_user == "sip_id"
                else str(account.id),
                "active_host": account.server,
            }
        # Call variables only exist for call events; for boot, registration,
        # DND etc. the phone cannot fill them and they arrive literally.
        if line is not None and line.call_id is not None:
            name = line.remote_name
            if not name and profile.remotename_repeats_number:
                name = line.remote_number
            duration = 0
            if line.connected_at is not None:
                duration = int(time.monotonic() - line.connected_at)
            values |= {
                "remote": line.remote_number,
                "display_remote": name,
                "duration": str(duration),
                "calldirection": line.direction,
            }
            if profile.fill_call_id:
                values["call-id"] = str(line.call_id)
        return values

    async def _run_push_worker(self) -> None:
        # One worker sends pushes in event order, so a receiver sees
        # "incoming" before "established" even with a delay configured.
        while True:
            due, event, url, call_id = await self._push_queue.get()
            try:
                await asyncio.sleep(max(0.0, due - time.monotonic()))
                await self._send_push(event, url, call_id)
            finally:
                self._push_queue.task_done()

    async def _send_push(self, event: str, url: str, call_id: int | None) -> None:
        # No length check here: real phones refuse over-long Action URLs
        # when they are written (store_action_url), not when sending.
        push = SentPush(time=time.monotonic(), event=event, url=url, call_id=call_id)
        self.pushes.append(push)
        user_agent = (
            f"Grandstream Model HW {self.profile.model} SW {self.profile.firmware}"
        )

        def sent() -> None:
            push.sent = time.monotonic()

        try:
            push.status = await send_raw_get(
                url, user_agent, self.profile.action_url_timeout, on_sent=sent
            )
        except (OSError, ValueError, TimeoutError) as err:
            push.error = f"{type(err).__name__}: {err}"
            _LOGGER.debug("Action URL %s for %s failed: %s", url, event, err)

    # ------------------------------------------------------------------
    # Keys

    def _validate_keys(self, keys: str) -> list[str] | None:
        names = keys.split(":")
        valid: list[str] = []
        for raw in names:
            # "#" is what a client sending "%23" ends up with (phone-protocol.md §6).
            name = "#" if raw == "POUND" and self.profile.accepts_pound_key else raw
            match = _NUMBERED_KEY_RE.fullmatch(name)
            if name in _FIXED_KEYS or (
                match is not None
                and (
                    match.group(1) == "MPK" or int(match.group(2)) <= self.profile.lines
                )
            ):
                valid.append(name)
            else:
                return None
        return valid

    def send_keys(self, keys: list[str]) -> int:
        """Queue a key sequence like api-send_key does; returns its sequence id."""
        sequence = next(self._sequence_ids)
        task = asyncio.create_task(self._press_sequence(sequence, keys))
        self._key_tasks.add(task)
        task.add_done_callback(self._key_tasks.discard)
        return sequence

    async def _press_sequence(self, sequence: int, keys: list[str]) -> None:
        # Keys are pressed one per key_interval and sequences are never
        # queued behind each other: two sequences sent at once interleave,
        # which is what real phones do.
        for index, key in enumerate(keys):
            if index:
                await asyncio.sleep(self.profile.key_interval)
            ignored = self.profile.keypad_locked and key != "UNLOCK"
            self.key_log.append(
                PressedKey(time.monotonic(), key, sequence, ignored=ignored)
            )
            if not ignored:
                self._press(key)

    # ------------------------------------------------------------------
    # CTI HTTP handler

    async def _handle_cti(self, request: web.Request) -> web.StreamResponse:
        if not self._online:
            # A keep-alive connection that survived into a reboot.
            return self._drop(request)
        function = request.match_info["function"]
        params: dict[str, str] = dict(request.query)
        if request.method == "POST" and request.can_read_body:
            form = await request.post()
            params.update({k: v for k, v in form.items() if isinstance(v, str)})
        self.requests.append(
            LoggedRequest(
                time=time.monotonic(),
                method=request.method,
                path=request.path,
                function=function,
                params=params,
                remote=request.remote,
                raw_query=request.rel_url.raw_query_string,
            )
        )
        fault = self._take_fault()
        if fault is not None:
            if fault.kind == "latency":
                await asyncio.sleep(fault.delay)
            elif fault.kind == "reset":
                return self._drop(request)
            elif fault.kind == "http500":
                return web.Response(
                    status=500, text=_HTML_500, content_type="text/html"
                )
            elif fault.kind == "html":
                return web.Response(text=_HTML_LOGIN, content_type="text/html")
            elif fault.kind == "non_json":
                return self._raw(b"OK")
        if function not in CTI_FUNCTIONS:
            raise web.HTTPNotFound
        if not self.profile.cti_enabled:
            # Action URI support disabled or caller not in the allowed IP
            # list: the web server refuses before looking at the passcode.
            return web.Response(
                status=403, text=_HTML_FORBIDDEN, content_type="text/html"
            )
        refusal = self._judge_passcode(function, params)
        if refusal is not None:
            return refusal
        response = await self._dispatch(request, function, params)
        if fault is not None and fault.kind == "bad_header":
            # The action already happened; the answer is no valid HTTP.
            return self._broken_http(request)
        if fault is not None and fault.kind == "truncated":
            # The action already happened; only the answer is mangled.
            body = response.body if isinstance(response, web.Response) else None
            if isinstance(body, bytes):
                return self._raw(body[: max(1, len(body) // 2)])
        return response

    def _judge_passcode(
        self, function: str, params: dict[str, str]
    ) -> web.Response | None:
        """The refusal to answer with, or None to carry the request out.

        Every wrong passcode counts towards the lockout, whatever else the
        phone answers; the right one resets the count only when accepted.
        """
        profile = self.profile
        if self.locked:
            return self._locked_answer()
        right = self._authorized(function, params)
        if not right:
            # The same count as failed web logins (simulator/web.py).
            self.count_login_failure()
        if profile.account_not_allowed:
            return self._envelope("error", "user is not allow")
        if not right and profile.wrong_passcode_style == "countdown":
            left = profile.lockout_threshold - self._failures
            if left <= 0:
                return self._locked_answer()
            return self._envelope("error", f"wrong{left}")
        if not right or profile.popup_window_enabled:
            return self._unauthorized_answer()
        self.count_login_success()
        return None

    def _locked_answer(self) -> web.Response:
        if self.profile.wrong_passcode_style != "countdown":
            return self._envelope("error", "locked")
        left = max(0.0, (self._locked_until or 0.0) - time.monotonic())
        return self._envelope("error", "locked", lockTime=math.ceil(left))

    def _unauthorized_answer(self) -> web.Response:
        style = self.profile.unauthorized_style
        if style in ("text", "text_upper"):
            word = "UNAUTHORIZED" if style == "text_upper" else "unauthorized"
            return web.Response(
                body=word.encode(), headers={"Content-Type": "text/plain"}
            )
        if style == "html":
            return web.Response(text=_HTML_UNAUTHORIZED, content_type="text/html")
        status = 401 if style == "http401" else 200
        outcome = "success" if style == "success" else "error"
        return self._envelope(outcome, "unauthorized", status=status)

    def _take_fault(self) -> Fault | None:
        fault = self._fault
        if fault is None:
            return None
        if self._fault_until is not None and time.monotonic() >= self._fault_until:
            self._fault = None
            return None
        if self._fault_left is not None:
            self._fault_left -= 1
            if self._fault_left <= 0:
                self._fault = None
                self._fault_left = None
        return fault

    def _authorized(self, function: str, params: dict[str, str]) -> bool:
        offered = [params.get("passcode")]
        if function == "api-make_call":
            # Older clients send password= for make_call (docs/phone-protocol.md §2).
            offered.append(params.get("password"))
        return self.profile.passcode in offered

    async def _dispatch(
        self, request: web.Request, function: str, params: dict[str, str]
    ) -> web.StreamResponse:
        if function in READ_FUNCTIONS:
            return self.read_answer(function)
        if function == "api-make_call":
            try:
                account = int(params.get("account", "0"))
            except ValueError:
                account = -1
            line = self.make_call(params.get("phonenumber", ""), account)
            if line is None:
                return self._envelope("error", "Invalid Request")
            return self._envelope("success", True)
        if function == "api-phone_operation":
            if self.phone_operation(params.get("cmd", "")):
                done = OPERATION_SUCCESS_BODIES[self.profile.operation_success_body]
                return self._envelope("success", done)
            return self._envelope("error", False)
        if function == "api-send_key":
            keys = self._validate_keys(params.get("keys", ""))
            if keys is None:
                return self._envelope("error", "unknown")
            self.send_keys(keys)
            return self._envelope("success", "complete")
        # api-sys_operation
        command = params.get("request", "")
        if command == "REBOOT":
            self._go_offline()
            if self.profile.reboot_drops_connection:
                return self._drop(request)
            return self._envelope("success", "savereboot")
        if command == "RESET":
            self.resets += 1
            return self._envelope("success", "reset")
        return self._envelope("error", "unknown")

    def read_answer(self, function: str) -> web.Response:
        """The answer to one of READ_FUNCTIONS (a replay serves captured ones)."""
        if function == "api-get_line_status":
            return self._envelope("success", self.line_status())
        if function == "api-get_phone_status":
            return self._envelope(
                "success", self.phone_status(), misc=self.phone_misc()
            )
        return self._envelope("success", self.accounts_body())

    # ------------------------------------------------------------------
    # Response builders

    def _envelope(
        self, response: str, body: Any, *, status: int = 200, **extra: Any
    ) -> web.Response:
        fields: dict[str, Any] = {"response": response, "body": body, **extra}
        # Names travel as UTF-8, not as \u escapes (a captured line status
        # carries a Cyrillic name).
        if self.profile.compact_json:
            text = json.dumps(fields, separators=(",", ":"), ensure_ascii=False)
        else:
            # The other firmware family pads the envelope with spaces.
            inner = ", ".join(
                f"{json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}"
                for k, v in fields.items()
            )
            text = "{ " + inner + " }"
        return self._raw(text.encode("utf-8"), status=status)

    def _raw(self, body: bytes, *, status: int = 200) -> web.Response:
        # Set the header verbatim: aiohttp would otherwise append a charset.
        return web.Response(
            body=body,
            status=status,
            headers={"Content-Type": self.profile.content_type},
        )

    def _broken_http(self, request: web.Request) -> web.StreamResponse:
        """A status line and a header line without a colon, then close."""
        transport = request.transport
        if transport is not None:
            transport.write(b"HTTP/1.1 200 OK\r\nContent-Type text/plain\r\n\r\n")
            transport.close()
        return web.Response()

    def _drop(self, request: web.Request) -> web.StreamResponse:
        """Close the connection without any answer, like a crashing phone."""
        transport = request.transport
        if transport is not None:
            transport.abort()
        # aiohttp fails to write this response to the aborted transport and
        # treats that as a client disconnect, so nothing is sent or logged.
        return web.Response()
