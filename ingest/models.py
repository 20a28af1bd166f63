"""Typed values that flow from loading to chunking."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ingest.vocabulary import DocType


@dataclass(frozen=True)
class LoadedDocument:
    """A file read into normalised text.

    `text` uses one small convention for every format: page breaks are kept as
    `<!-- sida N -->` lines, headings found in the source (DOCX styles) are written as
    markdown headings, tables as `cell | cell` rows.
    """

    path: Path
    """Absolute path of the source file."""
    file: str
    """The path as found under the root given to ingest (POSIX separators)."""
    text: str
    sha256: str
    """Content hash of the file's bytes."""
    format: str
    """One of "txt", "md", "pdf", "docx"."""


@dataclass(frozen=True)
class DocMetadata:
    """What the text itself says about a document. Unknown values stay empty."""

    doc_type: str = DocType.OTHER
    """A `DocType` value: granskning, missiv, yttrande, tjansteskrivelse, protokoll or other."""
    title: str = ""
    date: str = ""
    """ISO date (YYYY-MM-DD) of the document, or empty."""
    diarienummer: str = ""
    """The document's own registration number, or empty."""
    refers_to: tuple[str, ...] = ()
    """Other registration numbers the document mentions."""
    organs: tuple[str, ...] = ()
    """The writing or addressed bodies, as the document names them."""
    municipality: str = ""

    @property
    def year(self) -> int | None:
        return int(self.date[:4]) if self.date[:4].isdigit() else None

    @property
    def organ(self) -> str:
        return "; ".join(self.organs)


@dataclass(frozen=True)
class Chunk:
    """A passage of a document, small enough to embed, with where it came from."""

    text: str
    section: str
    """Heading path, outermost first, joined with " > "."""
    page: int | None
    ordinal: int
    """Position of the chunk in its document, from 0."""
    token_count: int
    headings: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class Recommendation:
    """One recommendation of an audit, to one addressee.

    The same text addressed to several bodies gives one Recommendation per body, each
    with its own id, because each body must answer it.
    """

    id: str
    """Stable: derived from the normalised text and the addressee, not from position."""
    text: str
    """Whole recommendation: lines joined, hyphenation undone, no bullet or label."""
    addressee: str
    """The body it is addressed to, as the document names it (empty if not stated)."""
    page: int | None
    section: str
