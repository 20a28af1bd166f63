"""Drafting a yttrande in the "Utkast" tab, without Gradio: each action a named view.

Only the draft's id lives in the page. Every action loads the draft from the
`DraftStore`, takes over what the page shows but has not saved (`PageEdits`), changes
it and saves it again, so a draft survives a restart and two tabs never hold diverging
copies.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from app.drafting.docx import write_docx
from app.drafting.drafter import Drafter
from app.drafting.model import Author, Draft, DraftError, DraftStore
from app.web.coverage.render import coverage_html, summary_line
from app.web.documents import DocumentInput
from app.web.drafting.render import (
    NO_PRECEDENTS,
    draft_label,
    export_stem,
    precedents_html,
    recommendation_markdown,
    section_choices,
    status_markdown,
)
from app.web.recommendation_lists import ListView, RecommendationLists, TableEdits
from ingest.errors import YttraError
from ingest.vocabulary import DocType, SectionStatus

NO_SECTIONS = "Granskningen har inga rekommendationer till adressaten."
EDITED_BY: Author = "handläggare"
"""The author of a section once the official has changed its text."""

ExportFormat = Literal["docx", "md"]


class ExportError(YttraError):
    """The exported yttrande could not be written."""


@dataclass(frozen=True)
class HeadingFields:
    """The draft's heading block, summary and proposed decision as the page shows them."""

    till: str = ""
    """Who the yttrande is addressed to, usually the auditors."""
    datum: str = ""
    diarienummer: str = ""
    """The registration number of the matter."""
    arende: str = ""
    """The matter as the heading names it ("Yttrande över …")."""
    summary: str = ""
    decision: str = ""
    """The proposed decision the board is asked to take."""

    @classmethod
    def of(cls, draft: Draft) -> HeadingFields:
        head = draft.heading
        return cls(
            head.till, head.datum, head.diarienummer, head.arende, draft.summary, draft.decision
        )

    def apply(self, draft: Draft) -> None:
        """Take the fields over into the draft."""
        draft.heading.till = self.till.strip()
        draft.heading.datum = self.datum.strip()
        draft.heading.diarienummer = self.diarienummer.strip()
        draft.heading.arende = self.arende.strip()
        draft.summary = self.summary.strip()
        draft.decision = self.decision.strip()


@dataclass(frozen=True)
class PageEdits:
    """What the page holds of the open draft, saved or not."""

    draft_id: str | None
    index: int | None
    """The section shown in the editor."""
    text: str | None
    """The editor's text of that section."""
    heading: HeadingFields


@dataclass(frozen=True)
class SectionView:
    """The section picker and the shown section: recommendation, precedents, editor."""

    choices: list[tuple[str, int]]
    index: int | None
    """The picked section; None when the draft has none."""
    recommendation: str
    precedents: str
    text: str
    editable: bool
    """False when there is no section to edit."""
    done: bool


@dataclass(frozen=True)
class DraftView:
    """Everything the tab shows of a freshly created or opened draft."""

    draft_id: str
    status: str
    heading: HeadingFields
    section: SectionView
    saved: list[tuple[str, str]]
    """The "Tidigare utkast" list: label and id of every saved draft."""
    recommendations: ListView | None = None
    """The audit's list the draft was created from, as the table shows it."""


@dataclass(frozen=True)
class SectionChange:
    """After another section was picked, or one was drafted again."""

    index: int
    status: str
    section: SectionView


@dataclass(frozen=True)
class StatusChange:
    """After a save: the draft's status line and the picker's labels (with "(klar)")."""

    status: str
    choices: list[tuple[str, int]]


@dataclass(frozen=True)
class AssembledView:
    """The whole yttrande and how it covers the audit's recommendations."""

    status: str
    coverage_summary: str
    coverage: str
    """The coverage matrix in HTML."""
    preview: str
    """The assembled yttrande in Markdown."""


@dataclass(frozen=True)
class ExportView:
    """An exported yttrande and how many of its sections are not yet marked done."""

    status: str
    path: Path
    open_sections: int


def section_view(draft: Draft, index: int) -> SectionView:
    """The section at `index` (which must exist, unless the draft has no sections)."""
    if not draft.sections:
        return SectionView([], None, NO_SECTIONS, NO_PRECEDENTS, "", False, False)
    section = draft.sections[index]
    return SectionView(
        section_choices(draft),
        index,
        recommendation_markdown(draft, index),
        precedents_html(section),
        section.text,
        True,
        section.status == SectionStatus.KLAR,
    )


def keep_text(draft: Draft, index: int | None, text: str | None) -> None:
    """Take over the section text shown in the editor, if the official changed it."""
    if index is None or text is None or not 0 <= index < len(draft.sections):
        return
    section = draft.sections[index]
    if text.strip() != section.text.strip():
        section.text = text.strip()
        section.author = EDITED_BY


class DraftingSession:
    """The tab's actions on drafts kept in `drafts`; new sections come from `drafter`."""

    def __init__(
        self, drafter: Drafter, drafts: DraftStore, lists: RecommendationLists, exports: Path
    ) -> None:
        self.drafter = drafter
        self.drafts = drafts
        self.lists = lists
        """The audit's recommendation list, as the official edits it."""
        self.documents = lists.documents
        self.exports = exports

    def audit_choices(self) -> list[tuple[str, str]]:
        """Stored documents to draft an answer to, audits first."""
        return self.documents.choices(first=DocType.GRANSKNING)

    def saved(self) -> list[tuple[str, str]]:
        """Every saved draft as label and id, for "Tidigare utkast"."""
        return [(draft_label(d), d.id) for d in self.drafts.list()]

    def _view(self, draft: Draft) -> DraftView:
        return DraftView(
            draft.id, status_markdown(draft), HeadingFields.of(draft), section_view(draft, 0),
            self.saved(),
        )

    def _load(self, draft_id: str | None) -> Draft:
        if not draft_id:
            raise YttraError("Skapa eller öppna ett utkast först.")
        return self.drafts.load(draft_id)

    def _current(self, edits: PageEdits) -> Draft:
        """The draft with the page's unsaved edits taken over and saved."""
        draft = self._load(edits.draft_id)
        keep_text(draft, edits.index, edits.text)
        edits.heading.apply(draft)
        self.drafts.save(draft)
        return draft

    def create(
        self, audit: DocumentInput, addressee: str, table: TableEdits | None = None
    ) -> DraftView:
        """A new draft answering the recommendations to `addressee` of the audit's list
        (`table` as the page shows it, else the kept list, else extraction's), saved."""
        if not " ".join(addressee.split()):
            raise DraftError("Ange vilken nämnd eller styrelse som ska svara.")
        given, recommendations, shown = self.lists.current(audit, table)
        draft = self.drafter.create(
            given.text,
            addressee.strip(),
            audit_file=given.file,
            exclude_files=given.stored_files,
            recommendations=recommendations,
        )
        if self.drafter.drafts is None:  # the drafter saves only into a store of its own
            self.drafts.save(draft)
        return replace(self._view(draft), recommendations=shown)

    def open(self, draft_id: str | None) -> DraftView:
        if not draft_id:
            raise YttraError("Välj ett tidigare utkast i listan.")
        return self._view(self.drafts.load(draft_id))

    def pick_section(self, edits: PageEdits, chosen: int | None) -> SectionChange:
        """Save the page's edits, then show section `chosen` (the first if out of range)."""
        draft = self._current(edits)
        index = chosen if chosen is not None and 0 <= chosen < len(draft.sections) else 0
        return SectionChange(index, status_markdown(draft), section_view(draft, index))

    def save(self, edits: PageEdits) -> StatusChange:
        draft = self._current(edits)
        return StatusChange(status_markdown(draft), section_choices(draft))

    def mark_done(self, edits: PageEdits, done: bool) -> StatusChange:
        """Save the page's edits with the shown section marked done (or not)."""
        draft = self._load(edits.draft_id)
        if edits.index is None or not 0 <= edits.index < len(draft.sections):
            raise YttraError("Välj en rekommendation först.")
        keep_text(draft, edits.index, edits.text)
        edits.heading.apply(draft)
        draft.sections[edits.index].status = SectionStatus.KLAR if done else SectionStatus.UTKAST
        self.drafts.save(draft)
        return StatusChange(status_markdown(draft), section_choices(draft))

    def regenerate(
        self, draft_id: str | None, index: int | None, heading: HeadingFields
    ) -> SectionChange:
        """Draft section `index` anew; the editor's unsaved text of it is given up."""
        draft = self._load(draft_id)
        if index is None or not 0 <= index < len(draft.sections):
            raise YttraError("Välj en rekommendation först.")
        section = self.drafter.regenerate(draft, index)
        draft = self._load(draft_id)  # saved edits made while the section was drafted stay
        heading.apply(draft)
        draft.sections[index] = section
        self.drafts.save(draft)
        return SectionChange(index, status_markdown(draft), section_view(draft, index))

    def assemble(self, edits: PageEdits) -> AssembledView:
        """The whole yttrande, with the page's edits saved, and its coverage check."""
        draft = self._current(edits)
        report = self.drafter.check(draft)
        assembled = self.drafter.assemble(draft)
        return AssembledView(
            status_markdown(draft), summary_line(report), coverage_html(report), assembled
        )

    def export(self, edits: PageEdits, kind: ExportFormat) -> ExportView:
        """Write the yttrande, with the page's edits saved, as Word or Markdown."""
        try:
            draft = self._current(edits)
            self.exports.mkdir(parents=True, exist_ok=True)
            target = self.exports / f"{export_stem(draft)}.{kind}"
            if kind == "docx":
                write_docx(draft, target)
            else:
                target.write_text(self.drafter.assemble(draft), encoding="utf-8")
        except OSError as error:
            raise ExportError(
                f"Filen kunde inte skrivas i {self.exports}: {error.strerror or error}"
            ) from error
        open_sections = sum(1 for s in draft.sections if s.status != SectionStatus.KLAR)
        return ExportView(status_markdown(draft), target, open_sections)
