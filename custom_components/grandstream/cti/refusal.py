"""Recognising a phone's refusal of the passcode or account, in any shape.

Every refusal must stop the passcode: five failures lock the phone's account,
and an answer we fail to recognise as a refusal makes the caller send the
same passcode again. So the recognition is generous about the shape and
strict about the words.

Recognised shapes (any HTTP status and content type; the word in any letter
case, surrounded by any whitespace):

1. A CTI envelope, ``"response"`` being ``"success"`` *or* ``"error"``, whose
   body is the word::

       {"response":"success","body":"unauthorized"}          (vendor code)
       {"response":"error","body":"wrong4"}                   (web login)
       {"response":"error","body":"locked","lockTime":5}
       { "response": "error", "body": "user is not allow" }

2. An envelope whose body is an object carrying the word as ``status``;
   ``lockTime`` may sit in that object or at the top level::

       {"response": "error", "body": {"status": "locked", "lockTime": 5}}

3. A JSON string that is the word: ``"unauthorized"``.
4. Bare text that is the word (HTTP 200, text/plain): ``unauthorized``.
5. A small HTML page (under 4 KB) each of whose text pieces is the word:
   ``<html><head><title>Unauthorized</title></head><body>UNAUTHORIZED</body></html>``.
6. HTTP 401 with any other body: not authorized.

The words and what they mean:

- ``unauthorized`` → :class:`GrandstreamNotAuthorizedError`
- ``wrong`` / ``wrongN`` (N digits) → :class:`GrandstreamWrongPasswordError`
  with ``attempts_left=N``
- ``locked`` → :class:`GrandstreamLockedError` with ``lock_time`` (``lockTime``)
- ``user is not allow`` / ``user is not allowed`` →
  :class:`GrandstreamAccountNotAllowedError`

Anything else (other words, longer text that merely contains a word, a page
with more text) is not a refusal.
"""

from __future__ import annotations

from collections.abc import Mapping
from html.parser import HTMLParser
import json
import re
from typing import Any

from .errors import (
    GrandstreamAccountNotAllowedError,
    GrandstreamAuthenticationError,
    GrandstreamLockedError,
    GrandstreamNotAuthorizedError,
    GrandstreamWrongPasswordError,
)

# A refusal page is a few hundred bytes; a larger page is something else.
MAX_REFUSAL_PAGE = 4096

_WRONG = re.compile(r"wrong([0-9]*)")
_NOT_ALLOWED = re.compile(r"user is not allow(?:ed)?")

NOT_AUTHORIZED_MESSAGE = (
    "The phone answered 'unauthorized': the passcode may be wrong, or the "
    "phone's Remote Control Pop up Window Support is enabled"
)
HTTP_401_MESSAGE = (
    "The phone answered HTTP 401 (not authorized): the passcode may be wrong, "
    "the phone's Remote Control Pop up Window Support may be enabled, or a web "
    "session on the phone expired"
)


def find_refusal(status: int, text: str) -> GrandstreamAuthenticationError | None:
    """The refusal ``text`` (an answer with HTTP ``status``) expresses, if any."""
    refusal = _refusal_in_text(text)
    if refusal is None and status == 401:
        refusal = GrandstreamNotAuthorizedError(HTTP_401_MESSAGE)
    return refusal


def _refusal_in_text(text: str) -> GrandstreamAuthenticationError | None:
    stripped = text.strip()
    if not stripped:
        return None
    try:
        data: Any = json.loads(stripped)
    except (ValueError, RecursionError):  # deep nesting is garbage too
        if stripped.startswith("<"):
            return _refusal_in_html(stripped)
        return _refusal_word(stripped, None)
    if isinstance(data, str):
        return _refusal_word(data, None)
    if isinstance(data, Mapping) and "response" in data:
        return _refusal_in_envelope(data)
    return None


def _refusal_in_envelope(
    envelope: Mapping[str, Any],
) -> GrandstreamAuthenticationError | None:
    if str(envelope["response"]).strip().lower() not in ("success", "error"):
        return None
    body = envelope.get("body")
    lock_time = _lock_time(envelope)
    if isinstance(body, Mapping):
        body_lock_time = _lock_time(body)
        if body_lock_time is not None:
            lock_time = body_lock_time
        body = body.get("status")
    if not isinstance(body, str):
        return None
    return _refusal_word(body, lock_time)


def _refusal_in_html(page: str) -> GrandstreamAuthenticationError | None:
    if len(page) > MAX_REFUSAL_PAGE:
        return None
    parser = _TextPieces()
    parser.feed(page)
    parser.close()
    words = {" ".join(piece.split()).lower() for piece in parser.pieces}
    if len(words) != 1:
        return None
    return _refusal_word(words.pop(), None)


def _refusal_word(
    text: str, lock_time: int | None
) -> GrandstreamAuthenticationError | None:
    word = " ".join(text.split()).lower()
    if word == "unauthorized":
        return GrandstreamNotAuthorizedError(NOT_AUTHORIZED_MESSAGE)
    if match := _WRONG.fullmatch(word):
        left = int(match.group(1)) if match.group(1) else None
        countdown = "" if left is None else f" ({left} attempts left before it locks)"
        return GrandstreamWrongPasswordError(
            "The phone answered that the passcode is wrong" + countdown,
            attempts_left=left,
        )
    if word == "locked":
        when = "" if lock_time is None else f" (lock time {lock_time})"
        return GrandstreamLockedError(
            "The phone locked the account after too many failed attempts, "
            "possibly from another client or a person at the web interface" + when,
            lock_time=lock_time,
        )
    if _NOT_ALLOWED.fullmatch(word):
        return GrandstreamAccountNotAllowedError(
            "The phone answered 'user is not allow': this account may not use "
            "the phone's remote interface, or its web access is disabled"
        )
    return None


def _lock_time(data: Mapping[str, Any]) -> int | None:
    for key, value in data.items():
        if str(key).lower() != "locktime" or isinstance(value, bool):
            continue
        if isinstance(value, int):
            return value
        text = value.strip() if isinstance(value, str) else ""
        if text.isascii() and text.isdigit():
            return int(text)
    return None


class _TextPieces(HTMLParser):
    """Collect the non-blank text of a page, leaving scripts and styles out."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pieces: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.pieces.append(data)
