"""Start and stop the phone simulator and Home Assistant as child processes."""

from __future__ import annotations

from collections.abc import Sequence
import contextlib
import os
from pathlib import Path
import signal
import socket
import subprocess
import sys
import time
from typing import IO
import urllib.error
import urllib.request

REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_in_use(port: int) -> bool:
    """Whether something listens on 127.0.0.1:``port``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


class ChildProcess:
    """A child process in its own process group, stopped with SIGINT then SIGKILL."""

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        *,
        log: Path | None = None,
        env: dict[str, str] | None = None,
        cwd: Path = REPO,
    ) -> None:
        """Describe the process; ``start`` runs it."""
        self.name = name
        self.argv = list(argv)
        self.log = log
        self.env = env
        self.cwd = cwd
        self.proc: subprocess.Popen[bytes] | None = None
        self._log_file: IO[bytes] | None = None

    def start(self) -> None:
        """Run the process; its output goes to ``log`` (or is inherited)."""
        stdout: IO[bytes] | int | None = None
        if self.log is not None:
            self.log.parent.mkdir(parents=True, exist_ok=True)
            self._log_file = self.log.open("ab")
            stdout = self._log_file
        env = {**os.environ, **(self.env or {})}
        env.setdefault("PYTHONUNBUFFERED", "1")
        # Its own session: Ctrl-C in the terminal reaches only our orchestrator,
        # which then stops the children in order.
        self.proc = subprocess.Popen(
            self.argv,
            cwd=self.cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=subprocess.STDOUT if stdout is not None else None,
            start_new_session=True,
        )

    def check_alive(self) -> None:
        """Raise with the log's tail when the process ended."""
        if self.proc is not None and self.proc.poll() is not None:
            raise RuntimeError(
                f"{self.name} exited with code {self.proc.returncode}" + self.log_tail()
            )

    def log_tail(self, lines: int = 40) -> str:
        """The last lines of the log, for error messages."""
        if self.log is None or not self.log.exists():
            return ""
        text = self.log.read_text(errors="replace").splitlines()[-lines:]
        return f"\n--- last lines of {self.log} ---\n" + "\n".join(text)

    def stop(self, timeout: float = 30.0) -> int | None:
        """SIGINT (Home Assistant and the simulator shut down cleanly), then SIGKILL."""
        proc = self.proc
        if proc is None:
            return None
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGINT)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(10)
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None
        return proc.returncode


def simulator_process(
    port: int,
    *,
    phones: int = 1,
    reboot_duration: float = 10.0,
    key_interval: float = 0.3,
    log: Path | None = None,
    python: str = sys.executable,
) -> ChildProcess:
    """The phone simulator on 127.0.0.1:``port`` (and the next ports for more phones)."""
    return ChildProcess(
        "phone simulator",
        [
            python,
            "-m",
            "simulator",
            "--port",
            str(port),
            "--phones",
            str(phones),
            "--reboot-duration",
            str(reboot_duration),
            "--key-interval",
            str(key_interval),
        ],
        log=log,
    )


def hass_process(
    config_dir: Path,
    port: int,
    *,
    log: Path | None = None,
    python: str = sys.executable,
    cwd: Path = REPO,
) -> ChildProcess:
    """``hass -c config_dir`` listening on 127.0.0.1:``port``.

    The port reaches configuration.yaml through ``GRANDSTREAM_HA_PORT`` and
    ``GRANDSTREAM_HA_URL`` (``!env_var`` there). Run from the repository (the
    default), Home Assistant finds custom integrations only in the repository's
    ``custom_components``; run from ``config_dir`` it finds those linked there.
    """
    return ChildProcess(
        "Home Assistant",
        [python, "-m", "homeassistant", "-c", str(config_dir)],
        log=log,
        env={
            "GRANDSTREAM_HA_PORT": str(port),
            "GRANDSTREAM_HA_URL": f"http://127.0.0.1:{port}",
        },
        cwd=cwd,
    )


def wait_http(
    url: str, process: ChildProcess | None = None, timeout: float = 180.0
) -> None:
    """Wait until ``url`` answers any HTTP status (the server is up)."""
    deadline = time.monotonic() + timeout
    while True:
        if process is not None:
            process.check_alive()
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            pass
        if time.monotonic() > deadline:
            tail = process.log_tail() if process is not None else ""
            raise TimeoutError(f"{url} did not answer within {timeout:.0f} s{tail}")
        time.sleep(0.2)
