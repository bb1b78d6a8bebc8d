"""The one exception type adtrans raises on purpose, with a source location."""

from __future__ import annotations


class AdtransError(Exception):
    """Raised for anything adtrans cannot or will not differentiate.

    When the problem has a place in the user's code, the message starts with
    ``file:line:`` and quotes the construct, then says what to do instead.
    """

    def __init__(self, message: str, filename: str | None = None, lineno: int | None = None,
                 construct: str | None = None) -> None:
        self.filename = filename
        self.lineno = lineno
        self.construct = construct
        text = message
        if construct:
            text = f"{text}\n    {construct.strip()}"
        if filename is not None:
            where = f"{filename}:{lineno}" if lineno is not None else filename
            text = f"{where}: {text}"
        super().__init__(text)
