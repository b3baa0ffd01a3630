"""What a redacted answer must be: nothing personal left, the same shape for parsing.

Shared by the property tests (``test_redaction.py``), the diagnostics tests and
the capture tests. Each check returns the problems it found (empty: fine), so
a test can also show that a weak redactor *is* caught.

Which fields are personal is written here from the protocol reference
(docs/phone-protocol.md §3, §7, §8), not taken from the redactor's own
tables: a field the redactor forgot is then a failing test, not a blind spot.
"""

from __future__ import annotations

import json
import re
from typing import Any
import unicodedata
from urllib.parse import quote, unquote

from custom_components.grandstream.cti import GrandstreamError, number_kind
from custom_components.grandstream.cti.models import (
    parse_accounts,
    parse_lines,
    parse_phone_status,
)

from ..helpers.nested import mappings

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_WORD = re.compile(r"\w{4,}")
_IPV4 = re.compile(r"(?:[0-9]{1,3}\.){3}[0-9]{1,3}")
_ANONYMOUS = {"anonymous", "unknown", "unavailable", "private", "restricted"}


def significant_digits(number: str) -> str:
    """The digits after a ``+``/``00``/``0`` prefix: what identifies the party.

    The prefix as ``numbers.number_kind`` reads it: a leading ``+``, or the
    first digits ``00`` or ``0`` wherever they stand (``*03#`` is national).
    """
    all_digits = re.sub(r"\D", "", number)
    if number.lstrip(" (").startswith("+"):
        return all_digits
    return all_digits[min(2, len(all_digits) - len(all_digits.lstrip("0"))) :]


def number_problems(original: str, redacted: str) -> list[str]:
    """A number: same length, prefix and separators.

    Not "no digit in place": replacements are drawn without looking at the
    original, so a digit may come back by chance (a rule against it would give
    the original away across captures). ``twin_answer`` and ``twin_query``
    check that the replacement does not depend on the original at all.
    """
    problems = []
    if "@" in original:
        # A SIP address: its server becomes a placeholder of its own length.
        if "@" not in redacted:
            return [f"{redacted!r} is no SIP address any more"]
        original, redacted = original.rpartition("@")[0], redacted.rpartition("@")[0]
    if len(original) != len(redacted):
        problems.append(f"number length {len(original)} → {len(redacted)}")
        return problems
    if number_kind(original) is not number_kind(redacted):
        problems.append(f"number kind of {redacted!r} differs")
    for before, after in zip(original, redacted, strict=True):
        if before.isalpha():
            # A SIP address or "Erika <2001>": its letters go too.
            if not after.isalpha() or _script(before) != _script(after):
                problems.append(f"{before!r} became {after!r} in {redacted!r}")
                break
        elif before.isdigit() != after.isdigit() or (
            not before.isdigit() and before != after
        ):
            problems.append(f"separator or prefix changed in {redacted!r}")
            break
    return problems


def name_problems(original: str, redacted: str) -> list[str]:
    """A name: same length, scripts, cases and bytes (see ``number_problems``)."""
    problems = []
    if len(original) != len(redacted):
        return [f"name length {len(original)} → {len(redacted)}"]
    if len(original.encode()) != len(redacted.encode()):
        problems.append("name's UTF-8 length changed")
    for before, after in zip(original, redacted, strict=True):
        if before.isalpha() and (
            _script(before) != _script(after) or before.isupper() != after.isupper()
        ):
            problems.append(f"{before!r} became {after!r}: another script or case")
        elif not before.isalnum() and before != after:
            problems.append(f"punctuation changed: {before!r} → {after!r}")
    return problems


def _script(char: str) -> str:
    return unicodedata.name(char, "").split(" ")[0]


def absent(text: str, values: list[str]) -> list[str]:
    """Values (and their longer words, and numbers' digits) that survive in ``text``."""
    found = []
    digits_of_text = re.sub(r"\D", "", text)
    for value in values:
        if not value or value.lower() in _ANONYMOUS:
            continue
        # Values with fewer than 5 letters and digits ("33", "*01#", "4711")
        # come back by chance: replacements are drawn without looking at the
        # original. The independence checks (``twin_answer``) cover them.
        if sum(c.isalnum() for c in value) < 5:
            continue
        if value in text:
            found.append(f"{value!r} survives")
            continue
        found += [
            f"a word of {value!r} survives"
            for word in _WORD.findall(value)
            if not word.isdigit() and word in text
        ]
        significant = significant_digits(value)
        if len(significant) >= 5 and significant in digits_of_text:
            found.append(f"the digits of {value!r} survive")
    return found


# -- answers ---------------------------------------------------------------


def personal_values(function: str, text: str) -> dict[str, list[str]]:
    """Numbers, names, secrets and addresses an answer carries (protocol §3, §8)."""
    found: dict[str, list[str]] = {
        "numbers": [],
        "names": [],
        "secrets": [],
        "addresses": [],
    }
    try:
        data = json.loads(text)
    except ValueError:
        return found
    body = data.get("body") if isinstance(data, dict) else None
    if function == "access" and isinstance(body, str):
        found["secrets"].append(body)
    for entry in mappings(data):
        for key, value in entry.items():
            if not isinstance(value, str) or not value.strip():
                continue
            lowered = key.lower()
            if lowered in ("remotenumber", "sip_id"):
                found["numbers"].append(value)
            elif lowered in ("remotename", "name"):
                found["names"].append(value)
            elif lowered in ("sid", "password", "passcode"):
                found["secrets"].append(value)
            elif lowered in ("sip_server", "mac"):
                found["addresses"].append(value)
            elif lowered == "value" and value.startswith("http"):
                found["addresses"] += _IPV4.findall(value)
                if "/webhook/" in value:
                    found["secrets"].append(
                        value.split("/webhook/")[1].split("?")[0].split("/")[0]
                    )
    return found


# What a redaction put in: a value that is one names no one (a fixture may
# be redacted already, and redacting it again keeps these).
_PLACEHOLDER = re.compile(
    r"host-[0-9]+\.example|(?:192\.0\.2|198\.51\.100|203\.0\.113)\."
)


def placeholder(value: str) -> bool:
    """Whether ``value`` is a redactor's placeholder (a server, an address, a MAC)."""
    if _PLACEHOLDER.match(value):
        return True
    return _is_mac(value) and int(_nic(value) or "0", 16) < 0x100


def answer_problems(
    function: str, original: str, redacted: str, secrets: list[str]
) -> list[str]:
    """Everything wrong with ``redacted`` as a redaction of ``original``."""
    problems: list[str] = []
    personal = personal_values(function, original)
    problems += [
        "a secret survives"
        for secret in [*secrets, *personal["secrets"]]
        if len(secret) >= 4 and secret in redacted
    ]
    problems += [
        f"the address {address!r} survives"
        for address in personal["addresses"]
        if not placeholder(address)
        and (
            mac_survives(address, redacted)
            or (not _is_mac(address) and address in redacted)
        )
    ]
    problems += absent(redacted, personal["numbers"] + personal["names"])
    try:
        before, after = json.loads(original), json.loads(redacted)
    except ValueError:
        return problems
    if _STRING.sub('""', original) != _STRING.sub('""', redacted):
        problems.append("the answer's layout (spacing, members, order) changed")
    problems += _pairs_problems(before, after)
    problems += _parsed_problems(function, before, after)
    return problems


def _is_mac(text: str) -> bool:
    return len(re.sub(r"[^0-9A-Fa-f]", "", text)) == 12 and len(text) <= 17


def mac_survives(mac: str, text: str) -> bool:
    """Whether the device part of ``mac`` is in ``text``, in any notation."""
    if not _is_mac(mac):
        return False
    nic = _nic(mac)
    pairs = [nic[i : i + 2] for i in range(0, 6, 2)]
    lowered = text.lower()
    return any(form in lowered for form in (nic, ":".join(pairs), "-".join(pairs)))


def _nic(text: str) -> str:
    """The part of a MAC that identifies the device (the OUI may stay)."""
    hexes = re.sub(r"[^0-9a-f]", "", text.lower())
    return hexes[6:] if _is_mac(text) else hexes


def _pairs_problems(before: Any, after: Any) -> list[str]:
    """Numbers and names, field by field (the same members in both)."""
    problems: list[str] = []
    for old, new in zip(mappings(before), mappings(after), strict=False):
        for key, value in old.items():
            if not isinstance(value, str) or not value.strip():
                continue
            replaced = new.get(key)
            if not isinstance(replaced, str):
                problems.append(f"{key} lost its text")
                continue
            lowered = key.lower()
            if lowered in ("remotenumber", "sip_id") and any(
                c.isdigit() for c in value
            ):
                problems += number_problems(value, replaced)
            elif lowered in ("remotename", "name") and value.lower() not in _ANONYMOUS:
                if "@" in value or any(c.isdigit() for c in value):
                    problems += number_problems(value, replaced)
                else:
                    problems += name_problems(value, replaced)
    return problems


def _parsed_problems(function: str, before: Any, after: Any) -> list[str]:
    """The redacted answer parses to the same lines, states and account numbering."""
    if not (isinstance(before, dict) and isinstance(after, dict)):
        return []
    try:
        if function == "api-get_line_status":
            old_lines, new_lines = (
                parse_lines(before.get("body")),
                parse_lines(after.get("body")),
            )
            shape = [
                _line_shape(a) == _line_shape(b)
                for a, b in zip(old_lines, new_lines, strict=True)
            ]
            if not all(shape):
                return ["the lines parse to another shape"]
        elif function == "api-get_phone_status":
            if parse_phone_status(before.get("body"), before) != parse_phone_status(
                after.get("body"), after
            ):
                return ["the phone status parses differently"]
        elif function == "api-get_accounts":
            old, new = (
                parse_accounts(before.get("body")),
                parse_accounts(after.get("body")),
            )
            if [(a.id, a.registered, len(a.sip_user), len(a.name)) for a in old] != [
                (a.id, a.registered, len(a.sip_user), len(a.name)) for a in new
            ] or len({a.sip_user for a in old}) != len({a.sip_user for a in new}):
                return ["the accounts parse to another shape"]
    except (GrandstreamError, ValueError) as err:
        return [f"the redacted answer no longer parses: {err}"]
    return []


def _line_shape(line: Any) -> tuple[Any, ...]:
    return (
        line.line,
        line.state,
        line.raw_state,
        line.account,
        line.raw_account,
        line.active,
        line.conference,
        number_kind(line.remote_number),
        len(line.remote_number.rpartition("@")[0] or line.remote_number),
        len(line.remote_name),
    )


# -- pushes ------------------------------------------------------------------


def push_problems(original: str, redacted: str) -> list[str]:
    """A push query: names kept, event/model/firmware kept, the rest redacted."""
    problems = []
    before = [part.partition("=") for part in original.split("&")]
    after = [part.partition("=") for part in redacted.split("&")]
    if [(n, s) for n, s, _ in before] != [(n, s) for n, s, _ in after]:
        return ["the parameters of a push changed"]
    for (name, _, old), (_, _, new) in zip(before, after, strict=True):
        old, new = unquote(old), unquote(new)
        if name in ("e", "p", "v") or old.startswith("$"):
            if old != new:
                problems.append(f"{name}={old!r} should be kept")
        elif name == "r" and any(c.isdigit() for c in old):
            problems += number_problems(old, new)
        elif name == "n":
            problems += name_problems(old, new)
        elif name == "m" and mac_survives(old, new):
            problems.append("the MAC survives")
    return problems


# -- independence -------------------------------------------------------------
#
# A redactor that draws its replacements without looking at the original gives
# two different values of the same shape the same replacement when it starts
# from the same seed. A "twin" is such a value: every digit 1-9 and every
# letter moved to another of its kind (zeros stay: they make the prefix), so
# that any redactor keeping, or avoiding, an original character is caught.

_TWINNED_MEMBERS = frozenset(
    {"remotenumber", "remotename", "name", "sip_id", "sip_user", "callerid"}
)
_TWINNED_PARAMS = frozenset({"r", "n", "a"})
_MEMBER_VALUE = re.compile(
    r'"(?P<key>[A-Za-z_]+)"(?P<sep>\s*:\s*)"(?P<raw>(?:[^"\\]|\\.)*)"'
)


def twin_value(text: str) -> str:
    """``text`` with each digit 1-9 and each letter moved to another of its kind."""
    if text.strip().lower() in _ANONYMOUS:
        return text
    scheme, colon, rest = text.partition(":")
    if colon and scheme.lower() in ("sip", "sips", "tel"):
        return scheme + colon + twin_value(rest)  # the scheme is shape
    out = []
    for char in text:
        if char in "123456789":
            out.append(str(int(char) % 9 + 1))
        elif char.isalpha():
            out.append(_next_letter(char))
        else:
            out.append(char)
    return "".join(out)


def _next_letter(char: str) -> str:
    from custom_components.grandstream.cti.redact import _letter_pool

    pool = _letter_pool(char)
    if char not in pool or len(pool) < 2:
        return char
    return pool[(pool.index(char) + 1) % len(pool)]


def twin_answer(text: str) -> str:
    """A JSON answer with its numbers, names and SIP ids twinned, layout kept."""

    def twin(match: re.Match[str]) -> str:
        if match.group("key").lower() not in _TWINNED_MEMBERS:
            return match.group(0)
        raw = match.group("raw")
        value = twin_value(json.loads(f'"{raw}"'))
        encoded = json.dumps(value, ensure_ascii="\\u" in raw)
        return f'"{match.group("key")}"{match.group("sep")}{encoded}'

    return _MEMBER_VALUE.sub(twin, text)


def twin_query(query: str) -> str:
    """A push query with its number, name and account twinned."""
    parts = []
    for part in query.split("&"):
        name, equals, value = part.partition("=")
        if name in _TWINNED_PARAMS and not value.startswith("$"):
            value = (
                quote(twin_value(unquote(value)), safe="")
                if "%" in value
                else twin_value(value)
            )
        parts.append(f"{name}{equals}{value}")
    return "&".join(parts)
