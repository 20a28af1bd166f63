"""Checking a reply against an audit for the "Täckning" tab, without Gradio."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.review.coverage import CoverageReport, check_coverage
from app.review.export import report_csv, report_markdown
from app.web.coverage.render import coverage_html, export_slug, summary_line
from app.web.documents import DocumentInput
from app.web.recommendation_lists import ListView, RecommendationLists, TableEdits
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
    recommendations: ListView
    """The list that was checked, as the tab's table shows it."""


class CoverageSession:
    """Resolves the audit and the reply, checks the coverage and exports the report.

    The recommendations checked are the official's list of the audit (`lists`): the table
    as edited, or else the kept list, or else what extraction finds. The documents are
    resolved, and the chat model's checked help lent, as for the list.
    """

    def __init__(self, store: Store, lists: RecommendationLists, exports: Path) -> None:
        self.store = store
        self.lists = lists
        self.documents = lists.documents
        self.assistance = lists.assistance
        self.exports = exports

    def check(
        self,
        audit: DocumentInput,
        reply: DocumentInput,
        addressee: str,
        table: TableEdits | None = None,
    ) -> CoverageResult:
        """Which recommendations of the audit's list (to `addressee`, if given) the reply
        answers; `table` is the list as the page shows it.

        Raises `YttraError` (in Swedish) when a document is missing or refused or the
        list is empty; nothing is exported then.
        """
        _, recommendations, shown = self.lists.current(audit, table)
        reply_text = self.documents.resolve(reply, "svaret").text
        addressee = addressee.strip()
        report = check_coverage(recommendations, reply_text, self.store.embedder, addressee or None)
        report, notices = self.assistance.judge(report, reply_text)
        summary = " ".join([summary_line(report), *notices])
        return CoverageResult(
            report, summary, coverage_html(report), self._export(report, addressee), shown
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
