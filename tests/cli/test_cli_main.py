"""The console script's own entry point: real streams, asyncio.run, Ctrl+C."""

from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path
import pty
import runpy
import select
import signal
import subprocess
import sys
import time

import pytest

from custom_components.grandstream.cti import __version__
from custom_components.grandstream.cti.cli import ExitCode, app, main

# main() runs its own event loop (asyncio.run): no Home Assistant or test loop
# here. Fixtures: found here by pytest, they replace Home Assistant's autouse ones.
from ..helpers.no_hass import (  # noqa: F401
    auto_enable_custom_integrations,
    enable_event_loop_debug,
    verify_cleanup,
)


def test_version_through_main(capsys: pytest.CaptureFixture[str]) -> None:
    """main() parses sys.argv's arguments and prints to the real stdout."""
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"grandstream-cti {__version__}\n"


def test_python_dash_m(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``python -m grandstream_cti`` (here: the integration's cti package) runs main."""
    monkeypatch.setattr(sys, "argv", ["grandstream-cti", "--version"])
    with pytest.raises(SystemExit) as exit_:
        runpy.run_module("custom_components.grandstream.cti", run_name="__main__")
    assert exit_.value.code == 0
    assert __version__ in capsys.readouterr().out


def test_no_passcode_from_a_pipe(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Standard input is no terminal under pytest: no prompt, exit 2."""
    monkeypatch.delenv("GRANDSTREAM_PASSCODE", raising=False)
    assert main(["lines", "127.0.0.1:9"]) == ExitCode.BAD_INPUT
    assert "No passcode" in capsys.readouterr().err


@pytest.mark.parametrize(("command", "code"), [("watch", 0), ("lines", 130)])
def test_ctrl_c(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: str,
    code: int,
) -> None:
    """Ctrl+C ends watch normally and interrupts everything else."""

    def interrupted(coroutine: object) -> int:
        coroutine.close()  # type: ignore[attr-defined]
        raise KeyboardInterrupt

    monkeypatch.setattr(app.asyncio, "run", interrupted)
    monkeypatch.setenv("GRANDSTREAM_PASSCODE", "x")
    assert main([command, "127.0.0.1"]) == code
    if code:
        assert "Interrupted" in capsys.readouterr().err


ROOT = Path(__file__).parents[2]


def _under_a_terminal(argv: list[str], env: dict[str, str]) -> tuple[int, bytes]:
    """Start the console script on a pseudo-terminal of its own (a real
    getpass/input), press Ctrl+C once at its question; exit status and screen."""
    try:  # a chroot without /dev/pts (CI's Python 3.14 one) has no terminals
        for end in os.openpty():
            os.close(end)
    except OSError as err:
        pytest.skip(f"no pseudo-terminal here: {err}")
    pid, fd = pty.fork()
    if pid == 0:  # pragma: no cover - the child
        os.chdir(ROOT)
        os.execve(
            sys.executable,
            [sys.executable, "-m", "custom_components.grandstream.cti", *argv],
            env,
        )
    screen = b""
    try:
        deadline = time.monotonic() + 30
        while b"?" not in screen and b": " not in screen:
            assert time.monotonic() < deadline, screen
            if select.select([fd], [], [], 0.5)[0]:
                screen += os.read(fd, 1024)
        time.sleep(0.3)  # the prompt is up and reading
        os.write(fd, b"\x03")  # one Ctrl+C, as a person presses it
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                with contextlib.suppress(OSError):
                    while select.select([fd], [], [], 0.1)[0]:
                        screen += os.read(fd, 1024)
                return os.waitstatus_to_exitcode(status), screen
            time.sleep(0.05)
        raise AssertionError(f"one Ctrl+C did not end it: {screen!r}")
    finally:
        with contextlib.suppress(ProcessLookupError, ChildProcessError):
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        os.close(fd)


@pytest.mark.parametrize(
    ("argv", "passcode", "question"),
    [
        (["lines", "http://127.0.0.1:9"], None, b"passcode"),
        (["reboot", "http://127.0.0.1:9"], "x", b"Reboot"),
    ],
)
def test_one_ctrl_c_at_a_real_prompt(
    argv: list[str], passcode: str | None, question: bytes
) -> None:
    """The passcode prompt and the reboot question end at the first Ctrl+C
    (asked outside the event loop, whose handler would swallow it)."""
    env = {k: v for k, v in os.environ.items() if k != "GRANDSTREAM_PASSCODE"}
    if passcode is not None:
        env["GRANDSTREAM_PASSCODE"] = passcode
    code, screen = _under_a_terminal(argv, env)
    assert question in screen
    assert code == ExitCode.INTERRUPTED, screen
    assert b"Interrupted" in screen
    assert b"Traceback" not in screen


@pytest.mark.parametrize("argv", [["lines", "no host!", "--json"]])
def test_a_reader_that_goes_away(argv: list[str]) -> None:
    """``grandstream-cti … | head``: the pipe closes, no traceback, exit 1."""
    child = subprocess.Popen(
        [sys.executable, "-m", "custom_components.grandstream.cti", *argv],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert child.stdout is not None
    assert child.stderr is not None
    child.stdout.close()  # before the child writes a byte
    errors = child.stderr.read()
    assert child.wait(timeout=30) == ExitCode.FAILED
    assert errors == b""


def test_a_reader_that_goes_away_in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same, in this process: BrokenPipeError ends main() with exit 1."""

    class ClosedPipe(io.StringIO):
        def write(self, text: str) -> int:
            raise BrokenPipeError

    monkeypatch.setattr(sys, "stdout", ClosedPipe())
    assert main(["lines", "no host!", "--json"]) == ExitCode.FAILED


def test_a_prepared_command_keeps_the_passcode_out_of_its_repr() -> None:
    """The passcode read for a command never shows in a repr (logs, tracebacks)."""
    from custom_components.grandstream.cti.cli import Terminal
    from custom_components.grandstream.cti.cli.app import Prepared, prepare
    from custom_components.grandstream.cti.cli.passcode import ENV_VAR

    terminal = Terminal(
        stdout=io.StringIO(),
        stderr=io.StringIO(),
        stdin=io.StringIO(),
        env={ENV_VAR: "Passc0de-in-repr"},
        interactive=False,
        ask_secret=lambda prompt: "",
        ask=lambda prompt: "",
    )
    prepared = prepare(["lines", "http://127.0.0.1:9"], terminal)
    assert isinstance(prepared, Prepared)
    assert prepared.passcode == "Passc0de-in-repr"
    assert "Passc0de" not in repr(prepared)
    # Nor in the run's, which shows its terminal (whose environment holds it).
    from custom_components.grandstream.cti.cli.context import Run

    run = Run(
        prepared.args,
        terminal,
        prepared.address,
        session=None,  # type: ignore[arg-type]  # never used: nothing is sent
        passcode="Passc0de",
    )
    assert "Passc0de" not in repr(terminal)
    assert "Passc0de" not in repr(run)
