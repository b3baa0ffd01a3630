"""Async client for the CTI HTTP interface of Grandstream desk phones."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
import copy
from enum import StrEnum
import json
import logging
from typing import Any

from aiohttp import ClientSession
from yarl import URL

from .answer_log import AnswerLog
from .errors import (
    GrandstreamAuthenticationError,
    GrandstreamConnectionDroppedError,
    GrandstreamConnectionError,
    GrandstreamError,
    GrandstreamForbiddenError,
    GrandstreamInvalidRequestError,
    GrandstreamRejectedError,
    GrandstreamResponseError,
)
from .keys import key_sequence_hold, normalize_number, number_to_keys, parse_keys
from .models import (
    Account,
    LineState,
    LineStatus,
    PhoneState,
    PhoneStatus,
    account_base,
    parse_accounts,
    parse_lines,
    parse_phone_status,
)
from .redact import redact_text
from .refusal import find_refusal
from .transport import RawAnswer, send

_LOGGER = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 10.0
# Real phones press about one key per second (docs/phone-protocol.md §6).
DEFAULT_KEY_INTERVAL = 1.0
DEFAULT_MAX_PENDING_COMMANDS = 8
# A CTI answer is a few hundred bytes; anything far larger is not a phone.
MAX_BODY_BYTES = 64 * 1024
# Bodies that mean "not done" inside a "success" envelope. Anything else in a
# success envelope means done: firmware answers true, "complete", 1,
# "savereboot", ... (docs/phone-protocol.md §2).
FAILURE_BODIES: frozenset[str] = frozenset({"false", "failed", "unknown"})
# Error bodies whose meaning is known (besides the refusals of refusal.py).
KNOWN_ERROR_BODIES: frozenset[str] = frozenset({"invalid request", *FAILURE_BODIES})


class PhoneOperation(StrEnum):
    """Commands of api-phone_operation."""

    ACCEPT = "acceptcall"
    REJECT = "rejectcall"
    END = "endcall"
    HOLD = "holdcall"
    CANCEL = "cancel"


class DialMethod(StrEnum):
    """How a number was dialled."""

    CLICK_TO_DIAL = "click_to_dial"
    KEYS = "keys"


class GrandstreamBusyError(GrandstreamError):
    """Too many commands are already waiting for this phone."""


class GrandstreamClient:
    """Talks to one phone. Commands to it are serialised; reads are not.

    The passcode is the phone's web password. It is sent on every request as
    the phone requires, and kept out of every message, log line and repr.
    Once the phone refuses it (any :class:`GrandstreamAuthenticationError`),
    this client never sends it again.

    Give the client a session created with
    ``trace_configs=[command_retry_guard()]``: without it aiohttp resends a
    command once after a dropped connection (see ``retry_guard``).
    """

    def __init__(
        self,
        host: str,
        passcode: str,
        *,
        session: ClientSession,
        use_ssl: bool = False,
        verify_ssl: bool = False,
        request_timeout: float = DEFAULT_TIMEOUT,
        key_interval: float = DEFAULT_KEY_INTERVAL,
        max_pending_commands: int = DEFAULT_MAX_PENDING_COMMANDS,
    ) -> None:
        """Prepare a client; no request is made until a method is called."""
        self._base_url = build_base_url(host, use_ssl=use_ssl)
        self._passcode = passcode
        self._session = session
        # aiohttp: False disables certificate checks, True uses the defaults.
        self._ssl: bool = verify_ssl if use_ssl else True
        self._timeout = request_timeout
        self._key_interval = key_interval
        self._max_pending = max_pending_commands
        self._command_lock = asyncio.Lock()
        self._lock_owner: asyncio.Task[Any] | None = None
        self._pending = 0
        # Set once the phone refuses the passcode: it is never sent again,
        # because five failures lock the phone's account.
        self._refusal: GrandstreamAuthenticationError | None = None
        self._passcode_accepted = False
        self._probe_lock = asyncio.Lock()
        # 1 until the phone is seen counting accounts from 0 (models.account_base).
        self._account_base = 1
        # The last raw answer of each function and what nobody understood,
        # for captures (diagnostics, the command line's capture).
        self.answer_log = AnswerLog()

    def __repr__(self) -> str:
        """Describe the client without its passcode."""
        return f"{type(self).__name__}({self._base_url})"

    @property
    def base_url(self) -> str:
        """The phone's address, e.g. ``http://192.0.2.10``."""
        return str(self._base_url)

    @property
    def pending_commands(self) -> int:
        """Commands running or waiting for this phone."""
        return self._pending

    # -- reads -------------------------------------------------------------

    async def line_status(self) -> list[LineStatus]:
        """Return the state of every line the phone reports."""
        envelope = await self._request("api-get_line_status")
        lines = parse_lines(envelope.get("body"), known_base=self._account_base)
        if account_base(lines) == 0:
            self._account_base = 0
        for line in lines:
            if line.state is LineState.UNKNOWN:
                self.answer_log.count_unknown("line_state", line.raw_state)
        return lines

    async def phone_status(self) -> PhoneStatus:
        """Return the phone's overall status."""
        envelope = await self._request("api-get_phone_status")
        status = parse_phone_status(envelope.get("body"), envelope)
        if status.state is PhoneState.UNKNOWN:
            self.answer_log.count_unknown("phone_state", status.raw_state)
        return status

    async def accounts(self) -> list[Account]:
        """Return the SIP accounts configured on the phone."""
        envelope = await self._request("api-get_accounts")
        return parse_accounts(envelope.get("body"))

    # -- commands ----------------------------------------------------------

    async def make_call(self, number: str, account: int | None = None) -> None:
        """Dial ``number`` (click-to-dial); ``account`` is the 1-based account id.

        Success only means the phone accepted the request; the call's real
        progress shows in the line status.
        """
        cleaned = normalize_number(number)
        params = {"phonenumber": cleaned}
        if account is not None:
            if account < 1:
                raise GrandstreamInvalidRequestError("Account ids start at 1")
            params["account"] = str(account - 1)
        async with self._command():
            envelope = await self._request("api-make_call", params, command=True)
            _expect_accepted(envelope, "make_call")

    async def dial(
        self,
        number: str,
        account: int | None = None,
        *,
        international_prefix: str = "00",
        allow_keys: bool = True,
        on_keys: Callable[[int], None] | None = None,
    ) -> DialMethod:
        """Dial by click-to-dial, or by key presses where the phone refuses it.

        ``Invalid Request`` mostly means click-to-dial is disabled, so the same
        number is then typed on the keypad (digits, STAR, #, SEND), unless
        ``allow_keys`` is False or an ``account`` was asked for (the keypad
        dials from the default account). ``on_keys`` hears how many keys are
        about to be pressed, before they are sent. Both steps hold the
        phone, so no other command slips in between.
        """
        cleaned = normalize_number(number)
        async with self._command():
            try:
                await self.make_call(cleaned, account)
            except GrandstreamInvalidRequestError:
                if not allow_keys or account is not None:
                    raise
                keys = number_to_keys(
                    cleaned, international_prefix=international_prefix
                )
                if on_keys is not None:
                    on_keys(len(keys))
                await self.send_keys(keys)
                return DialMethod.KEYS
            return DialMethod.CLICK_TO_DIAL

    async def send_keys(self, keys: str | Iterable[str]) -> None:
        """Press keys on the phone, returning once the phone has pressed them.

        The phone answers at once and then presses about one key per second;
        a second sequence sent meanwhile would interleave with the first, so
        the command slot stays taken for :func:`key_sequence_hold` seconds,
        enough for a phone well slower than ``key_interval``.
        """
        sequence = parse_keys(keys)
        async with self._command():
            envelope = await self._request(
                "api-send_key", {"keys": ":".join(sequence)}, command=True
            )
            _expect_accepted(envelope, "send_key")
            await asyncio.sleep(key_sequence_hold(len(sequence), self._key_interval))

    async def accept_call(self) -> None:
        """Answer the ringing call."""
        await self._operation(PhoneOperation.ACCEPT)

    async def reject_call(self) -> None:
        """Reject the ringing call."""
        await self._operation(PhoneOperation.REJECT)

    async def end_call(self) -> None:
        """Hang up the active call."""
        await self._operation(PhoneOperation.END)

    async def hold_call(self) -> None:
        """Put the active call on hold, or resume it (the phone toggles)."""
        await self._operation(PhoneOperation.HOLD)

    async def cancel(self) -> None:
        """Cancel the call being dialled."""
        await self._operation(PhoneOperation.CANCEL)

    async def reboot(self) -> None:
        """Reboot the phone. It is unreachable for about a minute afterwards."""
        async with self._command():
            try:
                envelope = await self._request(
                    "api-sys_operation", {"request": "REBOOT"}, command=True
                )
            except GrandstreamConnectionDroppedError:
                # Phones often restart before answering: a connection dropped
                # after the request went out means the reboot is under way.
                # Refused connections and timeouts do not.
                _LOGGER.debug("Connection dropped during reboot, as expected")
                return
            _expect_accepted(envelope, "REBOOT")

    async def _operation(self, operation: PhoneOperation) -> None:
        async with self._command():
            envelope = await self._request(
                "api-phone_operation", {"cmd": operation.value}, command=True
            )
            _expect_accepted(envelope, operation.value)

    def exclusive(self) -> AbstractAsyncContextManager[None]:
        """Hold the phone for several commands in a row (re-entrant).

        Inside, this task's commands run at once; everyone else's wait.
        """
        return self._command()

    @asynccontextmanager
    async def _command(self) -> AsyncIterator[None]:
        """One command at a time; refuse to queue without bound."""
        task = asyncio.current_task()
        if task is not None and self._lock_owner is task:
            yield  # nested inside exclusive(): we already hold the phone
            return
        if self._pending >= self._max_pending:
            raise GrandstreamBusyError(
                f"{self._pending} commands are already waiting for the phone"
            )
        self._pending += 1
        try:
            async with self._command_lock:
                self._lock_owner = task
                try:
                    yield
                finally:
                    self._lock_owner = None
        finally:
            self._pending -= 1

    # -- transport ---------------------------------------------------------

    async def _request(
        self,
        function: str,
        params: Mapping[str, str] | None = None,
        *,
        command: bool = False,
    ) -> dict[str, Any]:
        """Send one CTI request and return its success envelope.

        Until the phone has accepted this passcode once, requests go out one
        at a time: two concurrent requests with a wrong passcode would cost
        two of the phone's five attempts. ``command`` marks requests that
        change something on the phone, which must never be sent twice.
        """
        if self._passcode_accepted:
            try:
                return await self._send(function, params, command)
            except GrandstreamConnectionError:
                # Back from an outage (a reboot, a new password set meanwhile):
                # prove the passcode again before sending requests together.
                self._passcode_accepted = False
                raise
        async with self._probe_lock:
            # Sent once even if the connection drops: aiohttp would resend a
            # read, and a passcode not accepted yet may be a wrong one.
            envelope = await self._send(function, params, command, once=True)
        self._passcode_accepted = True
        return envelope

    async def _send(
        self,
        function: str,
        params: Mapping[str, str] | None,
        command: bool,
        *,
        once: bool = False,
    ) -> dict[str, Any]:
        if self._refusal is not None:
            raise _repeated(self._refusal)
        query = dict(params or {})
        query["passcode"] = self._passcode
        if function == "api-make_call":
            # Older firmware reads ``password`` for make_call; both is harmless.
            query["password"] = self._passcode
        where = f"{self._base_url}/cgi-bin/{function}"
        _LOGGER.debug("Requesting %s", where)
        answer = await send(
            self._session,
            "GET",
            self._base_url.with_path(f"/cgi-bin/{function}"),
            params=query,
            where=where,
            time_limit=self._timeout,
            ssl=self._ssl,
            hide=lambda text: redact_text(text, self._passcode),
            max_body=MAX_BODY_BYTES,
            command=command,
            once=once,
        )
        self.answer_log.record(function, answer)
        try:
            return self._parse(function, where, answer, command=command)
        except GrandstreamAuthenticationError as err:
            self._refusal = err
            raise

    def _parse(
        self, function: str, where: str, answer: RawAnswer, *, command: bool
    ) -> dict[str, Any]:
        """The success envelope, or the error the answer means.

        A command's answer that cannot be read (HTTP 5xx, garbage, half an
        answer) leaves its outcome unknown: ``command_sent``.
        """
        status, text = answer.status, answer.text.strip()
        # Before the status: a refusal must stop the passcode whatever the
        # phone wraps it in (refusal.py lists the shapes).
        if (refusal := find_refusal(status, text)) is not None:
            raise refusal
        if status == 403:
            raise GrandstreamForbiddenError(
                "The phone refused the request (HTTP 403); check its Remote "
                "Control settings and the Action URI Allowed IP List"
            )
        if status >= 500 and command:
            raise GrandstreamResponseError(
                f"HTTP {status} from {where}: the command may have been carried out",
                command_sent=True,
                status=status,
            )
        if status >= 400:
            raise GrandstreamResponseError(f"HTTP {status} from {where}", status=status)
        try:
            envelope = json.loads(text)
        except (ValueError, RecursionError):  # deep nesting is garbage too
            self._count_unknown_refusal(text)
            kind = "an HTML page" if text[:1] == "<" else "something that is not JSON"
            if command:
                raise GrandstreamResponseError(
                    f"{where} answered with {kind}: the command may have been "
                    "carried out",
                    command_sent=True,
                ) from None
            raise GrandstreamResponseError(
                f"{where} answered with {kind}; is this a Grandstream desk phone?"
            ) from None
        if not isinstance(envelope, dict) or "response" not in envelope:
            self._count_unknown_refusal(text)
            raise GrandstreamResponseError(
                f"{where} answered without a CTI envelope", command_sent=command
            )
        outcome = str(envelope["response"]).strip().lower()
        if outcome == "success":
            return envelope
        body = envelope.get("body")
        if " ".join(str(body).split()).lower() not in KNOWN_ERROR_BODIES:
            self._count_unknown_refusal(str(body))
        reason = str(body).strip().lower() if isinstance(body, str) else ""
        if reason == "invalid request":
            raise GrandstreamInvalidRequestError(f"{function}: Invalid Request")
        # Hidden before it is cut: a passcode cut in two would escape redaction.
        safe = redact_text(str(body), self._passcode)[:80]
        raise GrandstreamRejectedError(f"{function} refused: {safe}")

    def _count_unknown_refusal(self, text: str) -> None:
        """Count an answer we could not read, the passcode hidden before the
        log cuts it to length (a cut passcode would escape redaction later)."""
        self.answer_log.count_unknown("refusal", redact_text(text, self._passcode))


def _expect_accepted(envelope: Mapping[str, Any], what: str) -> None:
    """Raise unless a success envelope's body means done (see FAILURE_BODIES)."""
    body = envelope.get("body")
    if body is False or (
        isinstance(body, str) and body.strip().lower() in FAILURE_BODIES
    ):
        raise GrandstreamRejectedError(
            f"The phone refused {what}: it answered {body!r}"
        )


def _repeated(
    refusal: GrandstreamAuthenticationError,
) -> GrandstreamAuthenticationError:
    """The earlier refusal again (same type and details), saying nothing was sent."""
    again = copy.copy(refusal)
    again.args = (
        f"{refusal} (this passcode is not sent again until a new one is entered)",
    )
    again.__traceback__ = None
    return again


def build_base_url(host: str, *, use_ssl: bool) -> URL:
    """Build ``scheme://host[:port]`` from what the user typed.

    Accepts ``192.0.2.10``, ``phone.lan:8080``, ``[2001:db8::1]:443`` and
    tolerates a pasted ``http://`` prefix. Raises ``ValueError`` otherwise.
    """
    text = host.strip()
    for prefix in ("http://", "https://"):
        if text.lower().startswith(prefix):
            text = text[len(prefix) :]
    text = text.rstrip("/")
    if not text or any(c in text for c in "/?#@ \t"):
        raise ValueError("Not a host name or address")
    scheme = "https" if use_ssl else "http"
    if text.count(":") > 1 and not text.startswith("["):
        text = f"[{text}]"  # a bare IPv6 address
    url = URL(f"{scheme}://{text}")
    if not url.host:
        raise ValueError("Not a host name or address")
    return url
