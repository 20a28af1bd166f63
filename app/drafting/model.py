"""Drafts of a yttrande: precedents, sections, the heading block and the draft, with their JSON.

A section keeps what the official writes (its body) apart from what the drafter adds
around it: notices that the language model failed, and sentences quoted from precedents.
Its `text` is all of it as the Markdown the official sees and edits; assigning an edited
text parses the notices and quotes back out of it.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from ingest.errors import YttraError
from ingest.models import Recommendation
from ingest.vocabulary import ElementName, SectionStatus

if TYPE_CHECKING:
    from app.drafting.store import DraftStore

__all__ = [
    "ELEMENT_HEADINGS",
    "Author",
    "Draft",
    "DraftError",
    "DraftStore",
    "Heading",
    "Precedent",
    "PrecedentKind",
    "PrecedentQuote",
    "SIGNATORIES",
    "Section",
    "SectionStatus",
    "notice_markdown",
    "quote_line",
]

PrecedentKind = Literal["svar", "text"]
Author = Literal["mall", "llm", "handläggare"]

ELEMENT_HEADINGS: dict[ElementName, str] = {
    ElementName.STALLNINGSTAGANDE: "Ställningstagande",
    ElementName.ATGARD: "Åtgärder",
    ElementName.ANSVARIG: "Ansvarig",
    ElementName.TIDPLAN: "Tidplan",
    ElementName.UPPFOLJNING: "Uppföljning",
}
"""The bold heading above each element of an answer in a section."""
SIGNATORIES = ("Ordförande", "Förvaltningsdirektör")
"""Who signs a yttrande, in the order of the sample replies."""


class DraftError(YttraError):
    """A draft could not be found, read or saved."""


def _now() -> str:
    return datetime.now().isoformat(timespec="seconds")


def _flat(text: str) -> str:
    return " ".join(text.split())


def quote_line(recommendation: Recommendation) -> str:
    """The recommendation as the Markdown quote that opens its section."""
    return f"> {_flat(recommendation.text)}"


def notice_markdown(reason: str) -> str:
    """The italic line telling the official that the model failed and why."""
    return f"*{_notice(reason)}*"


def _notice(reason: str) -> str:
    return f"Språkmodellen {reason}; mallen visas i stället."


@dataclass(frozen=True)
class Precedent:
    """How an earlier reply answered a similar recommendation (or a merely similar text)."""

    kind: PrecedentKind
    """"svar": a reply's answer to a similar recommendation; "text": a similar passage."""
    recommendation: str
    """The earlier recommendation that was answered ("" for kind "text")."""
    answer: str
    """The passage of the earlier reply (or the similar passage)."""
    file: str
    title: str
    doc_type: str
    date: str
    organ: str
    diarienummer: str
    page: int | None
    section: str
    score: float

    def reference(self) -> str:
        """Title, registration number, date and place, in one line."""
        facts = ", ".join(p for p in (self.diarienummer, self.date) if p)
        title = f"{self.title or self.file} ({facts})" if facts else (self.title or self.file)
        page = f"s. {self.page}" if self.page else ""
        place = ", ".join(p for p in (self.organ, self.section, page, self.file) if p)
        return f"{title} – {place}"


@dataclass(frozen=True)
class PrecedentQuote:
    """A sentence of a precedent shown in a section for the official to draw on."""

    element: ElementName | None
    """The element of an answer the sentence speaks to (None: under no element heading)."""
    sentence: str
    citation: int | None
    """The section's precedent the sentence comes from (1 = the first), if cited."""
    position: int
    """How many paragraphs of the body come before the quote: where it stands."""

    def markdown(self) -> str:
        cited = f" [{self.citation}]" if self.citation is not None else ""
        return f'> *Prejudikat:* "{self.sentence}"{cited}'


# Markdown paragraphs are separated by a blank line (which may hold spaces).
_PARAGRAPH_BREAK = re.compile(r"(\n[^\S\n]*\n\s*)")
_QUOTE = re.compile(
    r'^>\s*\*Prejudikat:\*\s*(?:"(?P<quoted>.*)"|(?P<bare>.*?))\s*(?:\[(?P<citation>\d{1,3})\])?$'
)
_NOTICE = re.compile(r"^\*(?P<notice>Språkmodellen [^*\n]*)\*$")
_HEADINGS = {f"**{heading}**": element for element, heading in ELEMENT_HEADINGS.items()}


def _paragraphs(text: str) -> list[tuple[str, str]]:
    """(break before, paragraph) pairs; the first paragraph has no break before it."""
    pieces = _PARAGRAPH_BREAK.split(text)
    return [("", pieces[0]), *zip(pieces[1::2], pieces[2::2], strict=True)]


@dataclass(frozen=True)
class _Parts:
    body: str
    notices: list[str]
    quotes: list[PrecedentQuote]


def _parse(text: str) -> _Parts:
    """Split a section's Markdown into its body, notices and precedent quotes.

    A paragraph that is a single notice or quote line leaves the body; a quote remembers
    how many body paragraphs preceded it and the element heading it stood under.
    """
    kept: list[tuple[str, str]] = []
    notices: list[str] = []
    quotes: list[PrecedentQuote] = []
    element: ElementName | None = None
    for space, paragraph in _paragraphs(text):
        line = paragraph.strip()
        notice = _NOTICE.match(line)
        quote = _QUOTE.match(line)
        if notice:
            notices.append(notice.group("notice"))
        elif quote:
            citation = quote.group("citation")
            sentence = quote.group("quoted") or quote.group("bare") or ""
            number = int(citation) if citation else None
            quotes.append(PrecedentQuote(element, sentence, number, len(kept)))
        else:
            kept.append((space, paragraph))
            element = _HEADINGS.get(line, element)
    body = "".join(space + paragraph for space, paragraph in kept[1:])
    return _Parts((kept[0][1] if kept else "") + body, notices, quotes)


def _render(body: str, notices: Sequence[str], quotes: Sequence[PrecedentQuote]) -> str:
    """The section's Markdown: notices first, then the body with each quote in its place."""
    pieces = [("\n\n", f"*{notice}*") for notice in notices]
    waiting = sorted(quotes, key=lambda quote: quote.position)
    for count, (space, paragraph) in enumerate(_paragraphs(body) if body else [], 1):
        while waiting and waiting[0].position < count:
            pieces.append(("\n\n", waiting.pop(0).markdown()))
        pieces.append((space or "\n\n", paragraph))
    pieces += [("\n\n", quote.markdown()) for quote in waiting]
    # Every piece comes after a break; the first one has nothing before it.
    return "".join(space + piece for space, piece in pieces).removeprefix("\n\n")


@dataclass(init=False)
class Section:
    """The answer to one recommendation.

    Built from its Markdown text, `Section(recommendation, text, precedents, status,
    author)`, or from its parts with `Section.of`. Notices and precedent quotes are kept
    apart from the body; `text` joins them again.
    """

    recommendation: Recommendation
    body: str
    """What the section says itself: the quoted recommendation, headings, the answer."""
    notices: list[str]
    """Why the language model's text is missing ("Språkmodellen … ; mallen visas …")."""
    quotes: list[PrecedentQuote]
    precedents: list[Precedent]
    status: SectionStatus
    author: Author

    def __init__(
        self,
        recommendation: Recommendation,
        text: str = "",
        precedents: list[Precedent] | None = None,
        status: SectionStatus | str = SectionStatus.UTKAST,
        author: Author = "mall",
    ) -> None:
        self.recommendation = recommendation
        self.precedents = precedents if precedents is not None else []
        self.status = SectionStatus(status)
        self.author = author
        self.text = text

    @classmethod
    def of(
        cls,
        recommendation: Recommendation,
        body: str,
        *,
        notices: Iterable[str] = (),
        quotes: Iterable[PrecedentQuote] = (),
        precedents: list[Precedent] | None = None,
        status: SectionStatus | str = SectionStatus.UTKAST,
        author: Author = "mall",
    ) -> Section:
        """A section from its parts."""
        section = cls(recommendation, "", precedents, status, author)
        section.body = body
        section.notices = list(notices)
        section.quotes = list(quotes)
        return section

    @property
    def text(self) -> str:
        """The whole section in Markdown, as the official sees and edits it."""
        return self.render()

    @text.setter
    def text(self, markdown: str) -> None:
        parts = _parse(markdown)
        self.body = parts.body
        self.notices = parts.notices
        self.quotes = parts.quotes

    def render(self, *, notices: bool = True) -> str:
        """The section in Markdown; without the notices when `notices` is false."""
        return _render(self.body, self.notices if notices else (), self.quotes)

    def add_notice(self, reason: str) -> None:
        """Say at the top of the section that the model failed, and why."""
        self.notices.append(_notice(reason))

    def to_json(self) -> dict[str, Any]:
        return {
            "recommendation": asdict(self.recommendation),
            "body": self.body,
            "notices": list(self.notices),
            "quotes": [asdict(quote) for quote in self.quotes],
            "precedents": [asdict(precedent) for precedent in self.precedents],
            "status": str(self.status),
            "author": self.author,
            # The rendered text too, so the file reads on its own and older versions open it.
            "text": self.text,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Section:
        """A section as saved; one saved with its notices and quotes inside "text" too."""
        recommendation = Recommendation(**data["recommendation"])
        precedents = [Precedent(**p) for p in data.get("precedents", [])]
        status = data.get("status", SectionStatus.UTKAST)
        author = data.get("author", "mall")
        if "body" not in data:
            return cls(recommendation, data["text"], precedents, status, author)
        quotes = [
            PrecedentQuote(
                ElementName(q["element"]) if q.get("element") else None,
                q["sentence"],
                q.get("citation"),
                q["position"],
            )
            for q in data.get("quotes", [])
        ]
        return cls.of(recommendation, data["body"], notices=data.get("notices", []),
                      quotes=quotes, precedents=precedents, status=status, author=author)


@dataclass
class Heading:
    """The heading block of a yttrande, as in the sample documents."""

    till: str = ""
    datum: str = ""
    diarienummer: str = ""
    arende: str = ""


@dataclass
class Draft:
    """A yttrande in the making."""

    id: str
    addressee: str
    """The replying body."""
    audit_file: str
    audit_title: str
    heading: Heading = field(default_factory=Heading)
    summary: str = ""
    sections: list[Section] = field(default_factory=list)
    decision: str = ""
    """Förslag till beslut."""
    created: str = field(default_factory=_now)
    updated: str = field(default_factory=_now)

    @staticmethod
    def new_id() -> str:
        return uuid.uuid4().hex[:12]

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["sections"] = [section.to_json() for section in self.sections]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Draft:
        return cls(
            id=data["id"],
            addressee=data.get("addressee", ""),
            audit_file=data.get("audit_file", ""),
            audit_title=data.get("audit_title", ""),
            heading=Heading(**data.get("heading", {})),
            summary=data.get("summary", ""),
            sections=[Section.from_json(s) for s in data.get("sections", [])],
            decision=data.get("decision", ""),
            created=data.get("created", _now()),
            updated=data.get("updated", _now()),
        )


def __getattr__(name: str) -> object:
    """`DraftStore` lives in `app.drafting.store`; it stays importable from here."""
    if name == "DraftStore":
        from app.drafting.store import DraftStore

        return DraftStore
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
