"""``capture``: the phone's answers as it gave them, redacted, into a folder.

The simulator's request logs are the witness: one request set over CTI, with
``--web`` one login and a logout; a wrong passcode is sent once, its refusal
written down, the web never tried. Whatever is written holds no passcode,
session id, number, name, SIP id, server or MAC of the phone.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from custom_components.grandstream.cti import (
    Capture,
    CapturedAnswer,
    CaptureManifest,
    Redactor,
    load_capture,
    redact_answer,
)
from custom_components.grandstream.cti.cli.capture import web_secrets
from custom_components.grandstream.cti.models import parse_accounts
from custom_components.grandstream.cti.transport import RawAnswer
from devtools.processes import free_port
from simulator import Fault, PhoneProfile, SimulatedPhone
from simulator.replay import ReplayedPhone

from ..cti.redaction_checks import mac_survives
from ..helpers.cli import WRONG, Result, cli
from ..helpers.phone import PASSCODE

READS = ["api-get_phone_status", "api-get_line_status", "api-get_accounts"]
NUMBER = "+4930123456"
LATIN1_ACCOUNTS = (
    '{"response":"success","body":[{"id":1,"sip_server":"host-1.example",'
    '"sip_id":"9001","name":"M\u00fcller","reg":1}]}'
)
NAMES = {"latin": "Erika Mustermann", "cyrillic": "Ирина Петрова"}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Where the capture goes: a folder not made yet."""
    return tmp_path / "capture"


async def run_capture(address: str, folder: Path, *options: str, **run: Any) -> Result:
    """``capture ADDRESS -o FOLDER OPTIONS`` (``run``: how ``cli`` runs it)."""
    return await cli(["capture", address, "-o", str(folder), *options], **run)


def everything(folder: Path) -> str:
    """Every file of a capture folder, as one text."""
    return "\n".join(
        path.read_text(encoding="utf-8") for path in sorted(folder.rglob("*.json"))
    )


@pytest.mark.parametrize("preset", ["guide", "wp826", "wp826-3line", "gxp21xx"])
async def test_every_profile(socket_enabled: None, preset: str, tmp_path: Path) -> None:
    """A ringing call on each simulated phone: captured, redacted, what it shows."""
    name = NAMES["cyrillic" if preset == "gxp21xx" else "latin"]
    profile = PhoneProfile.preset(preset, passcode=PASSCODE)
    async with SimulatedPhone(profile) as phone:
        phone.incoming_call(NUMBER, name)
        folder = tmp_path / "capture"
        result = await run_capture(phone.address, folder, "--web")
        assert result.code == 0, result.text
        assert [r.function for r in phone.requests] == READS
        assert len(phone.web.calls("dologin")) == 1
        assert [e.reason for e in phone.web.ended] == ["logout"]
    files = sorted(str(p.relative_to(folder)) for p in folder.rglob("*.json"))
    assert files == [
        "cti/api-get_accounts.json",
        "cti/api-get_line_status.json",
        "cti/api-get_phone_status.json",
        "manifest.json",
        "web/01-access.json",
        "web/02-dologin.json",
        "web/03-config_get.json",
        "web/04-dologout.json",
    ]
    capture = load_capture(folder)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert (manifest["model"], manifest["firmware"]) == (
        profile.model,
        profile.firmware,
    )
    assert manifest["source"] == "command line"
    assert manifest["redacted"] is True
    assert manifest["cti"] == READS
    shows = capture.shows()
    assert shows["phone_state"] == "ringing"
    assert len(shows["lines"]) == profile.lines
    assert shows["lines"][0] == {"line": 1, "state": "ringing", "account": 1}
    assert [a["id"] for a in shows["accounts"]] == [a.id for a in profile.accounts]
    text = everything(folder)
    for secret in (PASSCODE, NUMBER, NUMBER[1:], name, *name.split()):
        assert secret not in text, secret
    accounts = capture.answer("api-get_accounts")
    assert accounts is not None
    # SIP ids keep their shape. (Whether a digit comes back by chance says
    # nothing: tests/cti/test_redaction.py checks that replacements do not
    # depend on the original at all.)
    redacted_ids = [
        a.sip_user for a in parse_accounts(json.loads(accounts.body)["body"])
    ]
    for original, redacted in zip(
        [a.sip_id for a in profile.accounts], redacted_ids, strict=True
    ):
        assert len(redacted) == len(original)
        assert redacted.isdigit()
        assert redacted[0] != "0"
    assert "pbx.example.test" not in text
    assert not mac_survives(profile.mac, text)
    assert '"sid":"REDACTED"' in text.replace("\\", "")
    # The line status keeps the phone's layout: only values changed.
    line_status = capture.answer("api-get_line_status")
    assert line_status is not None
    assert line_status.content_type == profile.content_type
    assert line_status.body.startswith("{ " if not profile.compact_json else '{"')
    assert "Redacted: no passcode" in result.out


async def test_wrong_passcode_is_captured_once(
    phone: SimulatedPhone, folder: Path
) -> None:
    """The refusal is what a bug report needs: written, reported, not sent again."""
    result = await run_capture(phone.address, folder, "--web", passcode=WRONG)
    assert result.code == 4, result.text
    assert len(phone.requests) == 1
    assert phone.web.calls("dologin") == []
    assert phone.failures == 1
    capture = load_capture(folder)
    answer = capture.answer("api-get_phone_status")
    assert answer is not None
    assert json.loads(answer.body) == {"response": "error", "body": "unauthorized"}
    assert capture.shows()["phone_state"] is None
    assert WRONG not in everything(folder)
    assert "Captured into" in result.out
    assert "unauthorized" in result.text


async def test_json_and_the_model_by_hand(phone: SimulatedPhone, folder: Path) -> None:
    """Without --web the model and firmware can be given; --json for scripts."""
    phone.line(1).state = "transfer"  # a state nobody has documented
    result = await run_capture(
        phone.address, folder, "--model", "GXP1625", "--firmware", "1.0.7.81", "--json"
    )
    assert result.code == 0, result.text
    data = result.json()
    assert data["ok"] is True
    assert data["manifest"]["model"] == "GXP1625"
    assert data["manifest"]["firmware"] == "1.0.7.81"
    assert data["manifest"]["web"] == []
    assert "unknown.json" in data["files"]
    assert phone.web.requests == []
    unknown = json.loads((folder / "unknown.json").read_text(encoding="utf-8"))
    assert unknown == [{"kind": "line_state", "value": "transfer", "count": 1}]


async def test_a_used_folder_is_refused(phone: SimulatedPhone, tmp_path: Path) -> None:
    """A capture never mixes with other files; nothing is sent."""
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    result = await run_capture(phone.address, tmp_path)
    assert result.code == 2
    assert "not an empty folder" in result.err
    assert phone.requests == []
    empty = tmp_path / "empty"
    empty.mkdir()
    assert (await run_capture(phone.address, empty)).code == 0


async def test_nobody_answers(socket_enabled: None, tmp_path: Path) -> None:
    """An unreachable phone: exit 3, no folder."""
    folder = tmp_path / "capture"
    result = await run_capture(f"127.0.0.1:{free_port()}", folder, "--http")
    assert result.code == 3
    assert not folder.exists()


async def test_the_web_refuses(phone: SimulatedPhone, folder: Path) -> None:
    """CTI answers, the web account is refused: both written, exit 4."""
    phone.profile.web_denied_users = ["admin"]
    result = await run_capture(phone.address, folder, "--web")
    assert result.code == 4
    capture = load_capture(folder)
    assert [a.function for a in capture.cti] == READS
    assert [a.function for a in capture.web] == ["access", "dologin"]
    assert "user is not allow" in capture.web[1].body


async def test_answers_not_understood_stop_before_the_passcode_is_proven(
    phone: SimulatedPhone, folder: Path
) -> None:
    """An HTML page where a read should be: the passcode is unproven (the page
    may hide a refusal), so nothing more is sent with it, and no web login."""
    phone.set_fault(Fault("html"))
    result = await run_capture(phone.address, folder, "--web", passcode=WRONG)
    assert result.code == 1, result.text
    assert [r.function for r in phone.requests] == ["api-get_phone_status"]
    assert phone.web.requests == []
    capture = load_capture(folder)
    assert [a.function for a in capture.cti] == ["api-get_phone_status"]
    assert capture.web == ()


async def test_an_answer_not_understood_after_the_passcode_was_accepted(
    phone: SimulatedPhone, folder: Path
) -> None:
    """Once a read succeeded, garbage in the next one is captured and the rest
    follows, the web login too (its passcode was accepted)."""
    original = phone._take_fault
    taken = iter([None, Fault("non_json")])
    phone._take_fault = lambda: next(taken, None) or original()  # type: ignore[method-assign]
    result = await run_capture(phone.address, folder, "--web")
    assert result.code == 1, result.text
    assert [r.function for r in phone.requests] == READS
    assert len(phone.web.calls("dologin")) == 1
    capture = load_capture(folder)
    answer = capture.answer("api-get_line_status")
    assert answer is not None
    assert answer.body == "OK"


async def test_json_refusal_is_one_document(
    phone: SimulatedPhone, folder: Path
) -> None:
    """--json: what was written and the refusal, in one document, exit 4."""
    result = await run_capture(phone.address, folder, "--json", passcode=WRONG)
    assert result.code == 4, result.text
    data = result.json()  # exactly one document
    assert data["ok"] is False
    assert data["exit_code"] == 4
    assert data["error"]["phone_said"] == "unauthorized"
    assert data["files"] == ["manifest.json", "cti/api-get_phone_status.json"]
    assert data["manifest"]["cti"] == ["api-get_phone_status"]
    assert len(phone.requests) == 1


@pytest.mark.parametrize("where", ["proc", "file"])
async def test_a_folder_that_cannot_be_written_costs_no_request(
    phone: SimulatedPhone, tmp_path: Path, where: str
) -> None:
    """Checked before anything is sent: exit 2, not a traceback afterwards."""
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    folder = Path("/proc/grandstream-capture") if where == "proc" else blocker / "sub"
    for as_json in (False, True):
        result = await run_capture(
            phone.address, folder, *(["--json"] if as_json else [])
        )
        assert result.code == 2, result.text
        assert "Cannot write into" in result.text
    assert phone.requests == []


async def test_a_body_that_is_not_utf8(socket_enabled: None, tmp_path: Path) -> None:
    """Latin-1 from the phone: captured without loss (its bytes come back), the
    name in it redacted, the odd encoding counted, and replayed as it came."""
    original = CapturedAnswer(
        "api-get_accounts", 200, "", LATIN1_ACCOUNTS, encoding="latin-1"
    )
    source = Capture(manifest=CaptureManifest("test", "", "test", "0"), cti=(original,))
    async with ReplayedPhone(source, passcode=PASSCODE) as phone:
        folder = tmp_path / "capture"
        result = await run_capture(f"http://{phone.address}", folder)
        assert result.code == 0, result.text
    capture = load_capture(folder)
    answer = capture.answer("api-get_accounts")
    assert answer is not None
    assert (answer.encoding, answer.content_type) == ("latin-1", "")
    raw = answer.raw_body
    assert len(raw) == len(original.raw_body)
    name = json.loads(raw.decode("latin-1"))["body"][0]["name"]
    assert len(name) == len("Müller")
    assert name != "Müller"
    unknown = json.loads((folder / "unknown.json").read_text(encoding="utf-8"))
    assert {"kind": "encoding", "value": "api-get_accounts: not UTF-8", "count": 1} in (
        unknown
    )
    assert "Not understood: encoding" in result.out


def test_web_secrets_are_swept_wherever_they_appear() -> None:
    """The session's own secrets (cookie values, nonce, the proof made from it,
    a session id in a login's body) go from every answer, whatever member or
    text holds them; role and refusals stay."""
    nonce, sid = "a1b2c3d4e5f60718", "0123456789abcdef0123"
    answers = [
        (
            "access",
            RawAnswer(200, f'{{"response":"success","body":"{nonce}"}}'.encode()),
        ),
        (
            "dologin",
            RawAnswer(
                200,
                f'{{"response":"success","body":{{"session":"{sid}","role":"admin"}}}}'.encode(),
                cookies={"session-identity": sid, "session-role": "admin"},
            ),
        ),
        ("dologin", RawAnswer(200, b'{"response":"error","body":"wrong4"}')),
    ]
    proof = hashlib.sha256((PASSCODE + nonce).encode()).hexdigest()
    found = web_secrets(answers, PASSCODE)
    assert set(found) == {nonce, sid, proof}
    redactor = Redactor([PASSCODE, *found])
    echoed = f"<p>session {sid} for {proof[:40]}{proof[40:]} ({nonce})</p>"
    swept = redact_answer(redactor, "config_get", echoed)
    for secret in (nonce, sid, proof):
        assert secret not in swept
