"""The capture format, the answer logs, and what the client records.

One format in two containers (a folder, one JSON object); a file from
anyone's bug report is read defensively; the logs stay bounded; the client
records its raw answers and counts what it did not understand.
"""

from __future__ import annotations

import json
from pathlib import Path
import random
import re
from typing import Any

import pytest

from custom_components.grandstream.cti import (
    AnswerLog,
    Capture,
    CapturedAnswer,
    CapturedPush,
    CaptureFormatError,
    CaptureManifest,
    GrandstreamClient,
    GrandstreamRejectedError,
    GrandstreamResponseError,
    Redactor,
    UnknownValue,
    capture_in,
    capture_of,
    load_capture,
    redact_answer,
)
from custom_components.grandstream.cti.transport import RawAnswer

from ..helpers.scripted_phone import ScriptedPhone

MANIFEST = CaptureManifest(
    source="test", taken_at="2026-01-01T00:00:00+00:00", tool="t", tool_version="0"
)
LINES = (
    '{"response":"success","body":[{"line":1,"state":"ringing","acct":0,'
    '"remotename":"","remotenumber":"0301234567","active":0}]}'
)


def full_capture() -> Capture:
    return Capture(
        manifest=MANIFEST,
        cti=(
            CapturedAnswer("api-get_line_status", 200, "text/plain", LINES),
            CapturedAnswer(
                "api-get_phone_status",
                200,
                "text/plain",
                '{"response":"success","body":{"status":"ringing","misc":"0"}}',
            ),
            CapturedAnswer("api-get_accounts", 200, "text/plain", "garbage"),
        ),
        web=(
            CapturedAnswer("access", 404, "text/html", "<h1>Not Found</h1>"),
            CapturedAnswer(
                "dologin", 200, "application/json", '{"body":"abcdefgh1234"}', ("sid",)
            ),
        ),
        pushes=(CapturedPush("e=boot&m=000b82123456", "POST", 3.5),),
        unknown=(UnknownValue("line_state", "transfer", 2),),
    )


def test_a_folder_and_an_object_are_one_format(tmp_path: Path) -> None:
    """Written as a folder or as one object, read back the same."""
    capture = full_capture()
    files = capture.write(tmp_path / "c")
    assert sorted(str(p.relative_to(tmp_path / "c")) for p in files) == [
        "cti/api-get_accounts.json",
        "cti/api-get_line_status.json",
        "cti/api-get_phone_status.json",
        "manifest.json",
        "pushes.json",
        "unknown.json",
        "web/01-access.json",
        "web/02-dologin.json",
    ]
    from_folder = load_capture(tmp_path / "c")
    assert from_folder == capture
    as_object = tmp_path / "capture.json"
    as_object.write_text(json.dumps(capture.as_dict()), encoding="utf-8")
    assert load_capture(as_object) == capture
    assert capture_in({"capture": capture.as_dict()}) == capture
    manifest = json.loads((tmp_path / "c" / "manifest.json").read_text("utf-8"))
    assert manifest == capture.as_dict()["manifest"]
    assert manifest["shows"] == {
        "phone_state": "ringing",  # a body object with "status" inside
        "lines": [{"line": 1, "state": "ringing", "account": 1}],
        "accounts": None,  # garbage shows nothing
    }
    assert manifest["web"] == ["01-access", "02-dologin"]


def test_what_the_answers_show_when_they_say_no() -> None:
    """Refusals, error envelopes and broken bodies show nothing."""
    answers = (
        CapturedAnswer("api-get_phone_status", 401, "text/plain", "x"),
        CapturedAnswer(
            "api-get_line_status", 200, "text/plain", '{"response":"error"}'
        ),
        CapturedAnswer("api-get_accounts", 200, "text/plain", '["not", "envelope"]'),
    )
    shown = Capture(MANIFEST, cti=answers).shows()
    assert shown == {"phone_state": None, "lines": None, "accounts": None}
    broken = CapturedAnswer(
        "api-get_line_status", 200, "text/plain", '{"response":"success","body":3}'
    )
    assert Capture(MANIFEST, cti=(broken,)).shows()["lines"] is None


def answer(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "function": "api-get_line_status",
        "status": 200,
        "content_type": "text/plain",
        "body": "{}",
    }
    data.update(changes)
    return data


def manifest(**changes: Any) -> dict[str, Any]:
    data = {**Capture(MANIFEST).manifest_dict(), **changes}
    return data


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "A capture is a JSON object"),
        ({"manifest": {}}, "Not a Grandstream capture"),
        ({"manifest": manifest(version=99)}, "version 99 is not known"),
        ({"manifest": manifest(model=3)}, "model is not text"),
        ({"manifest": manifest(), "cti": {}}, "a list of at most"),
        ({"manifest": manifest(), "cti": ["x"]}, "not an object"),
        ({"manifest": manifest(), "cti": [answer(function="../x")]}, "Not a request"),
        ({"manifest": manifest(), "cti": [answer(status="200")]}, "not a number"),
        ({"manifest": manifest(), "cti": [answer(body=None)]}, "are text"),
        (
            {"manifest": manifest(), "cti": [answer(body="x" * (1024 * 1024 + 1))]},
            "too large",
        ),
        ({"manifest": manifest(), "cti": [answer(cookies="sid")]}, "list of names"),
        (
            {"manifest": manifest(), "cti": [answer(encoding="utf-16")]},
            "encoding 'utf-16' is not known",
        ),
        (
            {"manifest": manifest(), "cti": [answer(encoding="latin-1", body="Ж")]},
            "not Latin-1",
        ),
        ({"manifest": manifest(), "pushes": {}}, "pushes"),
        ({"manifest": manifest(), "pushes": [{"q": 1}]}, "with its query"),
        ({"manifest": manifest(), "unknown": {}}, "unknown: a list"),
        ({"manifest": manifest(), "unknown": ["x"]}, "is an object"),
        ({"manifest": manifest(), "unknown": [{"kind": 1}]}, "a kind and a value"),
    ],
)
def test_what_is_no_capture_is_refused(data: Any, message: str) -> None:
    """Files come from anyone: names that would leave a folder, wrong types."""
    with pytest.raises(CaptureFormatError, match=message):
        Capture.from_dict(data)


def test_lenient_where_it_costs_nothing() -> None:
    """A push's method and age, an unknown value's count: defaults when odd."""
    capture = Capture.from_dict(
        {
            "manifest": manifest(redacted="yes"),
            "pushes": [{"query": "e=boot", "method": "PUT", "age_seconds": "x"}],
            "unknown": [{"kind": "refusal", "value": "no", "count": "many"}],
        }
    )
    assert capture.pushes == (CapturedPush("e=boot", "GET", None),)
    assert capture.unknown == (UnknownValue("refusal", "no", 1),)
    assert capture.manifest.redacted is False


def test_unreadable_files(tmp_path: Path) -> None:
    """Not JSON, no manifest, a broken answer file: a clear error."""
    (tmp_path / "bad.json").write_text("{", encoding="utf-8")
    with pytest.raises(CaptureFormatError, match="not a readable JSON file"):
        load_capture(tmp_path / "bad.json")
    folder = tmp_path / "folder"
    folder.mkdir()
    with pytest.raises(CaptureFormatError, match="no manifest"):
        load_capture(folder)
    Capture(MANIFEST, cti=full_capture().cti).write(folder)
    (folder / "cti" / "api-get_accounts.json").write_text("[", encoding="utf-8")
    with pytest.raises(CaptureFormatError, match="not a readable JSON file"):
        load_capture(folder)


def test_an_unredacted_capture_keeps_its_bodies_out_of_its_repr() -> None:
    """A session id or a number in a raw answer never shows in a repr (logs)."""
    text = repr(full_capture())
    assert "dologin" in text
    assert "abcdefgh1234" not in text
    assert "0301234567" not in text


def test_logs_stay_bounded() -> None:
    """Last answer per name, or the sequence; 64 distinct unknown values."""
    raw = RawAnswer(200, b"{}")
    last = AnswerLog(limit=2)
    for name in ("a", "b", "a", "c"):
        last.record(name, raw)
    assert [name for name, _ in last.answers()] == ["b", "c"]
    sequence = AnswerLog(sequence=True, limit=3)
    for name in "abcde":
        sequence.record(name, raw)
    assert [name for name, _ in sequence.answers()] == ["c", "d", "e"]
    for index in range(100):
        last.count_unknown("line_state", f"state {index}")
    last.count_unknown("line_state", "state   0")
    assert len(last.unknown()) == 64
    assert last.unknown()[0] == UnknownValue("line_state", "state 0", 2)
    last.count_unknown("refusal", "x" * 200)
    assert len(last.unknown()) == 64  # full: a new value is not kept


async def test_the_client_records_answers_and_the_unknown(
    scripted: ScriptedPhone, scripted_client: GrandstreamClient
) -> None:
    """Raw answers per function; unknown states and refusal bodies counted."""
    scripted.answer("api-get_phone_status", '{"response":"success","body":"dnd"}')
    scripted.answer(
        "api-get_line_status",
        '{"response":"success","body":[{"line":1,"state":"transfer"}]}',
    )
    await scripted_client.phone_status()
    await scripted_client.line_status()
    for body, error in (
        ('{"response":"error","body":"nope"}', GrandstreamRejectedError),
        ("Bad passcode, try again", GrandstreamResponseError),
        ("[1, 2]", GrandstreamResponseError),
    ):
        scripted.answer("api-get_accounts", body)
        with pytest.raises(error):
            await scripted_client.accounts()
    scripted.answer("api-make_call", '{"response":"error","body":"Invalid Request"}')
    with pytest.raises(GrandstreamRejectedError):
        await scripted_client.make_call("123")
    log = scripted_client.answer_log
    assert [name for name, _ in log.answers()] == [
        "api-get_phone_status",
        "api-get_line_status",
        "api-get_accounts",
        "api-make_call",
    ]
    assert log.answers()[2][1].body == b"[1, 2]"
    assert log.unknown() == [
        UnknownValue("phone_state", "dnd", 1),
        UnknownValue("line_state", "transfer", 1),
        UnknownValue("refusal", "nope", 1),
        UnknownValue("refusal", "Bad passcode, try again", 1),
        UnknownValue("refusal", "[1, 2]", 1),
    ]
    capture = capture_of(source="t", tool="t", tool_version="0", cti=log)
    assert capture.unknown == tuple(log.unknown())
    assert capture.manifest.taken_at.endswith("+00:00")


@pytest.mark.parametrize(
    ("function", "body", "pattern"),
    [
        # A SIP id and a number as JSON numbers stay numbers.
        (
            "api-get_accounts",
            '{"body":[{"id":1,"sip_id":4711,"remotenumber":0}]}',
            r'\{"body":\[\{"id":1,"sip_id":[1-9][0-9]{3},"remotenumber":0\}\]\}',
        ),
        # A secret number is removed; the web account's name is no person.
        (
            "x",
            '{"token":1234,"username":"admin","user_name":"Erika"}',
            r'\{"token":"REDACTED","username":"admin","user_name":"[A-Z][a-z]{4}"\}',
        ),
        ("x", '{"username":"erika"}', r'\{"username":"[a-z]{5}"\}'),
        # Members nobody documented: their names say what they hold.
        (
            "x",
            '{"callee_number":"0301234","sip_password":"pw12","proxy_addr":"10.0.0.1"}',
            (
                r'\{"callee_number":"0[1-9][0-9]{5}","sip_password":"REDACTED",'
                r'"proxy_addr":"192\.0\.2\.1"\}'
            ),
        ),
        # Settings by P-value: an Action URL, a flag, anything else scrambled.
        (
            "api.values.get",
            '{"body":{"P8310":"http://10.0.0.1/x?n=1","P1561":"1","P34":"pw","url":"a"}}',
            (
                r'\{"body":\{"P8310":"http://192\.0\.2\.1/[a-z]\?n=[2-9]","P1561":"1",'
                r'"P34":"[a-z]{2}","url":"[a-z]"\}\}'
            ),
        ),
        ("config_get", '{"configs":[{"pvalue":":dnd","value":"1"}]}', None),
        # A bare string (older firmware's session id) and a refusal in words.
        ("dologin", '"abcdef123456"', '"REDACTED"'),
        ("dologin", '{"response":"error","body":"wrong4"}', None),
        ("x", "[1, true, null, 2.5]", None),
        ("x", '{"a": "x" } trailing', None),
    ],
)
def test_rules_by_member(function: str, body: str, pattern: str | None) -> None:
    """How each kind of member is redacted."""
    redacted = redact_answer(Redactor(rng=random.Random(2)), function, body)
    if pattern is None:
        assert redacted == body
    else:
        assert re.fullmatch(pattern, redacted), redacted


def test_addresses_of_every_kind() -> None:
    """IPv6, bracketed hosts with ports, SIP URIs, oddities."""
    redactor = Redactor(rng=random.Random(4))
    assert redactor.ip("fe80::1") == "2001:db8::1"
    assert redactor.host("[fe80::1]:5060") == "[2001:db8::1]:5060"
    assert redactor.ip("pbx.lan") == "host-1.example"
    assert redactor.ip("") == ""
    assert redactor.host(" ") == " "
    assert redactor.mac("00:0b:82:12") != "00:0b:82:12"  # no MAC: scrambled
    assert redactor.number("tel:+4930123@10.0.0.1").startswith("tel:+")
    assert (
        redactor.number("alice@pbx.lan") == f"{redactor.name('alice')}@host-1.example"
    )
    assert redactor.number("Müller") == redactor.name("Müller")
    assert redactor.url("http://[::1]:8123/api") == "http://[::1]:8123/api"
    assert redactor.url("ftp://example.org/x") != "ftp://example.org/x"
    assert redactor.url("http://[bad") != "http://[bad"
    text = redactor.free_text("see https://10.0.0.1/x and 00:0B:82:AA:BB:CC, 1234")
    assert re.fullmatch(
        r"see https://192\.0\.2\.2/[a-z] and 00:0B:82:00:00:01, 1234", text
    ), text
    # A modifier letter is no letter of a name; a title-case digraph is drawn
    # from its own few (any of them, itself included).
    assert redactor.scramble("ʹ") == "ʹ"
    drawn = {Redactor(rng=random.Random(i)).name("ǅ") for i in range(50)}
    assert drawn == set("ǅǈǋǲ")
