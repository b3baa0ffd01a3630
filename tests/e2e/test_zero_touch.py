"""Zero-touch setup in a real Home Assistant: the config flow configures the phone.

A phone is added through the config flow over HTTP with "Set up the phone for
Home Assistant" ticked; the integration writes the Action URLs through the
phone's web interface, and a ring on the phone then arrives by push. Nothing
here (nor in the stack's setup) writes an Action URL through the simulator's
control API: the slots are read from it, never set.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
import re
import time
from typing import Any

import pytest

from devtools import demo
from devtools.client import HomeAssistantClient
from devtools.processes import ChildProcess, free_port, simulator_process, wait_http
from devtools.stack import Stack

pytestmark = pytest.mark.e2e

# The options dialog lists each event as "- **incoming** (P8310): `<url>`".
_LISTED_URL = re.compile(r"\(P(\d+)\): `([^`]+)`")
# Not the stack phone's MAC (00:0B:82:00:00:01): a second phone.
SECOND_MAC = "00:0B:82:00:00:42"
CALLER = {"number": "+4930123456", "name": "Erika Mustermann"}


def listed_urls(client_result: dict[str, Any]) -> dict[str, str]:
    """``P8310`` → URL, as the options dialog shows them to paste by hand."""
    text = (client_result.get("description_placeholders") or {}).get("urls", "")
    return {f"P{pvalue}": url for pvalue, url in _LISTED_URL.findall(text)}


async def urls_of_entry(client: HomeAssistantClient, entry_id: str) -> dict[str, str]:
    """The Action URLs Home Assistant shows for one phone."""
    urls = listed_urls(await client.options_flow(entry_id, {"next_step_id": "urls"}))
    assert len(urls) == 12, urls
    return urls


def wait_for(predicate: Any, timeout: float, what: str) -> None:
    """Poll a plain function until it is true."""
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"{what} not reached within {timeout} s"
        time.sleep(0.05)


@pytest.fixture
def second_phone(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A simulated phone of its own, fresh: no Action URL set, nobody logged in."""
    port = free_port()
    sim: ChildProcess = simulator_process(
        port,
        reboot_duration=3.0,
        key_interval=0.05,
        log=tmp_path_factory.mktemp("zero-touch") / "simulator.log",
    )
    sim.start()
    try:
        url = f"http://127.0.0.1:{port}"
        wait_http(url + "/_sim/state", sim, timeout=30)
        # Another phone than the stack's: another MAC. (Identity, not a URL.)
        demo.sim_request(url, "/_sim/profile", {"mac": SECOND_MAC})
        yield url
    finally:
        sim.stop(timeout=10)


def test_demo_phone_was_set_up_through_the_flow(stack: Stack) -> None:
    """The stack's (and the demo's) phone: its slots hold what Home Assistant shows.

    They were written by the integration's web session, as admin.
    """
    web = stack.ctl("/_sim/web")
    shown = stack.run(lambda client: urls_of_entry(client, stack.phone.entry_id))
    assert {slot: web["slots"][slot] for slot in shown} == shown
    assert web["click_to_dial"] is True
    # Only our session ever wrote, and it ended.
    writes = [
        r for r in stack.ctl("/_sim/web_requests") if r["function"] == "config_update"
    ]
    assert writes
    assert {(r["status"], r["session_user"]) for r in writes} == {(200, "admin")}
    assert not [s for s in web["sessions"] if s["holder"] == "client"]


def test_phone_added_through_the_flow_pushes_a_ring_within_a_second(
    stack: Stack, second_phone: str
) -> None:
    """Config flow with setup ticked → slots written over the web API → push < 1 s.

    Real phones push about a second after the event; the simulator is told to
    push at once, so the time measured is the integration's.
    """
    sim_url = second_phone
    assert not any(demo.sim_request(sim_url, "/_sim/web")["slots"].values())
    demo.sim_request(sim_url, "/_sim/profile", {"action_url_delay": 0.0})
    host = sim_url.split("://", 1)[1]

    async def add(client: HomeAssistantClient) -> dict[str, Any]:
        """The "Add integration" dialog, step by step."""
        flows = "/api/config/config_entries/flow"
        form = await client.post(flows, {"handler": "grandstream"})
        assert form["step_id"] == "user", form
        form = await client.post(
            f"{flows}/{form['flow_id']}",
            {
                "host": host,
                "passcode": demo.PASSCODE,
                "connection": "auto",
                "verify_ssl": False,
            },
        )
        assert form["step_id"] == "phone_setup", form
        # Nothing was written before the user agreed.
        assert not any(demo.sim_request(sim_url, "/_sim/web")["slots"].values())
        result: dict[str, Any] = await client.post(
            f"{flows}/{form['flow_id']}",
            {"set_up_phone": True, "web_username": "admin"},
        )
        return result

    result = stack.run(add)
    assert result["type"] == "create_entry", result
    assert result["description"] == "set_up_complete", result
    entry_id = result["result"]["entry_id"]
    try:
        _check_push(stack, sim_url, entry_id)
    finally:
        stack.run(
            lambda client: client.request(
                "DELETE", f"/api/config/config_entries/entry/{entry_id}"
            )
        )
    # Removing the phone cleared the slots Home Assistant had written.
    assert not any(demo.sim_request(sim_url, "/_sim/web")["slots"].values())


def _check_push(stack: Stack, sim_url: str, entry_id: str) -> None:
    web = demo.sim_request(sim_url, "/_sim/web")
    shown = stack.run(lambda client: urls_of_entry(client, entry_id))
    assert {slot: web["slots"][slot] for slot in shown} == shown
    assert all(
        url.startswith(stack.base_url + "/api/webhook/") for url in shown.values()
    )
    functions = [
        (r["function"], r["session_user"])
        for r in demo.sim_request(sim_url, "/_sim/web_requests")
    ]
    assert ("config_update", "admin") in functions
    assert functions[-1][0] == "dologout"

    async def device_of_entry(client: HomeAssistantClient) -> str:
        async with client.websocket() as ws:
            devices = await ws.command("config/device_registry/list")
            await ws.close()
        (device,) = [d for d in devices if entry_id in d["config_entries"]]
        # The MAC came with the login: known before any push.
        assert ["mac", SECOND_MAC.lower()] in device["connections"]
        return str(device["id"])

    device_id = stack.run(device_of_entry)
    _wait_for_a_poll(sim_url)

    async def ring(client: HomeAssistantClient) -> tuple[float, float]:
        async with client.websocket() as ws:
            await ws.subscribe_events("grandstream_call")
            rang_at = time.monotonic()
            await asyncio.to_thread(demo.sim_request, sim_url, "/_sim/ring", CALLER)
            event_at, event = await ws.wait_event(
                lambda e: (
                    e["data"].get("device_id") == device_id
                    and e["data"].get("type") == "incoming"
                ),
                within=10,
            )
            await ws.close()
        assert event["data"]["remote_number"] == CALLER["number"]
        return rang_at, event_at

    rang_at, event_at = stack.run(ring)
    pushes = demo.sim_request(sim_url, "/_sim/events")["pushes"]
    print(  # noqa: T201 - shown with -s; the report quotes it
        f"zero-touch push: event {event_at - rang_at:.3f} s after the ring"
    )
    assert event_at - rang_at < 1.0
    (incoming,) = [p for p in pushes if p["event"] == "incoming"]
    assert incoming["status"] == 200
    # Both processes share the machine's monotonic clock: the push went out
    # after the ring and before the event, and no poll came in between.
    assert rang_at <= incoming["time"] <= event_at
    polled = [
        r["time"]
        for r in demo.sim_request(sim_url, "/_sim/requests")
        if r["function"] == "api-get_line_status" and rang_at <= r["time"]
    ]
    assert polled
    assert min(polled) >= incoming["time"]
    demo.sim_request(sim_url, "/_sim/miss", {})


def _wait_for_a_poll(sim_url: str) -> None:
    """Return right after Home Assistant polled the phone: the next poll is seconds away.

    So a ring now can only reach Home Assistant this fast by push.
    """

    def line_reads() -> int:
        return sum(
            1
            for r in demo.sim_request(sim_url, "/_sim/requests")
            if r["function"] == "api-get_line_status"
        )

    before = line_reads()
    wait_for(lambda: line_reads() > before, timeout=15, what="a poll")
