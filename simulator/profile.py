"""What kind of phone the simulator plays.

Every firmware variant docs/phone-protocol.md lists as plausible is a switch
here, so one simulator can stand in for all of them.  The dataclass is
deliberately mutable: tests flip options on a running phone to check that the
integration copes with a phone whose behaviour changes (e.g. an admin
disabling Click-To-Dial).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
import re
from typing import Any, Final

from .models import EVENTS, SimulatorError

# How the phone says "unauthorized" (docs/phone-protocol.md §4): an error envelope
# ("body"), the vendor code's success envelope ("success"), HTTP 401 with an
# error envelope ("http401"), bare text ("text", "text_upper": HTTP 200,
# text/plain) or a small HTML page ("html").
UNAUTHORIZED_STYLES: Final[frozenset[str]] = frozenset(
    {"body", "success", "http401", "text", "text_upper", "html"}
)
# What a wrong passcode gets: "unauthorized" in the style above, or the web
# login's countdown "wrongN" then "locked" with "lockTime" (docs/phone-protocol.md §4).
WRONG_PASSCODE_STYLES: Final[frozenset[str]] = frozenset({"unauthorized", "countdown"})
# "focused": active 1 on the line the phone is focused on (a GXP's line in a
# call); "never": always 0 (a WP826 sends 0 on its connected line).
ACTIVE_FLAGS: Final[frozenset[str]] = frozenset({"focused", "never"})
# Body of a successful api-phone_operation: the guide's true, or the other
# positive answers firmware gives.
OPERATION_SUCCESS_BODIES: Final[dict[str, Any]] = {
    "true": True,
    "complete": "complete",
    "1": 1,
}
# What $active_user is filled with: the SIP user id of the call's account
# (the one filled example, "1001") or its 1-based account number (the guide's
# wording, "the account number during a call").
ACTIVE_USER_STYLES: Final[frozenset[str]] = frozenset({"sip_id", "account"})
MAC_FORMATS: Final[frozenset[str]] = frozenset({"plain", "colon", "dash"})
# Web session API variants (docs/phone-protocol.md §8).
WEB_LOGINS: Final[frozenset[str]] = frozenset({"current", "older"})
WEB_COOKIE_STYLES: Final[frozenset[str]] = frozenset({"sid", "identity"})
WEB_EXPIRED_STYLES: Final[frozenset[str]] = frozenset({"body", "http401"})
WEB_ORIGIN_CHECKS: Final[frozenset[str]] = frozenset({"host", "address"})
WEB_USERS: Final[frozenset[str]] = frozenset({"admin", "user"})
_PVALUE_RE: Final = re.compile(r"[0-9]{1,6}")


@dataclass
class SimAccount:
    """One SIP account configured on the phone (``id`` is 1-based like the phone's)."""

    id: int
    sip_id: str
    name: str = ""
    server: str = "pbx.example.test"
    registered: bool = True


def _default_accounts() -> list[SimAccount]:
    return [SimAccount(id=1, sip_id="1001", name="Office", server="pbx.example.test")]


def _two_accounts() -> list[SimAccount]:
    return [
        SimAccount(id=1, sip_id="1001", name="Office", server="pbx.example.test"),
        SimAccount(id=2, sip_id="2002", name="Home", server="sip.example.test"),
    ]


# The phones the captures describe (docs/phone-protocol.md §3). "guide" is the CTI
# guides' own examples and the default.
PRESETS: Final[dict[str, dict[str, Any]]] = {
    "guide": {},
    "wp826": {
        "model": "WP826",
        "firmware": "1.0.3.35",
        "lines": 4,
        "acct_as_number": True,
        "account_base": 0,
        "acct_on_idle": True,
        "include_conf": True,
        "active_flag": "never",
        "misc_idle": "0",
    },
    "wp826-3line": {
        "model": "WP826",
        "firmware": "1.0.1.87",
        "lines": 3,
        "acct_as_number": True,
        "account_base": 0,
        "acct_on_idle": True,
        "include_conf": True,
        "active_flag": "never",
        "misc_idle": "0",
    },
    "gxp21xx": {
        "model": "GXP2170",
        "firmware": "1.0.11.106",
        "lines": 8,
        "compact_json": False,
        "acct_as_number": True,
        "account_base": 1,
        "acct_on_idle": True,
        "active_flag": "focused",
        "misc_idle": "0",
        "accounts": _two_accounts,
    },
}


@dataclass
class PhoneProfile:
    """Configuration and firmware quirks of one simulated phone."""

    model: str = "GXP2170"
    mac: str = "00:0B:82:12:34:56"
    firmware: str = "1.0.11.23"
    hardware_version: str = "V1.0A"
    language: str = "en"
    lines: int = 4
    accounts: list[SimAccount] = field(default_factory=_default_accounts)
    # Left out of repr: profiles end up in test output and debug logs.
    passcode: str = field(default="admin", repr=False)
    # Transport: HTTPS on the main port, or HTTP there and HTTPS on a second
    # port as well (SimulatedPhone.https_port).
    https: bool = False
    extra_https_port: bool = False
    # Response formatting quirks (docs/phone-protocol.md §2, §3).
    compact_json: bool = True
    # acct: a number or a string; the first account's value (0 on a WP826,
    # 1 elsewhere); whether idle lines report the first account or "".
    acct_as_number: bool = False
    account_base: int = 1
    acct_on_idle: bool = False
    include_conf: bool = False
    active_flag: str = "focused"
    # Without a caller name: the number repeated as remotename once a call
    # is up; while ringing too only if the second switch says so.
    remotename_repeats_number: bool = True
    remotename_repeats_while_ringing: bool = False
    # misc of api-get_phone_status on an idle phone ("0" in every capture;
    # "1" is the unverified vendor comment); a busy phone sends "0".
    misc_idle: str = "1"
    content_type: str = "text/plain"
    operation_success_body: str = "true"
    # Features an admin can switch off in the web UI (docs/phone-protocol.md §1).
    click_to_dial: bool = True
    # False: remote control refused (HTTP 403) before the passcode is judged.
    cti_enabled: bool = True
    # "Remote Control Pop up Window Support" on: "unauthorized" even to the
    # right passcode (a GXP2170 after a firmware upgrade).
    popup_window_enabled: bool = False
    # Remote/web access disabled for the account: "user is not allow".
    account_not_allowed: bool = False
    unauthorized_style: str = "body"
    wrong_passcode_style: str = "unauthorized"
    # Firmware that also takes the hobby dialer's POUND for the # key.
    accepts_pound_key: bool = False
    # Timing.  Real phones take ~1 s per key and ~60 s to reboot; tests shrink them.
    key_interval: float = 1.0
    reboot_duration: float = 60.0
    reboot_drops_connection: bool = True
    failed_duration: float = 5.0
    # Login lockout (docs/phone-protocol.md §4: five failures lock the account).
    lockout_threshold: int = 5
    lockout_duration: float = 300.0
    keypad_locked: bool = False
    # Outgoing calls stay "calling" until remote_answer() unless this is set.
    auto_answer_outgoing: bool = False
    # Action URL push (docs/phone-protocol.md §7).
    action_urls: dict[str, str] = field(default_factory=dict)
    action_url_delay: float = 0.0
    action_url_max_length: int = 256
    action_url_timeout: float = 5.0
    mac_format: str = "plain"
    # Web session API (docs/phone-protocol.md §8). "current": access + hashed dologin,
    # config_get/config_update; "older": plain dologin, api.values.*.
    web_login: str = "current"
    # "sid": a sid cookie (WP826); "identity": session-identity and
    # session-role cookies (GXP2170).
    web_cookie_style: str = "sid"
    # Seconds without dorefresh before a session ends (GXP2170: about 60).
    web_session_timeout: float = 60.0
    # An expired session answers a JSON body, or HTTP 401 ("http401").
    web_expired_style: str = "body"
    # Some firmware allows one web session per account: a login ends the other.
    web_one_session_per_account: bool = True
    # The same-origin check compares Origin/Referer with the Host header the
    # client sent ("host") or with the phone's own address ("address"; then
    # a phone reached by a host name refuses every POST).
    web_origin_check: str = "host"
    # The "user" account's password (factory default "123"); "admin" uses
    # ``passcode``. Left out of repr and of the control API's summary.
    user_password: str = field(default="123", repr=False)
    # Accounts whose web access is off: they get "user is not allow".
    web_denied_users: list[str] = field(default_factory=list)
    # P-values (no "P") the "user" account may change; its writes of any
    # other setting are ignored while the phone answers success.
    web_user_writable: list[str] = field(default_factory=list)
    # Managed by the vendor's cloud (GDMS): every local write is ignored.
    gdms_managed: bool = False
    # P-values (no "P") this model lacks: they read empty and ignore writes.
    web_missing_keys: list[str] = field(default_factory=list)
    active_user: str = "sip_id"
    # Desk phones do not fill $call-id (documented for Android GXVs only).
    fill_call_id: bool = False

    def __post_init__(self) -> None:
        self.validate()

    @classmethod
    def preset(cls, name: str, **changes: Any) -> PhoneProfile:
        """The profile of a captured phone (see PRESETS), with ``changes`` on top."""
        try:
            values = dict(PRESETS[name])
        except KeyError:
            raise ValueError(
                f"unknown profile {name!r}; expected one of {sorted(PRESETS)}"
            ) from None
        if callable(accounts := values.get("accounts")):
            values["accounts"] = accounts()
        values.update(changes)
        return cls(**values)

    def store_action_url(self, event: str, url: str) -> bool:
        """Write one Action URL as a phone does; False if it was not stored.

        Real phones keep at most 256 characters per Action URL and silently
        keep the old value for a longer one while the write still answers
        success (docs/phone-protocol.md §7: 256 kept, 300 dropped). An empty URL clears
        the slot.
        """
        if event not in EVENTS:
            raise SimulatorError(f"unknown action URL event {event!r}")
        if len(url) > self.action_url_max_length:
            return False
        if url:
            self.action_urls[event] = url
        else:
            self.action_urls.pop(event, None)
        return True

    def validate(self) -> None:
        """Reject settings no real phone could have; called on creation and updates."""
        if not 2 <= self.lines <= 16:
            raise ValueError(f"lines must be between 2 and 16, got {self.lines}")
        for name, allowed in (
            ("unauthorized_style", UNAUTHORIZED_STYLES),
            ("wrong_passcode_style", WRONG_PASSCODE_STYLES),
            ("active_flag", ACTIVE_FLAGS),
            ("operation_success_body", frozenset(OPERATION_SUCCESS_BODIES)),
            ("active_user", ACTIVE_USER_STYLES),
        ):
            if getattr(self, name) not in allowed:
                raise ValueError(f"{name} must be one of {sorted(allowed)}")
        if self.account_base not in (0, 1):
            raise ValueError("account_base must be 0 or 1")
        if self.https and self.extra_https_port:
            raise ValueError("extra_https_port must be off when https is on")
        if self.mac_format not in MAC_FORMATS:
            raise ValueError(f"mac_format must be one of {sorted(MAC_FORMATS)}")
        if len(mac_hex(self.mac)) != 12:
            raise ValueError(f"mac must have 12 hex digits, got {self.mac!r}")
        for name in ("key_interval", "reboot_duration", "lockout_duration"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")
        if self.lockout_threshold < 1:
            raise ValueError("lockout_threshold must be at least 1")
        ids = [account.id for account in self.accounts]
        if len(set(ids)) != len(ids) or any(i < 1 for i in ids):
            raise ValueError("account ids must be unique and 1-based")
        unknown = set(self.action_urls) - set(EVENTS)
        if unknown:
            raise ValueError(f"unknown action URL events: {sorted(unknown)}")
        for name, allowed in (
            ("web_login", WEB_LOGINS),
            ("web_cookie_style", WEB_COOKIE_STYLES),
            ("web_expired_style", WEB_EXPIRED_STYLES),
            ("web_origin_check", WEB_ORIGIN_CHECKS),
        ):
            if getattr(self, name) not in allowed:
                raise ValueError(f"{name} must be one of {sorted(allowed)}")
        if self.web_session_timeout <= 0:
            raise ValueError("web_session_timeout must be positive")
        if set(self.web_denied_users) - WEB_USERS:
            raise ValueError(f"web_denied_users must be among {sorted(WEB_USERS)}")
        for name in ("web_user_writable", "web_missing_keys"):
            if not all(_PVALUE_RE.fullmatch(key) for key in getattr(self, name)):
                raise ValueError(f"{name} must list P-value numbers without P")

    def formatted_mac(self) -> str:
        """The MAC as the phone fills ``$mac`` (real phones send 12 lowercase hex)."""
        digits = mac_hex(self.mac)
        if self.mac_format == "plain":
            return digits
        pairs = [digits[i : i + 2] for i in range(0, 12, 2)]
        if self.mac_format == "colon":
            return ":".join(pairs).upper()
        return "-".join(pairs)

    def account(self, account_id: int) -> SimAccount | None:
        """The account with this 1-based id, if configured."""
        for account in self.accounts:
            if account.id == account_id:
                return account
        return None

    def summary(self) -> dict[str, Any]:
        """Profile fields for the control API; the passwords are left out on purpose."""
        data = {
            f.name: getattr(self, f.name)
            for f in dataclasses.fields(self)
            if f.name not in ("accounts", "passcode", "user_password")
        }
        data["action_urls"] = dict(self.action_urls)
        for name in ("web_denied_users", "web_user_writable", "web_missing_keys"):
            data[name] = list(getattr(self, name))
        return data

    def update(self, changes: dict[str, Any]) -> list[str]:
        """Apply a partial update of simple fields (used by ``POST /_sim/profile``).

        Values are type-checked so that a JSON ``"true"`` string cannot end up
        in a bool field.  On any error nothing is changed.
        """
        simple = {f.name: f.type for f in dataclasses.fields(self)}
        staged: dict[str, Any] = {}
        for name, value in changes.items():
            kind = simple.get(name)
            if kind is None or name == "accounts":
                raise ValueError(f"profile field {name!r} cannot be updated")
            staged[name] = _coerce(name, str(kind), value)
        if "action_urls" in staged:
            staged["action_urls"] = self._stored_action_urls(staged["action_urls"])
        backup = {name: getattr(self, name) for name in staged}
        for name, value in staged.items():
            setattr(self, name, value)
        try:
            self.validate()
        except ValueError:
            for name, value in backup.items():
                setattr(self, name, value)
            raise
        return sorted(staged)

    def _stored_action_urls(self, urls: dict[str, str]) -> dict[str, str]:
        """``urls`` written slot by slot: an over-long one keeps the slot's old value."""
        stored = {}
        for event, url in urls.items():
            if len(url) <= self.action_url_max_length:
                stored[event] = url
            elif event in self.action_urls:
                stored[event] = self.action_urls[event]
        return stored


def mac_hex(mac: str) -> str:
    """The 12 lowercase hex digits of a MAC in any common notation."""
    return "".join(ch for ch in mac.lower() if ch in "0123456789abcdef")


def _coerce(name: str, kind: str, value: Any) -> Any:
    # dataclass field types are strings because of ``from __future__ import
    # annotations``; the profile only uses a handful of them.
    if kind == "bool":
        if isinstance(value, bool):
            return value
    elif kind == "int":
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    elif kind == "float":
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
    elif kind == "str":
        if isinstance(value, str):
            return value
    elif kind == "list[str]":
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return list(value)
    elif (
        kind == "dict[str, str]"
        and isinstance(value, dict)
        and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items())
    ):
        return dict(value)
    # The type, not the value: the value may be a passcode.
    raise ValueError(
        f"profile field {name!r} expects {kind}, got {type(value).__name__}"
    )
