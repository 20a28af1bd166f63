"""Coverage reports as JSON, CSV and Markdown, for the CLI, the UI and outside tools."""

from __future__ import annotations

import csv
import io

from app.review.coverage import CoverageItem, CoverageReport
from ingest.vocabulary import ELEMENTS, Stance, Status


def _status(item: CoverageItem) -> str:
    """The item's status as a reader sees it ("Besvarad"), also for a plain-string status."""
    return Status(item.status).label


def _stance(item: CoverageItem) -> str:
    """The item's stance as a reader sees it ("Avvisar"); empty when none was found."""
    return Stance(item.stance).label if item.stance else ""


def item_json(item: CoverageItem) -> dict[str, object]:
    """The documented `yttra coverage --json` shape of one recommendation."""
    evidence = item.evidence
    return {
        "id": item.recommendation.id,
        "text": item.recommendation.text,
        "addressee": item.recommendation.addressee,
        "status": item.status,
        "score": item.score,
        "evidence": None
        if evidence is None
        else {
            "text": evidence.text,
            "page": evidence.page,
            "section": evidence.section,
        },
        "elements": dict(item.elements),
        "stance": str(item.stance) if item.stance else None,
        "reason": item.reason,
    }


def report_csv(report: CoverageReport) -> str:
    """One row per recommendation; elements as ja/nej; semicolons for Swedish Excel."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(
        [
            "Id",
            "Rekommendation",
            "Adressat",
            "Status",
            "Poäng",
            *(e.label for e in ELEMENTS),
            "Hållning",
            "Sida",
            "Avsnitt",
            "Belägg",
            "Motivering",
        ]
    )
    for item in report.items:
        evidence = item.evidence
        writer.writerow(
            [
                item.recommendation.id,
                item.recommendation.text,
                item.recommendation.addressee,
                _status(item),
                f"{item.score:.2f}".replace(".", ","),
                *("ja" if item.elements.get(e) else "nej" for e in ELEMENTS),
                _stance(item),
                evidence.page if evidence and evidence.page else "",
                evidence.section if evidence else "",
                " ".join(evidence.text.split()) if evidence else "",
                item.reason,
            ]
        )
    return out.getvalue()


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def report_markdown(report: CoverageReport, title: str = "Täckning av rekommendationerna") -> str:
    """A Markdown table plus the evidence of each recommendation."""
    lines = [f"# {title}", ""]
    if report.addressee:
        lines += [f"Adressat: {report.addressee}", ""]
    lines.append(
        f"{report.count(Status.BESVARAD)} besvarade, {report.count(Status.DELVIS)} delvis, "
        f"{report.count(Status.SAKNAS)} saknas."
    )
    lines += [
        "",
        "| Nr | Rekommendation | Status | Hållning | "
        + " | ".join(e.label for e in ELEMENTS)
        + " |",
        "|---|---|---|---|" + "---|" * len(ELEMENTS),
    ]
    for number, item in enumerate(report.items, 1):
        marks = " | ".join("✓" if item.elements.get(e) else "–" for e in ELEMENTS)
        lines.append(
            f"| {number} | {_cell(item.recommendation.text)} | {_status(item)} | "
            f"{_stance(item) or '–'} | {marks} |"
        )
    lines.append("")
    for number, item in enumerate(report.items, 1):
        lines += [
            f"## {number}. {_status(item)}"
            + (f" ({_stance(item).lower()})" if item.stance else ""),
            "",
            f"> {_cell(item.recommendation.text)}",
            "",
            item.reason,
            "",
        ]
        if item.evidence:
            where = ", ".join(
                p
                for p in (
                    f"s. {item.evidence.page}" if item.evidence.page else "",
                    item.evidence.section,
                )
                if p
            )
            lines += [
                f"Belägg{f' ({where})' if where else ''}:",
                "",
                f"> {_cell(item.evidence.text)}",
                "",
            ]
    return "\n".join(lines)
