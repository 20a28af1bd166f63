"""A yttrande as a whole: its heading block, summary and decision, its Markdown, its coverage.

The layout follows the sample replies: "Till", "Datum", "Diarienummer", "Ärende", a
summary, the answer to each recommendation, the proposed decision, signature lines and
the sources the sections cite.
"""

from __future__ import annotations

import re
from datetime import date

from app.drafting.citations import number_citations
from app.drafting.model import SIGNATORIES, Draft, Heading, quote_line
from app.review.coverage import CoverageReport, check_coverage
from ingest.metadata import infer_metadata
from ingest.normalize import normalize_text
from vectorstore.embeddings import Embedder

AUDITORS = ("Kommunrevisionen", "Revisorskollegiet", "Stadsrevisionen")
"""How the sample audits name the auditors' body."""
DEFAULT_AUDITORS = "Revisorerna"
DEFAULT_SUBJECT = "revisionens granskning"
"""What the reply is about when the audit's title is not known."""
SIGNATURE_LINE = "." * 40
"""The dotted line signed on in the printed yttrande."""

_NUMBER_WORDS = (
    "noll", "en", "två", "tre", "fyra", "fem", "sex", "sju", "åtta", "nio", "tio", "elva", "tolv",
)
_PLACEHOLDER_LINE = re.compile(r"^\[[^\]]*\]$")
_GRANSKNING_AV = re.compile(r"^(?:en\s+)?granskning\s+av\s+", re.IGNORECASE)


def _capitalise(name: str) -> str:
    return name[:1].upper() + name[1:]


def _lower_first(title: str, context: str) -> str:
    """A title fit to follow "Yttrande över": common first words lower-cased.

    The first word is lower-cased when the document also uses it in lower case (so it is
    no name: "Granskning", not "Malmö"); an acronym is kept; a title in capitals is
    taken down to sentence case first.
    """
    if title.isupper():
        title = title[:1] + title[1:].lower()
    first = title.split(" ", 1)[0]
    if len(first) > 1 and first.isupper():
        return title
    if first[:1].isupper() and re.search(rf"\b{re.escape(first.lower())}\b", context):
        return first.lower() + title[len(first) :]
    return title


def find_auditors(audit_text: str) -> str:
    """The auditors' body as the audit names it most often, else "Revisorerna"."""
    counts = {
        name: len(re.findall(rf"\b{name.lower()}\w*", audit_text, re.IGNORECASE))
        for name in AUDITORS
    }
    best = max(AUDITORS, key=lambda name: counts[name])
    return best if counts[best] else DEFAULT_AUDITORS


def new_draft(audit_text: str, addressee: str, audit_file: str = "") -> Draft:
    """An empty draft answering the audit: heading block and proposed decision filled in."""
    title = infer_metadata(audit_text).title
    subject = _lower_first(title, audit_text) if title else DEFAULT_SUBJECT
    return Draft(
        id=Draft.new_id(),
        addressee=addressee,
        audit_file=audit_file,
        audit_title=title,
        heading=Heading(
            till=find_auditors(audit_text),
            datum=date.today().isoformat(),
            diarienummer="",
            arende=f"Yttrande över {subject}",
        ),
        decision=(
            f"{_capitalise(addressee)} föreslås besluta att anta yttrandet som sitt svar "
            "till revisorerna."
        ),
    )


def _count_words(number: int) -> str:
    return _NUMBER_WORDS[number] if number < len(_NUMBER_WORDS) else str(number)


def skeleton_summary(addressee: str, title: str, count: int) -> str:
    """The summary without LLM: receipt of the audit and how the reply is laid out."""
    subject = DEFAULT_SUBJECT
    if title:
        about = _GRANSKNING_AV.sub("", title)
        subject += f" av {about}" if about != title else f" ”{title}”"
    noun = "rekommendation" if count == 1 else "rekommendationer"
    return (
        f"{_capitalise(addressee)} har tagit del av {subject} och lämnar följande "
        f"yttrande. Granskningen innehåller {_count_words(count)} {noun} till "
        f"{addressee}, som besvaras var för sig nedan. "
        "[Ange nämndens sammanfattande inställning till granskningen.]"
    )


def _own_words(body: str) -> str:
    """A section's body without the placeholders the official has not filled in."""
    kept = [line for line in body.splitlines() if not _PLACEHOLDER_LINE.match(line.strip())]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()


def assemble(draft: Draft, *, for_check: bool = False) -> str:
    """The whole yttrande in Markdown, citations numbered across the document.

    `for_check` gives what the sections say themselves: no notices, precedent quotes,
    unfilled placeholders or list of sources.
    """
    citations = number_citations(draft)
    heading = draft.heading
    parts = [
        "# Yttrande",
        f"**Till:** {heading.till or DEFAULT_AUDITORS}",
        f"**Datum:** {heading.datum or '[Ange datum.]'}",
        f"**Diarienummer:** {heading.diarienummer or '[Ange diarienummer.]'}",
        f"**Ärende:** {heading.arende or '[Ange ärendet.]'}",
        "## Sammanfattning",
        draft.summary.strip() or "[Skriv en sammanfattning.]",
        "## Yttrande",
    ]
    numbered = zip(draft.sections, citations.texts, citations.bodies, strict=True)
    for number, (section, text, body) in enumerate(numbered, 1):
        parts.append(f"### Rekommendation {number}")
        quote = quote_line(section.recommendation)
        if quote not in (line.strip() for line in text.splitlines()):
            parts.append(quote)
        shown = _own_words(body) if for_check else text.strip()
        if shown:
            parts.append(shown)
    parts += ["## Förslag till beslut", draft.decision.strip() or "[Ange förslag till beslut.]"]
    for role in SIGNATORIES:
        parts += [role, SIGNATURE_LINE, "[Namn]"]
    if citations.sources and not for_check:
        parts.append("## Källor")
        parts.append(
            "\n".join(f"[{n}] {p.reference()}  " for n, p in enumerate(citations.sources, 1))
        )
    return "\n\n".join(parts) + "\n"


def check_draft(draft: Draft, embedder: Embedder) -> CoverageReport:
    """How the assembled yttrande covers the draft's recommendations.

    The text checked is what the body itself says: quotes of precedents, unfilled
    placeholders and LLM notices are left out, so a skeleton reads as "delvis"
    (the recommendation quoted, its answer still to be written), never "besvarad"
    on the strength of another reply's sentences.
    """
    text = normalize_text(assemble(draft, for_check=True))
    return check_coverage([s.recommendation for s in draft.sections], text, embedder, None)
