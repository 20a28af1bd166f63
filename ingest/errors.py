"""Exception hierarchy shared by every layer of Yttra.

Messages are written for the person using the tool (in Swedish); the CLI and the UI
show them as they are.
"""

from __future__ import annotations

from pathlib import Path


class YttraError(Exception):
    """Base class for every error Yttra raises on purpose."""


class IngestError(YttraError):
    """A file could not be turned into a document."""

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")
