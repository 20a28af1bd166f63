"""Ingestion runs: files → documents → chunks → store, incremental and idempotent.

A file is identified by its absolute path and versioned by the hash of its bytes plus the
pipeline signature (chunking and metadata rules): unchanged files are skipped without
being parsed, changed ones have their chunks replaced, and `prune` forgets files that
are gone. Per-file problems are reported and the batch goes on.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from ingest.chunking import ChunkingConfig, chunk_text
from ingest.errors import IngestError
from ingest.loaders import (
    display_name,
    file_sha256,
    is_storable_name,
    iter_files,
    load_file,
    os_error_reason,
)
from ingest.metadata import infer_metadata
from vectorstore.catalog import DocumentRecord
from vectorstore.consistency import ConsistencyReport
from vectorstore.store import RepairReport, Store

log = logging.getLogger(__name__)

PIPELINE_VERSION = "2"
"""Part of every document's signature: bump it when metadata or structure rules change in a
way that should rebuild stored documents (chunking has its own signature)."""
DEFAULT_MAX_BYTES = 100 * 1024 * 1024
"""Files larger than this are refused unread (the default of `YTTRA_MAX_FILE_MB`)."""
DOC_ID_CHARS = 20
"""Hex digits of a path's SHA-1 kept as its document id: 80 bits, so two paths of one
archive sharing an id is not a practical concern."""
LOCK_FILE = "ingest.lock"
"""The file in the data directory that one writing process at a time holds locked."""

FileStatus = Literal["added", "updated", "unchanged", "failed", "removed"]


@dataclass(frozen=True)
class FileOutcome:
    """What happened to one file."""

    file: str
    status: FileStatus
    reason: str = ""
    chunks: int = 0


@dataclass
class IngestSummary:
    """The result of an ingestion run."""

    outcomes: list[FileOutcome] = field(default_factory=list)
    repair: RepairReport = field(default_factory=RepairReport)
    seconds: float = 0.0

    def count(self, status: FileStatus) -> int:
        return sum(1 for outcome in self.outcomes if outcome.status == status)

    @property
    def failed(self) -> list[FileOutcome]:
        return [outcome for outcome in self.outcomes if outcome.status == "failed"]

    @property
    def chunks_written(self) -> int:
        return sum(o.chunks for o in self.outcomes if o.status in ("added", "updated"))


def real_path(path: Path) -> str:
    """The absolute path with symlinks resolved. Unlike `Path.resolve`, never raises: a
    link that points to itself is returned as it is, and loading it then says why."""
    return os.path.realpath(path)


def doc_id_for(path: Path) -> str:
    """Stable id of a file: its absolute path, hashed."""
    digest = hashlib.sha1(real_path(path).encode("utf-8", "surrogateescape")).hexdigest()
    return digest[:DOC_ID_CHARS]


@contextmanager
def _exclusive(data_dir: Path) -> Iterator[None]:
    """One writer per store across processes (the UI and the CLI may both ingest)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    with (data_dir / LOCK_FILE).open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX)
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def verify_store(store: Store) -> ConsistencyReport:
    """`Store.verify` while no ingestion writes: waits for a running one to finish, so a
    document being written is not reported as half-written."""
    with _exclusive(store.data_dir):
        return store.verify()


class Ingestor:
    """Runs ingestion into a store."""

    def __init__(
        self,
        store: Store,
        chunking: ChunkingConfig | None = None,
        max_bytes: int = DEFAULT_MAX_BYTES,
    ) -> None:
        self.store = store
        self.chunking = chunking or ChunkingConfig()
        self.max_bytes = max_bytes
        self.signature = f"{PIPELINE_VERSION}:{self.chunking.signature()}"

    def ingest(
        self,
        paths: Sequence[Path],
        prune: bool = False,
        progress: Callable[[Sequence[tuple[Path, str]]], Iterator[tuple[Path, str]]]
        | None = None,
    ) -> IngestSummary:
        """Ingest files and folders; with `prune`, drop documents whose files are gone."""
        started = time.perf_counter()
        summary = IngestSummary()
        with _exclusive(self.store.data_dir):
            summary.repair = self.store.repair()
            # A broken link is not missing: loading it says what is wrong with it.
            missing = [path for path in paths if not path.exists() and not path.is_symlink()]
            for path in missing:
                shown = display_name(str(path))
                summary.outcomes.append(FileOutcome(shown, "failed", "filen finns inte"))
            files = list(iter_files([p for p in paths if p not in missing]))
            for path, label in progress(files) if progress else files:
                summary.outcomes.append(self.ingest_file(path, label))
            if prune:
                summary.outcomes.extend(self._prune())
        summary.seconds = time.perf_counter() - started
        return summary

    def ingest_file(self, path: Path, label: str) -> FileOutcome:
        """Add, update or skip one file; problems become a `failed` outcome."""
        if not is_storable_name(path):
            # The catalog stores paths as UTF-8 text, and the path is how the file is found
            # again later; a name with undecodable bytes can be neither stored nor shown.
            reason = "filnamnet innehåller ogiltiga tecken (fel teckenkodning); byt namn på filen"
            log.warning("ingest failed: %s: %s", display_name(label), reason)
            return FileOutcome(display_name(label), "failed", reason)
        doc_id = doc_id_for(path)
        existing = self.store.document(doc_id)
        try:
            if existing and existing.signature == self.signature:
                size = path.stat().st_size
                if size <= self.max_bytes and file_sha256(path) == existing.sha256:
                    return FileOutcome(label, "unchanged", chunks=existing.n_chunks)
            loaded = load_file(path, label, self.max_bytes)
            metadata = infer_metadata(loaded.text)
            chunks = chunk_text(loaded.text, self.chunking)
            if not chunks:
                raise IngestError(path, "dokumentet innehåller ingen text att indexera")
        except IngestError as error:
            log.warning("ingest failed: %s: %s", label, error.reason)
            return FileOutcome(label, "failed", error.reason)
        except OSError as error:
            log.warning("ingest failed: %s: %s", label, error)
            return FileOutcome(label, "failed", os_error_reason(error))
        except Exception as error:  # a parser bug on one file must not end the batch
            # Where it broke, but not the message: messages may quote the document.
            where = traceback.extract_tb(error.__traceback__)[-1]
            log.error(
                "ingest failed unexpectedly: %s: %s at %s:%d",
                label, type(error).__name__, where.filename, where.lineno,
            )
            return FileOutcome(label, "failed", "ett oväntat fel uppstod när filen lästes")
        record = DocumentRecord(
            doc_id=doc_id,
            file=label,
            path=real_path(path),
            sha256=loaded.sha256,
            signature=self.signature,
            format=loaded.format,
            metadata=metadata,
        )
        self.store.write_document(record, chunks)
        return FileOutcome(label, "updated" if existing else "added", chunks=len(chunks))

    def _prune(self) -> list[FileOutcome]:
        removed = []
        for record in self.store.documents():
            if not Path(record.path).exists():
                self.store.remove_document(record.doc_id)
                removed.append(FileOutcome(record.file, "removed"))
        return removed
