"""Drive Home Assistant's web UI in headless Chromium (Playwright, async API).

Debian's Chromium (``/usr/bin/chromium``, or ``$CHROMIUM``) is launched through
``executable_path``; Playwright's own browser download is not used.
``scripts/setup-e2e`` installs both.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
import contextlib
import os
from pathlib import Path
import tempfile
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.async_api import Browser, Locator, Page

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# Keep Chromium from reaching out to the internet (updates, sync, QUIC probes...).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--disable-dev-shm-usage",
]
DASHBOARD_PATH = "/grandstream-phone/phone"


def browser_available() -> str | None:
    """None when the browser can run here, else why not."""
    try:
        import playwright.async_api  # noqa: F401, PLC0415
    except ImportError:
        return "the playwright package is missing (run scripts/setup-e2e)"
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} is missing (run scripts/setup-e2e)"
    return None


@contextlib.asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    """Headless Chromium with a throw-away profile."""
    from playwright.async_api import async_playwright  # noqa: PLC0415

    with tempfile.TemporaryDirectory(prefix="chromium-") as profile:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=CHROMIUM,
                headless=True,
                args=[*CHROMIUM_ARGS, f"--crash-dumps-dir={profile}"],
            )
            try:
                yield browser
            finally:
                await browser.close()


async def new_page(
    browser: Browser, *, width: int = 1280, height: int = 900, dark: bool = False
) -> Page:
    """A page in a fresh context (no stored login)."""
    context = await browser.new_context(
        viewport={"width": width, "height": height},
        color_scheme="dark" if dark else "light",
        locale="en-US",
        timezone_id="Europe/Berlin",
    )
    return await context.new_page()


async def login(page: Page, base_url: str, username: str, password: str) -> None:
    """Open Home Assistant and log in on its login page, as a person would."""
    await page.goto(base_url + "/", wait_until="domcontentloaded")
    await page.wait_for_url("**/auth/authorize**", timeout=30_000)
    username_field = page.locator(
        "input[name='username'], input[autocomplete='username']"
    )
    await username_field.first.fill(username, timeout=30_000)
    password_field = page.locator(
        "input[name='password'], input[type='password'], "
        "input[autocomplete='current-password']"
    )
    await password_field.first.fill(password)
    await password_field.first.press("Enter")
    # Back on the frontend (not the authorize page) with a sidebar.
    await page.wait_for_url(lambda url: "/auth/authorize" not in url, timeout=30_000)
    await page.locator("ha-sidebar").first.wait_for(timeout=30_000)


async def open_dashboard(page: Page, base_url: str) -> None:
    """Open the Desk phone dashboard and wait for its cards."""
    await page.goto(base_url + DASHBOARD_PATH, wait_until="domcontentloaded")
    await page.locator("hui-tile-card").first.wait_for(timeout=30_000)
    await page.wait_for_timeout(1500)  # let icons and fonts settle


# Reads the open dialog of the page, across shadow roots: its visible text (code
# spans left out: they hold URLs), text that runs under the header's icons, and
# text cut off with an ellipsis.
_DIALOG_REPORT = r"""
() => {
  const deep = (root, out = []) => {
    for (const el of root.querySelectorAll("*")) {
      out.push(el);
      if (el.shadowRoot) deep(el.shadowRoot, out);
    }
    return out;
  };
  const dialogs = deep(document).filter((el) => el.tagName === "HA-DIALOG" && el.open);
  if (!dialogs.length) return null;
  const dialog = dialogs[dialogs.length - 1];
  const inner = deep(dialog);
  if (dialog.shadowRoot) deep(dialog.shadowRoot, inner);
  const visible = (r) => r.width > 0 && r.height > 0;
  // The icon a button draws: its 24-pixel glyph in the middle of the 48-pixel
  // button (whose padding may touch the next line without hiding it).
  const icons = inner
    .filter((el) => el.tagName === "HA-ICON-BUTTON")
    .map((el) => el.getBoundingClientRect())
    .filter(visible)
    .map((r) => {
      const x = r.left + r.width / 2;
      const y = r.top + r.height / 2;
      return { left: x - 12, right: x + 12, top: y - 12, bottom: y + 12 };
    });
  const texts = [];
  const overlaps = [];
  for (const el of [dialog, ...inner]) {
    for (const root of [el, el.shadowRoot].filter(Boolean)) {
      for (const node of root.childNodes) {
        if (node.nodeType !== Node.TEXT_NODE || !node.textContent.trim()) continue;
        const range = document.createRange();
        range.selectNodeContents(node);
        const rects = [...range.getClientRects()].filter(visible);
        if (!rects.length) continue;
        const parent = node.parentElement;
        if (parent && (parent.closest("code") || parent.closest("ha-icon-button"))) continue;
        texts.push({ text: node.textContent.trim(), top: rects[0].top, left: rects[0].left });
        for (const r of rects) {
          for (const icon of icons) {
            if (r.left < icon.right && r.right > icon.left && r.top < icon.bottom && r.bottom > icon.top) {
              overlaps.push(node.textContent.trim().slice(0, 60));
            }
          }
        }
      }
    }
  }
  texts.sort((a, b) => a.top - b.top || a.left - b.left);
  const cut = inner
    .filter((el) => getComputedStyle(el).textOverflow === "ellipsis" && el.scrollWidth > el.clientWidth + 1)
    .map((el) => el.textContent.trim().slice(0, 80));
  return { texts: texts.map((t) => t.text), overlaps, cut };
}
"""


async def dialog_report(page: Page) -> dict[str, list[str]] | None:
    """The open dialog's visible texts (top to bottom), overlaps and cut texts.

    ``overlaps``: texts that run under the header's icon buttons (? and ×);
    ``cut``: texts shortened with an ellipsis. None when no dialog is open.
    """
    report: dict[str, list[str]] | None = await page.evaluate(_DIALOG_REPORT)
    return report


_DEEP_TEXT = r"""
(element) => {
  const parts = [];
  const walk = (node) => {
    for (const child of node.childNodes) {
      if (child.nodeType === Node.TEXT_NODE) {
        if (child.textContent.trim()) parts.push(child.textContent.trim());
      } else {
        if (child.shadowRoot) walk(child.shadowRoot);
        walk(child);
      }
    }
  };
  if (element.shadowRoot) walk(element.shadowRoot);
  walk(element);
  return parts.join("\n");
}
"""


async def deep_text(locator: Locator) -> str:
    """The text of an element and of every shadow root inside it, one node a line."""
    text: str = await locator.evaluate(_DEEP_TEXT)
    return text
