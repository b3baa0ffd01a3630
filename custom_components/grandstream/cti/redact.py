"""Keep secrets out of messages, and people out of captures.

Messages (log lines, errors): :func:`redact_url` and :func:`redact_text` hide
the passcode.

Captures (a phone's raw answers, kept for a bug report and a replay):
:class:`Redactor` replaces what identifies a person or grants access and
keeps what parsing needs, the *shape*. One redactor serves one capture: the
same value gets the same replacement everywhere in it (the number of a line
and of a push stay one number), and a replacement keeps nothing of what it
replaces:

- secrets (passcodes, passwords, session ids, cookies, nonces) are removed;
- a phone number keeps its length, its ``+``/``00``/``0`` prefix, spaces and
  separators; every other digit becomes a random digit, except that the first
  one after the prefix is never 0 (that would change how the number is
  written: ``030…`` national, ``0030…`` international); letters in it (a
  SIP address, ``Erika <2001>``) become random letters;
- a name keeps its length, spaces and punctuation; every letter becomes a
  random letter of the same script and case (Cyrillic stays Cyrillic, an
  accented Latin letter stays one: the UTF-8 length is kept too);
- SIP user ids follow the number or name rule; servers, IP addresses and MACs
  become numbered placeholders (a MAC keeps a Grandstream OUI, loopback
  addresses stay).

Replacement digits and letters are drawn from a fresh seed per redactor
without looking at the character they replace: a replacement may repeat the
original by chance, as often as any other character, so comparing many
captures of the same value tells nothing about it (a rule like "any digit
but the original" would give the original away as the one never drawn).
What a replacement keeps is only the shape above.
"""

from __future__ import annotations

from collections.abc import Iterable
import ipaddress
import random
import re
import secrets as _secrets
from typing import Final
import unicodedata
from urllib.parse import quote, unquote, urlsplit, urlunsplit

# Parameters that carry the phone's web password. ``password`` is what older
# firmware expects for api-make_call, so both are sent and both are hidden.
_SECRET_PARAMS = re.compile(r"(?i)\b(passcode|password)=[^&#\s]*")

# What a removed secret reads as.
REMOVED: Final = "REDACTED"
# Grandstream's MAC prefixes (docs/phone-protocol.md §9): kept, so a
# redacted MAC is still recognisably a Grandstream phone's.
GRANDSTREAM_OUIS: Final = frozenset({"000b82", "c074ad", "ec74d7"})
# Other OUIs become a locally administered one.
_OTHER_OUI: Final = "020000"
# Numbers that name no one: kept as they are.
ANONYMOUS_NUMBERS: Final = frozenset(
    {"anonymous", "unknown", "unavailable", "private", "restricted", "withheld"}
)
# A secret shorter than this is not swept from whole texts: "123" would
# take every such run of digits with it (fields that hold secrets are
# removed whatever their length).
_MIN_SWEPT_SECRET = 4

_HEX = "0123456789abcdefABCDEF"
# In text of unknown meaning: URLs, MACs (with separators, or 12 hex digits
# with a letter among them), IPv4 and IPv6 addresses, runs of digits.
_IN_TEXT = re.compile(
    r"(?P<url>\bhttps?://[^\s\"'<>]+)"
    r"|(?P<mac>(?<![0-9A-Fa-f:-])[0-9A-Fa-f]{2}([:-])(?:[0-9A-Fa-f]{2}\3){4}"
    r"[0-9A-Fa-f]{2}(?![0-9A-Fa-f:-]))"
    r"|(?P<bare_mac>(?<![0-9A-Za-z])(?=[0-9]*[A-Fa-f])[0-9A-Fa-f]{12}(?![0-9A-Za-z]))"
    r"|(?P<ip6>(?<![0-9A-Za-z:.])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}"
    r"(?:%[0-9A-Za-z]+)?(?![0-9A-Za-z:]))"
    r"|(?P<ip>(?<![0-9.])(?:[0-9]{1,3}\.){3}[0-9]{1,3}(?![0-9.]))"
    r"|(?P<digits>\+?[0-9][0-9 ./-]{3,}[0-9])",
    re.IGNORECASE,
)
# Firmware versions look like IPv4 addresses (1.0.11.23): no phone has an
# address with a single-digit first and a 0 second part.
_FIRMWARE_VERSION = re.compile(r"[0-9]\.0\.[0-9]{1,3}\.[0-9]{1,3}")
# A run of digits this long may be a phone number.
_LONG_DIGITS = 5
_PORT = re.compile(r":[0-9]*\Z")
_HOST_PORT = re.compile(r"(?P<host>\[[^\]]+\]|[^:]+)(?::(?P<port>[0-9]{1,5}))?")
# Placeholders for servers and addresses.
_DOC_NETWORKS: Final = ("192.0.2.", "198.51.100.", "203.0.113.")


def redact_url(url: str) -> str:
    """Return ``url`` with every passcode value replaced by ``***``."""
    return _SECRET_PARAMS.sub(r"\1=***", url)


def redact_text(text: str, secret: str) -> str:
    """Return ``text`` with ``secret`` and any passcode parameter hidden."""
    text = redact_url(text)
    if secret:
        text = text.replace(secret, "***")
    return text


def fresh_random() -> random.Random:
    """The random source of a new redactor: a seed nobody knows."""
    return random.Random(_secrets.randbits(64))


class Redactor:
    """Replacements by shape for one capture (see the module's docstring)."""

    def __init__(
        self, secrets: Iterable[str] = (), *, rng: random.Random | None = None
    ) -> None:
        """``secrets`` (a passcode, say) are removed wherever they appear."""
        self._secrets = sorted(
            {s for s in secrets if len(s) >= _MIN_SWEPT_SECRET}, key=len, reverse=True
        )
        self._rng = rng if rng is not None else fresh_random()
        self._numbers: dict[tuple[str, str], str] = {}
        self._names: dict[str, str] = {}
        self._mixed: dict[str, str] = {}
        self._hosts: dict[str, str] = {}
        self._ips: dict[str, str] = {}
        self._macs: dict[str, str] = {}

    # -- secrets -----------------------------------------------------------

    def secret(self, value: str) -> str:
        """A secret's replacement: nothing of it (empty stays empty)."""
        return REMOVED if value else value

    def sweep(self, text: str) -> str:
        """``text`` without the redactor's secrets or any passcode parameter."""
        text = redact_url(text)
        for secret in self._secrets:
            text = text.replace(secret, REMOVED)
        return text

    # -- numbers and names ---------------------------------------------------

    def number(self, text: str) -> str:
        """A phone number (or SIP address) by shape; see the module docstring."""
        if "@" in text:
            return self._sip_address(text)
        if not any(c.isdigit() for c in text):
            return (
                text if text.strip().lower() in ANONYMOUS_NUMBERS else self.name(text)
            )
        if any(_is_letter(c) for c in text):
            # "Erika <2001>", "erika2001": the digits as a number, and the
            # letters too (the same value keeps one replacement).
            if text not in self._mixed:
                digits_done = self._digits_of_number(text)
                self._mixed[text] = "".join(
                    self._letter(c) if _is_letter(c) else c for c in digits_done
                )
            return self._mixed[text]
        return self._digits_of_number(text)

    def _digits_of_number(self, text: str) -> str:
        # The prefix as numbers.number_kind reads it: "+", or leading 00 or 0.
        all_digits = "".join(c for c in text if c.isdigit())
        plus = text.lstrip(" (").startswith("+")
        keep = 0 if plus else min(2, len(all_digits) - len(all_digits.lstrip("0")))
        significant = all_digits[keep:]
        key = ("+" if plus else all_digits[:keep], significant)
        if key not in self._numbers:
            self._numbers[key] = "".join(
                self._digit(first=i == 0) for i in range(len(significant))
            )
        replacement = iter(all_digits[:keep] + self._numbers[key])
        return "".join(next(replacement) if c.isdigit() else c for c in text)

    def name(self, text: str) -> str:
        """A name by shape: same length, script, case, spaces and punctuation.

        A "name" that is a number (phones repeat the number as the name)
        gets the number's replacement, so the two stay equal.
        """
        if not text.strip() or text.strip().lower() in ANONYMOUS_NUMBERS:
            return text
        if "@" in text or any(c.isdigit() for c in text):
            # A number, a SIP address, digits with letters: the number's rule,
            # so that a name repeating the number stays equal to it.
            return self.number(text)
        if text not in self._names:
            self._names[text] = self.scramble(text)
        return self._names[text]

    def sip_user(self, text: str) -> str:
        """A SIP user id: a number's rule if it is digits, else a name's."""
        if "@" in text:
            return self._sip_address(text)
        if text.isdigit():
            return self.number(text)
        return self.name(text)

    def scramble(self, text: str) -> str:
        """Every letter and digit replaced by another of its kind, the rest kept."""
        out = []
        first_digit = True
        for char in text:
            if _is_letter(char):
                out.append(self._letter(char))
            elif (value := unicodedata.decimal(char, None)) is not None:
                digit = self._digit(first=first_digit)
                out.append(chr(ord(char) - value + int(digit)))
                first_digit = False
            else:
                out.append(char)
        return "".join(out)

    def _sip_address(self, text: str) -> str:
        scheme, colon, rest = text.partition(":")
        if not colon or scheme.lower() not in ("sip", "sips", "tel"):
            scheme, colon, rest = "", "", text
        user, at, host = rest.partition("@")
        user = self.number(user) if any(c.isdigit() for c in user) else self.name(user)
        return f"{scheme}{colon}{user}{at}{self.host(host) if at else ''}"

    def _digit(self, *, first: bool) -> str:
        """A random digit, never looking at the one it replaces (module docstring)."""
        return self._rng.choice("123456789" if first else "0123456789")

    def _letter(self, char: str) -> str:
        """A random letter of ``char``'s script, case and UTF-8 length (a
        letter alone in its block would be itself: a plain x instead)."""
        pool = _letter_pool(char)
        return (
            self._rng.choice(pool)
            if len(pool) > 1
            else ("X" if char.isupper() else "x")
        )

    # -- addresses -----------------------------------------------------------

    def host(self, text: str) -> str:
        """A server: IP addresses by :meth:`ip`, names by a numbered placeholder."""
        stripped = text.strip()
        if not stripped:
            return text
        match = _HOST_PORT.fullmatch(stripped)
        if match and match.group("port"):
            return f"{self.host(match.group('host'))}:{match.group('port')}"
        if _is_ip(stripped.strip("[]")):
            address = self.ip(stripped.strip("[]"))
            return f"[{address}]" if stripped.startswith("[") else address
        key = stripped.lower()
        if key not in self._hosts:
            self._hosts[key] = f"host-{len(self._hosts) + 1}.example"
        return self._hosts[key]

    def ip(self, text: str) -> str:
        """An IP address: loopback and unspecified stay, others become placeholders."""
        try:
            address = ipaddress.ip_address(text.strip())
        except ValueError:
            return self.host(text) if text.strip() else text
        if address.is_loopback or address.is_unspecified:
            return text
        key = str(address)
        if key not in self._ips:
            index = len(self._ips)
            if address.version == 4:
                network, host = divmod(index, 254)
                base = _DOC_NETWORKS[network % len(_DOC_NETWORKS)]
                self._ips[key] = f"{base}{host + 1}"
            else:
                self._ips[key] = f"2001:db8::{index + 1:x}"
        return self._ips[key]

    def mac(self, text: str) -> str:
        """A MAC in its own notation: Grandstream OUIs kept, the rest numbered."""
        hex_digits = [c for c in text if c in _HEX]
        if len(hex_digits) != 12:
            return self.scramble(text)
        key = "".join(hex_digits).lower()
        if key not in self._macs:
            oui = key[:6] if key[:6] in GRANDSTREAM_OUIS else _OTHER_OUI
            self._macs[key] = f"{oui}{len(self._macs) + 1:06x}"
        upper = any(c.isupper() for c in hex_digits)
        replacement = iter(self._macs[key].upper() if upper else self._macs[key])
        return "".join(next(replacement) if c in _HEX else c for c in text)

    def url(self, text: str) -> str:
        """A URL: credentials removed, host replaced, path and query by shape.

        The segment after ``webhook/`` is a secret (whoever knows it can push
        to Home Assistant): removed, its length kept, since a phone stores at
        most 256 characters per URL. Text that is no URL is scrambled.
        """
        try:
            parts = urlsplit(text.strip())
        except ValueError:
            return self.scramble(text)
        if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
            return self.scramble(text)
        host_port = parts.netloc.rpartition("@")[2]
        port = _PORT.search(host_port)
        host = host_port[: port.start()] if port else host_port
        netloc = self.host(host) + (port.group(0) if port else "")
        segments = parts.path.split("/")
        path = "/".join(
            "x" * len(segment)
            if index and segments[index - 1].lower() == "webhook"
            else segment
            if segment.lower() in _PATH_WORDS or segment.startswith("$")
            else self.scramble(segment)
            for index, segment in enumerate(segments)
        )
        return urlunsplit(
            (
                parts.scheme,
                netloc,
                path,
                self.query(parts.query),
                self.scramble(parts.fragment),
            )
        )

    def query(self, raw: str) -> str:
        """A raw query string (a push, a URL's) by its parameters' meaning.

        Names, ``$variables``, events, models and firmware are kept;
        encoding and raw characters stay as they came (a phone sends names
        with raw spaces and numbers with a raw ``+``).
        """
        parts = []
        for part in raw.split("&"):
            name, equals, value = part.partition("=")
            decoded = unquote(value)
            rule = _QUERY_RULES.get(unquote(name).strip().lower(), "scramble")
            if not equals or not decoded or decoded.startswith("$") or rule == "keep":
                parts.append(part)
                continue
            new = self.value(rule, decoded)
            if new != decoded:
                value = quote(new, safe="") if "%" in value else new
            parts.append(f"{name}={value}")
        return "&".join(parts)

    def value(self, rule: str, text: str) -> str:
        """``text`` by one of the rules: number, name, sip, host, ip, mac, url,
        secret, account, text (free text), scramble; anything else keeps it."""
        if rule == "account":
            # An account number (1, 2) says nothing; a SIP user id does.
            rule = "keep" if len(text) <= 2 and text.isdigit() else "sip"
        handlers = {
            "number": self.number,
            "name": self.name,
            "sip": self.sip_user,
            "host": self.host,
            "ip": self.ip,
            "mac": self.mac,
            "url": self.url,
            "secret": self.secret,
            "text": self.free_text,
            "scramble": self.scramble,
        }
        handler = handlers.get(rule)
        return handler(text) if handler is not None else text

    def free_text(self, text: str) -> str:
        """Text of unknown meaning: URLs, MACs, IP addresses and long digit runs.

        Words are kept (a refusal, a state): nothing tells a name from them,
        so only what an answer is (HTML, an envelope's body) gets this rule;
        unknown members of an answer are scrambled (``redact_answers``).
        Firmware versions (``1.0.11.23``) stay.
        """
        return _IN_TEXT.sub(self._in_text, self.sweep(text))

    def _in_text(self, match: re.Match[str]) -> str:
        found = match.group(0)
        if match.lastgroup == "url":
            return self.url(found)
        if match.lastgroup in ("mac", "bare_mac"):
            return self.mac(found)
        if match.lastgroup == "ip6":
            address, percent, zone = found.partition("%")
            return self.ip(address) + percent + zone if _is_ip(address) else found
        if match.lastgroup == "ip":
            return found if _FIRMWARE_VERSION.fullmatch(found) else self.ip(found)
        if sum(c.isdigit() for c in found) < _LONG_DIGITS:
            return found
        return self.number(found)


# Path segments of URLs that name no one.
_PATH_WORDS: Final = frozenset({"", "api", "webhook", "cgi-bin", "index.html"})
# What each parameter of a push (or a URL's query) holds: our one-letter
# names, the long ones of earlier versions, and the phone's own variables.
# Anything else is scrambled.
_QUERY_RULES: Final = {
    **dict.fromkeys(
        (
            "e",
            "event",
            "p",
            "model",
            "product",
            "v",
            "firmware",
            "program_version",
            "hardware_version",
            "language",
            "calldirection",
            "duration",
            "c",
            "call_id",
            "call-id",
        ),
        "keep",
    ),
    **dict.fromkeys(("m", "mac"), "mac"),
    **dict.fromkeys(("r", "remote", "number", "phonenumber"), "number"),
    **dict.fromkeys(("a", "account", "active_user"), "account"),
    **dict.fromkeys(("local", "sip_id", "user"), "sip"),
    **dict.fromkeys(("n", "name", "display_local", "display_remote"), "name"),
    **dict.fromkeys(("phone_ip", "ip"), "ip"),
    **dict.fromkeys(("active_host", "host", "server"), "host"),
    **dict.fromkeys(("passcode", "password", "sid", "token"), "secret"),
}


def _is_letter(char: str) -> bool:
    return unicodedata.category(char) in ("Lu", "Ll", "Lt", "Lo")


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


_POOLS: dict[tuple[int, str, str], str] = {}


def _letter_pool(char: str) -> str:
    """Letters that may stand in for ``char``: same block, script and case.

    A block of 128 code points never straddles a UTF-8 length boundary, so
    the replacement takes as many bytes as the original.
    """
    code = ord(char)
    category = unicodedata.category(char)
    script = unicodedata.name(char, "").split(" ")[0]
    if 0x410 <= code <= 0x44F:
        # The modern Cyrillic alphabet rather than its historic letters.
        start, end = 0x410, 0x450
    else:
        start = code - code % 128
        end = start + 128
    key = (start, category, script)
    if key not in _POOLS:
        _POOLS[key] = "".join(
            candidate
            for candidate in map(chr, range(start, end))
            if unicodedata.category(candidate) == category
            and unicodedata.name(candidate, "").split(" ")[0] == script
        )
    return _POOLS[key]
