"""A coverage report as the pages show it: a summary line and a coloured matrix in HTML."""

from __future__ import annotations

import re

from app.review.coverage import CoverageItem, CoverageReport
from app.web.common import details_html, escape_html
from ingest.vocabulary import ELEMENTS, Stance, Status

COVERAGE_CSS = """
.yttra-coverage table { border-collapse: collapse; width: 100%; }
.yttra-coverage th, .yttra-coverage td {
  border-bottom: 1px solid var(--border-color-primary); padding: 6px; vertical-align: top;
}
.yttra-coverage td.status { font-weight: 600; white-space: nowrap; }
.yttra-coverage tr.besvarad td.status { background: #d9f2dd; color: #135c22; }
.yttra-coverage tr.delvis td.status { background: #fdf0cc; color: #7a5300; }
.yttra-coverage tr.saknas td.status { background: #fbdcdc; color: #8a1c1c; }
.yttra-coverage td.stance { white-space: nowrap; }
.yttra-coverage td.stance.avvisar { background: #fbdcdc; color: #8a1c1c; font-weight: 600; }
.yttra-coverage td.stance.avvaktar,
.yttra-coverage td.stance.instammer_delvis { background: #fdf0cc; color: #7a5300; }
.yttra-coverage td.mark { text-align: center; }
.yttra-coverage summary { cursor: pointer; }
.yttra-coverage blockquote { margin: 6px 0; padding-left: 8px;
  border-left: 3px solid var(--border-color-primary); white-space: pre-wrap; }
"""
NOTHING_TO_CHECK = '<p class="yttra-empty">Inga rekommendationer att kontrollera.</p>'
SLUG_CHARS = 40
"""Export file names are cut to this many characters: readable in a download list."""


def _row(number: int, item: CoverageItem) -> str:
    marks = "".join(
        f'<td class="mark">{"✓" if item.elements.get(e) else "–"}</td>' for e in ELEMENTS
    )
    detail = f"<p>{escape_html(item.reason)}</p>"
    if item.evidence:
        where = ", ".join(
            p
            for p in (
                f"s. {item.evidence.page}" if item.evidence.page else "",
                item.evidence.section,
                f"rad {item.evidence.start_line}–{item.evidence.end_line}",
            )
            if p
        )
        detail += (
            f"<p><em>{escape_html(where)}</em></p><blockquote>{escape_html(item.evidence.text)}"
        )
        detail += "</blockquote>"
    # A rejection is an answer but not an agreement: its stance cell stands out.
    stance = Stance(item.stance) if item.stance else None
    stance_cell = (
        f'<td class="stance {stance.name.lower()}">{escape_html(stance.label)}</td>'
        if stance
        else '<td class="stance">–</td>'
    )
    return (
        f'<tr class="{item.status}" data-id="{escape_html(item.recommendation.id)}">'
        f"<td>{number}</td>"
        f"<td>{details_html(escape_html(item.recommendation.text), detail, 'yttra-evidence')}</td>"
        f'<td class="status">{Status(item.status).label}</td>{stance_cell}'
        f"<td>{item.score:.2f}</td>{marks}</tr>"
    )


def coverage_html(report: CoverageReport) -> str:
    """The coverage matrix: a coloured row per recommendation; a click shows the evidence."""
    if not report.items:
        return NOTHING_TO_CHECK
    head = "".join(f"<th>{e.label}</th>" for e in ELEMENTS)
    rows = "\n".join(_row(n, item) for n, item in enumerate(report.items, 1))
    return (
        '<div class="yttra-coverage"><table><thead><tr><th>Nr</th><th>Rekommendation '
        f"(klicka för belägg)</th><th>Status</th><th>Hållning</th><th>Poäng</th>{head}"
        "</tr></thead>"
        f"<tbody>{rows}</tbody></table></div>"
    )


def summary_line(report: CoverageReport) -> str:
    """How many recommendations (to whom) are answered, partly answered and missing."""
    who = f" till {report.addressee}" if report.addressee else ""
    return (
        f"**{len(report.items)} rekommendationer{who}:** "
        f"{report.count(Status.BESVARAD)} besvarade, "
        f"{report.count(Status.DELVIS)} delvis besvarade, {report.count(Status.SAKNAS)} saknas."
    )


def export_slug(text: str) -> str:
    """A file name stem from `text`: lower case, word characters and dashes."""
    return re.sub(r"[^\w-]+", "-", text.lower()).strip("-")[:SLUG_CHARS] or "tackning"
