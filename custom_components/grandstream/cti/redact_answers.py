"""A phone's raw answers, redacted by what each field means (rules: ``redact.py``).

JSON answers are rewritten in place: only the values that change are
re-encoded (with the phone's own escapes), so spacing, member order and
number formatting stay byte for byte as the phone wrote them — whitespace
differs between model lines, and a capture must show it. Which rule a value
gets depends on its member's name (``remotenumber``: a number, ``sid``: a
secret, ...), on the answer (``access`` answers a nonce) and, in a settings
answer, on the setting (an Action URL, Click-To-Dial, anything else).
Answers that are not JSON are free text.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
import json
import re
from typing import Any, Final

from .action_url_slots import ACTION_URL_SLOTS
from .redact import Redactor

_TOKEN: Final = re.compile(
    r"""(?P<ws>\s+)
    |(?P<string>"(?:[^"\\]|\\.)*")
    |(?P<number>-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)
    |(?P<literal>true|false|null|NaN|-?Infinity)
    |(?P<punct>[{}\[\]:,])""",
    re.VERBOSE,
)
# Where a value sits: member names and list positions from the top.
_Path = tuple[str | int, ...]

_ACTION_URL_PVALUES: Final = frozenset(ACTION_URL_SLOTS.values())
# Settings whose values name no one: Click-To-Dial, the model, the vendor.
_PLAIN_SETTINGS: Final = frozenset(
    {"1561", "phone_model", "vendor_fullname", "vendor_name"}
)
_PVALUE: Final = re.compile(r"p?([0-9]{1,6})")
_RUNTIME_OR_REGISTRATION: Final = re.compile(r":[a-z_]+|accountregistered[0-9]{1,2}")

# Member name (lower case) → rule (see ``Redactor.value``).
_MEMBER_RULES: Final[Mapping[str, str]] = {
    **dict.fromkeys(
        (
            "passcode",
            "password",
            "pwd",
            "sid",
            "session-identity",
            "session_identity",
            "session-role",
            "session_id",
            "sessionid",
            "token",
            "nonce",
            "cookie",
            "secret",
            "access",
        ),
        "secret",
    ),
    **dict.fromkeys(
        (
            "remotenumber",
            "remote_number",
            "number",
            "phonenumber",
            "phone_number",
            "callerid",
            "caller_id",
            "local_number",
        ),
        "number",
    ),
    **dict.fromkeys(
        (
            "remotename",
            "remote_name",
            "name",
            "displayname",
            "display_name",
            "display_remote",
            "display_local",
            "callername",
            "caller_name",
            "account_name",
        ),
        "name",
    ),
    **dict.fromkeys(
        (
            "sip_id",
            "sip_user",
            "sipuser",
            "userid",
            "user_id",
            "authid",
            "auth_id",
            "local",
            "active_user",
        ),
        "sip",
    ),
    **dict.fromkeys(
        (
            "sip_server",
            "server",
            "host",
            "proxy",
            "outbound_proxy",
            "registrar",
            "domain",
            "sip_domain",
            "active_host",
        ),
        "host",
    ),
    **dict.fromkeys(
        ("ip", "phone_ip", "ipaddr", "ip_address", "ipv4", "ipv6", "gateway"), "ip"
    ),
    **dict.fromkeys(("mac", "mac_address", "macaddr"), "mac"),
    **dict.fromkeys(("url", "uri", "action_url"), "url"),
    # What parsing and a bug report need, naming no one.
    **dict.fromkeys(
        (
            "response",
            "state",
            "status",
            "line",
            "acct",
            "active",
            "conf",
            "misc",
            "id",
            "reg",
            "auto_cfg",
            "locktime",
            "role",
            "defaultauth",
            "session_expiring",
            "ver",
            "version",
            "firmware",
            "program_version",
            "hardware_version",
            "model",
            "product",
            "phone_model",
            "vendor",
            "vendor_fullname",
            "pvalue",
            "alias",
        ),
        "keep",
    ),
}
# Parts of unknown member names that say what a value is, first match wins.
# A member that matches none is scrambled: an unknown member may hold a
# name, a number or an address as well as anything else.
_MEMBER_HINTS: Final = (
    ("pass", "secret"),
    ("secret", "secret"),
    ("token", "secret"),
    ("nonce", "secret"),
    ("cookie", "secret"),
    ("session", "secret"),
    ("sid", "secret"),
    ("number", "number"),
    ("display", "name"),
    ("label", "name"),
    ("caller", "name"),
    ("name", "name"),
    ("server", "host"),
    ("host", "host"),
    ("proxy", "host"),
    ("url", "url"),
    ("uri", "url"),
    ("user", "sip"),
    ("peer", "sip"),
    ("ext", "sip"),
    ("mac", "mac"),
    ("addr", "ip"),
    ("version", "keep"),
    ("firmware", "keep"),
    ("state", "enum"),
    ("status", "enum"),
)
# What a state or status that names no one looks like ("idle", "on_hold").
_ENUM: Final = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,31}")
# The web login's account names: not personal.
_WEB_USERS: Final = frozenset({"admin", "user"})


def redact_answer(redactor: Redactor, function: str, text: str) -> str:
    """One answer of ``function`` (``api-get_line_status``, ``dologin``, ...)."""
    try:
        root = json.loads(text) if text.strip() else None
        scalars = list(_scalars(text)) if root is not None else []
    except (ValueError, RecursionError, IndexError):
        return redactor.free_text(text)
    if root is None:
        return redactor.free_text(text)
    pieces: list[str] = []
    done = 0
    for start, end, path in scalars:
        token = text[start:end]
        value = json.loads(token)
        new = _redacted(redactor, function, path, root, value)
        if new == value and type(new) is type(value):
            continue
        pieces += [text[done:start], _encoded_like(token, new)]
        done = end
    pieces.append(text[done:])
    return redactor.sweep("".join(pieces))


def _redacted(
    redactor: Redactor, function: str, path: _Path, root: Any, value: Any
) -> Any:
    rule = _rule(function, path, root)
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        if rule == "secret":
            return redactor.secret(str(value))
        if rule in ("number", "sip") and isinstance(value, int) and value > 0:
            return int(redactor.number(str(value)))
        return value
    if not isinstance(value, str):  # pragma: no cover - json scalars only
        return value
    if rule == "username":
        rule = "keep" if value.strip().lower() in _WEB_USERS else "name"
    if rule == "enum":
        rule = "keep" if _ENUM.fullmatch(value) else "scramble"
    if rule == "url" and not value.strip().lower().startswith(("http://", "https://")):
        rule = "scramble" if value.strip() else "keep"
    return redactor.value(rule, value)


def _rule(function: str, path: _Path, root: Any) -> str:
    """What the value at ``path`` holds, as a rule of ``Redactor.value``."""
    keys = [part for part in path if isinstance(part, str)]
    member = keys[-1].lower() if keys else ""
    if function in ("access", "dologin") and member in ("", "body") and _said_yes(root):
        # The nonce of access; a bare session id of older firmware's login.
        # (Their refusals, "wrong4", "locked", are what a bug report needs.)
        return "secret"
    if member == "value" and isinstance(path[-1], str):
        parent = _at(root, path[:-1])
        if isinstance(parent, Mapping) and "pvalue" in parent:
            return _setting_rule(str(parent["pvalue"]))
    if member == "username":
        return "username"
    if member in ("", "body") and len(keys) <= 1:
        # A bare answer, or the envelope's body: a state, or a refusal in the
        # phone's words (names nobody, and is what a bug report needs).
        return "text"
    if member in _MEMBER_RULES:
        return _MEMBER_RULES[member]
    if _PVALUE.fullmatch(member) or _RUNTIME_OR_REGISTRATION.fullmatch(member):
        return _setting_rule(member)
    for hint, rule in _MEMBER_HINTS:
        if hint in member:
            return rule
    return "scramble"


def _said_yes(root: Any) -> bool:
    """Whether the answer is a success envelope, or no envelope at all."""
    if not isinstance(root, Mapping) or "response" not in root:
        return True
    return str(root["response"]).strip().lower() == "success"


def _setting_rule(key: str) -> str:
    """A setting's value: an Action URL, a plain flag or name, or anything else."""
    key = key.strip().lower()
    match = _PVALUE.fullmatch(key)
    pvalue = match.group(1) if match else key
    if pvalue in _ACTION_URL_PVALUES:
        return "url"
    if pvalue in _PLAIN_SETTINGS or _RUNTIME_OR_REGISTRATION.fullmatch(key):
        return "keep"
    # Passwords, accounts, servers live in settings too.
    return "scramble"


def _at(root: Any, path: _Path) -> Any:
    node = root
    for part in path:
        if isinstance(part, int) and isinstance(node, list) and part < len(node):
            node = node[part]
        elif isinstance(part, str) and isinstance(node, Mapping):
            node = node.get(part)
        else:
            return None
    return node


def _encoded_like(token: str, value: Any) -> str:
    """``value`` as JSON, escaped the way the phone escaped ``token``."""
    if not isinstance(value, str):
        return json.dumps(value)
    text = json.dumps(value, ensure_ascii="\\u" in token)
    return text.replace("/", "\\/") if "\\/" in token else text


def _scalars(text: str) -> Iterator[tuple[int, int, _Path]]:
    """Start, end and path of every scalar value of a (valid) JSON text."""
    # Each frame: [is_object, key or index, expecting a key].
    frames: list[list[Any]] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise ValueError(f"not JSON at {position}")
        position = match.end()
        kind, token = match.lastgroup, match.group()
        if kind == "ws":
            continue
        if kind == "punct":
            if token == "{":
                frames.append([True, "", True])
            elif token == "[":
                frames.append([False, 0, False])
            elif token in "}]":
                frames.pop()
            elif token == ":":
                frames[-1][2] = False
            elif frames[-1][0]:
                frames[-1][2] = True
            else:
                frames[-1][1] += 1
            continue
        if kind == "string" and frames and frames[-1][0] and frames[-1][2]:
            frames[-1][1] = json.loads(token)
            continue
        yield match.start(), match.end(), tuple(frame[1] for frame in frames)
