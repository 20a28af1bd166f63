"""Checks on files uploaded through the web UI, before they are kept or used.

An upload is accepted only if it is within the size limit and actually reads as what
its name claims: it is loaded by content (PDF, Word, text) exactly as ingestion would
load it. A refused upload is named with its reason, in Swedish.
"""

from __future__ import annotations

from pathlib import Path

from ingest.errors import IngestError, YttraError
from ingest.loaders import load_file
from ingest.models import LoadedDocument


class UploadError(YttraError):
    """An uploaded file was refused: too large, or not what its name says."""

    def __init__(self, name: str, reason: str) -> None:
        self.name = name
        self.reason = reason
        super().__init__(f"{name}: {reason}")


def check_upload(path: Path, max_mb: int, name: str | None = None) -> LoadedDocument:
    """The upload's document, or `UploadError` naming the file (`name`) and the reason."""
    name = name or Path(path).name
    try:
        return load_file(Path(path), name, max_bytes=max_mb * 1024 * 1024)
    except IngestError as error:
        raise UploadError(name, error.reason) from error
