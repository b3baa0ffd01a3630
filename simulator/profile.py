"""What kind of phone the simulator plays.

Every firmware variant the doc lists as plausible is a switch here, so one
simulator can stand in for all of them.  The dataclass is deliberately mutable:
tests flip options on a running phone to check that the integration copes
with a phone whose behaviour changes (e.g. an admin disabling Click-To-Dial).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
import re
from typing import Any, Final

from .models import EVENTS

UNAUTHORIZED_STYLES: Final[frozenset[str]] = frozenset({"body", "http401"})
MAC_FORMATS: Final[frozenset[str]] = frozenset({"plain", "colon", "dash"})
# Web session API variants (doc section 5).
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
    https: bool = False
    # Response formatting quirks (doc section 2).
    compact_json: bool = True
    acct_as_number: bool = False
    include_conf: bool = False
    remotename_repeats_number: bool = True
    content_type: str = "text/plain"
    # Features an admin can switch off in the web UI (doc section 1).
    click_to_dial: bool = True
    cti_enabled: bool = True
    unauthorized_style: str = "body"
    # Timing.  Real phones take ~1 s per key and ~60 s to reboot; tests shrink them.
    key_interval: float = 1.0
    reboot_duration: float = 60.0
    reboot_drops_connection: bool = True
    failed_duration: float = 5.0
    # Login lockout (doc section 5: five failures lock the account).
    lockout_threshold: int = 5
    lockout_duration: float = 300.0
    keypad_locked: bool = False
    # Outgoing calls stay "calling" until remote_answer() unless this is set.
    auto_answer_outgoing: bool = False
    # Action URL push (doc section 4).
    action_urls: dict[str, str] = field(default_factory=dict)
    action_url_delay: float = 0.0
    action_url_max_length: int = 256
    action_url_timeout: float = 5.0
    mac_format: str = "plain"
    # Web session API (doc section 5). "current": access + hashed dologin,
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

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        """Reject settings no real phone could have; called on creation and updates."""
        if not 2 <= self.lines <= 16:
            raise ValueError(f"lines must be between 2 and 16, got {self.lines}")
        if self.unauthorized_style not in UNAUTHORIZED_STYLES:
            raise ValueError(
                f"unauthorized_style must be one of {sorted(UNAUTHORIZED_STYLES)}"
            )
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
