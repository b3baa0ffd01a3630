"""Several simulated phones in one process, e.g. for multi-device tests."""

from __future__ import annotations

from collections.abc import Iterator
import copy
import socket
from types import TracebackType
from typing import Self

from .phone import SimulatedPhone
from .profile import PhoneProfile


def fleet_mac(index: int) -> str:
    """MAC for the index-th phone (1-based): 00:0B:82:00:00:01, ..."""
    if not 1 <= index <= 0xFFFFFF:
        raise ValueError("fleet index out of range")
    raw = f"{index:06X}"
    return "00:0B:82:" + ":".join(raw[i : i + 2] for i in range(0, 6, 2))


class PhoneFleet:
    """``count`` phones on consecutive ports, each with its own profile copy."""

    def __init__(self, count: int, base_profile: PhoneProfile | None = None) -> None:
        if count < 1:
            raise ValueError("a fleet needs at least one phone")
        base = base_profile if base_profile is not None else PhoneProfile()
        self.phones: list[SimulatedPhone] = []
        for index in range(1, count + 1):
            # Deep copies: tests flip options on one phone without touching
            # the others (accounts and action_urls are mutable containers).
            profile = copy.deepcopy(base)
            profile.mac = fleet_mac(index)
            self.phones.append(SimulatedPhone(profile))
        for phone in self.phones:
            phone.fleet = self.phones

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Start all phones on ``port``, ``port+1``, ...; ``port=0`` finds a free run."""
        if port:
            await self._start_at(host, port)
            return
        # The OS hands out single free ports only, so probe for a run of
        # consecutive ones and retry elsewhere if one is taken meanwhile.
        last_error: OSError | None = None
        for _ in range(20):
            base = _free_port(host)
            if base + len(self.phones) > 65535:
                continue
            try:
                await self._start_at(host, base)
            except OSError as err:
                last_error = err
                continue
            return
        raise OSError("no run of consecutive free ports found") from last_error

    async def _start_at(self, host: str, port: int) -> None:
        started: list[SimulatedPhone] = []
        try:
            for offset, phone in enumerate(self.phones):
                await phone.start(host, port + offset)
                started.append(phone)
        except OSError:
            for phone in started:
                await phone.stop()
            raise

    async def stop(self) -> None:
        """Stop every phone."""
        for phone in self.phones:
            await phone.stop()

    def __len__(self) -> int:
        return len(self.phones)

    def __getitem__(self, index: int) -> SimulatedPhone:
        return self.phones[index]

    def __iter__(self) -> Iterator[SimulatedPhone]:
        return iter(self.phones)

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])
