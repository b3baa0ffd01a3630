"""A captured phone, played back: the simulator answers as that phone did.

``python -m simulator --replay PATH`` (a capture folder written by
``grandstream-cti capture``, or a diagnostics file downloaded from Home
Assistant). Status, lines and accounts are served byte for byte as captured
(HTTP status, content type, body) as long as the phone is in the captured
state. The control API still rings, answers and hangs up: the phone starts
with the captured lines, and once something changes, each answer is derived
from the captured one — every line's entry is the template of that line (the
same members, in the same order, with the same types), written with the
spacing the phone used. Everything else (commands, the web interface, Action
URLs) is the simulator's, with the profile the capture shows (line count,
how ``acct`` counts, ``conf``, ``active``, ``misc``, model, firmware, MAC).

The capture is read by the phone library's own reader (``cti/capture.py``),
loaded without Home Assistant when the integration is not imported already.
"""

from __future__ import annotations

from collections.abc import Mapping
import importlib
import importlib.util
import json
from pathlib import Path
import re
import sys
from types import ModuleType
from typing import Any, Final

from aiohttp import web

from .phone import SimulatedPhone
from .profile import PRESETS, PhoneProfile, SimAccount

_LIBRARY_SOURCE: Final = (
    Path(__file__).resolve().parent.parent / "custom_components" / "grandstream" / "cti"
)
_PRIVATE_NAME: Final = "_simulator_grandstream_cti"
_STRING: Final = re.compile(r'"(?:[^"\\]|\\.)*"')
_BUSY: Final = frozenset({"connected", "onhold", "ringing", "calling", "dialing"})


def capture_library() -> ModuleType:
    """The phone library (``cti``): the integration's, the wheel's, or its source."""
    for name in ("custom_components.grandstream.cti", "grandstream_cti", _PRIVATE_NAME):
        if name in sys.modules:
            return sys.modules[name]
    try:
        return importlib.import_module("grandstream_cti")
    except ImportError:
        pass
    spec = importlib.util.spec_from_file_location(
        _PRIVATE_NAME,
        _LIBRARY_SOURCE / "__init__.py",
        submodule_search_locations=[str(_LIBRARY_SOURCE)],
    )
    if spec is None or spec.loader is None:  # pragma: no cover - the repository
        raise ImportError(f"cannot load the phone library from {_LIBRARY_SOURCE}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[_PRIVATE_NAME] = module
    spec.loader.exec_module(module)
    return module


def load_replay(path: str | Path) -> Any:
    """The capture at ``path`` (folder, capture file or diagnostics file)."""
    library = capture_library()
    return library.load_capture(Path(path))


class ReplayedPhone(SimulatedPhone):
    """A simulated phone that plays a capture (see the module docstring)."""

    def __init__(self, capture: Any, **changes: Any) -> None:
        """Play ``capture``; ``changes`` go into the profile (passcode, timing)."""
        self.capture = capture
        self._library = capture_library()
        self._templates = _Templates(capture)
        super().__init__(profile_for(capture, self._templates, self._library, changes))
        self._restore_lines()
        self._initial_lines = self._derived_lines()
        self._initial_registration = self._registration()

    # -- what the capture says -------------------------------------------------

    def _restore_lines(self) -> None:
        """The lines as captured: states, accounts, callers, the focused line."""
        body = self._templates.lines
        if body is None:
            return
        parsed = self._library.models.parse_lines(body)
        for entry in parsed:
            if not 1 <= entry.line <= len(self.lines):
                continue
            line = self.line(entry.line)
            line.state = entry.raw_state.strip().lower() or "idle"
            if line.state == "idle":
                continue
            line.account = entry.account or 0
            line.remote_number = entry.remote_number
            template = self._templates.line(entry.line) or {}
            line.remote_name = str(template.get("remotename", "") or "")
            line.call_id = next(self._call_ids)
            line.direction = (
                "outgoing" if line.state in ("calling", "dialing") else "incoming"
            )
            if entry.active and self._active is None:
                self._active = entry.line
        self._offhook = any(
            line.state in _BUSY and line.state != "ringing" for line in self.lines
        )

    def _registration(self) -> list[bool]:
        return [account.registered for account in self.profile.accounts]

    def _derived_lines(self) -> list[dict[str, Any]]:
        """The line entries for the phone's state now, shaped like the captured."""
        entries = []
        for generated in self.line_status():
            template = self._templates.line(int(generated["line"]))
            if template is None:
                continue
            entries.append(_shaped_like(template, generated))
        return entries

    # -- answers ---------------------------------------------------------------

    def read_answer(self, function: str) -> web.Response:
        """As captured while nothing changed; derived from it afterwards."""
        captured = self.capture.answer(function)
        if captured is None:
            return super().read_answer(function)
        lines_unchanged = self._derived_lines() == self._initial_lines
        registration_unchanged = self._registration() == self._initial_registration
        unchanged = {
            "api-get_line_status": lines_unchanged,
            "api-get_phone_status": lines_unchanged and registration_unchanged,
            "api-get_accounts": registration_unchanged,
        }[function]
        envelope = self._templates.envelope(function)
        if unchanged or envelope is None:
            # As captured, an empty Content-Type too (aiohttp would otherwise
            # add application/octet-stream), and the body's own bytes.
            headers = {"Content-Type": captured.content_type}
            return web.Response(
                status=captured.status, body=captured.raw_body, headers=headers
            )
        fields = dict(envelope)
        if function == "api-get_line_status":
            fields["body"] = self._derived_lines()
        elif function == "api-get_phone_status":
            _set_status(fields, self.phone_status(), self.phone_misc())
        else:
            fields["body"] = self._derived_accounts(fields.get("body"))
        text = _written_like(captured.body, fields)
        return web.Response(
            body=text.encode(captured.encoding, errors="replace"),
            headers={"Content-Type": captured.content_type},
        )

    def _derived_accounts(self, body: Any) -> Any:
        if not isinstance(body, list):
            return body
        registered = {a.id: a.registered for a in self.profile.accounts}
        entries = []
        for entry in body:
            entry = dict(entry) if isinstance(entry, Mapping) else entry
            if isinstance(entry, dict) and entry.get("id") in registered:
                entry["reg"] = _like(entry.get("reg", 0), registered[entry["id"]])
            entries.append(entry)
        return entries


class _Templates:
    """The captured answers, decoded: envelopes and line entries."""

    def __init__(self, capture: Any) -> None:
        self._envelopes: dict[str, dict[str, Any]] = {}
        for function in (
            "api-get_line_status",
            "api-get_phone_status",
            "api-get_accounts",
        ):
            answer = capture.answer(function)
            if answer is None or answer.status != 200:
                continue
            try:
                envelope = json.loads(answer.body)
            except ValueError:
                continue
            if (
                isinstance(envelope, dict)
                and str(envelope.get("response", "")).lower() == "success"
            ):
                self._envelopes[function] = envelope
        body = self._envelopes.get("api-get_line_status", {}).get("body")
        if isinstance(body, Mapping):
            body = [body]
        self.lines: list[dict[str, Any]] | None = (
            [dict(e) for e in body if isinstance(e, Mapping)]
            if isinstance(body, list)
            else None
        )
        self._by_line = {_int(entry.get("line")): entry for entry in self.lines or []}

    def envelope(self, function: str) -> dict[str, Any] | None:
        return self._envelopes.get(function)

    def line(self, number: int) -> dict[str, Any] | None:
        return self._by_line.get(number)


def profile_for(
    capture: Any, templates: _Templates, library: ModuleType, changes: dict[str, Any]
) -> PhoneProfile:
    """The simulator's profile of the captured phone."""
    manifest = capture.manifest
    # What a capture cannot show (which line is "active" in a call, when the
    # capture has none) comes from what is known of the model, if anything.
    known = next(
        (
            dict(preset)
            for preset in PRESETS.values()
            if str(preset.get("model", "")).upper() == (manifest.model or "").upper()
        ),
        {},
    )
    values: dict[str, Any] = {
        key: known[key]
        for key in ("active_flag", "remotename_repeats_number", "misc_idle")
        if key in known
    }
    values |= {
        "model": manifest.model or "GXP2170",
        "firmware": manifest.firmware or "1.0.0.0",
        "accounts": _accounts(templates, library),
    }
    lines = templates.lines
    if lines is not None:
        parsed = library.models.parse_lines(lines)
        values |= {
            "lines": min(16, max(2, len(lines))),
            "account_base": library.models.account_base(parsed),
            "acct_as_number": any(
                isinstance(e.get("acct"), int) and not isinstance(e.get("acct"), bool)
                for e in lines
            ),
            "acct_on_idle": any(
                str(e.get("state", "")).lower() == "idle"
                and e.get("acct") not in ("", None)
                for e in lines
            ),
            "include_conf": any("conf" in e for e in lines),
        }
        if any(ls.state.value == "connected" for ls in parsed):
            # A WP826 reports active 0 on its connected line, a GXP 1.
            values["active_flag"] = (
                "focused"
                if any(ls.state.value == "connected" and ls.active for ls in parsed)
                else "never"
            )
        answer = capture.answer("api-get_line_status")
        values["content_type"] = answer.content_type
        values["compact_json"] = not answer.body.lstrip().startswith("{ ")
    status = templates.envelope("api-get_phone_status")
    if status is not None and status.get("misc") is not None:
        values["misc_idle"] = str(status["misc"])
    if (mac := _captured_mac(capture)) is not None:
        values["mac"] = mac
    if any(a.function == "access" and a.status == 404 for a in capture.web):
        values["web_login"] = "older"
    values.update(changes)
    return PhoneProfile(**values)


def _accounts(templates: _Templates, library: ModuleType) -> list[SimAccount]:
    envelope = templates.envelope("api-get_accounts")
    if envelope is not None:
        try:
            parsed = library.models.parse_accounts(envelope.get("body"))
        except (library.GrandstreamError, ValueError):
            parsed = []
        if parsed:
            return [
                SimAccount(
                    id=a.id,
                    sip_id=a.sip_user,
                    name=a.name,
                    server=a.server,
                    registered=a.registered,
                )
                for a in parsed
            ]
    # No accounts captured: the ones the lines name.
    numbers = {1}
    if templates.lines is not None:
        parsed_lines = library.models.parse_lines(templates.lines)
        numbers |= {line.account for line in parsed_lines if line.account}
    return [SimAccount(id=n, sip_id=str(1000 + n)) for n in sorted(numbers)]


def _captured_mac(capture: Any) -> str | None:
    for answer in capture.web:
        if answer.function != "dologin":
            continue
        try:
            body = json.loads(answer.body).get("body")
        except (ValueError, AttributeError):
            continue
        mac = body.get("mac") if isinstance(body, Mapping) else None
        if isinstance(mac, str) and len(re.sub(r"[^0-9A-Fa-f]", "", mac)) == 12:
            return mac
    return None


def _shaped_like(
    template: Mapping[str, Any], generated: Mapping[str, Any]
) -> dict[str, Any]:
    """``generated``'s values in ``template``'s members, order and types."""
    entry = dict(template)
    for key, value in generated.items():
        if key in entry and key != "conf":
            entry[key] = _like(template[key], value)
    return entry


def _like(example: Any, value: Any) -> Any:
    """``value`` with ``example``'s JSON type (``acct`` 0 or "0", ``active`` 1 or true)."""
    if isinstance(example, bool):
        return bool(value) if not isinstance(value, str) else value not in ("", "0")
    if isinstance(example, int):
        return _int(value) if str(value).strip() else value
    if isinstance(example, str):
        return str(int(value)) if isinstance(value, bool) else str(value)
    return value


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _set_status(fields: dict[str, Any], state: str, misc: str) -> None:
    body = fields.get("body")
    if isinstance(body, Mapping):
        nested = dict(body)
        nested["status" if "status" in nested else "state"] = state
        if "misc" in nested:
            nested["misc"] = _like(nested["misc"], misc)
        fields["body"] = nested
    else:
        fields["body"] = state
    if "misc" in fields:
        fields["misc"] = _like(fields["misc"], misc)


def _written_like(captured: str, fields: Mapping[str, Any]) -> str:
    """``fields`` as JSON with the spacing and escaping of ``captured``."""
    skeleton = _STRING.sub('""', captured)
    item = ", " if re.search(r",\s", skeleton) else ","
    key = ": " if re.search(r":\s", skeleton) else ":"
    text = json.dumps(fields, separators=(item, key), ensure_ascii="\\u" in captured)
    if skeleton.lstrip().startswith("{ "):
        # The padded envelope of one firmware family: { "response": ... }
        text = "{ " + text[1:-1] + " }"
    return text
