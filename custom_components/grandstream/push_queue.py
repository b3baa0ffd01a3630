"""Pushes waiting for the line status read after them.

A push says what changed but not on which line or who called; the line
status read after it does. The contract between the webhook, the queue and
the coordinator's fetches:

1. Each push joins the batch that the next fetch takes (``take`` at the
   start of a fetch, whoever asked for it: a push, a poll, a command).
   Pushes arriving while a fetch is under way wait for the next one.
2. A batch asks for one fetch of its own (``fetch``), at least ``spacing``
   seconds after the previous push fetch, so a flood of pushes costs the
   phone a few requests per second. A poll that takes the batch first makes
   that fetch unnecessary: the batch is then done when the poll is.
3. The fetch that took a batch hands its pushes to the tracker with its line
   status (``settle``), or without one when the phone could not be read.
4. A push still waiting ``deadline`` seconds after it arrived goes out
   without line status (``on_deadline``), together with every push that
   arrived before it, in order, so a slow phone makes its event late by at
   most the deadline. The line status that comes later enriches the call.
5. Each push is handed on exactly once, by 3 or by 4.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
import time
from typing import Any

from .action_urls import Push


@dataclass(eq=False)
class _Waiting:
    push: Push
    handed_on: bool = False


@dataclass(eq=False)
class PushBatch:
    """Pushes that ride on one fetch."""

    waiting: list[_Waiting] = field(default_factory=list)
    task: asyncio.Task[None] | None = None
    taken: bool = False
    settled: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def calls_only(self) -> bool:
        """Only call pushes (a read of the lines confirms them all)."""
        return bool(self.waiting) and all(w.push.is_call_event for w in self.waiting)


class PushQueue:
    """The pushes of one phone between the webhook and the tracker."""

    def __init__(
        self,
        *,
        fetch: Callable[[], Awaitable[None]],
        on_deadline: Callable[[list[Push]], None],
        start_task: Callable[[Coroutine[Any, Any, None]], asyncio.Task[None]],
        spacing: float,
        deadline: float,
        clock: Callable[[], float] | None = None,
    ) -> None:
        """Wire the queue to its owner's fetch and its deadline path."""
        self._fetch = fetch
        self._on_deadline = on_deadline
        self._start_task = start_task
        self._spacing = spacing
        self._deadline = deadline
        # Looked up when used: tests move time by patching time.monotonic.
        self._clock = clock or _monotonic
        self._next = PushBatch()
        self._unhandled: deque[_Waiting] = deque()
        self._last_fetch = -float("inf")

    async def put(self, push: Push) -> None:
        """Queue ``push``; return once it was handed on (by 3 or 4 above)."""
        item = _Waiting(push)
        self._unhandled.append(item)
        batch = self._next
        batch.waiting.append(item)
        if batch.task is None:
            batch.task = self._start_task(self._fetch_for(batch))
        deadline = (push.received_at or self._clock()) + self._deadline
        await asyncio.wait({batch.task}, timeout=max(0.0, deadline - self._clock()))
        if item.handed_on:
            return
        # The phone is slow: every push up to this one goes out now.
        earlier: list[_Waiting] = []
        while self._unhandled and item not in earlier:
            earlier.append(self._unhandled.popleft())
        for waiting in earlier:
            waiting.handed_on = True
        self._on_deadline([waiting.push for waiting in earlier])

    def waiting(self) -> list[Push]:
        """Pushes no fetch has taken yet, in order (what the next fetch will read).

        Those handed on at their deadline too: no read after them has come yet.
        """
        return [item.push for item in self._next.waiting]

    def take(self) -> PushBatch:
        """A fetch starts: it takes the pushes waiting now."""
        batch, self._next = self._next, PushBatch()
        batch.taken = True
        return batch

    def settle(self, batch: PushBatch) -> list[Push]:
        """The pushes of ``batch`` not handed on yet, now handed on (in order)."""
        pushes = []
        for item in batch.waiting:
            if not item.handed_on:
                item.handed_on = True
                pushes.append(item.push)
                if item in self._unhandled:
                    self._unhandled.remove(item)
        batch.settled.set()
        return pushes

    async def _fetch_for(self, batch: PushBatch) -> None:
        """Fetch for ``batch``, ``spacing`` after the last push fetch at the soonest."""
        wait = self._last_fetch + self._spacing - self._clock()
        if wait > 0:
            await asyncio.sleep(wait)
        if batch.taken:
            # A fetch that started meanwhile took these pushes along.
            await batch.settled.wait()
            return
        self._last_fetch = self._clock()
        await self._fetch()


def _monotonic() -> float:
    return time.monotonic()
