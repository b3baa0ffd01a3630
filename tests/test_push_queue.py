"""The push queue's contract (push_queue.py), without a phone or Home Assistant."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
import time
from typing import Any

from custom_components.grandstream.action_urls import Push
from custom_components.grandstream.push_queue import PushBatch, PushQueue

SPACING = 0.05
DEADLINE = 0.3


class Owner:
    """Plays the coordinator: its fetches take batches and settle them."""

    def __init__(self, answer_after: float = 0.0) -> None:
        """Fetches answer after ``answer_after`` seconds."""
        self.answer_after = answer_after
        self.fetches: list[float] = []
        self.tasks: list[asyncio.Task[None]] = []
        self.settled: list[list[str]] = []
        self.deadline: list[list[str]] = []
        self.queue = PushQueue(
            fetch=self.fetch,
            on_deadline=lambda pushes: self.deadline.append(_events(pushes)),
            start_task=self.start_task,
            spacing=SPACING,
            deadline=DEADLINE,
        )

    def start_task(self, job: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        """Start a batch's fetch; kept so the test can wait for it."""
        task = asyncio.get_running_loop().create_task(job)
        self.tasks.append(task)
        return task

    async def drain(self) -> None:
        """Wait for every fetch the queue started."""
        await asyncio.gather(*self.tasks)

    async def fetch(self, batch: PushBatch | None = None) -> None:
        """A fetch: takes what waits now, reads, then settles it."""
        self.fetches.append(time.monotonic())
        batch = batch or self.queue.take()
        await asyncio.sleep(self.answer_after)
        self.settled.append(_events(self.queue.settle(batch)))


def _events(pushes: list[Push]) -> list[str]:
    return [push.remote_number for push in pushes]


def push(name: str) -> Push:
    """A push told apart by its number."""
    return Push(event="incoming", remote_number=name, received_at=time.monotonic())


async def test_pushes_arriving_together_ride_on_one_fetch() -> None:
    """Three pushes before the fetch starts: one fetch hands on all three, in order."""
    owner = Owner()
    await asyncio.gather(*(owner.queue.put(push(n)) for n in ("1", "2", "3")))
    assert len(owner.fetches) == 1
    assert owner.settled == [["1", "2", "3"]]
    assert owner.deadline == []


async def test_push_fetches_keep_their_spacing() -> None:
    """A second batch's fetch starts no sooner than the spacing after the first."""
    owner = Owner()
    await owner.queue.put(push("1"))
    await owner.queue.put(push("2"))
    assert owner.settled == [["1"], ["2"]]
    assert owner.fetches[1] - owner.fetches[0] >= SPACING * 0.9


async def test_a_fetch_that_started_meanwhile_takes_the_batch() -> None:
    """A poll takes the waiting pushes first: no fetch of the batch's own."""
    owner = Owner()
    owner.queue._last_fetch = time.monotonic()  # the batch must wait its spacing
    waiting = asyncio.ensure_future(owner.queue.put(push("1")))
    await asyncio.sleep(0)
    batch = owner.queue.take()  # the poll's fetch starts
    await owner.fetch(batch)
    await waiting
    assert len(owner.fetches) == 1  # the poll's only
    assert owner.settled == [["1"]]


async def test_slow_phone_hands_pushes_on_at_the_deadline() -> None:
    """The fetch takes too long: every push up to this one goes out without it."""
    owner = Owner(answer_after=DEADLINE * 3)
    started = time.monotonic()
    await asyncio.gather(owner.queue.put(push("1")), owner.queue.put(push("2")))
    assert DEADLINE * 0.9 <= time.monotonic() - started < DEADLINE * 2
    # Each at its deadline, in the order they arrived.
    assert [n for pushes in owner.deadline for n in pushes] == ["1", "2"]
    # When the read comes, nothing is handed on twice.
    await owner.drain()
    assert owner.settled == [[]]


async def test_deadline_takes_earlier_pushes_not_later_ones() -> None:
    """A push at its deadline takes the earlier ones along, never later ones."""
    owner = Owner(answer_after=DEADLINE * 4)
    first = asyncio.ensure_future(owner.queue.put(push("1")))
    await asyncio.sleep(DEADLINE / 2)
    second = asyncio.ensure_future(owner.queue.put(push("2")))
    await first
    assert owner.deadline == [["1"]]
    await second
    assert owner.deadline == [["1"], ["2"]]
    await owner.drain()
