"""A refusal in any shape stops the passcode; nothing else is taken for one.

Every wrong passcode counts towards the phone's five-attempt lockout, so the
tests count, on the phone's side, how many requests carried the passcode:
exactly one per refused client, however often the client is used afterwards.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import aiohttp
import pytest

from custom_components.grandstream.cti import (
    GrandstreamAccountNotAllowedError,
    GrandstreamAuthenticationError,
    GrandstreamClient,
    GrandstreamError,
    GrandstreamLockedError,
    GrandstreamNotAuthorizedError,
    GrandstreamRejectedError,
    GrandstreamResponseError,
    GrandstreamWrongPasswordError,
    PhoneState,
)
from simulator import PhoneProfile, SimulatedPhone

from ..helpers.cti_client import make_client
from ..helpers.phone import PASSCODE, fast_profile
from ..helpers.scripted_phone import ScriptedPhone

NOT_AUTHORIZED_CAUSES = ("passcode may be wrong", "Pop up Window Support")


async def assert_latched[E: GrandstreamAuthenticationError](
    client: GrandstreamClient, error: type[E], count_sent: Callable[[], int]
) -> E:
    """The first call raises ``error`` after one request; later calls send nothing."""
    with pytest.raises(error) as first:
        await client.phone_status()
    assert count_sent() == 1
    calls: list[Callable[[], Awaitable[object]]] = [
        client.line_status,
        client.accounts,
        client.accept_call,
        lambda: client.send_keys(["1"]),
    ]
    for call in calls:
        with pytest.raises(error) as again:
            await call()
        assert "not sent again" in str(again.value)
    assert count_sent() == 1
    assert PASSCODE not in str(first.value)
    return first.value


async def status_refused[E: GrandstreamAuthenticationError](
    scripted: ScriptedPhone, client: GrandstreamClient, body: str, error: type[E]
) -> E:
    """The phone answers a status read with ``body``: ``error``, latched."""
    scripted.answer("api-get_phone_status", body)
    return await assert_latched(client, error, scripted.passcode_requests)


# -- every recognised shape, off the wire --------------------------------------


@pytest.mark.parametrize(
    ("status", "content_type", "body"),
    [
        # The vendor code's shape: a success envelope saying unauthorized.
        (200, "text/plain", '{"response":"success","body":"unauthorized"}'),
        (200, "text/plain", '{"response":"error","body":"unauthorized"}'),
        (200, "text/plain", '{ "response": "error", "body": " Unauthorized " }'),
        (200, "application/json", '"unauthorized"'),
        (200, "text/plain", "unauthorized"),
        (200, "text/plain", "  UNAUTHORIZED\r\n"),
        (200, "text/html", "<html><body>unauthorized</body></html>"),
        (
            200,
            "text/html",
            (
                "<html><head><title>Unauthorized</title><style>b{}</style></head>"
                "<body><h1> UNAUTHORIZED </h1></body></html>"
            ),
        ),
        (401, "text/html", "<html><body>Authorization Required</body></html>"),
        (401, "text/plain", ""),
    ],
)
async def test_not_authorized_shapes(
    scripted: ScriptedPhone,
    scripted_client: GrandstreamClient,
    status: int,
    content_type: str,
    body: str,
) -> None:
    """ "unauthorized" in any wrapping, and any 401, is NotAuthorized and latches."""
    scripted.answer(
        "api-get_phone_status", body, status=status, content_type=content_type
    )
    refusal = await assert_latched(
        scripted_client, GrandstreamNotAuthorizedError, scripted.passcode_requests
    )
    for cause in NOT_AUTHORIZED_CAUSES:
        assert cause in str(refusal)


@pytest.mark.parametrize(
    ("body", "attempts_left"),
    [
        ('{"response":"error","body":"wrong4"}', 4),
        ('{"response":"success","body":"WRONG1"}', 1),
        ('{"response":"error","body":"wrong"}', None),
        ("wrong3", 3),
    ],
)
async def test_wrong_password_shapes(
    scripted: ScriptedPhone,
    scripted_client: GrandstreamClient,
    body: str,
    attempts_left: int | None,
) -> None:
    """wrongN: the attempts left are kept and said, the passcode latched."""
    refusal = await status_refused(
        scripted, scripted_client, body, GrandstreamWrongPasswordError
    )
    assert refusal.attempts_left == attempts_left
    assert "passcode is wrong" in str(refusal)
    if attempts_left is not None:
        assert f"{attempts_left} attempts left" in str(refusal)


@pytest.mark.parametrize(
    ("body", "lock_time"),
    [
        ('{"response":"error","body":"locked","lockTime":5}', 5),
        ('{"response":"error","body":{"status":"locked","lockTime":"300"}}', 300),
        ('{"response":"success","body":"Locked"}', None),
        ("locked", None),
    ],
)
async def test_locked_shapes(
    scripted: ScriptedPhone,
    scripted_client: GrandstreamClient,
    body: str,
    lock_time: int | None,
) -> None:
    """locked, with lockTime at the top level or in the body, if present."""
    refusal = await status_refused(
        scripted, scripted_client, body, GrandstreamLockedError
    )
    assert refusal.lock_time == lock_time
    assert "too many failed attempts" in str(refusal)


@pytest.mark.parametrize(
    "body",
    [
        '{"response":"error","body":"user is not allow"}',
        '{ "response": "error", "body": "User is not allowed" }',
        "user  is not allow",
    ],
)
async def test_account_not_allowed_shapes(
    scripted: ScriptedPhone, scripted_client: GrandstreamClient, body: str
) -> None:
    """user is not allow(ed): the account may not use the remote interface."""
    refusal = await status_refused(
        scripted, scripted_client, body, GrandstreamAccountNotAllowedError
    )
    assert "may not use" in str(refusal)


@pytest.mark.parametrize(
    ("status", "content_type", "body", "error"),
    [
        (200, "text/plain", "unauthorized access is logged", GrandstreamResponseError),
        (200, "text/plain", "wrongly", GrandstreamResponseError),
        (200, "text/plain", "OK", GrandstreamResponseError),
        (200, "text/html", "<html><body>Login</body></html>", GrandstreamResponseError),
        (
            200,
            "text/html",
            "<html><body>unauthorized<p>try again</p></body></html>",
            GrandstreamResponseError,
        ),
        (
            200,
            "text/html",
            "<html><body>" + "unauthorized " * 400 + "</body></html>",
            GrandstreamResponseError,
        ),
        (200, "text/plain", '{"status":"unauthorized"}', GrandstreamResponseError),
        (200, "text/plain", '["unauthorized"]', GrandstreamResponseError),
        (
            200,
            "text/plain",
            '{"response":"pending","body":"unauthorized"}',
            GrandstreamRejectedError,
        ),
        (
            200,
            "text/plain",
            '{"response":"error","body":"unauthorized_user"}',
            GrandstreamRejectedError,
        ),
        (
            200,
            "text/plain",
            '{"response":"error","body":{"status":"session-expired"}}',
            GrandstreamRejectedError,
        ),
        (500, "text/plain", "Internal Server Error", GrandstreamResponseError),
        # Far larger than any CTI answer: not read as anything.
        (200, "text/plain", "unauthorized" + " " * 70_000, GrandstreamResponseError),
        # Nested deeper than Python's parser goes: garbage, not a crash.
        (200, "text/plain", "[" * 60_000, GrandstreamResponseError),
    ],
)
async def test_garbage_is_not_a_refusal(
    scripted: ScriptedPhone,
    scripted_client: GrandstreamClient,
    *,
    status: int,
    content_type: str,
    body: str,
    error: type[Exception],
) -> None:
    """Answers that merely mention a word are errors, and the passcode stays usable."""
    scripted.answer(
        "api-get_phone_status", body, status=status, content_type=content_type
    )
    with pytest.raises(error) as err:
        await scripted_client.phone_status()
    assert not isinstance(err.value, GrandstreamAuthenticationError)
    scripted.answer("api-get_phone_status", '{"response":"success","body":"busy"}')
    assert (await scripted_client.phone_status()).state is PhoneState.BUSY
    assert scripted.passcode_requests() == 2


async def test_a_refused_command_latches_too(
    scripted: ScriptedPhone, scripted_client: GrandstreamClient
) -> None:
    """A command refused for the passcode stops reads as well."""
    scripted.answer("api-phone_operation", "UNAUTHORIZED")
    with pytest.raises(GrandstreamNotAuthorizedError):
        await scripted_client.accept_call()
    with pytest.raises(GrandstreamNotAuthorizedError):
        await scripted_client.phone_status()
    assert [function for function, _ in scripted.requests] == ["api-phone_operation"]


# -- the simulator's refusal variants -----------------------------------------


@pytest.mark.parametrize(
    "style", ["body", "success", "http401", "text", "text_upper", "html"]
)
async def test_wrong_passcode_in_every_style(
    phone: SimulatedPhone, session: aiohttp.ClientSession, style: str
) -> None:
    """Whatever the phone wraps "unauthorized" in, one attempt and no more."""
    phone.profile.unauthorized_style = style
    client = make_client(phone, session, passcode="wrong")
    refusal = await assert_latched(
        client,
        GrandstreamNotAuthorizedError,
        lambda: len(phone.requests),
    )
    assert phone.failures == 1
    for cause in NOT_AUTHORIZED_CAUSES:
        assert cause in str(refusal)


@pytest.mark.parametrize("profile", [fast_profile(popup_window_enabled=True)])
async def test_popup_window_refuses_the_right_passcode(
    profile: PhoneProfile, phone: SimulatedPhone, session: aiohttp.ClientSession
) -> None:
    """Pop-up window support on: the right passcode is "unauthorized" too.

    The message must not claim the passcode is wrong: it names both causes.
    """
    client = make_client(phone, session)
    refusal = await assert_latched(
        client, GrandstreamNotAuthorizedError, lambda: len(phone.requests)
    )
    assert "may be wrong" in str(refusal)
    assert "Pop up Window Support is enabled" in str(refusal)
    # The right passcode is no failed login.
    assert phone.failures == 0


async def test_countdown_then_locked(
    phone: SimulatedPhone, session: aiohttp.ClientSession
) -> None:
    """wrong4 ... wrong1, then locked with its lock time; each client tries once."""
    phone.profile.wrong_passcode_style = "countdown"
    seen: list[int | None] = []
    for _ in range(4):
        client = make_client(phone, session, passcode="wrong")
        with pytest.raises(GrandstreamWrongPasswordError) as err:
            await client.phone_status()
        seen.append(err.value.attempts_left)
        with pytest.raises(GrandstreamWrongPasswordError):
            await client.line_status()
    assert seen == [4, 3, 2, 1]
    assert len(phone.requests) == 4
    last = make_client(phone, session, passcode="wrong")
    with pytest.raises(GrandstreamLockedError) as locked:
        await last.phone_status()
    assert locked.value.lock_time == 5  # the test profile locks for 5 s
    assert phone.locked
    # Even the right passcode is refused while locked, and latched.
    right = make_client(phone, session)
    with pytest.raises(GrandstreamLockedError):
        await right.phone_status()
    with pytest.raises(GrandstreamLockedError):
        await right.phone_status()
    assert len(phone.requests) == 6


async def test_account_not_allowed(
    phone: SimulatedPhone, session: aiohttp.ClientSession
) -> None:
    """ "user is not allow" from the phone: never asked again."""
    phone.profile.account_not_allowed = True
    client = make_client(phone, session)
    await assert_latched(
        client, GrandstreamAccountNotAllowedError, lambda: len(phone.requests)
    )
    assert phone.failures == 0


async def test_every_wrong_passcode_counts_towards_the_lockout(
    phone: SimulatedPhone, session: aiohttp.ClientSession
) -> None:
    """Five clients with a wrong passcode lock the phone, whatever it answers."""
    phone.profile.account_not_allowed = True
    for _ in range(5):
        with pytest.raises(GrandstreamAccountNotAllowedError):
            await make_client(phone, session, passcode="wrong").phone_status()
    assert phone.locked
    assert len(phone.requests) == 5


@pytest.mark.parametrize(
    "body",
    [
        # An unknown refusal whose body repeats the passcode across the cut at 80.
        '{"response":"error","body":"' + "x" * 70 + PASSCODE + '"}',
        # Not a CTI envelope at all, the passcode across the same cut.
        '{"answer":"' + "x" * 63 + PASSCODE + '"}',
    ],
)
async def test_a_passcode_cut_in_two_is_still_hidden(
    scripted: ScriptedPhone, scripted_client: GrandstreamClient, body: str
) -> None:
    """Unknown answers are cut to length only after the passcode is hidden: a
    cut would leave a piece of it that redaction no longer recognises."""
    scripted.answer("api-get_phone_status", body)
    with pytest.raises(GrandstreamError) as err:
        await scripted_client.phone_status()
    kept = [value.value for value in scripted_client.answer_log.unknown()]
    assert kept, "the answer was not counted as unknown"
    piece = PASSCODE[:6]
    for text in (str(err.value), *kept):
        assert piece not in text, text
