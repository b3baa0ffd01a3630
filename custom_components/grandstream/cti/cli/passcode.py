"""Where the passcode comes from: a file, the environment, or a prompt.

Never a plain argument: a passcode typed on the command line lands in the
shell's history and in every process listing. Sources, first match wins:

1. ``--passcode-file PATH`` (its first line; ``-`` reads standard input);
2. the environment variable ``GRANDSTREAM_PASSCODE``;
3. a prompt that does not echo, only when standard input is a terminal.
"""

from __future__ import annotations

from pathlib import Path

from .terminal import Terminal

ENV_VAR = "GRANDSTREAM_PASSCODE"
# A passcode is a web password: far shorter than this.
MAX_PASSCODE_LENGTH = 256


class PasscodeUnavailableError(Exception):
    """No passcode could be had, or the one given cannot be a passcode."""


def _first_line(text: str) -> str:
    line = text.split("\n", 1)[0]
    return line.removesuffix("\r")


def _checked(passcode: str, source: str) -> str:
    if not passcode:
        raise PasscodeUnavailableError(f"The passcode from {source} is empty")
    if len(passcode) > MAX_PASSCODE_LENGTH or not passcode.isprintable():
        # Said without the value: it may be the passcode after all.
        raise PasscodeUnavailableError(
            f"The passcode from {source} is not a phone password "
            "(too long, or with control characters)"
        )
    return passcode


def read_passcode(
    terminal: Terminal,
    passcode_file: str | None,
    *,
    optional: bool = False,
    prompt: str = "Phone passcode (web password): ",
) -> str | None:
    """The passcode, or None when ``optional`` and none was given.

    Blocking (a file, a prompt): call it before any request is under way.
    """
    if passcode_file is not None:
        if passcode_file == "-":
            return _checked(_first_line(terminal.stdin.readline()), "standard input")
        try:
            text = Path(passcode_file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            raise PasscodeUnavailableError(
                f"Cannot read the passcode file {passcode_file}: "
                f"{getattr(err, 'strerror', None) or type(err).__name__}"
            ) from None
        return _checked(_first_line(text), f"the file {passcode_file}")
    if (value := terminal.env.get(ENV_VAR)) is not None:
        return _checked(value, f"${ENV_VAR}")
    if terminal.interactive:
        if optional:
            prompt = prompt.replace(": ", " (Enter to skip): ", 1)
        try:
            typed = terminal.ask_secret(prompt)
        except EOFError:
            typed = ""
        if not typed and optional:
            return None
        return _checked(typed, "the prompt")
    if optional:
        return None
    raise PasscodeUnavailableError(
        f"No passcode: give --passcode-file PATH (or - for standard input), set "
        f"{ENV_VAR}, or run in a terminal to be asked"
    )
