"""The one error type an input file can cause: refused, with a message for the officer."""

from __future__ import annotations


class InputRefused(Exception):
    """The input cannot be imported; `message` says why, in Romanian, for the officer."""

    def __init__(self, message: str, *, source: str = "") -> None:
        self.message = message
        self.source = source
        super().__init__(f"{source}: {message}" if source else message)

    def __reduce__(self):
        # Raised in worker processes: keep both parts across pickling.
        return (_rebuild, (self.message, self.source))


def _rebuild(message: str, source: str) -> InputRefused:
    return InputRefused(message, source=source)
