"""The console script's own entry point: real streams, asyncio.run, Ctrl+C."""

from __future__ import annotations

import runpy
import sys

import pytest

from custom_components.grandstream.cti import __version__
from custom_components.grandstream.cti.cli import ExitCode, app, main


# main() runs its own event loop (asyncio.run): no Home Assistant or test loop here.
@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """No in-process Home Assistant (overrides tests/conftest.py)."""


@pytest.fixture(autouse=True)
def verify_cleanup() -> None:
    """No test event loop to check."""


@pytest.fixture(autouse=True)
def enable_event_loop_debug() -> None:
    """No test event loop to debug."""


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
    assert main([command, "127.0.0.1"]) == code
    if code:
        assert "Interrupted" in capsys.readouterr().err
