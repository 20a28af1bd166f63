"""Uploading documents into the store and describing what it holds, without Gradio."""

from __future__ import annotations

import logging
import re
import shutil
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from app.indexing.ingestor import FileOutcome, Ingestor
from app.llm.clients import describe_llm
from app.settings import Settings
from app.web.chat.session import FilterChoices, filter_choices
from app.web.common import doc_type_label
from app.web.uploads import UploadError, check_upload
from vectorstore.store import Store, StoreStats

log = logging.getLogger(__name__)

UPLOADS_DIR = "uploads"
"""Where uploaded files are kept, below the data directory."""
MAX_STEM_CHARS = 150
"""An uploaded file's kept name is cut to this many characters before its suffix: room
for any real document title, and with the suffix within the 255 bytes file systems
allow for a name when most characters are ASCII."""
STATUS_LABELS = {
    "added": "inläst",
    "updated": "uppdaterad",
    "unchanged": "oförändrad",
    "removed": "borttagen",
}

Progress = Callable[[Sequence[tuple[Path, str]]], Iterator[tuple[Path, str]]]
"""Wraps the files of an ingestion run to show how far it has come."""


def safe_file_name(name: str) -> str:
    """The uploaded file's own name, reduced to characters safe in any file system."""
    name = unicodedata.normalize("NFC", Path(name.replace("\\", "/")).name)
    name = re.sub(r"[^\w.\- ]+", "_", name).strip(" ._")
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    stem = stem[:MAX_STEM_CHARS] or "dokument"
    return f"{stem}.{suffix.lower()}" if suffix else stem


def status_label(outcome: FileOutcome) -> str:
    """What happened to a file, in Swedish; a failure with its reason."""
    if outcome.status == "failed":
        return f"misslyckades: {outcome.reason}"
    return STATUS_LABELS.get(outcome.status, outcome.status)


def format_outcomes(outcomes: Sequence[FileOutcome]) -> list[list[str]]:
    """Rows for the upload result table: file and Swedish status."""
    return [[outcome.file, status_label(outcome)] for outcome in outcomes]


def save_uploads(
    files: Sequence[str], folder: Path, max_file_mb: int
) -> tuple[list[Path], list[FileOutcome]]:
    """Keep the uploads that pass the size and content checks in `folder`, under safe names.

    Returns the kept files and a failed outcome for each refused or unsaved one. Two
    uploads with the same name in one batch are kept side by side ("namn-2.txt").
    """
    kept: list[Path] = []
    refused: list[FileOutcome] = []
    for upload in files:
        name = safe_file_name(Path(upload).name)
        try:  # by size and content, before anything is kept
            check_upload(Path(upload), max_file_mb, name)
        except UploadError as error:
            log.warning("upload refused: %s: %s", name, error.reason)
            refused.append(FileOutcome(name, "failed", error.reason))
            continue
        target = folder / name
        n = 2
        while target in kept:
            target = folder / f"{Path(name).stem}-{n}{Path(name).suffix}"
            n += 1
        try:
            folder.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(upload, target)
        except OSError as error:
            log.warning("could not save upload %s: %s", name, error)
            reason = f"kunde inte sparas: {error.strerror or error}"
            refused.append(FileOutcome(name, "failed", reason))
            continue
        kept.append(target)
    return kept, refused


def _table(title: str, counts: dict[str, int], label: Callable[[str], str] = str) -> str:
    rows = [f"| {title} | Dokument |", "|---|---:|"]
    for key, n in counts.items():
        name = label(key) if key else "okänt"
        rows.append(f"| {name.replace('|', '/')} | {n} |")
    return "\n".join(rows)


def overview_markdown(stats: StoreStats, settings: Settings) -> str:
    """The corpus at a glance: counts, breakdowns, models and where the data lives."""
    parts = [
        "## Innehåll i indexet",
        f"**{stats.documents} dokument** uppdelade i **{stats.chunks} avsnitt** "
        f"({stats.vectors} vektorer).",
    ]
    if stats.documents:
        parts += [
            _table("Dokumenttyp", stats.by_type, doc_type_label),
            _table("Organ", stats.by_organ),
            _table("År", dict(sorted(stats.by_year.items(), reverse=True))),
        ]
    else:
        parts.append("Inga dokument är inlästa ännu. Läs in dokument under fliken *Läs in*.")
    parts += [
        "## Inställningar",
        f"- **Embeddingmodell:** {stats.embedding_model}",
        f"- **Språkmodell:** {describe_llm(settings)}",
        f"- **Lagring:** `{stats.location}`",
    ]
    return "\n\n".join(parts)


@dataclass(frozen=True)
class CorpusView:
    """What the pages show of the store's contents."""

    overview: str
    """The "Översikt" tab (Markdown)."""
    filters: FilterChoices
    """The choices of the "Fråga" tab's filters."""


@dataclass(frozen=True)
class IngestResult:
    """An upload batch read in: a row per file, and the store as it is now."""

    rows: list[list[str]]
    corpus: CorpusView


class IngestSession:
    """Reads uploaded files into the store and describes what the store holds."""

    def __init__(self, settings: Settings, store: Store, ingestor: Ingestor) -> None:
        self.settings = settings
        self.store = store
        self.ingestor = ingestor
        self.uploads = settings.resolved_data_dir() / UPLOADS_DIR

    def view(self) -> CorpusView:
        stats = self.store.stats()
        return CorpusView(overview_markdown(stats, self.settings), filter_choices(stats))

    def ingest(self, files: Sequence[str], progress: Progress | None = None) -> IngestResult:
        """Check, keep and ingest the uploads; refused files are reported, not kept.

        Raises `YttraError` when the ingestion run itself fails.
        """
        kept, refused = save_uploads(files, self.uploads, self.settings.max_file_mb)
        outcomes = list(refused)
        if kept:
            summary = self.ingestor.ingest(kept, progress=progress)
            outcomes = summary.outcomes + outcomes
        return IngestResult(format_outcomes(outcomes), self.view())
