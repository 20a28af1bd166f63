"""Checking that the catalog, Chroma and the lexical index hold exactly the same chunks.

`Store.verify` reads a `Snapshot` of the three under its write lock; `compare` then finds
every disagreement without touching the store. Messages are Swedish: `yttra verify`
prints them as they are.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Literal

from vectorstore.catalog import ChunkRow, DocumentRecord, chunk_id, document_of

ProblemKind = Literal[
    "catalog-integrity", "pending", "chunk-count", "chunk-numbering", "orphan-chunk",
    "term-counts", "missing-vector", "orphan-vector", "vector-document", "vector-count",
    "missing-lexical", "orphan-lexical", "duplicate-lexical", "unreadable-vectors",
    "vector-search",
]

# What `Store.repair` removes: leftovers of an interrupted write or removal. The other
# kinds cannot come from a crash (SQLite transactions); they need a rebuild.
_REPAIRABLE: frozenset[ProblemKind] = frozenset(
    {"pending", "missing-vector", "orphan-vector", "unreadable-vectors"}
)


@dataclass(frozen=True)
class Inconsistency:
    """One way the catalog, Chroma and the lexical index disagree."""

    kind: ProblemKind
    subject: str
    message: str


@dataclass
class ConsistencyReport:
    """What `Store.verify` compared and every disagreement it found."""

    documents: int = 0
    chunks: int = 0
    vectors: int = 0
    lexical: int = 0
    problems: list[Inconsistency] = field(default_factory=list)

    @property
    def consistent(self) -> bool:
        return not self.problems

    @property
    def repairable(self) -> bool:
        """Whether `repair` (run first by every ingest) fixes every problem found."""
        return all(problem.kind in _REPAIRABLE for problem in self.problems)

    def add(self, kind: ProblemKind, subject: str, message: str) -> None:
        self.problems.append(Inconsistency(kind, subject, message))

    def as_json(self) -> dict[str, object]:
        return {**asdict(self), "consistent": self.consistent, "repairable": self.repairable}


@dataclass(frozen=True)
class Snapshot:
    """The three parts of a store as read at one moment (while no write was running)."""

    catalog_file: str
    """The catalog's file name, the subject of problems SQLite finds in it."""
    records: dict[str, DocumentRecord]
    """Every registered document by id, pending ones included."""
    rows: list[ChunkRow]
    """Every chunk row of the catalog, orphans included."""
    integrity_errors: list[str]
    vector_error: str
    """Chroma's error when it could not be read ('' when it could)."""
    vectors: list[tuple[str, str]]
    """(chunk id, document id it is tagged with) for every vector Chroma lists."""
    vector_count: int
    """How many vectors Chroma says it holds."""
    lexical: list[str]
    """The chunk id of every row of the lexical index (a chunk held twice shows twice)."""

    @property
    def ready(self) -> set[str]:
        return {doc_id for doc_id, record in self.records.items() if record.state == "ready"}

    def name(self, doc_id: str) -> str:
        """How a document is named in a message: its file, or its id if unregistered."""
        record = self.records.get(doc_id)
        return record.file if record else f"okänt dokument {doc_id}"


def compare(snapshot: Snapshot, is_unreadable: Callable[[str], bool]) -> ConsistencyReport:
    """Every disagreement in `snapshot`, documents first, then vectors, then the lexical
    index; `is_unreadable` tells whether Chroma's error means its files are lost."""
    check = _Comparison(snapshot)
    check.documents()
    check.term_counts()
    if snapshot.vector_error:  # nothing to compare the catalog with
        kind: ProblemKind = (
            "unreadable-vectors" if is_unreadable(snapshot.vector_error) else "vector-search"
        )
        check.report.add(kind, "chroma",
                         f"Chroma kan inte läsa vektorerna: {snapshot.vector_error}")
    else:
        check.vectors()
    check.lexical()
    return check.report


# What a problem found in some chunks of a document says: `name` is the document (its file),
# `n` how many of its chunks, `vectors` the same as "1 vektor" / "n vektorer".
_MESSAGES: dict[ProblemKind, str] = {
    "orphan-chunk": "Katalogen har {n} avsnitt för dokumentet {name}, som inte är registrerat.",
    "term-counts": "{name}: {n} avsnitt saknar giltiga termräkningar.",
    "missing-vector": "{name}: {n} avsnitt saknar vektor i Chroma.",
    "orphan-vector": "Chroma har {vectors} för {name} som katalogen saknar.",
    "vector-document": "{name}: {vectors} är märkta med fel dokument i Chroma.",
    "missing-lexical": "{name}: {n} avsnitt saknas i ordindexet (BM25).",
    "orphan-lexical": "Ordindexet har {n} avsnitt för {name} som katalogen saknar.",
    "duplicate-lexical": "{name}: {n} avsnitt finns flera gånger i ordindexet.",
}


def _vectors(n: int) -> str:
    return "1 vektor" if n == 1 else f"{n} vektorer"


def _valid_terms(terms: str, length: int) -> bool:
    """Term counts are a JSON object of positive counts that sum to the stored length."""
    try:
        counts = json.loads(terms)
    except ValueError:
        return False
    return (
        isinstance(counts, dict)
        and all(isinstance(n, int) and n > 0 for n in counts.values())
        and sum(counts.values()) == length
    )


class _Comparison:
    """The checks of one snapshot, each adding what it finds to `report`."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        ready = snapshot.ready
        self.report = ConsistencyReport(
            documents=len(ready), chunks=len(snapshot.rows), vectors=len(snapshot.vectors),
            lexical=len(snapshot.lexical),
        )
        self.expected = {row.chunk_id: row.doc_id for row in snapshot.rows if row.doc_id in ready}
        """The chunks that ought to be everywhere, those of ready documents: id → doc_id."""

    def _add(
        self,
        kind: ProblemKind,
        ids: Iterable[str],
        doc_of: Callable[[str], str],
        name: Callable[[str], str] | None = None,
    ) -> None:
        """One problem of `kind` for each document that `ids` belong to (`doc_of` tells
        which), by document id; named by its file unless `name` says otherwise."""
        name = name or self.snapshot.name
        for doc_id, n in sorted(Counter(doc_of(i) for i in ids).items()):
            subject = name(doc_id)
            message = _MESSAGES[kind].format(name=subject, n=n, vectors=_vectors(n))
            self.report.add(kind, subject, message)

    def documents(self) -> None:
        """The catalog against itself: SQLite's checks, the registry and the chunk rows."""
        report, snapshot = self.report, self.snapshot
        for error in snapshot.integrity_errors:
            report.add("catalog-integrity", snapshot.catalog_file,
                       f"Katalogfilen är skadad: {error}.")
        by_doc: dict[str, list[ChunkRow]] = {}
        for row in snapshot.rows:
            by_doc.setdefault(row.doc_id, []).append(row)
        for doc_id, record in sorted(snapshot.records.items(), key=lambda item: item[1].file):
            own = by_doc.get(doc_id, [])
            if record.state != "ready":
                report.add("pending", record.file,
                           f"{record.file}: halvskrivet dokument från en avbruten inläsning.")
                continue
            if len(own) != record.n_chunks:
                report.add("chunk-count", record.file,
                           f"{record.file}: registret anger {record.n_chunks} avsnitt men "
                           f"katalogen har {len(own)}.")
            if [row.chunk_id for row in own] != [chunk_id(doc_id, n) for n in range(len(own))]:
                report.add("chunk-numbering", record.file,
                           f"{record.file}: avsnitten är inte numrerade 0–{len(own) - 1}.")
        # One entry per chunk row whose document is not registered: its document id.
        unregistered = [row.doc_id for row in snapshot.rows if row.doc_id not in snapshot.records]
        self._add("orphan-chunk", unregistered, str, name=str)

    def term_counts(self) -> None:
        """Each chunk of a ready document has term counts the lexical index can use."""
        unscored = [row.chunk_id for row in self.snapshot.rows
                    if row.chunk_id in self.expected and not _valid_terms(row.terms, row.length)]
        self._add("term-counts", unscored, self.expected.__getitem__)

    def vectors(self) -> None:
        """Chroma's ids and document tags against the catalog's chunks."""
        expected, tagged = self.expected, dict(self.snapshot.vectors)
        self._add("missing-vector", expected.keys() - tagged.keys(), expected.__getitem__)
        # A vector the catalog has no chunk for belongs to the document it is tagged with.
        self._add("orphan-vector", tagged.keys() - expected.keys(),
                  lambda i: tagged[i] or document_of(i))
        mislabelled = [i for i in expected.keys() & tagged.keys() if tagged[i] != expected[i]]
        self._add("vector-document", mislabelled, expected.__getitem__)
        count, listed = self.snapshot.vector_count, len(self.snapshot.vectors)
        if count != len(tagged) or listed != len(tagged):
            self.report.add("vector-count", "chroma",
                            f"Chroma räknar {_vectors(count)} men listar {listed} "
                            f"({len(tagged)} olika id).")

    def lexical(self) -> None:
        """The lexical index holds each chunk of a ready document once, and nothing else."""
        expected, held = self.expected, Counter(self.snapshot.lexical)
        self._add("missing-lexical", expected.keys() - held.keys(), expected.__getitem__)
        self._add("orphan-lexical", held.keys() - expected.keys(), document_of)
        self._add("duplicate-lexical", [i for i, n in held.items() if n > 1], document_of)
