"""Checking a reply against an audit for the "Täckning" tab, without Gradio."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.review.coverage import CoverageReport, check_coverage
from app.review.export import report_csv, report_markdown
from app.web.coverage.render import coverage_html, export_slug, summary_line
from app.web.documents import DocumentInput, DocumentResolver
from ingest.errors import YttraError
from ingest.recommendations import extract_recommendations
from vectorstore.store import Store


@dataclass(frozen=True)
class CoverageResult:
    """A finished check: the report, how the tab shows it, and its exported files."""

    report: CoverageReport
    summary: str
    """One line in Markdown: how many recommendations are answered."""
    matrix: str
    """The coverage matrix in HTML."""
    exports: list[Path]
    """The report as CSV and as Markdown."""


class CoverageSession:
    """Resolves the audit and the reply, checks the coverage and exports the report."""

    def __init__(self, store: Store, documents: DocumentResolver, exports: Path) -> None:
        self.store = store
        self.documents = documents
        self.exports = exports

    def check(self, audit: DocumentInput, reply: DocumentInput, addressee: str) -> CoverageResult:
        """Which recommendations of the audit (to `addressee`, if given) the reply answers.

        Raises `YttraError` (in Swedish) when a document is missing or refused or the
        audit has no recommendations; nothing is exported then.
        """
        found = extract_recommendations(self.documents.resolve(audit, "granskningen").text)
        if not found:
            raise YttraError("Inga rekommendationer hittades i granskningen.")
        reply_text = self.documents.resolve(reply, "svaret").text
        addressee = addressee.strip()
        report = check_coverage(found, reply_text, self.store.embedder, addressee or None)
        return CoverageResult(
            report, summary_line(report), coverage_html(report), self._export(report, addressee)
        )

    def _export(self, report: CoverageReport, addressee: str) -> list[Path]:
        self.exports.mkdir(parents=True, exist_ok=True)
        stem = export_slug(f"tackning-{addressee}" if addressee else "tackning")
        csv_path = self.exports / f"{stem}.csv"
        md_path = self.exports / f"{stem}.md"
        # utf-8-sig so that Excel reads å, ä, ö correctly.
        csv_path.write_text(report_csv(report), encoding="utf-8-sig")
        md_path.write_text(report_markdown(report), encoding="utf-8")
        return [csv_path, md_path]
