"""Errors found in a bank, each pointing at a line of its file."""
from __future__ import annotations

from dataclasses import dataclass

MAX_TEXT_CHARS = 300  # enough to recognise the line; a huge one-line file shouldn't flood the page


@dataclass(frozen=True)
class BankError:
    """One problem in a bank file. `line` is 1-based; 0 means the file as a whole.

    `text` is the offending line as written ('' when the error is about the whole file).
    """
    path: str
    line: int
    message: str  # usually a core.messages.Message
    text: str = ""

    def format(self, translate=str) -> str:
        """`path:line: message`; `translate` turns the message into the reader's language."""
        return f"{self.path}:{self.line}: {translate(self.message)}"


class ErrorSink:
    """Collects the errors of one file, filling in each offending line's text."""

    def __init__(self, path: str, lines: list[str]):
        self.path = path
        self._lines = lines
        self._errors: list[BankError] = []

    def add(self, line: int, message: str) -> None:
        text = self._lines[line - 1] if 1 <= line <= len(self._lines) else ""
        if len(text) > MAX_TEXT_CHARS:
            text = text[:MAX_TEXT_CHARS] + "…"
        self._errors.append(BankError(self.path, line, message, text))

    def __len__(self) -> int:
        return len(self._errors)

    def errors(self) -> list[BankError]:
        """All errors in line order (stable, so one line's errors keep the order they were found in)."""
        return sorted(self._errors, key=lambda error: error.line)
