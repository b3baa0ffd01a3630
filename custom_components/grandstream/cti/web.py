"""Async client for the web session API of Grandstream desk phones.

The CTI interface cannot read or write settings; the phone's own web UI can
(docs/phone-protocol.md §8). This client logs in once with the web password,
reads and writes settings, and logs out. Rules it keeps whatever the caller
does:

- one password attempt per :meth:`GrandstreamWebSession.login`, never an
  automatic retry, never a second attempt after a refusal (five failures
  lock the phone's account);
- the login generation is told apart by whether ``/cgi-bin/access`` exists,
  which needs only the username's hash, never by trying password encodings;
- ``api.values.get`` is only ever called with a session (CVE-2026-2329 is
  unauthenticated code execution through it);
- the session travels in cookies this client sends itself: the injected
  session's cookie jar is neither relied on (Home Assistant's drops cookies
  of IP hosts) nor left holding the phone's cookies;
- the password, its hashes and the session id appear in no message, log
  line or repr.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
import hashlib
from http.cookies import Morsel
import json
import logging
import re
from types import TracebackType
from typing import Any, Final, Self
from urllib.parse import urlencode

from aiohttp import ClientSession

from .answer_log import AnswerLog
from .client import DEFAULT_TIMEOUT, build_base_url
from .errors import (
    GrandstreamAccountNotAllowedError,
    GrandstreamAuthenticationError,
    GrandstreamError,
    GrandstreamForbiddenError,
    GrandstreamLockedError,
    GrandstreamNotAuthorizedError,
    GrandstreamRejectedError,
    GrandstreamResponseError,
    GrandstreamSessionExpiredError,
    GrandstreamWrongPasswordError,
)
from .redact import redact_url
from .transport import send
from .web_models import (
    LoginAnswer,
    WebLoginGeneration,
    WebRequest,
    WebSessionInfo,
    body_of,
    checked_values,
    config_key,
    outcome,
    parse_attempts_left,
    parse_configs,
    parse_lock_time,
    parse_login,
    parse_values,
    reason,
    said,
    unique_keys,
    values_key,
)

_LOGGER = logging.getLogger(__name__)

# The GXP2170 ends a session after about 60 s without dorefresh.
DEFAULT_REFRESH_AFTER = 30.0
# Logging out is a courtesy to the person who may want the web UI next; a
# phone that is gone must not hold up the caller for long.
LOGOUT_TIMEOUT = 5.0
# Settings answers are a few kilobytes (30 Action URLs of 256 characters).
MAX_BODY_BYTES = 64 * 1024
USERNAMES: Final[frozenset[str]] = frozenset({"admin", "user"})

_SESSION_COOKIES: Final[frozenset[str]] = frozenset(
    {"sid", "session-identity", "session-role"}
)
_SID_PARAM_RE: Final = re.compile(r"(?i)\b(sid)=[^&#\s]*")
_MAX_NONCE_LENGTH = 256
# How a phone says that the session is no longer valid (phone-protocol.md §8;
# "unauthorized" is how CTI answers for an expired or pre-empted session).
_EXPIRED_REASONS: Final[frozenset[str]] = frozenset(
    {"session-expired", "session_expired", "session expired", "unauthorized"}
)


def sha256_hex(text: str) -> str:
    """Lower-case hex SHA-256 of ``text`` encoded as UTF-8."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class GrandstreamWebSession:
    """One login to one phone's web interface.

    ``async with GrandstreamWebSession(...) as web:`` logs in on entry and
    out on exit, also when the block fails or is cancelled. Requests of one
    object go out one at a time.
    """

    def __init__(
        self,
        host: str,
        password: str,
        *,
        session: ClientSession,
        username: str = "admin",
        use_ssl: bool = False,
        verify_ssl: bool = False,
        request_timeout: float = DEFAULT_TIMEOUT,
        generation: WebLoginGeneration | None = None,
        refresh_after: float | None = DEFAULT_REFRESH_AFTER,
    ) -> None:
        """Prepare a session; nothing is sent until a method is called.

        ``generation`` skips detection when the caller already knows it.
        ``refresh_after``: seconds after which a request first sends
        dorefresh to keep the session alive (``None``: only :meth:`refresh`).
        """
        if username not in USERNAMES:
            raise ValueError(f"username must be one of {sorted(USERNAMES)}")
        self._base_url = build_base_url(host, use_ssl=use_ssl)
        self._origin = str(self._base_url)
        self._password = password
        self._session = session
        self._username = username
        self._ssl: bool = verify_ssl if use_ssl else True
        self._timeout = request_timeout
        self._generation = generation
        self._refresh_after = refresh_after
        self._lock = asyncio.Lock()
        self._sid: str | None = None
        self._cookies: dict[str, str] = {}
        self._info: WebSessionInfo | None = None
        self._refreshed_at = 0.0
        # Set once the phone refused this password: it is never sent again.
        self._password_rejected = False
        # Everything that must never reach a message, longest first.
        self._secrets: list[str] = [password] if password else []
        self.answer_log = AnswerLog(sequence=True)  # every answer, for captures

    def __repr__(self) -> str:
        """Describe the session without password or session id."""
        state = "logged in" if self._sid is not None else "logged out"
        return f"{type(self).__name__}({self._base_url}, {self._username}, {state})"

    @property
    def base_url(self) -> str:
        """The phone's address, e.g. ``http://192.0.2.10``."""
        return self._origin

    @property
    def info(self) -> WebSessionInfo | None:
        """What the login answer told, while logged in."""
        return self._info if self._sid is not None else None

    @property
    def logged_in(self) -> bool:
        """Whether this object holds a session (it may have expired meanwhile)."""
        return self._sid is not None

    @property
    def generation(self) -> WebLoginGeneration | None:
        """The login generation, once known."""
        return self._generation

    async def __aenter__(self) -> Self:
        """Log in."""
        await self.login()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Log out, whatever happened in the block."""
        await self.logout()

    # -- login and logout --------------------------------------------------

    async def detect_generation(self) -> WebLoginGeneration:
        """Tell the login generation apart without sending the password."""
        async with self._lock:
            generation, _ = await self._detect()
            return generation

    async def login(self) -> WebSessionInfo:
        """Log in with exactly one password attempt.

        Already logged in: returns what the login told, without a request.
        Note that phones allowing one session per account end a person's web
        session here; the phone's answer does not say whether it did.
        """
        async with self._lock:
            if self._sid is not None and self._info is not None:
                return self._info
            if self._password_rejected:
                raise GrandstreamAuthenticationError(
                    "The phone refused this password before; not sending it again"
                )
            if self._generation is None:
                generation, nonce = await self._detect()
            else:
                generation = self._generation
                nonce = (
                    await self._access()
                    if generation is WebLoginGeneration.CURRENT
                    else None
                )
            if generation is WebLoginGeneration.CURRENT:
                if nonce is None:
                    raise GrandstreamResponseError(
                        f"{self._where('access')} is missing on firmware that needs it"
                    )
                proof = sha256_hex(self._password + nonce)
                self._remember_secret(proof)
            else:
                proof = self._password
            try:
                answer = await self._dologin(generation, proof)
            except GrandstreamAuthenticationError:
                self._password_rejected = True
                raise
            self._sid = answer.sid
            self._remember_secret(answer.sid)
            self._info = answer.info
            self._cookies = {"sid": answer.sid, "session-identity": answer.sid}
            if answer.cookie_role:
                self._cookies["session-role"] = answer.cookie_role
            self._refreshed_at = asyncio.get_running_loop().time()
            _LOGGER.debug(
                "Logged in to %s as %s (%s)",
                self._origin,
                self._username,
                generation.value,
            )
            return answer.info

    async def refresh(self) -> None:
        """Keep the session alive (phones end it after ~60 s without this)."""
        async with self._lock:
            self._require_session()
            await self._refresh()

    async def logout(self) -> None:
        """End the session; best effort, never raises for a phone that is gone."""
        async with self._lock:
            sid = self._sid
            self._forget_session()
            if sid is None:
                return
            try:
                await self._send(
                    WebRequest("POST", "dologout", form={"sid": sid}),
                    cookies=self._cookies,
                    time_limit=min(self._timeout, LOGOUT_TIMEOUT),
                )
            except GrandstreamError as err:
                _LOGGER.debug("Logout from %s failed: %s", self._origin, err)
            finally:
                self._cookies = {}

    # -- settings ----------------------------------------------------------

    async def get(self, keys: Iterable[str]) -> dict[str, str]:
        """Read settings: ``P8310``/``8310``, ``phone_model``, ``:dnd``.

        Returns a value for every key asked, under the key as given; a key
        the phone does not have reads as ``""`` (as the phone answers it).
        """
        wanted = unique_keys(keys)
        if not wanted:
            return {}
        async with self._lock:
            generation = self._require_session()
            if generation is WebLoginGeneration.CURRENT:
                answer = await self._session_request(
                    WebRequest(
                        "GET",
                        "config_get",
                        query={"pvalues": ",".join(config_key(k) for k in wanted)},
                    )
                )
                found = parse_configs(answer)
                return {key: found.get(config_key(key), "") for key in wanted}
            if any(key.startswith(":") for key in wanted):
                raise ValueError("Runtime values (:name) need current firmware")
            answer = await self._session_request(
                WebRequest(
                    "POST",
                    "api.values.get",
                    form={"request": ":".join(values_key(k) for k in wanted)},
                )
            )
            values = parse_values(body_of(answer))
            return {key: values.get(values_key(key), "") for key in wanted}

    async def put(self, values: Mapping[str, str]) -> None:
        """Write settings; the phone's "success" does not mean it kept them.

        The ``user`` role's writes of admin-only settings and every write on
        a cloud-managed phone are ignored with a success answer, and Action
        URLs over 256 characters are dropped: see :meth:`write_and_verify`.
        """
        items = checked_values(values)
        if not items:
            return
        async with self._lock:
            generation = self._require_session()
            if generation is WebLoginGeneration.CURRENT:
                pvalues = {config_key(key): value for key, value in items.items()}
                answer = await self._session_request(
                    WebRequest(
                        "PUT",
                        "config_update",
                        json_body={"alias": {}, "pvalue": pvalues},
                    )
                )
                if not isinstance(answer, Mapping) or outcome(answer) != "success":
                    raise GrandstreamResponseError(
                        f"{self._where('config_update')} answered without success"
                    )
                return
            answer = await self._session_request(
                WebRequest(
                    "POST",
                    "api.values.post",
                    form={values_key(key): value for key, value in items.items()},
                )
            )
            body = body_of(answer)
            status = body.get("status") if isinstance(body, Mapping) else None
            if status is not None and str(status).strip().lower() != "right":
                raise GrandstreamRejectedError(
                    f"api.values.post refused: {self._hide(str(status))[:40]}"
                )

    async def write_and_verify(self, values: Mapping[str, str]) -> dict[str, bool]:
        """Write, read back, and tell per key whether the phone kept the value."""
        items = checked_values(values)
        await self.put(items)
        stored = await self.get(items)
        return {key: stored[key] == value for key, value in items.items()}

    # -- protocol steps ----------------------------------------------------

    async def _detect(self) -> tuple[WebLoginGeneration, str | None]:
        """Whether ``access`` exists; its nonce serves the login that follows."""
        nonce = await self._access()
        generation = (
            WebLoginGeneration.OLDER if nonce is None else WebLoginGeneration.CURRENT
        )
        self._generation = generation
        return generation, nonce

    async def _access(self) -> str | None:
        """POST access with the username's hash; None where it does not exist."""
        status, raw, _ = await self._send(
            WebRequest("POST", "access", form={"access": sha256_hex(self._username)})
        )
        if status == 404:
            return None
        self._check_status("access", status, login=False)
        envelope = self._envelope("access", raw)
        body = envelope.get("body")
        if outcome(envelope) != "success":
            refusal = reason(body)
            if refusal.startswith("locked"):
                raise GrandstreamLockedError(
                    "The phone's web login is locked after too many failures",
                    lock_time=parse_lock_time(envelope),
                )
            raise GrandstreamRejectedError(
                f"{self._where('access')} refused: {self._hide(said(body))[:40]}"
            )
        if not isinstance(body, str) or not 0 < len(body) <= _MAX_NONCE_LENGTH:
            raise GrandstreamResponseError(
                f"{self._where('access')} answered without a nonce"
            )
        return body

    async def _dologin(self, generation: WebLoginGeneration, proof: str) -> LoginAnswer:
        status, raw, cookies = await self._send(
            WebRequest(
                "POST", "dologin", form={"username": self._username, "password": proof}
            )
        )
        self._check_status("dologin", status, login=True)
        envelope = self._envelope("dologin", raw)
        body = envelope.get("body")
        if outcome(envelope) == "success":
            return parse_login(
                body, generation=generation, username=self._username, cookies=cookies
            )
        refusal = reason(body)
        if refusal.startswith("wrong"):
            attempts_left = parse_attempts_left(refusal)
            left = "" if attempts_left is None else f"; {attempts_left} attempts left"
            raise GrandstreamWrongPasswordError(
                f"The phone refused the password for {self._username}{left}",
                attempts_left=attempts_left,
            )
        if refusal.startswith("locked"):
            raise GrandstreamLockedError(
                "The phone locked its web login after too many wrong passwords",
                lock_time=parse_lock_time(envelope),
            )
        if refusal.startswith("user is not allow"):
            raise GrandstreamAccountNotAllowedError(
                f"Web access is disabled for the account {self._username}"
            )
        # An unknown refusal may have counted as an attempt: treat it as one.
        raise GrandstreamNotAuthorizedError(
            f"The phone refused the login: {self._hide(said(body))[:40] or 'no reason'}"
        )

    async def _refresh(self) -> None:
        await self._session_request(
            WebRequest("POST", "dorefresh", form={}), refresh=False
        )
        self._refreshed_at = asyncio.get_running_loop().time()

    async def _session_request(
        self, request: WebRequest, *, refresh: bool = True
    ) -> Any:
        """A request inside the session; returns the decoded answer."""
        if (
            refresh
            and self._refresh_after is not None
            and asyncio.get_running_loop().time() - self._refreshed_at
            >= self._refresh_after
        ):
            await self._refresh()
        sid = self._sid
        if sid is None:
            raise GrandstreamSessionExpiredError("The web session has ended")
        function = request.function
        status, raw, _ = await self._send(request.with_sid(sid), cookies=self._cookies)
        if status == 401:
            self._forget_session()
            raise GrandstreamSessionExpiredError(
                f"{self._where(function)}: the web session has expired"
            )
        self._check_status(function, status, login=False)
        answer = self._decode(function, raw)
        if not isinstance(answer, Mapping) or "response" not in answer:
            return answer
        body = answer.get("body")
        if outcome(answer) == "success" and reason(body) != "unauthorized":
            return answer
        if reason(body) in _EXPIRED_REASONS:
            self._forget_session()
            raise GrandstreamSessionExpiredError(
                f"{self._where(function)}: the web session has expired"
            )
        raise GrandstreamRejectedError(
            f"{self._where(function)} refused: {self._hide(said(body))[:40]}"
        )

    def _require_session(self) -> WebLoginGeneration:
        if self._sid is None or self._generation is None:
            raise GrandstreamSessionExpiredError("Not logged in to the web interface")
        return self._generation

    def _forget_session(self) -> None:
        self._sid = None
        self._info = None

    def _remember_secret(self, secret: str) -> None:
        if secret and secret not in self._secrets:
            self._secrets.append(secret)
            self._secrets.sort(key=len, reverse=True)

    # -- transport ---------------------------------------------------------

    async def _send(
        self,
        request: WebRequest,
        *,
        cookies: Mapping[str, str] | None = None,
        time_limit: float | None = None,
    ) -> tuple[int, bytes, dict[str, str]]:
        """Send one request; return status, body and the cookies it set."""
        method, function = request.method, request.function
        url = self._base_url.with_path(f"/cgi-bin/{function}")
        if request.query:
            url = url.with_query(dict(request.query))
        headers: dict[str, str] = {}
        data: bytes | None = None
        if method != "GET":
            # Phones refuse a POST without same-origin headers (CSRF check)
            # and an empty-bodied one without Content-Length.
            headers["Origin"] = self._origin
            headers["Referer"] = self._origin + "/"
            if request.json_body is not None:
                data = json.dumps(request.json_body, separators=(",", ":")).encode()
                headers["Content-Type"] = "application/json;charset=UTF-8"
            else:
                data = urlencode(dict(request.form or {})).encode()
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Content-Length"] = str(len(data))
        if cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        where = self._where(function)
        _LOGGER.debug("%s %s", method, where)
        try:
            answer = await send(
                self._session,
                method,
                url,
                data=data,
                headers=headers,
                where=where,
                time_limit=self._timeout if time_limit is None else time_limit,
                ssl=self._ssl,
                hide=self._hide,
                max_body=MAX_BODY_BYTES,
            )
        finally:
            self._forget_jar_cookies()
        self.answer_log.record(function, answer)
        return answer.status, answer.body, answer.cookies

    def _forget_jar_cookies(self) -> None:
        """Take the phone's session cookies out of the shared cookie jar.

        A jar that keeps them (a host name, or an unsafe jar) would send
        them with later requests and override the ones this client sends.
        """
        host = self._base_url.raw_host or ""

        def ours(morsel: Morsel[str]) -> bool:
            domain = morsel["domain"].lstrip(".")
            return morsel.key in _SESSION_COOKIES and (
                domain == host or host.endswith("." + domain)
            )

        self._session.cookie_jar.clear(ours)

    def _check_status(self, function: str, status: int, *, login: bool) -> None:
        where = self._where(function)
        if status == 403:
            raise GrandstreamForbiddenError(
                f"{where}: HTTP 403, the phone refused the request before "
                "judging it (same-origin check)"
            )
        if status == 401 and login:
            raise GrandstreamNotAuthorizedError(f"{where}: HTTP 401")
        if status >= 400:
            raise GrandstreamResponseError(f"HTTP {status} from {where}")

    def _decode(self, function: str, raw: bytes) -> Any:
        text = raw.decode("utf-8", errors="replace").strip()
        try:
            return json.loads(text)
        except (ValueError, RecursionError):  # deep nesting is garbage too
            kind = "an HTML page" if text[:1] == "<" else "something that is not JSON"
            raise GrandstreamResponseError(
                f"{self._where(function)} answered with {kind}"
            ) from None

    def _envelope(self, function: str, raw: bytes) -> Mapping[str, Any]:
        answer = self._decode(function, raw)
        if not isinstance(answer, Mapping) or "response" not in answer:
            raise GrandstreamResponseError(
                f"{self._where(function)} answered without an envelope"
            )
        return answer

    def _where(self, function: str) -> str:
        return f"{self._origin}/cgi-bin/{function}"

    def _hide(self, text: str) -> str:
        """``text`` without password, hashes or session id."""
        text = _SID_PARAM_RE.sub(r"\1=***", redact_url(text))
        for secret in self._secrets:
            # Case-insensitive: phones may echo input in another case.
            text = re.sub(re.escape(secret), "***", text, flags=re.IGNORECASE)
        return text
