"""Errors the CLI turns into one clear line and an exit code.

``UsageError`` (exit 2) is for bad input or usage: a missing file, an unknown format, a missing column,
an invalid config.  ``RuntimeFailure`` (exit 1) is for things that went wrong while working.
"""


class CurateError(Exception):
    exit_code = 1

    def __init__(self, message: str):
        # one line, always: the CLI prints exactly this
        super().__init__(" ".join(str(message).split()))


class UsageError(CurateError):
    exit_code = 2


class RuntimeFailure(CurateError):
    exit_code = 1
