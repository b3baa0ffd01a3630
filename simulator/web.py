"""The phone's web session API, as docs/phone-protocol.md §8 describes it.

Login in both generations (``access`` + hashed ``dologin``, or a plain
``dologin``), the same-origin check (bare HTML 403), ``Content-Length`` (411),
session cookies in both styles plus ``sid`` parameters, expiry without
``dorefresh``, one session per account, the ``admin`` and ``user`` roles, a
cloud-managed switch, and settings through ``config_get``/``config_update``
or the older ``api.values.*``. Wrong passwords count towards the same lockout
as wrong CTI passcodes. Action URL slots are the phone's own: writing P8310
changes where the phone pushes on the next incoming call.

The simulator is strict where docs/phone-protocol.md leaves room (it wants
the cookie *and* the ``sid`` parameter), so a client that passes here passes
on the lenient variants too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
import hashlib
import json
import math
import re
import secrets
import time
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import parse_qsl

from aiohttp import web

if TYPE_CHECKING:
    from .phone import SimulatedPhone

# P-value of each Action URL slot → the simulator's event name
# (docs/phone-protocol.md §7).
ACTION_URL_PVALUES: Final[dict[str, str]] = {
    "8304": "boot",
    "8305": "registered",
    "8306": "unregistered",
    "8308": "offhook",
    "8309": "onhook",
    "8310": "incoming",
    "8311": "outgoing",
    "8312": "missed",
    "8313": "established",
    "8314": "terminated",
    "8315": "rejected",
    "8316": "dnd_on",
    "8317": "dnd_off",
    "8318": "forward_on",
    "8319": "forward_off",
    "8320": "blind_transfer",
    "8321": "attended_transfer",
    "8324": "hold",
    "8325": "unhold",
    "8328": "busy",
    "8329": "idle",
    "22171": "answered",
}
CLICK_TO_DIAL_PVALUE: Final = "1561"
VENDOR_FULLNAME: Final = "Grandstream Networks, Inc."
# Factory passwords: the login answer's defaultAuth says whether one is in use.
DEFAULT_PASSWORDS: Final[Mapping[str, str]] = {"admin": "admin", "user": "123"}

# What each generation serves, and with which methods.
_CURRENT_FUNCTIONS: Final[Mapping[str, frozenset[str]]] = {
    "access": frozenset({"POST"}),
    "dologin": frozenset({"POST"}),
    "dologout": frozenset({"POST"}),
    "dorefresh": frozenset({"POST"}),
    "config_get": frozenset({"GET"}),
    "config_update": frozenset({"PUT"}),
}
_OLDER_FUNCTIONS: Final[Mapping[str, frozenset[str]]] = {
    "dologin": frozenset({"POST"}),
    "dologout": frozenset({"POST"}),
    "dorefresh": frozenset({"POST"}),
    "api.values.get": frozenset({"POST"}),
    "api.values.post": frozenset({"POST"}),
}
WEB_FUNCTIONS: Final[frozenset[str]] = frozenset(_CURRENT_FUNCTIONS) | frozenset(
    _OLDER_FUNCTIONS
)

_SHA256_HEX_RE: Final = re.compile(r"[0-9a-fA-F]{64}")
_PVALUE_RE: Final = re.compile(r"P?([0-9]{1,6})")
_ACCOUNT_REGISTERED_RE: Final = re.compile(r"AccountRegistered([0-9]{1,2})")


def _html(status: int, title: str) -> web.Response:
    return web.Response(
        status=status,
        text=f"<html><head><title>{status} {title}</title></head>"
        f"<body><h1>{title}</h1></body></html>",
        content_type="text/html",
    )


def _json(fields: Mapping[str, Any], *, status: int = 200) -> web.Response:
    return web.Response(
        status=status,
        body=json.dumps(fields, separators=(",", ":")).encode(),
        headers={"Content-Type": "application/json"},
    )


def _sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _pvalue(key: str) -> str:
    """``P8310`` and ``8310`` → ``8310``; named keys unchanged."""
    match = _PVALUE_RE.fullmatch(key)
    return match.group(1) if match else key


@dataclass
class WebSession:
    """A live web session: ours over HTTP (``client``) or a ``person``'s browser."""

    username: str
    role: str
    holder: str
    started: float
    refreshed: float
    sid: str = field(repr=False)


@dataclass(frozen=True)
class EndedWebSession:
    """A session that ended: ``logout``, ``replaced``, ``expired`` or ``reboot``."""

    username: str
    holder: str
    reason: str
    time: float


@dataclass(frozen=True)
class WebRequest:
    """One request to the web API as the phone received it (secrets verbatim)."""

    time: float
    method: str
    function: str
    status: int
    # The account of the valid session the request carried, if any.
    session_user: str | None
    # Left out of repr: they hold passwords, hashes and session ids.
    params: dict[str, str] = field(repr=False)
    headers: dict[str, str] = field(repr=False)
    cookies: dict[str, str] = field(repr=False)
    body: str = field(default="", repr=False)


class SimulatedWebInterface:
    """The web session API of one simulated phone."""

    def __init__(self, phone: SimulatedPhone) -> None:
        self._phone = phone
        # Session expiry reads this clock; tests replace it to jump ahead.
        self.clock: Callable[[], float] = time.monotonic
        self.requests: list[WebRequest] = []
        self.ended: list[EndedWebSession] = []
        self._sessions: list[WebSession] = []
        # Nonce handed out by access, per username hash; used once.
        self._nonces: dict[str, str] = {}

    # ------------------------------------------------------------------
    # Python control and views

    @property
    def sessions(self) -> list[WebSession]:
        """Live sessions (expired ones are ended first)."""
        self._expire_stale()
        return list(self._sessions)

    def person_login(self, username: str = "admin") -> None:
        """A person logs in to the web UI in a browser (ending ours, if so set)."""
        self._password_of(username)  # validates the username
        self._open(username, holder="person")

    def person_logout(self, username: str = "admin") -> bool:
        """The person logs out; returns whether they had a session."""
        ended = False
        for session in list(self._sessions):
            if session.holder == "person" and session.username == username:
                self._end(session, "logout")
                ended = True
        return ended

    def person_logged_in(self, username: str = "admin") -> bool:
        """Whether a person's browser session for ``username`` is live."""
        return any(
            s.holder == "person" and s.username == username for s in self.sessions
        )

    def expire_sessions(self) -> int:
        """End every HTTP session now, as if it timed out; returns how many."""
        expired = [s for s in self._sessions if s.holder == "client"]
        for session in expired:
            self._end(session, "expired")
        return len(expired)

    def end_all_sessions(self, reason: str) -> None:
        """End every session (the phone reboots)."""
        for session in list(self._sessions):
            self._end(session, reason)
        self._nonces.clear()

    def calls(self, function: str) -> list[WebRequest]:
        """Logged web requests for one function, e.g. ``"dologin"``."""
        return [r for r in self.requests if r.function == function]

    def slots(self) -> dict[str, str]:
        """Every Action URL slot the model has, as ``P8310`` → stored URL."""
        missing = set(self._phone.profile.web_missing_keys)
        urls = self._phone.profile.action_urls
        return {
            f"P{pvalue}": urls.get(event, "")
            for pvalue, event in ACTION_URL_PVALUES.items()
            if pvalue not in missing
        }

    def summary(self) -> dict[str, Any]:
        """What the control API shows: no password, hash or session id."""
        now = self.clock()
        profile = self._phone.profile
        return {
            "login": profile.web_login,
            "cookie_style": profile.web_cookie_style,
            "sessions": [
                {
                    "username": s.username,
                    "role": s.role,
                    "holder": s.holder,
                    "age": round(now - s.started, 3),
                    "idle": round(now - s.refreshed, 3),
                }
                for s in self.sessions
            ],
            "ended": [
                {"username": e.username, "holder": e.holder, "reason": e.reason}
                for e in self.ended
            ],
            "slots": self.slots(),
            "click_to_dial": profile.click_to_dial,
        }

    def redacted_requests(self) -> list[dict[str, Any]]:
        """The request log with passwords, hashes and session ids hidden."""
        hidden = {"password", "sid", "access"}
        return [
            {
                "time": r.time,
                "method": r.method,
                "function": r.function,
                "status": r.status,
                "session_user": r.session_user,
                "params": {
                    k: ("***" if k in hidden else v) for k, v in r.params.items()
                },
                "cookies": sorted(r.cookies),
                "origin": r.headers.get("Origin"),
                "referer": r.headers.get("Referer"),
                "content_length": r.headers.get("Content-Length"),
            }
            for r in self.requests
        ]

    # ------------------------------------------------------------------
    # Settings

    def read(self, key: str) -> tuple[str, str] | None:
        """``(alias, value)`` of a setting, or None where the model lacks it.

        Aliases are the simulator's own: what real firmware calls them is
        not recorded.
        """
        profile = self._phone.profile
        key = _pvalue(key)
        if key in profile.web_missing_keys:
            return None
        if (event := ACTION_URL_PVALUES.get(key)) is not None:
            return f"action_url.{event}", profile.action_urls.get(event, "")
        if key == CLICK_TO_DIAL_PVALUE:
            return "click_to_dial", "1" if profile.click_to_dial else "0"
        if key == "phone_model":
            return key, profile.model
        if key == "vendor_fullname":
            return key, VENDOR_FULLNAME
        if key == ":dnd":
            return key, "1" if self._phone.dnd else "0"
        if match := _ACCOUNT_REGISTERED_RE.fullmatch(key):
            account = profile.account(int(match.group(1)))
            if account is not None:
                return key, "1" if account.registered else "0"
        return None

    def write(self, key: str, value: str, role: str) -> bool:
        """Apply one written setting; returns whether the phone kept it.

        The phone answers success either way (docs/phone-protocol.md §8).
        """
        profile = self._phone.profile
        key = _pvalue(key)
        if profile.gdms_managed or key in profile.web_missing_keys:
            return False
        if role != "admin" and key not in profile.web_user_writable:
            return False
        if (event := ACTION_URL_PVALUES.get(key)) is not None:
            return self._phone.store_action_url(event, value)
        if key == CLICK_TO_DIAL_PVALUE:
            profile.click_to_dial = value.strip() == "1"
            return True
        # Named keys are read-only; unknown keys are not stored.
        return False

    # ------------------------------------------------------------------
    # Sessions

    def _password_of(self, username: str) -> str:
        profile = self._phone.profile
        if username == "admin":
            return profile.passcode
        if username == "user":
            return profile.user_password
        raise ValueError(f"no web account {username!r}")

    def _open(self, username: str, *, holder: str) -> WebSession:
        self._expire_stale()
        if self._phone.profile.web_one_session_per_account:
            for other in list(self._sessions):
                if other.username == username:
                    self._end(other, "replaced")
        now = self.clock()
        session = WebSession(
            username=username,
            role=username,
            holder=holder,
            started=now,
            refreshed=now,
            sid=secrets.token_hex(32),
        )
        self._sessions.append(session)
        return session

    def _end(self, session: WebSession, reason: str) -> None:
        if session in self._sessions:
            self._sessions.remove(session)
            self.ended.append(
                EndedWebSession(session.username, session.holder, reason, self.clock())
            )

    def _expire_stale(self) -> None:
        # A person's browser keeps refreshing its session; ours must.
        limit = self._phone.profile.web_session_timeout
        now = self.clock()
        for session in list(self._sessions):
            if session.holder == "client" and now - session.refreshed > limit:
                self._end(session, "expired")

    def _session_for(
        self, params: Mapping[str, str], cookies: Mapping[str, str]
    ) -> WebSession | None:
        """The live session the request proves: ``sid`` parameter and cookies."""
        self._expire_stale()
        sid = params.get("sid")
        if not sid:
            return None
        session = next((s for s in self._sessions if s.sid == sid), None)
        if session is None:
            return None
        if self._phone.profile.web_cookie_style == "sid":
            ok = cookies.get("sid") == sid
        else:
            ok = (
                cookies.get("session-identity") == sid
                and cookies.get("session-role") == session.role
            )
        return session if ok else None

    # ------------------------------------------------------------------
    # HTTP

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Every web API route ends here."""
        if not self._phone.online:
            # A keep-alive connection that survived into a reboot.
            transport = request.transport
            if transport is not None:
                transport.abort()
            return web.Response()
        function = request.path.rpartition("/")[2]
        params: dict[str, str] = dict(request.query)
        body = ""
        if request.method in ("POST", "PUT") and request.can_read_body:
            body = (await request.read()).decode("utf-8", errors="replace")
            if request.content_type == "application/x-www-form-urlencoded":
                params.update(parse_qsl(body, keep_blank_values=True))
        cookies = dict(request.cookies)
        response, session = self._answer(request, function, params, cookies, body)
        self.requests.append(
            WebRequest(
                time=time.monotonic(),
                method=request.method,
                function=function,
                status=response.status,
                session_user=session.username if session is not None else None,
                params=params,
                headers=dict(request.headers),
                cookies=cookies,
                body=body,
            )
        )
        return response

    def _answer(
        self,
        request: web.Request,
        function: str,
        params: dict[str, str],
        cookies: dict[str, str],
        body: str,
    ) -> tuple[web.Response, WebSession | None]:
        profile = self._phone.profile
        served = (
            _CURRENT_FUNCTIONS if profile.web_login == "current" else _OLDER_FUNCTIONS
        )
        methods = served.get(function)
        if methods is None:
            return _html(404, "Not Found"), None
        if request.method not in methods:
            if function == "config_update" and request.method == "POST":
                return _html(501, "Not Implemented"), None
            return _html(405, "Method Not Allowed"), None
        if request.method in ("POST", "PUT"):
            # The HTTP server refuses a body of unknown length before the CGI
            # runs, so this comes before the same-origin check.
            if request.headers.get("Content-Length") is None:
                return _html(411, "Length Required"), None
            if not self._same_origin(request):
                return _html(403, "Forbidden"), None
        if function == "access":
            return self._access(params), None
        if function == "dologin":
            return self._dologin(params)
        session = self._session_for(params, cookies)
        if function == "dologout":
            if session is not None:
                self._end(session, "logout")
            return _json({"response": "success", "body": "logout"}), session
        if session is None:
            return self._expired(), None
        if function == "dorefresh":
            session.refreshed = self.clock()
            return _json({"response": "success", "body": "refreshed"}), session
        if function == "config_get":
            return self._config_get(params), session
        if function == "config_update":
            return self._config_update(body, session), session
        if function == "api.values.get":
            return self._values_get(params), session
        return self._values_post(params, session), session

    def _same_origin(self, request: web.Request) -> bool:
        # The scheme the request came in on: a phone serving both HTTP and
        # HTTPS answers each on its own origin.
        scheme = request.scheme
        if self._phone.profile.web_origin_check == "host":
            hosts = {request.host}
        else:
            port = request.url.port or (443 if scheme == "https" else 80)
            hosts = {f"{self._phone.host}:{port}"}
            if port == (443 if scheme == "https" else 80):
                hosts.add(self._phone.host)
        origins = {f"{scheme}://{host}" for host in hosts}
        origin = request.headers.get("Origin", "").rstrip("/")
        referer = request.headers.get("Referer", "")
        return origin in origins and any(
            referer.startswith(f"{allowed}/") for allowed in origins
        )

    def _expired(self) -> web.Response:
        if self._phone.profile.web_expired_style == "http401":
            return _html(401, "Unauthorized")
        return _json({"response": "error", "body": {"status": "session-expired"}})

    def _locked(self) -> web.Response:
        # The unit of lockTime is not documented; the simulator says seconds.
        return _json(
            {
                "response": "error",
                "body": "locked",
                "lockTime": math.ceil(self._phone.lock_remaining),
            }
        )

    def _access(self, params: Mapping[str, str]) -> web.Response:
        username_hash = params.get("access", "")
        if not _SHA256_HEX_RE.fullmatch(username_hash):
            return _json({"response": "error", "body": "invalid"})
        # Unknown usernames get a nonce too: access reveals no accounts.
        nonce = secrets.token_hex(16)
        self._nonces[username_hash.lower()] = nonce
        return _json({"response": "success", "body": nonce})

    def _dologin(
        self, params: Mapping[str, str]
    ) -> tuple[web.Response, WebSession | None]:
        phone = self._phone
        profile = phone.profile
        if phone.locked:
            return self._locked(), None
        username = params.get("username", "")
        offered = params.get("password", "")
        try:
            expected: str | None = self._password_of(username)
        except ValueError:
            expected = None
        if profile.web_login == "current":
            nonce = self._nonces.pop(_sha256_hex(username), None)
            right = (
                expected is not None
                and nonce is not None
                and secrets.compare_digest(offered, _sha256_hex(expected + nonce))
            )
        else:
            right = expected is not None and secrets.compare_digest(offered, expected)
        if not right:
            left = phone.count_login_failure()
            if left == 0:
                return self._locked(), None
            return _json({"response": "error", "body": f"wrong{left}"}), None
        phone.count_login_success()
        if username in profile.web_denied_users:
            return _json({"response": "error", "body": "user is not allow"}), None
        session = self._open(username, holder="client")
        answer: dict[str, Any] = {"sid": session.sid}
        if profile.web_login == "current":
            answer |= {
                "role": session.role,
                "ver": profile.firmware,
                "mac": _captured_mac(profile.mac),
                "defaultAuth": expected == DEFAULT_PASSWORDS[username],
            }
        response = _json({"response": "success", "body": answer})
        if profile.web_cookie_style == "sid":
            response.set_cookie("sid", session.sid, path="/")
        else:
            response.set_cookie(
                "session-identity", session.sid, path="/cgi-bin", httponly=True
            )
            response.set_cookie(
                "session-role", session.role, path="/cgi-bin", httponly=True
            )
        return response, session

    def _config_get(self, params: Mapping[str, str]) -> web.Response:
        configs = []
        for key in filter(None, params.get("pvalues", "").split(",")):
            alias, value = self.read(key) or ("", "")
            configs.append({"alias": alias, "pvalue": _pvalue(key), "value": value})
        return _json({"configs": configs})

    def _config_update(self, body: str, session: WebSession) -> web.Response:
        try:
            payload = json.loads(body)
        except ValueError:
            return _json({"response": "error", "body": "invalid"})
        pvalues = payload.get("pvalue") if isinstance(payload, dict) else None
        if not isinstance(pvalues, dict):
            return _json({"response": "error", "body": "invalid"})
        for key, value in pvalues.items():
            if isinstance(value, str):
                self.write(key, value, session.role)
        return _json({"response": "success"})

    def _values_get(self, params: Mapping[str, str]) -> web.Response:
        values = {
            key: (self.read(key) or ("", ""))[1]
            for key in filter(None, params.get("request", "").split(":"))
        }
        return _json({"response": "success", "body": values})

    def _values_post(
        self, params: Mapping[str, str], session: WebSession
    ) -> web.Response:
        for key, value in params.items():
            if key != "sid":
                self.write(key, value, session.role)
        return _json({"response": "success", "body": {"status": "right"}})


def _captured_mac(mac: str) -> str:
    """The MAC as the login answer carries it: ``00:0B:82:12:34:56``."""
    digits = "".join(ch for ch in mac.upper() if ch in "0123456789ABCDEF")
    return ":".join(digits[i : i + 2] for i in range(0, 12, 2))


def add_web_routes(app: web.Application, interface: SimulatedWebInterface) -> None:
    """Register every web API path; the handler decides what the model serves."""
    for function in sorted(WEB_FUNCTIONS):
        app.router.add_route("*", f"/cgi-bin/{function}", interface.handle)
