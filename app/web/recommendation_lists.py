"""The recommendation list of the audit a tab works on, without Gradio.

"Täckning" and "Utkast" both show the audit's recommendations as a table before they
check or draft: extraction proposes the list, the official edits it (or types it in when
extraction finds nothing), and what the tab checks or drafts is the edited list. Each
change is kept at once in a `ListStore`, per audit, so a reload or a restart loses nothing;
replacing an edited list by a fresh extraction asks first and can be undone one step.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from app.review.assisted import Assistance
from app.review.lists import (
    ListError,
    ListItem,
    ListStore,
    SavedList,
    document_key,
    items_from_rows,
    missing_reason,
    numbered,
    parse_pasted,
    rows_of,
)
from app.web.documents import DocumentInput, DocumentResolver, ResolvedDocument
from ingest.models import Recommendation

TYPE_THEM = (
    "Klistra in eller skriv rekommendationerna under \"Klistra in eller skriv "
    "rekommendationer\", en per rad, så fylls tabellen."
)
EMPTY_LIST = (
    "Listan med rekommendationer är tom: lägg till rader i tabellen eller klistra in "
    "rekommendationerna, en per rad."
)

Rows = Sequence[Sequence[object]]


@dataclass(frozen=True)
class TableEdits:
    """What the page holds of the list: whose list it is (`key`) and the table's rows."""

    key: str
    rows: Rows

    @property
    def written(self) -> bool:
        """Whether any row of the table holds a recommendation's text."""
        return any(len(row) > 2 and str(row[2] or "").strip() for row in self.rows)


@dataclass(frozen=True)
class ListView:
    """The list as the tab shows it, and what to say about it."""

    key: str
    rows: list[list[str]] | None
    """The table; None leaves the table as it is."""
    notice: str
    """A Swedish sentence or two (Markdown) about the list; empty for none."""
    missing: bool = False
    """Extraction found nothing: the paste box is opened."""
    confirm: bool = False
    """A fresh extraction would replace the official's edits: ask first."""
    can_undo: bool = False


class NoRecommendations(ListError):
    """The audit's list is empty; `view` shows the list with why, and opens the paste box."""

    def __init__(self, message: str, view: ListView) -> None:
        super().__init__(message)
        self.view = view


def _count(n: int) -> str:
    return f"{n} rekommendation{'er' if n != 1 else ''}"


def _joined(notice: str, notices: str) -> str:
    return f"{notice}\n\n{notices}" if notices else notice


def _noted(view: ListView, notices: str) -> ListView:
    """`view` with the model's notices after its own."""
    return replace(view, notice=_joined(view.notice, notices)) if notices else view


def _same(a: Sequence[ListItem], b: Sequence[ListItem]) -> bool:
    return [i.recommendation for i in a] == [i.recommendation for i in b]


class RecommendationLists:
    """Loads, proposes, edits and keeps the recommendation list of a tab's audit."""

    def __init__(
        self, documents: DocumentResolver, lists: ListStore, assistance: Assistance | None = None
    ) -> None:
        self.documents = documents
        self.lists = lists
        self.assistance = assistance or Assistance()

    # -- helpers ------------------------------------------------------------------------

    def _audit(self, audit: DocumentInput) -> tuple[ResolvedDocument, str]:
        given = self.documents.resolve(audit, "granskningen")
        return given, document_key(given.file, given.text)

    def _shown(self, kept: SavedList, notice: str, **flags: bool) -> ListView:
        return ListView(
            kept.key, rows_of(kept.items), notice, can_undo=kept.previous is not None, **flags
        )

    def _extract(self, given: ResolvedDocument) -> tuple[list[ListItem], str]:
        """Extraction's numbered list for the audit, and what the model's pass reported."""
        found, notices = self.assistance.recommendations(given.text)
        return numbered(found), " ".join(notices)

    def _proposed(self, given: ResolvedDocument, key: str) -> tuple[SavedList | None, str]:
        """Extraction's list for the audit, kept (None when it finds nothing), and notices."""
        found, notices = self._extract(given)
        if not found:
            return None, notices
        return self.lists.save(SavedList(key, given.file, found, edited=False)), notices

    def _missing(self, given: ResolvedDocument, key: str) -> ListView:
        notice = (
            f"**Inga rekommendationer hittades i granskningen.** {missing_reason(given.text)}"
            f" {TYPE_THEM}"
        )
        kept = self.lists.load(key)
        return ListView(key, [], notice, missing=True, can_undo=bool(kept and kept.previous))

    @staticmethod
    def _kept_notice(kept: SavedList) -> str:
        if kept.edited:
            when = kept.updated.replace("T", " ")
            return (
                f"Din redigerade lista visas: {_count(len(kept.items))}, senast sparad {when}. "
                "\"Hämta på nytt ur dokumentet\" ersätter den med det som hittas i granskningen."
            )
        return (
            f"{_count(len(kept.items))} hittades i granskningen. Ändra text eller adressat, "
            "ta bort eller lägg till rader; ändringarna sparas och används vid kontroll och "
            "utkast."
        )

    # -- actions ------------------------------------------------------------------------

    def load(self, audit: DocumentInput) -> ListView:
        """The audit's kept list, or else extraction's (kept from now on)."""
        given, key = self._audit(audit)
        kept = self.lists.load(key)
        notices = ""
        if kept is None:
            kept, notices = self._proposed(given, key)
        if kept is None:
            return _noted(self._missing(given, key), notices)
        return self._shown(kept, _joined(self._kept_notice(kept), notices))

    def reextract(self, audit: DocumentInput, confirmed: bool = False) -> ListView:
        """The list extraction finds, in place of the kept one; the official's edits are
        replaced only once `confirmed`, and the replaced list can be brought back."""
        given, key = self._audit(audit)
        kept = self.lists.load(key)
        found, notices = self._extract(given)
        if not found:
            view = _noted(self._missing(given, key), notices)
            return view if kept is None else self._shown(kept, view.notice, missing=True)
        if kept is None:
            kept = self.lists.save(SavedList(key, given.file, found, edited=False))
            return self._shown(kept, self._kept_notice(kept))
        if _same(kept.items, found):
            return self._shown(kept, "Listan är redan den som hittas i granskningen.")
        if kept.edited and not confirmed:
            return ListView(
                key, None,
                f"**Din redigerade lista ({_count(len(kept.items))}) ersätts av de "
                f"{_count(len(found))} som hittas i granskningen.** Vill du det? Det går att "
                "ångra.",
                confirm=True, can_undo=kept.previous is not None,
            )
        kept = self.lists.save(kept.replaced_by(found, edited=False))
        return self._shown(
            kept, f"Listan är ersatt av de {_count(len(found))} som hittas i granskningen. "
            "\"Ångra\" tar tillbaka den förra listan.",
        )

    def cancel(self, key: str) -> ListView:
        """The replacement was not wanted: the kept list stays as it is."""
        kept = self.lists.load(key) if key else None
        return ListView(
            key, None, "Listan är oförändrad.", can_undo=bool(kept and kept.previous)
        )

    def undo(self, key: str) -> ListView:
        """The list before the last replacement, back again."""
        kept = self.lists.load(key) if key else None
        if kept is None:
            raise ListError("Det finns ingen lista att ångra: välj en granskning först.")
        kept = self.lists.save(kept.undone())
        return self._shown(
            kept, f"Den förra listan är tillbaka ({_count(len(kept.items))}). \"Ångra\" igen "
            "tar tillbaka den du just lämnade.",
        )

    def fill(
        self, audit: DocumentInput, pasted: str, default_addressee: str, *, append: bool
    ) -> ListView:
        """Recommendations typed or pasted one per line, in place of the list or after it."""
        given, key = self._audit(audit)
        typed = parse_pasted(pasted or "", default_addressee)
        if not typed:
            raise ListError("Det finns inga rader att läsa: skriv en rekommendation per rad.")
        kept = self.lists.load(key) or SavedList(key, given.file, [], edited=False)
        ids = {r.id for r in kept.recommendations} if append else set()
        added = [r for r in typed if r.id not in ids]
        items = numbered([*kept.recommendations, *added] if append else typed)
        kept = self.lists.save(kept.replaced_by(items, edited=True))
        verb = "lades till i listan" if append else "fyller nu listan"
        return self._shown(
            kept, f"{_count(len(added))} {verb}. \"Ångra\" tar tillbaka den förra listan."
        )

    def edit(self, edits: TableEdits) -> ListView | None:
        """Keep the table as the official changed it; None when nothing changed.

        A row with no addressee is for whichever body replies, in the check and the draft.
        """
        if not edits.key:
            return None
        kept = self.lists.load(edits.key) or SavedList(edits.key, "", [], edited=False)
        items = items_from_rows(edits.rows, kept.items)
        if [(i.nr, i.recommendation) for i in items] == [
            (i.nr, i.recommendation) for i in kept.items
        ]:
            return None
        kept = self.lists.save(SavedList(
            kept.key, kept.file, items, True, kept.previous, kept.previous_edited
        ))
        return ListView(
            kept.key, None, f"Ändringen är sparad: {_count(len(items))} i listan.",
            can_undo=kept.previous is not None,
        )

    def current(
        self, audit: DocumentInput, edits: TableEdits | None = None
    ) -> tuple[ResolvedDocument, list[Recommendation], ListView]:
        """The audit and the list to check or draft from, and the table to show for it.

        The table's rows count when they are this audit's list (the page's key matches);
        otherwise the kept list, or extraction's. Raises `ListError` (in Swedish) when the
        list is empty, saying why extraction found nothing.
        """
        given, key = self._audit(audit)
        kept = self.lists.load(key)
        if edits is not None and edits.key == key and (kept is not None or edits.written):
            base = kept or SavedList(key, given.file, [], edited=False)
            items = items_from_rows(edits.rows, base.items)
            if [i.recommendation for i in items] != base.recommendations:
                base = SavedList(key, given.file, items, True, base.previous, base.previous_edited)
            kept = self.lists.save(replace_numbers(base))
        notices = ""
        if kept is None:
            kept, notices = self._proposed(given, key)
        if kept is None:
            view = _noted(self._missing(given, key), notices)
            raise NoRecommendations(
                f"Inga rekommendationer hittades i granskningen. {missing_reason(given.text)} "
                f"{TYPE_THEM}",
                view,
            )
        if not kept.items:
            raise NoRecommendations(EMPTY_LIST, self._shown(kept, EMPTY_LIST, missing=True))
        shown = self._shown(kept, _joined(self._kept_notice(kept), notices))
        return given, kept.recommendations, shown


def replace_numbers(kept: SavedList) -> SavedList:
    """The list numbered 1, 2, … again, as the table shows it once it is drawn anew."""
    return SavedList(
        kept.key, kept.file, numbered(kept.recommendations), kept.edited, kept.previous,
        kept.previous_edited, kept.updated,
    )
