"""``scripts/screenshots``: the dashboard during a call, and the call history.

Starts its own simulator and Home Assistant on free ports (a throw-away copy of
the demo's configuration), plays a short call history so the dashboard has
something to show (missed calls on the call-back list), logs in through the real
login page in headless Chromium and writes docs/images/dashboard-ringing.png,
docs/images/dashboard-connected.png and, once that call has ended,
docs/images/call-history.png (the dashboard's "Recent calls" card).

    python -m devtools.screenshots [--out docs/images] [--dark]
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
import sys
import time

from . import browser, demo
from .client import HomeAssistantClient
from .processes import REPO
from .stack import Stack, running_stack

CALLER = {"name": "Erika Mustermann", "number": "+4930123456"}
EARLIER_CALLER = {"name": "Max Muster", "number": "+4940111222"}
OTHER_CALLER = {"name": "", "number": "+4930987654"}


def say(text: str) -> None:
    """A progress line."""
    sys.stdout.write(f"==> {text}\n")
    sys.stdout.flush()


def wait_until(stack: Stack, entity_id: str, state: str) -> None:
    """Wait until Home Assistant shows ``entity_id`` in ``state``."""

    async def wait(client: HomeAssistantClient) -> None:
        await client.wait_state(entity_id, lambda s: s["state"] == state, within=20)

    stack.run(wait)


def play_history(stack: Stack) -> None:
    """Earlier missed calls, so the call-back list, counters and logbook show some.

    Max tried twice (one item counting both), another caller once.
    """
    ringing = stack.entity("binary_sensor", "ringing")
    for caller in (EARLIER_CALLER, OTHER_CALLER, EARLIER_CALLER):
        stack.ctl("/_sim/ring", caller)
        wait_until(stack, ringing, "on")
        time.sleep(1.5)
        stack.ctl("/_sim/miss", {})
        wait_until(stack, ringing, "off")
    wait_until(stack, stack.entity("sensor", "missed_calls"), "2")


async def shoot(stack: Stack, out: Path, dark: bool) -> list[Path]:
    """Log in, open the dashboard, take the screenshots."""
    ringing_png = out / "dashboard-ringing.png"
    connected_png = out / "dashboard-connected.png"
    history_png = out / "call-history.png"
    line_1 = stack.entity("sensor", "line_1")
    async with browser.chromium() as chromium:
        page = await browser.new_page(chromium, dark=dark)
        await browser.login(page, stack.base_url, demo.DEMO_USER, demo.DEMO_PASSWORD)
        await browser.open_dashboard(page, stack.base_url)
        # Played while the dashboard is open: the logbook card shows its rows
        # as they happen (opened afterwards, Home Assistant 2025.4's frontend
        # lists the history it loads twice).
        say("Playing missed calls")
        await asyncio.to_thread(play_history, stack)

        await asyncio.to_thread(stack.ctl, "/_sim/ring", CALLER)
        await page.get_by_text("Incoming call").first.wait_for(timeout=20_000)
        await page.get_by_text(CALLER["name"]).first.wait_for(timeout=20_000)
        await page.wait_for_timeout(2000)
        await page.screenshot(path=str(ringing_png))
        say(f"wrote {ringing_png.relative_to(REPO)}")

        # Answer from the dashboard, as a person would.
        await page.locator("hui-button-card").filter(has_text="Answer").first.click()
        await asyncio.to_thread(
            _wait_sim_line, stack, lambda line: line["state"] == "connected"
        )
        async with HomeAssistantClient(stack.base_url) as client:
            client.access_token = stack.access_token
            await client.wait_state(line_1, lambda s: s["state"] == "connected")
        await page.wait_for_timeout(6000)  # a few seconds into the call
        await page.screenshot(path=str(connected_png))
        say(f"wrote {connected_png.relative_to(REPO)}")

        # Erika hangs up: the call history has the whole call.
        await asyncio.to_thread(stack.ctl, "/_sim/hangup", {})
        recent = page.locator("hui-logbook-card").filter(has_text="Recent calls")
        await recent.get_by_text("ended after").first.wait_for(timeout=20_000)
        await page.wait_for_timeout(1500)
        await recent.first.screenshot(path=str(history_png))
        say(f"wrote {history_png.relative_to(REPO)}")
    return [ringing_png, connected_png, history_png]


def _wait_sim_line(stack: Stack, predicate: object, within: float = 20.0) -> None:
    deadline = time.monotonic() + within
    while True:
        line = stack.ctl("/_sim/state")["lines"][0]
        if predicate(line):  # type: ignore[operator]
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"line 1 of the phone is {line['state']}")
        time.sleep(0.2)


def main(argv: list[str] | None = None) -> int:
    """Start a stack, take the screenshots, stop."""
    parser = argparse.ArgumentParser(prog="scripts/screenshots", description=__doc__)
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "images")
    parser.add_argument("--dark", action="store_true", help="dark theme")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    if (why := browser.browser_available()) is not None:
        say(f"cannot take screenshots: {why}")
        return 1
    out: Path = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    say("Starting the simulator and Home Assistant (a temporary configuration)")
    with running_stack(reboot_duration=5.0, key_interval=0.2) as stack:
        say(f"Home Assistant at {stack.base_url}")
        say("Taking the screenshots in headless Chromium")
        asyncio.run(shoot(stack, out, args.dark))
    say(f"Done in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
