"""A draft as the "Utkast" tab shows it: labels, status, the recommendation, precedents."""

from __future__ import annotations

import re
import unicodedata

from app.drafting.model import Draft, Precedent, Section
from app.web.common import cards_css, details_html, escape_html, shorten
from ingest.vocabulary import SectionStatus

KIND_SV = {"svar": "Svar på liknande rekommendation", "text": "Liknande text"}
LABEL_CHARS = 80
"""A section's label in the picker is cut here, to keep it on one line."""
TITLE_CHARS = 70
"""An audit's title in the list of saved drafts is cut here, leaving room for the rest."""
STEM_CHARS = 60
"""An exported file's name (before the draft id) is cut here."""
NO_PRECEDENTS = '<p class="yttra-empty">Tidigare svar på liknande rekommendationer visas här.</p>'
NONE_FOUND = '<p class="yttra-empty">Inga liknande svar hittades i de inlästa dokumenten.</p>'

PRECEDENTS_CSS = cards_css(
    "yttra-precedents", "yttra-precedent", ".yttra-precedent blockquote"
) + """
.yttra-precedent[data-kind="svar"] { border-left: 4px solid var(--color-accent); }
.yttra-precedent .label { font-weight: 600; font-size: .8rem; margin: .5rem 0 .2rem 0; }
"""


def section_choices(draft: Draft) -> list[tuple[str, int]]:
    """The section picker: "n. <start of the recommendation> (status)", valued by index."""
    return [
        (f"{n}. {shorten(s.recommendation.text, LABEL_CHARS)} ({s.status})", n - 1)
        for n, s in enumerate(draft.sections, 1)
    ]


def draft_label(draft: Draft) -> str:
    """A saved draft in the "Tidigare utkast" list: audit, addressee and last change."""
    title = draft.audit_title or draft.audit_file or "Granskning"
    who = draft.addressee or "ingen adressat"
    return f"{shorten(title, TITLE_CHARS)} – {who} ({draft.updated[:16].replace('T', ' ')})"


def status_markdown(draft: Draft) -> str:
    """Which draft is open, for whom, how many sections are done, when it was saved."""
    done = sum(1 for s in draft.sections if s.status == SectionStatus.KLAR)
    title = draft.audit_title or draft.audit_file or "granskningen"
    who = f" till {draft.addressee}" if draft.addressee else ""
    return (
        f"**Utkast {draft.id}**: svar{who} på *{title}*. {done} av {len(draft.sections)} "
        f"avsnitt klara. Senast sparat {draft.updated.replace('T', ' ')}."
    )


def recommendation_markdown(draft: Draft, index: int) -> str:
    """The section's recommendation, quoted, with its addressee, page and heading."""
    rec = draft.sections[index].recommendation
    facts = ", ".join(
        p
        for p in (
            f"till {rec.addressee}" if rec.addressee else "",
            f"s. {rec.page}" if rec.page else "",
            rec.section,
        )
        if p
    )
    quoted = "\n".join(f"> {line}" for line in rec.text.splitlines() or [""])
    return f"**Rekommendation {index + 1}**{f' ({facts})' if facts else ''}\n\n{quoted}"


def _precedent_html(number: int, precedent: Precedent) -> str:
    kind = KIND_SV.get(precedent.kind, precedent.kind)
    body = ""
    if precedent.recommendation:
        body += (
            '<p class="label">Tidigare rekommendation</p>'
            f"<blockquote>{escape_html(precedent.recommendation.strip())}</blockquote>"
            '<p class="label">Svar</p>'
        )
    body += f"<blockquote>{escape_html(precedent.answer.strip())}</blockquote>"
    reference = escape_html(precedent.reference())
    summary = f"[{number}] <strong>{escape_html(kind)}</strong>: {reference}"
    return details_html(
        summary, body, "yttra-precedent", kind=precedent.kind, file=precedent.file
    )


def precedents_html(section: Section) -> str:
    """The section's precedents, numbered as the section's citations [n] refer to them."""
    if not section.precedents:
        return NONE_FOUND
    items = "\n".join(_precedent_html(n, p) for n, p in enumerate(section.precedents, 1))
    return (
        '<div class="yttra-precedents"><h3>Tidigare svar att utgå från '
        f"({len(section.precedents)})</h3>\n{items}\n</div>"
    )


def export_stem(draft: Draft) -> str:
    """A file name for the exported yttrande: its matter (or audit title) and its id."""
    base = unicodedata.normalize("NFC", draft.heading.arende or draft.audit_title or "yttrande")
    base = re.sub(r"[^\w\- ]+", "", base)
    base = re.sub(r"[\s_]+", "-", base).strip("-.")[:STEM_CHARS].strip("-.")
    return f"{base or 'yttrande'}-{draft.id}"
