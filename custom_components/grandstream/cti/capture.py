"""Captures: what a phone answered, as it answered it, for bug reports and replay.

A capture holds the raw answers (HTTP status, content type, body as text) of
the CTI functions and of the web session, the Action URL pushes as they
arrived (raw query strings), and every value the code did not understand,
with counts. One format in two containers:

- a folder (the command line's ``capture``)::

      manifest.json                 what, from where, when, which answers
      cti/api-get_line_status.json  one file per answer
      web/01-access.json            web answers in the order they came
      pushes.json, unknown.json     when there are any

- one JSON object with the same parts as members (``as_dict``), which the
  integration's diagnostics carry under ``capture``.

:func:`load_capture` reads either, and a diagnostics file as Home Assistant
downloads it (the integration's part under ``data``). A capture is redacted
(:meth:`Capture.redacted`, rules in ``redact.py``) before it leaves the
process that took it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
import json
from pathlib import Path
import re
from typing import Any, Final

from .answer_log import AnswerLog, UnknownValue
from .errors import GrandstreamError
from .models import parse_accounts, parse_lines, parse_phone_status
from .redact import Redactor
from .redact_answers import redact_answer
from .refusal import find_refusal
from .transport import RawAnswer

FORMAT: Final = "grandstream-capture"
FORMAT_VERSION: Final = 1
# The three answers a replay serves as captured.
READS: Final = ("api-get_phone_status", "api-get_line_status", "api-get_accounts")
# Names that become file names: nothing that could leave the folder.
_NAME: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
# How a body's text gives its bytes back (``CapturedAnswer.encoding``).
ENCODINGS: Final = ("utf-8", "latin-1")
# Bounds for what is read back (files may come from anyone's bug report).
MAX_BODY: Final = 1024 * 1024
MAX_ANSWERS: Final = 64
MAX_PUSHES: Final = 100


class CaptureFormatError(ValueError):
    """The file or folder is not a capture this version can read."""


@dataclass(frozen=True, slots=True)
class CapturedAnswer:
    """One answer as the phone gave it; of the cookies it set, only the names.

    ``encoding`` tells how ``body`` gives the phone's bytes back: ``utf-8``,
    or ``latin-1`` for a body that was no valid UTF-8 (every byte one
    character, so nothing is lost and a replay sends the same bytes).
    The body stays out of the repr, like a :class:`RawAnswer`'s: until the
    capture is redacted it holds session ids, numbers and names.
    """

    function: str
    status: int
    content_type: str
    body: str = field(repr=False)
    cookies: tuple[str, ...] = ()
    encoding: str = "utf-8"

    @classmethod
    def of(cls, function: str, raw: RawAnswer) -> CapturedAnswer:
        """The answer a client received."""
        return cls(
            function,
            raw.status,
            raw.content_type,
            raw.text,
            tuple(sorted(raw.cookies)),
            "utf-8" if raw.utf8 else "latin-1",
        )

    @property
    def raw_body(self) -> bytes:
        """The body as bytes, as the phone sent them."""
        return self.body.encode(self.encoding, errors="replace")

    def as_dict(self) -> dict[str, Any]:
        """The answer as one JSON object (one file of a capture folder)."""
        data: dict[str, Any] = {
            "function": self.function,
            "status": self.status,
            "content_type": self.content_type,
            "body": self.body,
        }
        if self.encoding != "utf-8":
            data["encoding"] = self.encoding
        if self.cookies:
            data["cookies"] = list(self.cookies)
        return data

    @classmethod
    def from_dict(cls, data: Any) -> CapturedAnswer:
        """Read one answer; :class:`CaptureFormatError` if it is none."""
        if not isinstance(data, Mapping):
            raise CaptureFormatError("An answer is not an object")
        function, status = data.get("function"), data.get("status")
        content_type, body = data.get("content_type", ""), data.get("body")
        cookies = data.get("cookies", [])
        encoding = data.get("encoding", "utf-8")
        if not isinstance(function, str) or not _NAME.fullmatch(function):
            raise CaptureFormatError(f"Not a request name: {str(function)[:40]!r}")
        if isinstance(status, bool) or not isinstance(status, int):
            raise CaptureFormatError(f"{function}: the status is not a number")
        if not isinstance(content_type, str) or not isinstance(body, str):
            raise CaptureFormatError(f"{function}: content type and body are text")
        if len(body) > MAX_BODY:
            raise CaptureFormatError(f"{function}: the body is too large")
        if encoding not in ENCODINGS:
            raise CaptureFormatError(
                f"{function}: encoding {str(encoding)[:20]!r} is not known "
                f"(one of {', '.join(ENCODINGS)})"
            )
        if encoding == "latin-1" and not all(ord(c) < 256 for c in body):
            raise CaptureFormatError(f"{function}: the body is not Latin-1")
        if not isinstance(cookies, list) or not all(
            isinstance(c, str) for c in cookies
        ):
            raise CaptureFormatError(f"{function}: cookies are a list of names")
        return cls(function, status, content_type, body, tuple(cookies), encoding)


@dataclass(frozen=True, slots=True)
class CapturedPush:
    """A push as it arrived: the raw query string (``+`` and spaces as sent)."""

    query: str
    method: str = "GET"
    # How long before the capture was taken it arrived.
    age_seconds: float | None = None


@dataclass(frozen=True, slots=True)
class CaptureManifest:
    """What a capture is: where it comes from, when, which phone."""

    source: str
    taken_at: str
    tool: str
    tool_version: str
    model: str | None = None
    firmware: str | None = None
    redacted: bool = False
    note: str = ""


@dataclass(frozen=True, slots=True)
class Capture:
    """Raw answers, pushes and unknown values of one phone (see the module)."""

    manifest: CaptureManifest
    cti: tuple[CapturedAnswer, ...] = ()
    web: tuple[CapturedAnswer, ...] = ()
    pushes: tuple[CapturedPush, ...] = ()
    unknown: tuple[UnknownValue, ...] = ()

    def answer(self, function: str) -> CapturedAnswer | None:
        """The captured answer of a CTI function, if any."""
        return next((a for a in reversed(self.cti) if a.function == function), None)

    def shows(self) -> dict[str, Any]:
        """What the answers say, as the library parses them.

        ``phone_state``, ``lines`` (number, state, the user's account number)
        and ``accounts`` (id, registered); a part is None when its answer is
        missing or is no success (a refusal, garbage).
        """
        shown: dict[str, Any] = {"phone_state": None, "lines": None, "accounts": None}
        if (status := self._success("api-get_phone_status")) is not None:
            parsed = _parsed(lambda: parse_phone_status(status.get("body"), status))
            if parsed is not None:
                shown["phone_state"] = parsed.state.value
        if (lines := self._success("api-get_line_status")) is not None:
            parsed_lines = _parsed(lambda: parse_lines(lines.get("body")))
            if parsed_lines is not None:
                shown["lines"] = [
                    {"line": ls.line, "state": ls.state.value, "account": ls.account}
                    for ls in parsed_lines
                ]
        if (accounts := self._success("api-get_accounts")) is not None:
            parsed_accounts = _parsed(lambda: parse_accounts(accounts.get("body")))
            if parsed_accounts is not None:
                shown["accounts"] = [
                    {"id": a.id, "registered": a.registered} for a in parsed_accounts
                ]
        return shown

    def _success(self, function: str) -> dict[str, Any] | None:
        answer = self.answer(function)
        if answer is None or answer.status != 200:
            return None
        if find_refusal(answer.status, answer.body) is not None:
            return None  # "unauthorized" comes in success envelopes too
        try:
            envelope = json.loads(answer.body)
        except (ValueError, RecursionError):
            return None
        if not isinstance(envelope, dict):
            return None
        if str(envelope.get("response", "")).strip().lower() != "success":
            return None
        return envelope

    def redacted(self, redactor: Redactor) -> Capture:
        """This capture with every answer, push and value redacted by shape.

        One redactor for all of it: a value keeps one replacement throughout.
        """
        return Capture(
            manifest=replace(self.manifest, redacted=True),
            cti=tuple(_redacted_answer(redactor, a) for a in self.cti),
            web=tuple(_redacted_answer(redactor, a) for a in self.web),
            pushes=tuple(
                replace(p, query=redactor.sweep(redactor.query(p.query)))
                for p in self.pushes
            ),
            unknown=tuple(
                replace(u, value=redactor.free_text(u.value)) for u in self.unknown
            ),
        )

    # -- the one format ------------------------------------------------------

    def manifest_dict(self) -> dict[str, Any]:
        """``manifest.json``: the manifest, which answers are present, what they show."""
        return {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "source": self.manifest.source,
            "tool": self.manifest.tool,
            "tool_version": self.manifest.tool_version,
            "taken_at": self.manifest.taken_at,
            "model": self.manifest.model,
            "firmware": self.manifest.firmware,
            "redacted": self.manifest.redacted,
            "note": self.manifest.note,
            "cti": [answer.function for answer in self.cti],
            "web": [name for name, _ in self._web_files()],
            "pushes": len(self.pushes),
            "unknown": len(self.unknown),
            "shows": self.shows(),
        }

    def as_dict(self) -> dict[str, Any]:
        """The capture as one JSON object (what diagnostics carry)."""
        return {
            "manifest": self.manifest_dict(),
            "cti": [answer.as_dict() for answer in self.cti],
            "web": [answer.as_dict() for answer in self.web],
            "pushes": [_push_dict(push) for push in self.pushes],
            "unknown": [_unknown_dict(value) for value in self.unknown],
        }

    def write(self, folder: Path) -> list[Path]:
        """Write the capture as a folder (created if missing); the files written."""
        files: dict[Path, Any] = {folder / "manifest.json": self.manifest_dict()}
        for answer in self.cti:
            files[folder / "cti" / f"{answer.function}.json"] = answer.as_dict()
        for name, answer in self._web_files():
            files[folder / "web" / f"{name}.json"] = answer.as_dict()
        if self.pushes:
            files[folder / "pushes.json"] = [_push_dict(p) for p in self.pushes]
        if self.unknown:
            files[folder / "unknown.json"] = [_unknown_dict(u) for u in self.unknown]
        for path, content in files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(
                json.dumps(content, indent=2, ensure_ascii=False) + "\n",
                encoding="utf-8",
            )
        return list(files)

    def _web_files(self) -> list[tuple[str, CapturedAnswer]]:
        return [
            (f"{index:02d}-{answer.function}", answer)
            for index, answer in enumerate(self.web, start=1)
        ]

    @classmethod
    def from_dict(cls, data: Any) -> Capture:
        """Read :meth:`as_dict`'s form; :class:`CaptureFormatError` if it is none."""
        if not isinstance(data, Mapping):
            raise CaptureFormatError("A capture is a JSON object")
        manifest = _manifest(data.get("manifest"))
        cti = _answers(data.get("cti", []))
        web = _answers(data.get("web", []))
        pushes = data.get("pushes", [])
        unknown = data.get("unknown", [])
        if not isinstance(pushes, list) or len(pushes) > MAX_PUSHES:
            raise CaptureFormatError("pushes: a list of at most 100")
        if not isinstance(unknown, list):
            raise CaptureFormatError("unknown: a list")
        return cls(
            manifest=manifest,
            cti=cti,
            web=web,
            pushes=tuple(_push(p) for p in pushes),
            unknown=tuple(_unknown(u) for u in unknown),
        )


def capture_of(
    *,
    source: str,
    tool: str,
    tool_version: str,
    cti: AnswerLog | None = None,
    web: Iterable[tuple[str, RawAnswer]] = (),
    pushes: Iterable[CapturedPush] = (),
    unknown: Iterable[UnknownValue] = (),
    model: str | None = None,
    firmware: str | None = None,
    taken_at: datetime | None = None,
    note: str = "",
) -> Capture:
    """A capture of what logs recorded (not redacted yet)."""
    when = (taken_at or datetime.now(UTC)).astimezone(UTC)
    return Capture(
        manifest=CaptureManifest(
            source=source,
            taken_at=when.isoformat(timespec="seconds"),
            tool=tool,
            tool_version=tool_version,
            model=model,
            firmware=firmware,
        ),
        cti=tuple(
            CapturedAnswer.of(name, raw) for name, raw in (cti.answers() if cti else [])
        ),
        web=tuple(CapturedAnswer.of(name, raw) for name, raw in web),
        pushes=tuple(pushes),
        unknown=(*(cti.unknown() if cti else []), *unknown),
    )


def load_capture(path: Path) -> Capture:
    """A capture folder, a capture file, or a diagnostics file holding one."""
    if path.is_dir():
        return _read_folder(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as err:
        raise CaptureFormatError(f"{path}: not a readable JSON file ({err})") from None
    return capture_in(data)


def capture_in(data: Any) -> Capture:
    """The capture in a capture object, diagnostics, or a diagnostics download."""
    if isinstance(data, Mapping) and isinstance(data.get("data"), Mapping):
        data = data["data"]  # Home Assistant's download wraps the integration's
    if isinstance(data, Mapping) and isinstance(data.get("capture"), Mapping):
        data = data["capture"]
    return Capture.from_dict(data)


def _read_folder(folder: Path) -> Capture:
    def read(path: Path) -> Any:
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError, RecursionError) as err:
            raise CaptureFormatError(f"{path}: not a readable JSON file") from err

    if not (folder / "manifest.json").is_file():
        raise CaptureFormatError(f"{folder}: no manifest.json")
    manifest = read(folder / "manifest.json")
    data: dict[str, Any] = {"manifest": manifest}
    for part in ("cti", "web"):
        files = sorted((folder / part).glob("*.json"))[: MAX_ANSWERS + 1]
        # In the order the manifest lists them (the order they were asked).
        listed = manifest.get(part, []) if isinstance(manifest, Mapping) else []
        order = {
            name: i for i, name in enumerate(listed if isinstance(listed, list) else [])
        }
        files.sort(key=lambda path: order.get(path.stem, len(order)))
        data[part] = [read(path) for path in files]
    for part in ("pushes", "unknown"):
        if (folder / f"{part}.json").is_file():
            data[part] = read(folder / f"{part}.json")
    return Capture.from_dict(data)


def _manifest(data: Any) -> CaptureManifest:
    if not isinstance(data, Mapping) or data.get("format") != FORMAT:
        raise CaptureFormatError("Not a Grandstream capture (no manifest)")
    version = data.get("version")
    if not isinstance(version, int) or not 1 <= version <= FORMAT_VERSION:
        raise CaptureFormatError(f"Capture format version {version!r} is not known")

    def text(key: str, default: str | None = "") -> Any:
        value = data.get(key, default)
        if value is not None and not isinstance(value, str):
            raise CaptureFormatError(f"manifest: {key} is not text")
        return value[:200] if isinstance(value, str) else value

    return CaptureManifest(
        source=text("source"),
        taken_at=text("taken_at"),
        tool=text("tool"),
        tool_version=text("tool_version"),
        model=text("model", None),
        firmware=text("firmware", None),
        redacted=data.get("redacted") is True,
        note=text("note"),
    )


def _answers(data: Any) -> tuple[CapturedAnswer, ...]:
    if not isinstance(data, list) or len(data) > MAX_ANSWERS:
        raise CaptureFormatError(f"Answers: a list of at most {MAX_ANSWERS}")
    return tuple(CapturedAnswer.from_dict(item) for item in data)


def _push(data: Any) -> CapturedPush:
    if not isinstance(data, Mapping) or not isinstance(data.get("query"), str):
        raise CaptureFormatError("A push is an object with its query")
    age = data.get("age_seconds")
    method = data.get("method", "GET")
    return CapturedPush(
        query=data["query"][:MAX_BODY],
        method=method if method in ("GET", "POST") else "GET",
        age_seconds=float(age) if isinstance(age, int | float) else None,
    )


def _push_dict(push: CapturedPush) -> dict[str, Any]:
    return {
        "query": push.query,
        "method": push.method,
        "age_seconds": push.age_seconds,
    }


def _unknown(data: Any) -> UnknownValue:
    if not isinstance(data, Mapping):
        raise CaptureFormatError("An unknown value is an object")
    kind, value, count = data.get("kind"), data.get("value"), data.get("count", 1)
    if not isinstance(kind, str) or not isinstance(value, str):
        raise CaptureFormatError("An unknown value has a kind and a value")
    return UnknownValue(kind[:40], value[:200], count if isinstance(count, int) else 1)


def _unknown_dict(value: UnknownValue) -> dict[str, Any]:
    return {"kind": value.kind, "value": value.value, "count": value.count}


def _redacted_answer(redactor: Redactor, answer: CapturedAnswer) -> CapturedAnswer:
    return replace(answer, body=redact_answer(redactor, answer.function, answer.body))


def _parsed(parse: Callable[[], Any]) -> Any:
    try:
        return parse()
    except (GrandstreamError, ValueError, TypeError):
        return None
