"""HTTP control API under ``/_sim/`` to drive a running simulator.

It lives on the phone's own port so a newcomer needs only one address.
``/_sim/fleet/ring`` and ``/_sim/fleet/miss``, on any phone's port, act on
several phones of the same process at one moment (phones numbered from 1 in
port order), for benchmarks of many phones ringing at once.
There is no passcode: the simulator is a development tool on localhost.
While the phone reboots its whole server is down, so these endpoints are
unreachable for reboot_duration too (the Python API keeps working).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
import dataclasses
import re
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .models import Fault, SimulatorError

if TYPE_CHECKING:
    from .phone import SimulatedPhone

_Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
_REDACTED_PARAMS = frozenset({"passcode", "password"})
_SECRET_IN_QUERY = re.compile(r"(?i)\b(passcode|password)=[^&]*")


def add_control_routes(app: web.Application, phone: SimulatedPhone) -> None:
    """Register the ``/_sim/`` routes for ``phone`` on ``app``."""

    def route(
        action: Callable[[dict[str, Any]], Any | Awaitable[Any]],
    ) -> _Handler:
        # Wrap each action so that JSON parsing and error mapping live in
        # one place: simulator errors become 400 with a readable message.
        async def handler(request: web.Request) -> web.StreamResponse:
            data: dict[str, Any] = {}
            if request.can_read_body:
                try:
                    loaded = await request.json()
                except ValueError:
                    return _error("body must be JSON")
                if loaded is not None and not isinstance(loaded, dict):
                    return _error("body must be a JSON object")
                data = loaded or {}
            try:
                result = action(data)
                if isinstance(result, Awaitable):
                    result = await result
            except (SimulatorError, ValueError, TypeError, KeyError) as err:
                return _error(str(err))
            return web.json_response(result)

        return handler

    def ring(data: dict[str, Any]) -> dict[str, Any]:
        line = phone.incoming_call(
            str(data["number"]), str(data.get("name", "")), int(data.get("account", 1))
        )
        return {"line": line, "call_id": phone.line(line).call_id}

    def fleet_ring(data: dict[str, Any]) -> dict[str, Any]:
        # Every ring in this one call, without awaiting in between: the
        # phones ring at the same moment, as a ring group's do.
        calls = [(_fleet_member(phone, call["phone"]), call) for call in data["calls"]]
        rings = []
        for target, call in calls:
            line = target.incoming_call(
                str(call["number"]),
                str(call.get("name", "")),
                int(call.get("account", 1)),
            )
            rings.append(
                {
                    "phone": int(call["phone"]),
                    "line": line,
                    "call_id": target.line(line).call_id,
                }
            )
        return {"rings": rings}

    def fleet_miss(data: dict[str, Any]) -> dict[str, Any]:
        targets = [(index, _fleet_member(phone, index)) for index in data["phones"]]
        return {
            "missed": [
                {"phone": int(index), "line": target.miss_call()}
                for index, target in targets
            ]
        }

    def answer(data: dict[str, Any]) -> dict[str, Any]:
        return {"line": phone.answer(_opt_int(data, "line"))}

    def remote_answer(data: dict[str, Any]) -> dict[str, Any]:
        line = _opt_int(data, "line")
        if line is None:
            calling = [
                entry.number for entry in phone.lines if entry.state == "calling"
            ]
            if not calling:
                raise SimulatorError("no calling line")
            line = calling[0]
        phone.remote_answer(line)
        return {"line": line}

    def hangup(data: dict[str, Any]) -> dict[str, Any]:
        return {"line": phone.remote_hangup(_opt_int(data, "line"))}

    def miss(data: dict[str, Any]) -> dict[str, Any]:
        return {"line": phone.miss_call(_opt_int(data, "line"))}

    def fail(data: dict[str, Any]) -> dict[str, Any]:
        line = int(data["line"])
        phone.fail_call(line)
        return {"line": line}

    async def reboot(_: dict[str, Any]) -> dict[str, Any]:
        # Answer first, then reboot: awaiting reboot() here would cancel
        # this very request when the server shuts down.
        phone.schedule_reboot()
        return {"rebooting": True, "duration": phone.profile.reboot_duration}

    def fault(data: dict[str, Any]) -> dict[str, Any]:
        if not data or data.get("kind") in (None, ""):
            phone.set_fault(None)
            return {"fault": None}
        count = data.get("count")
        duration = data.get("duration")
        phone.set_fault(
            Fault(
                kind=data["kind"],
                delay=float(data.get("delay", 0.0)),
                count=None if count is None else int(count),
                duration=None if duration is None else float(duration),
            )
        )
        return {"fault": dataclasses.asdict(phone.fault) if phone.fault else None}

    def action_url(data: dict[str, Any]) -> dict[str, Any]:
        # Like a phone's settings page: an over-long URL is not stored, the
        # old one stays, and the write still succeeds.
        stored = phone.store_action_url(str(data["event"]), str(data.get("url", "")))
        return {"stored": stored, "action_urls": dict(phone.profile.action_urls)}

    def profile(data: dict[str, Any]) -> dict[str, Any]:
        changed = phone.profile.update(data)
        return {"changed": changed, "profile": phone.profile.summary()}

    def register(data: dict[str, Any]) -> dict[str, Any]:
        account = int(data.get("account", 1))
        phone.set_registered(account, bool(data.get("registered", True)))
        return {"accounts": phone.accounts_body()}

    def dnd(data: dict[str, Any]) -> dict[str, Any]:
        phone.set_dnd(bool(data.get("on", True)))
        return {"dnd": phone.dnd}

    def forward(data: dict[str, Any]) -> dict[str, Any]:
        phone.set_forward(bool(data.get("on", True)))
        return {"forward": phone.forward}

    def clear_logs(_: dict[str, Any]) -> dict[str, Any]:
        phone.clear_logs()
        return {"cleared": True}

    def web_login(data: dict[str, Any]) -> dict[str, Any]:
        phone.web.person_login(str(data.get("username", "admin")))
        return phone.web.summary()

    def web_logout(data: dict[str, Any]) -> dict[str, Any]:
        phone.web.person_logout(str(data.get("username", "admin")))
        return phone.web.summary()

    def web_expire(_: dict[str, Any]) -> dict[str, Any]:
        return {"expired": phone.web.expire_sessions()}

    async def web_state(_: web.Request) -> web.StreamResponse:
        return web.json_response(phone.web.summary())

    async def web_requests(_: web.Request) -> web.StreamResponse:
        return web.json_response(phone.web.redacted_requests())

    async def state(_: web.Request) -> web.StreamResponse:
        return web.json_response(phone.state())

    async def requests(_: web.Request) -> web.StreamResponse:
        return web.json_response(
            [
                {
                    "time": r.time,
                    "method": r.method,
                    "path": r.path,
                    "function": r.function,
                    # Passcodes are redacted so the log can be shared.
                    "params": {
                        k: ("***" if k in _REDACTED_PARAMS else v)
                        for k, v in r.params.items()
                    },
                    "remote": r.remote,
                    "raw_query": _redact_query(r.raw_query),
                }
                for r in phone.requests
            ]
        )

    async def keys(_: web.Request) -> web.StreamResponse:
        return web.json_response([dataclasses.asdict(k) for k in phone.key_log])

    async def events(_: web.Request) -> web.StreamResponse:
        return web.json_response(
            {
                "events": [dataclasses.asdict(e) for e in phone.events],
                "pushes": [dataclasses.asdict(p) for p in phone.pushes],
            }
        )

    app.router.add_get("/_sim/state", state)
    app.router.add_get("/_sim/requests", requests)
    app.router.add_get("/_sim/keys", keys)
    app.router.add_get("/_sim/events", events)
    app.router.add_get("/_sim/web", web_state)
    app.router.add_get("/_sim/web_requests", web_requests)
    for name, action in (
        ("ring", ring),
        ("answer", answer),
        ("remote_answer", remote_answer),
        ("hangup", hangup),
        ("miss", miss),
        ("fail", fail),
        ("reboot", reboot),
        ("fault", fault),
        ("action_url", action_url),
        ("profile", profile),
        ("register", register),
        ("dnd", dnd),
        ("forward", forward),
        ("clear_logs", clear_logs),
        ("web_login", web_login),
        ("web_logout", web_logout),
        ("web_expire", web_expire),
        ("fleet/ring", fleet_ring),
        ("fleet/miss", fleet_miss),
    ):
        app.router.add_post(f"/_sim/{name}", route(action))


def _redact_query(query: str) -> str:
    """``query`` with the passcode values replaced by ``***``."""
    return _SECRET_IN_QUERY.sub(r"\1=***", query)


def _fleet_member(phone: SimulatedPhone, index: Any) -> SimulatedPhone:
    """The ``index``-th phone (1-based) of the process ``phone`` runs in."""
    number = int(index)
    if not 1 <= number <= len(phone.fleet):
        raise SimulatorError(
            f"no phone {number}: this simulator runs {len(phone.fleet)}"
        )
    return phone.fleet[number - 1]


def _opt_int(data: dict[str, Any], key: str) -> int | None:
    value = data.get(key)
    return None if value is None else int(value)


def _error(message: str) -> web.Response:
    return web.json_response({"error": message}, status=400)
