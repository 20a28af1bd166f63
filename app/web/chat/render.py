"""The sources panel of the "Fråga" tab as HTML: every source, cited ones marked and first."""

from __future__ import annotations

from app.answering.answerer import Answer, Source
from app.web.common import cards_css, details_html, doc_type_label, escape_html

NO_SOURCES = '<p class="yttra-empty">Källorna till det senaste svaret visas här.</p>'

SOURCES_CSS = cards_css("yttra-sources", "yttra-source", ".yttra-passage") + """
.yttra-cited { border-left: 4px solid var(--color-accent); }
.yttra-badge { display: inline-block; font-size: .75rem; font-weight: 600; padding: 0 .4rem;
  margin-right: .3rem; border-radius: 4px; background: var(--color-accent-soft); }
.yttra-meta { display: grid; grid-template-columns: max-content 1fr; gap: .1rem .6rem;
  font-size: .8rem; margin: .5rem 0; }
.yttra-meta dt { font-weight: 600; }
.yttra-meta dd { margin: 0; overflow-wrap: anywhere; }
"""


def sources_html(answer: Answer | None) -> str:
    """Every source of the answer as a collapsible passage; cited ones marked and first."""
    if answer is None or not answer.sources:
        return NO_SOURCES
    cited = {source.number for source in answer.cited()}
    ordered = sorted(answer.sources, key=lambda s: (s.number not in cited, s.number))
    items = "\n".join(_source_html(source, source.number in cited) for source in ordered)
    count = (
        f"{len(cited)} citerade av {len(answer.sources)}"
        if cited
        else (f"{len(answer.sources)} hämtade, ingen citerad")
    )
    return f'<div class="yttra-sources"><h3>Källor ({count})</h3>\n{items}\n</div>'


def _source_html(source: Source, cited: bool) -> str:
    hit = source.hit
    facts = [
        ("Typ", doc_type_label(hit.doc_type)),
        ("Diarienummer", hit.diarienummer),
        ("Datum", hit.date),
        ("Organ", hit.organ),
        ("Avsnitt", hit.section),
        ("Sida", str(hit.page) if hit.page else ""),
        ("Fil", hit.file),
    ]
    meta = "".join(
        f"<dt>{name}</dt><dd>{escape_html(value)}</dd>" for name, value in facts if value
    )
    badge = '<span class="yttra-badge">citerad</span>' if cited else ""
    classes = "yttra-source yttra-cited" if cited else "yttra-source"
    body = (
        f'<dl class="yttra-meta">{meta}</dl>'
        f'<blockquote class="yttra-passage">{escape_html(hit.text.strip())}</blockquote>'
    )
    summary = f"{badge}{escape_html(source.reference())}"
    return details_html(summary, body, classes, number=source.number, file=hit.file)
