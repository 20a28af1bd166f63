"""Finding personal data in the indexed documents for the "Personuppgifter" tab, masked.

Computed from the store's chunk texts when the tab is opened, so it always reflects
what is indexed. Nothing is shown unmasked: each finding has its masked form and a short
excerpt in which every piece of personal data is replaced by its placeholder.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace

from ingest.pii import PiiKind, PiiMatch, find_pii, mask_pii
from vectorstore.store import Store

HEADERS = ["Fil", "Sida", "Avsnitt", "Typ", "Maskerat", "Sammanhang"]
CONTEXT_CHARS = 60
"""Characters shown on each side of a finding: enough to tell what the number is for."""
PLURALS: dict[PiiKind, str] = {
    "personnummer": "personnummer",
    "samordningsnummer": "samordningsnummer",
    "e-postadress": "e-postadresser",
}


@dataclass(frozen=True)
class PiiFinding:
    """A piece of personal data in an indexed document, with nothing of it unmasked."""

    file: str
    page: int | None
    section: str
    kind: PiiKind
    masked: str
    context: str


def masked_context(text: str, item: PiiMatch, matches: list[PiiMatch]) -> str:
    """The text around `item`, with every piece of personal data in it masked."""
    start = max(0, item.start - CONTEXT_CHARS)
    end = min(len(text), item.end + CONTEXT_CHARS)
    for other in matches:  # never cut a piece of personal data in two
        if other.start < start < other.end:
            start = other.start
        if other.start < end < other.end:
            end = other.end
    inside = [
        replace(o, start=o.start - start, end=o.end - start)
        for o in matches
        if start <= o.start and o.end <= end
    ]
    excerpt = " ".join(mask_pii(text[start:end], inside).split())
    return ("…" if start else "") + excerpt + ("…" if end < len(text) else "")


def find_in_store(store: Store) -> list[PiiFinding]:
    """Every piece of personal data in the indexed documents, by file and reading order."""
    findings: list[PiiFinding] = []
    for record in sorted(store.documents(), key=lambda r: r.file):
        for chunk in store.document_chunks(record.doc_id):
            matches = find_pii(chunk.text)
            findings.extend(
                PiiFinding(
                    record.file,
                    chunk.page,
                    chunk.section,
                    item.kind,
                    item.masked,
                    masked_context(chunk.text, item, matches),
                )
                for item in matches
            )
    return findings


def summary_markdown(findings: list[PiiFinding], documents: int, masking: bool) -> str:
    """How many documents hold personal data, of which kinds, and whether the LLM sees it."""
    llm = (
        "Personuppgifterna maskeras i allt som skickas till språkmodellen."
        if masking
        else "**Obs:** maskeringen av personuppgifter till språkmodellen är avstängd "
        "(YTTRA_LLM_MASK_PII=false)."
    )
    if not findings:
        return f"Inga personnummer eller e-postadresser hittades i {documents} dokument. {llm}"
    files = len({f.file for f in findings})
    kinds = Counter(f.kind for f in findings)
    listed = ", ".join(
        f"{n} {PLURALS[kind] if n > 1 else kind}" for kind, n in kinds.most_common()
    )
    return f"**{files} av {documents} dokument** innehåller personuppgifter: {listed}. {llm}"


def finding_rows(findings: list[PiiFinding]) -> list[list[str]]:
    """Rows for the table: file, page, section, kind, masked form and masked excerpt."""
    return [
        [f.file, str(f.page) if f.page else "", f.section, f.kind, f.masked, f.context]
        for f in findings
    ]


@dataclass(frozen=True)
class PrivacyView:
    """What the tab shows: a summary in Markdown and a row per finding."""

    summary: str
    rows: list[list[str]]


class PrivacySession:
    """Scans the store for personal data; `masking` says whether the LLM sees it masked."""

    def __init__(self, store: Store, masking: bool) -> None:
        self.store = store
        self.masking = masking

    def scan(self) -> PrivacyView:
        findings = find_in_store(self.store)
        summary = summary_markdown(findings, len(self.store.documents()), self.masking)
        return PrivacyView(summary, finding_rows(findings))
