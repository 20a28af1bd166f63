"""A document the official gives a tab: uploaded, picked from the store or pasted, as text."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.web.common import document_choices
from app.web.uploads import check_upload
from ingest.errors import YttraError
from ingest.loaders import load_file
from ingest.normalize import normalize_text
from ingest.vocabulary import DocType
from vectorstore.store import Store


@dataclass(frozen=True)
class DocumentInput:
    """What the page holds: an uploaded file, a stored document's id, pasted text.

    The first one given counts, in that order.
    """

    upload: str | None = None
    picked: str | None = None
    pasted: str | None = ""


@dataclass(frozen=True)
class ResolvedDocument:
    """The given document's text and where it came from."""

    text: str
    file: str
    """The uploaded or stored file's name; empty for pasted text."""
    stored_files: tuple[str, ...]
    """Stored documents that are this very document (same content), by file name."""


class DocumentResolver:
    """Turns a `DocumentInput` into text, checking uploads as ingestion would."""

    def __init__(self, store: Store, max_file_mb: int) -> None:
        self.store = store
        self.max_file_mb = max_file_mb

    def choices(self, first: DocType | None = None) -> list[tuple[str, str]]:
        """The stored documents to pick from; those of type `first` (if given) first."""
        records = self.store.documents()
        if first is not None:
            records = sorted(records, key=lambda r: r.metadata.doc_type != first)
        return document_choices(records)

    def resolve(self, given: DocumentInput, what: str) -> ResolvedDocument:
        """The document's text; `what` ("granskningen") names it in the Swedish errors.

        Raises `UploadError` for a refused upload, `YttraError` when nothing is given or
        the picked document is no longer stored.
        """
        if given.upload:
            loaded = check_upload(Path(given.upload), self.max_file_mb)
            same = tuple(r.file for r in self.store.documents() if r.sha256 == loaded.sha256)
            return ResolvedDocument(loaded.text, loaded.file, same)
        if given.picked:
            record = self.store.document(given.picked)
            if record is None:
                raise YttraError(f"{what[:1].upper()}{what[1:]} finns inte längre i indexet.")
            text = load_file(Path(record.path), record.file).text
            return ResolvedDocument(text, record.file, (record.file,))
        if given.pasted and given.pasted.strip():
            return ResolvedDocument(normalize_text(given.pasted), "", ())
        raise YttraError(
            f"Ange {what}: ladda upp, välj ett inläst dokument eller klistra in text."
        )
