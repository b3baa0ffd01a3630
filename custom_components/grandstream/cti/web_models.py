"""Typed models of the phone's web session API and tolerant parsers for them.

What is known of the answers is in docs/phone-protocol.md §8; where firmware
may differ (a login answer without ``role``/``mac``/``ver``, ``config_get``
with or without an envelope, flags as strings), every variant parses.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
import re
from typing import Any, Final

from .errors import GrandstreamResponseError

# Settings one request may read or write.
MAX_KEYS_PER_REQUEST: Final = 64


class WebLoginGeneration(StrEnum):
    """How the firmware expects the web login (docs/phone-protocol.md §8)."""

    # POST access (username hash → nonce), then dologin with
    # sha256(password + nonce).
    CURRENT = "current"
    # POST dologin with the password in plain text.
    OLDER = "older"


class WebRole(StrEnum):
    """The role the phone gave the session."""

    ADMIN = "admin"
    USER = "user"
    # The firmware named a role we do not know, or none at all.
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class WebRequest:
    """One call of a CGI function: its method and what it carries."""

    method: str
    function: str
    # Out of the repr: they carry the login proof and the session id.
    query: Mapping[str, str] | None = field(default=None, repr=False)
    form: Mapping[str, str] | None = field(default=None, repr=False)
    json_body: Any = field(default=None, repr=False)

    def with_sid(self, sid: str) -> WebRequest:
        """The session id rides in the form where there is one, else in the query."""
        if self.form is not None:
            return replace(self, form={**self.form, "sid": sid})
        return replace(self, query={**(self.query or {}), "sid": sid})


@dataclass(frozen=True, slots=True)
class WebSessionInfo:
    """What the phone's login answer tells; the session id is kept elsewhere."""

    generation: WebLoginGeneration
    username: str
    role: WebRole
    raw_role: str
    # ``aa:bb:cc:dd:ee:ff``, or None when the answer has no usable MAC.
    mac: str | None
    firmware: str | None
    # True while the account still has its factory password.
    default_auth: bool | None


@dataclass(frozen=True, slots=True)
class LoginAnswer:
    """A successful login answer: the public part and the session credentials."""

    info: WebSessionInfo
    # Left out of repr: it carries the session.
    sid: str = field(repr=False)
    cookie_role: str = ""


# A P-value (with or without its P), a named key (``phone_model``,
# ``AccountRegistered1``) or a runtime value (``:dnd``). Nothing that could
# break the comma list of config_get or the colon list of api.values.get.
_KEY_RE: Final = re.compile(r"P?[0-9]{1,6}|[A-Za-z_][A-Za-z0-9_]{0,63}|:[a-z_]{1,32}")
_PVALUE_RE: Final = re.compile(r"P?([0-9]{1,6})")
_MAC_HEX_RE: Final = re.compile(r"[^0-9a-f]")
# A session id as sent in a cookie or a URL: anything else is not trusted.
_SID_RE: Final = re.compile(r"[A-Za-z0-9._~-]{8,256}")
_COOKIE_VALUE_RE: Final = re.compile(r"[A-Za-z0-9._~-]{1,64}")


def check_key(key: str) -> str:
    """Return ``key`` if it is a settings key; raise ``ValueError`` otherwise."""
    if not _KEY_RE.fullmatch(key):
        raise ValueError(f"Not a settings key: {key!r}")
    return key


def config_key(key: str) -> str:
    """The spelling config_get/config_update use: P-values without their ``P``."""
    match = _PVALUE_RE.fullmatch(key)
    return match.group(1) if match else key


def values_key(key: str) -> str:
    """The spelling api.values.* use: P-values with their ``P``."""
    match = _PVALUE_RE.fullmatch(key)
    return f"P{match.group(1)}" if match else key


def normalize_mac(value: Any) -> str | None:
    """``00:0B:82:12:34:56``, ``00-0b-…`` or ``000b82123456`` → ``00:0b:82:12:34:56``."""
    if not isinstance(value, str):
        return None
    text = value.strip().lower()
    digits = _MAC_HEX_RE.sub("", text)
    # Separators only: "00:0B:82:xx" with letters beyond hex is not a MAC.
    if len(digits) != 12 or len(re.sub(r"[:\-.]", "", text)) != 12:
        return None
    return ":".join(digits[i : i + 2] for i in range(0, 12, 2))


def _flag(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return bool(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if text in ("1", "true", "yes", "on"):
            return True
        if text in ("0", "false", "no", "off"):
            return False
    return None


def _text_or_none(value: Any) -> str | None:
    if isinstance(value, str | int) and not isinstance(value, bool):
        text = str(value).strip()
        return text or None
    return None


def parse_role(raw: str) -> WebRole:
    """Map the phone's role string; unknown strings become UNKNOWN."""
    try:
        return WebRole(raw.strip().lower())
    except ValueError:
        return WebRole.UNKNOWN


def parse_login(
    body: Any,
    *,
    generation: WebLoginGeneration,
    username: str,
    cookies: Mapping[str, str],
) -> LoginAnswer:
    """Parse the body of a successful dologin.

    The session id comes from ``body.sid``; a bare string body or only a
    cookie are accepted too, since the older generation is barely recorded.
    """
    fields: Mapping[str, Any] = body if isinstance(body, Mapping) else {}
    sid = fields.get("sid")
    if sid is None and isinstance(body, str):
        sid = body.strip()
    if sid is None:
        sid = cookies.get("sid") or cookies.get("session-identity")
    if not isinstance(sid, str) or not _SID_RE.fullmatch(sid):
        raise GrandstreamResponseError("The login answer has no usable session id")
    raw_role = _text_or_none(fields.get("role")) or ""
    cookie_role = cookies.get("session-role") or raw_role
    if not _COOKIE_VALUE_RE.fullmatch(cookie_role):
        cookie_role = ""
    info = WebSessionInfo(
        generation=generation,
        username=username,
        role=parse_role(raw_role) if raw_role else WebRole.UNKNOWN,
        raw_role=raw_role,
        mac=normalize_mac(fields.get("mac")),
        firmware=_text_or_none(fields.get("ver")),
        default_auth=_flag(fields.get("defaultAuth")),
    )
    return LoginAnswer(info=info, sid=sid, cookie_role=cookie_role)


def parse_lock_time(envelope: Mapping[str, Any]) -> int | None:
    """``lockTime`` next to the body, or inside it (unit not documented)."""
    body = envelope.get("body")
    for source in (envelope, body if isinstance(body, Mapping) else {}):
        value = source.get("lockTime")
        if isinstance(value, bool):
            continue
        if isinstance(value, int):
            return value
        if isinstance(value, str) and value.strip().isdigit():
            return int(value.strip())
    return None


def parse_attempts_left(reason: str) -> int | None:
    """``wrong4`` → 4; a bare ``wrong`` → None."""
    digits = reason[len("wrong") :].strip()
    return int(digits) if digits.isdigit() else None


def parse_configs(answer: Any) -> dict[str, str]:
    """Map ``pvalue`` → ``value`` from a config_get answer.

    Accepts ``{"configs": [...]}`` as captured and the same inside a
    success envelope's body.
    """
    if isinstance(answer, Mapping) and "configs" not in answer:
        answer = answer.get("body")
    configs = answer.get("configs") if isinstance(answer, Mapping) else answer
    if not isinstance(configs, list):
        raise GrandstreamResponseError("config_get answered without a config list")
    values: dict[str, str] = {}
    for entry in configs:
        if not isinstance(entry, Mapping):
            raise GrandstreamResponseError("config_get answered a malformed entry")
        key = entry.get("pvalue")
        value = entry.get("value", "")
        if not isinstance(key, str | int) or isinstance(key, bool):
            raise GrandstreamResponseError("config_get answered an entry without key")
        values[config_key(str(key))] = "" if value is None else str(value)
    return values


def parse_values(body: Any) -> dict[str, str]:
    """Map ``P8310`` → value from an api.values.get body."""
    if not isinstance(body, Mapping):
        raise GrandstreamResponseError("api.values.get answered without values")
    return {
        values_key(str(key)): "" if value is None else str(value)
        for key, value in body.items()
    }


def outcome(envelope: Mapping[str, Any]) -> str:
    """The envelope's ``response``, lower case."""
    return str(envelope.get("response", "")).strip().lower()


def said(body: Any) -> str:
    """The refusal as the phone worded it: a string body, or a body's ``status``."""
    if isinstance(body, Mapping):
        body = body.get("status", "")
    return body.strip() if isinstance(body, str) else ""


def reason(body: Any) -> str:
    """The refusal, lower case, for matching."""
    return said(body).lower()


def body_of(answer: Any) -> Any:
    """The ``body`` of a decoded answer, if it has one."""
    return answer.get("body") if isinstance(answer, Mapping) else None


def unique_keys(keys: Iterable[str]) -> list[str]:
    """Checked keys, each once, at most ``MAX_KEYS_PER_REQUEST``."""
    if isinstance(keys, str):
        raise TypeError("keys must be a collection of keys, not one string")
    wanted = list(dict.fromkeys(check_key(key) for key in keys))
    if len(wanted) > MAX_KEYS_PER_REQUEST:
        raise ValueError(f"At most {MAX_KEYS_PER_REQUEST} keys per request")
    return wanted


def checked_values(values: Mapping[str, str]) -> dict[str, str]:
    """Checked keys with string values; runtime values cannot be written."""
    items: dict[str, str] = {}
    for key in unique_keys(values):
        value = values[key]
        if not isinstance(value, str):
            raise TypeError(f"The value of {key} must be a string")
        if key.startswith(":"):
            raise ValueError(f"{key} is a runtime value and cannot be written")
        items[key] = value
    return items
