"""Drafts of a yttrande: the data model, and saving it in the data directory.

A draft is the official's working material. It is written atomically (temp file, then
rename) so a crash never leaves half a draft, and it survives restarts.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import uuid
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from ingest.errors import YttraError
from ingest.models import Recommendation

PrecedentKind = Literal["svar", "text"]
SectionStatus = Literal["utkast", "klar"]
Author = Literal["mall", "llm", "handläggare"]


class DraftError(YttraError):
    """A draft could not be found, read or saved."""


def _now() -> str:
    return datetime.now().isoformat(timespec="seconds")


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
        place = ", ".join(
            p for p in (self.organ, self.section, f"s. {self.page}" if self.page else "",
                        self.file) if p
        )
        return f"{title} – {place}"


@dataclass
class Section:
    """The answer to one recommendation."""

    recommendation: Recommendation
    text: str
    """The section body in Markdown, as drafted or edited."""
    precedents: list[Precedent] = field(default_factory=list)
    status: SectionStatus = "utkast"
    author: Author = "mall"


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
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Draft:
        sections = [
            Section(
                recommendation=Recommendation(**s["recommendation"]),
                text=s["text"],
                precedents=[Precedent(**p) for p in s.get("precedents", [])],
                status=s.get("status", "utkast"),
                author=s.get("author", "mall"),
            )
            for s in data.get("sections", [])
        ]
        return cls(
            id=data["id"],
            addressee=data.get("addressee", ""),
            audit_file=data.get("audit_file", ""),
            audit_title=data.get("audit_title", ""),
            heading=Heading(**data.get("heading", {})),
            summary=data.get("summary", ""),
            sections=sections,
            decision=data.get("decision", ""),
            created=data.get("created", _now()),
            updated=data.get("updated", _now()),
        )


_ID = re.compile(r"^[0-9a-f]{6,32}$")


class DraftStore:
    """Drafts as JSON files in `<data_dir>/drafts/`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, draft_id: str) -> Path:
        if not _ID.match(draft_id):
            raise DraftError(f"Ogiltigt utkast-id: {draft_id!r}.")
        return self.folder / f"{draft_id}.json"

    def save(self, draft: Draft) -> None:
        """Write the draft atomically and stamp it as updated."""
        draft.updated = _now()
        self.folder.mkdir(parents=True, exist_ok=True)
        target = self._path(draft.id)
        handle, temporary = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(draft.to_json(), out, ensure_ascii=False, indent=1)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def load(self, draft_id: str) -> Draft:
        path = self._path(draft_id)
        try:
            return Draft.from_json(json.loads(path.read_text(encoding="utf-8")))
        except FileNotFoundError as error:
            raise DraftError(f"Utkastet {draft_id} finns inte.") from error
        except (ValueError, KeyError, TypeError) as error:
            raise DraftError(f"Utkastet {draft_id} går inte att läsa: {error}") from error

    def list(self) -> list[Draft]:
        """All readable drafts, most recently updated first."""
        drafts = []
        for path in self.folder.glob("*.json") if self.folder.exists() else []:
            try:
                drafts.append(self.load(path.stem))
            except DraftError:
                continue  # an unreadable file is reported when it is opened by id
        return sorted(drafts, key=lambda d: d.updated, reverse=True)

    def delete(self, draft_id: str) -> None:
        self._path(draft_id).unlink(missing_ok=True)


_CITATION = re.compile(r"\[(\d{1,3})\]")


@dataclass(frozen=True)
class Citations:
    """Document-wide numbering of the precedents cited in a draft's sections.

    In a section's text, `[n]` points at that section's n-th precedent. In the assembled
    yttrande, citations are numbered once across the document, in order of appearance,
    and listed at the end.
    """

    sources: list[Precedent]
    """Cited precedents; global number = position + 1."""
    texts: list[str]
    """Each section's text with its citations renumbered to the global numbers."""


def number_citations(draft: Draft) -> Citations:
    """Renumber section-local `[n]` citations globally; unknown numbers are dropped."""
    sources: list[Precedent] = []
    numbers: dict[tuple[str, str, str], int] = {}
    texts: list[str] = []
    for section in draft.sections:

        def renumber(match: re.Match[str], section: Section = section) -> str:
            local = int(match.group(1))
            if not 1 <= local <= len(section.precedents):
                return ""
            precedent = section.precedents[local - 1]
            key = (precedent.file, precedent.section, precedent.answer[:200])
            if key not in numbers:
                sources.append(precedent)
                numbers[key] = len(sources)
            return f"[{numbers[key]}]"

        texts.append(_CITATION.sub(renumber, section.text))
    return Citations(sources, texts)
