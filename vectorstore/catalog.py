"""The catalog: one SQLite file holding the document registry and the chunk texts.

It is the source of truth for what is ingested. Chroma holds the vectors of the same
chunks under the same ids; the lexical index is built from the catalog's term counts.
A document is written in two steps (`begin_document`, then `finish_document`) so that a
crash in between leaves a row marked `pending`, which the store cleans up on open.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ingest.models import Chunk, DocMetadata

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY,
    file TEXT NOT NULL,
    path TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    signature TEXT NOT NULL,
    format TEXT NOT NULL,
    state TEXT NOT NULL,
    doc_type TEXT NOT NULL,
    title TEXT NOT NULL,
    date TEXT NOT NULL,
    year INTEGER,
    diarienummer TEXT NOT NULL,
    refers_to TEXT NOT NULL,
    organs TEXT NOT NULL,
    municipality TEXT NOT NULL,
    n_chunks INTEGER NOT NULL DEFAULT 0,
    ingested_at TEXT NOT NULL DEFAULT (datetime('now'))
);
CREATE TABLE IF NOT EXISTS chunks (
    chunk_id TEXT PRIMARY KEY,
    doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL,
    text TEXT NOT NULL,
    section TEXT NOT NULL,
    page INTEGER,
    token_count INTEGER NOT NULL,
    terms TEXT NOT NULL,
    length INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


@dataclass(frozen=True)
class DocumentRecord:
    """A registered document: where it came from, its hash and its metadata."""

    doc_id: str
    file: str
    path: str
    sha256: str
    signature: str
    format: str
    metadata: DocMetadata
    n_chunks: int = 0
    state: str = "ready"
    ingested_at: str = ""


@dataclass(frozen=True)
class StoredChunk:
    """A chunk as stored, with its document's record."""

    chunk_id: str
    ordinal: int
    text: str
    section: str
    page: int | None
    document: DocumentRecord


@dataclass(frozen=True)
class Filters:
    """Metadata filters. Empty fields do not filter; text fields match case-insensitively.

    `organ` and `municipality` match as substrings ("service" finds "Nämnden för
    Service"); `diarienummer` matches the document's own number or one it refers to.
    """

    doc_type: str = ""
    """A `DocType` value, e.g. `DocType.YTTRANDE`."""
    organ: str = ""
    year: int | None = None
    diarienummer: str = ""
    municipality: str = ""
    file: str = ""

    def is_empty(self) -> bool:
        return not (
            self.doc_type or self.organ or self.year or self.diarienummer
            or self.municipality or self.file
        )


@dataclass(frozen=True)
class ChunkRow:
    """A chunk row as stored, for consistency checks: ids, ordinal and term counts."""

    chunk_id: str
    doc_id: str
    ordinal: int
    terms: str
    length: int


def chunk_id(doc_id: str, ordinal: int) -> str:
    """A chunk's id: its document's id and its ordinal (`{doc_id}:{ordinal:05d}`)."""
    return f"{doc_id}:{ordinal:05d}"


def document_of(chunk: str) -> str:
    """The document id in a chunk id (see `chunk_id`)."""
    return chunk.rsplit(":", 1)[0]


# Filter fields that match a substring of a column, case-insensitively: (field, column).
_SUBSTRING_FILTERS = (("organ", "organs"), ("municipality", "municipality"), ("file", "file"))

BUSY_TIMEOUT_MS = 30_000
"""How long a write waits for another process's write (the UI and the CLI may both ingest)
before SQLite gives up: far longer than one document's transaction takes."""


class Catalog:
    """SQLite registry of documents and chunks; safe to share between threads."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA foreign_keys=ON")
        self._conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        self._conn.executescript(_SCHEMA)
        self._lock = threading.RLock()

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def _query(self, sql: str, params: Iterable[object] = ()) -> list[sqlite3.Row]:
        with self._lock:
            cursor = self._conn.execute(sql, tuple(params))
            cursor.row_factory = sqlite3.Row
            return cursor.fetchall()

    # -- meta -------------------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        rows = self._query("SELECT value FROM meta WHERE key = ?", (key,))
        return rows[0]["value"] if rows else None

    def set_meta(self, key: str, value: str) -> None:
        with self._transaction() as conn:
            conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def generation(self) -> int:
        """Bumped by every change to chunks; lets readers know their caches are stale."""
        return int(self.get_meta("generation") or 0)

    @staticmethod
    def _bump(conn: sqlite3.Connection) -> None:
        conn.execute(
            "INSERT INTO meta VALUES ('generation', '1') ON CONFLICT(key) "
            "DO UPDATE SET value = CAST(value AS INTEGER) + 1"
        )

    # -- documents --------------------------------------------------------------------

    def begin_document(self, record: DocumentRecord) -> None:
        """Register a document as pending and drop its old chunks (step one of a write)."""
        meta = record.metadata
        with self._transaction() as conn:
            conn.execute("DELETE FROM chunks WHERE doc_id = ?", (record.doc_id,))
            conn.execute(
                "INSERT OR REPLACE INTO documents (doc_id, file, path, sha256, signature,"
                " format, state, doc_type, title, date, year, diarienummer, refers_to,"
                " organs, municipality, n_chunks) VALUES"
                " (?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?, ?, 0)",
                (
                    record.doc_id, record.file, record.path, record.sha256,
                    record.signature, record.format, meta.doc_type, meta.title,
                    meta.date, meta.year, meta.diarienummer,
                    json.dumps(list(meta.refers_to), ensure_ascii=False),
                    json.dumps(list(meta.organs), ensure_ascii=False), meta.municipality,
                ),
            )
            self._bump(conn)

    def finish_document(
        self, doc_id: str, chunks: list[Chunk], terms: list[dict[str, int]]
    ) -> None:
        """Store the chunks and mark the document ready (step two of a write)."""
        with self._transaction() as conn:
            conn.executemany(
                "INSERT INTO chunks VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        chunk_id(doc_id, chunk.ordinal), doc_id, chunk.ordinal, chunk.text,
                        chunk.section, chunk.page, chunk.token_count,
                        json.dumps(counts, ensure_ascii=False), sum(counts.values()),
                    )
                    for chunk, counts in zip(chunks, terms, strict=True)
                ],
            )
            conn.execute(
                "UPDATE documents SET state = 'ready', n_chunks = ?,"
                " ingested_at = datetime('now') WHERE doc_id = ?",
                (len(chunks), doc_id),
            )
            self._bump(conn)

    def delete_document(self, doc_id: str) -> None:
        with self._transaction() as conn:
            conn.execute("DELETE FROM chunks WHERE doc_id = ?", (doc_id,))
            conn.execute("DELETE FROM documents WHERE doc_id = ?", (doc_id,))
            self._bump(conn)

    @staticmethod
    def _record(row: sqlite3.Row) -> DocumentRecord:
        return DocumentRecord(
            doc_id=row["doc_id"],
            file=row["file"],
            path=row["path"],
            sha256=row["sha256"],
            signature=row["signature"],
            format=row["format"],
            metadata=DocMetadata(
                doc_type=row["doc_type"],
                title=row["title"],
                date=row["date"],
                diarienummer=row["diarienummer"],
                refers_to=tuple(json.loads(row["refers_to"])),
                organs=tuple(json.loads(row["organs"])),
                municipality=row["municipality"],
            ),
            n_chunks=row["n_chunks"],
            state=row["state"],
            ingested_at=row["ingested_at"],
        )

    def document(self, doc_id: str) -> DocumentRecord | None:
        rows = self._query("SELECT * FROM documents WHERE doc_id = ?", (doc_id,))
        return self._record(rows[0]) if rows else None

    def documents(self, state: str | None = "ready") -> list[DocumentRecord]:
        if state is None:
            rows = self._query("SELECT * FROM documents ORDER BY file")
        else:
            rows = self._query("SELECT * FROM documents WHERE state = ? ORDER BY file", (state,))
        return [self._record(row) for row in rows]

    def matching_doc_ids(self, filters: Filters) -> set[str]:
        """Ids of ready documents that pass the filters."""
        clauses: list[str] = ["state = 'ready'"]
        params: list[object] = []
        if filters.doc_type:
            clauses.append("lower(doc_type) = lower(?)")
            params.append(filters.doc_type)
        if filters.year:
            clauses.append("year = ?")
            params.append(filters.year)
        for name, column in _SUBSTRING_FILTERS:
            value = getattr(filters, name)
            if value:
                clauses.append(f"instr(lower({column}), lower(?)) > 0")
                params.append(value)
        if filters.diarienummer:
            clauses.append(
                "(upper(diarienummer) = upper(?) OR instr(upper(refers_to), upper(?)) > 0)"
            )
            params.extend([filters.diarienummer, json.dumps(filters.diarienummer)])
        rows = self._query(f"SELECT doc_id FROM documents WHERE {' AND '.join(clauses)}", params)
        return {row["doc_id"] for row in rows}

    # -- chunks -----------------------------------------------------------------------

    def chunk_ids(self) -> set[str]:
        return {row["chunk_id"] for row in self._query("SELECT chunk_id FROM chunks")}

    def chunk_ids_of(self, doc_ids: Iterable[str]) -> list[str]:
        """Ids of the chunks of these documents, sorted (one parameter, however many)."""
        rows = self._query(
            "SELECT chunk_id FROM chunks WHERE doc_id IN (SELECT value FROM json_each(?))"
            " ORDER BY chunk_id",
            (json.dumps(sorted(doc_ids)),),
        )
        return [row["chunk_id"] for row in rows]

    def chunk_terms(self) -> Iterator[tuple[str, str, str]]:
        """(chunk_id, doc_id, terms json) for every chunk of a ready document."""
        for row in self._query(
            "SELECT c.chunk_id, c.doc_id, c.terms FROM chunks c"
            " JOIN documents d ON d.doc_id = c.doc_id WHERE d.state = 'ready'"
        ):
            yield row["chunk_id"], row["doc_id"], row["terms"]

    def chunk_rows(self) -> list[ChunkRow]:
        """Every chunk row, whatever its document's state (orphans included)."""
        rows = self._query(
            "SELECT chunk_id, doc_id, ordinal, terms, length FROM chunks"
            " ORDER BY doc_id, ordinal"
        )
        return [
            ChunkRow(row["chunk_id"], row["doc_id"], row["ordinal"], row["terms"], row["length"])
            for row in rows
        ]

    def integrity_errors(self) -> list[str]:
        """What SQLite's own checks find wrong with the file (empty when it is sound)."""
        errors = [
            str(row[0]) for row in self._query("PRAGMA quick_check") if row[0] != "ok"
        ]
        errors.extend(
            f"{row[0]} rad {row[1]} pekar på saknad rad i {row[2]}"
            for row in self._query("PRAGMA foreign_key_check")
        )
        return errors

    def chunks(self, ids: list[str]) -> list[StoredChunk]:
        """The chunks with these ids, in the order given (unknown ids are left out)."""
        if not ids:
            return []
        placeholders = ",".join("?" * len(ids))
        rows = self._query(
            "SELECT c.chunk_id, c.ordinal, c.text, c.section, c.page, d.* FROM chunks c"
            f" JOIN documents d ON d.doc_id = c.doc_id WHERE c.chunk_id IN ({placeholders})",
            ids,
        )
        by_id = {
            row["chunk_id"]: StoredChunk(
                chunk_id=row["chunk_id"],
                ordinal=row["ordinal"],
                text=row["text"],
                section=row["section"],
                page=row["page"],
                document=self._record(row),
            )
            for row in rows
        }
        return [by_id[i] for i in ids if i in by_id]

    def document_chunks(self, doc_id: str) -> list[StoredChunk]:
        rows = self._query(
            "SELECT chunk_id FROM chunks WHERE doc_id = ? ORDER BY ordinal", (doc_id,)
        )
        return self.chunks([row["chunk_id"] for row in rows])

    def counts(self) -> dict[str, int]:
        rows = self._query(
            "SELECT (SELECT count(*) FROM documents WHERE state = 'ready') AS documents,"
            " (SELECT count(*) FROM chunks) AS chunks"
        )
        return {"documents": rows[0]["documents"], "chunks": rows[0]["chunks"]}

    def count_by(self, column: str) -> dict[str, int]:
        """Ready documents counted by doc_type, year or municipality."""
        if column not in {"doc_type", "year", "municipality"}:
            raise ValueError(column)
        rows = self._query(
            f"SELECT {column} AS key, count(*) AS n FROM documents WHERE state = 'ready'"
            f" GROUP BY {column} ORDER BY n DESC"
        )
        return {str(row["key"] or ""): row["n"] for row in rows}

    def organ_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for record in self.documents():
            for organ in record.metadata.organs:
                counts[organ] = counts.get(organ, 0) + 1
        return dict(sorted(counts.items(), key=lambda item: -item[1]))
