"""The product's fixed vocabularies: document types, coverage statuses, reply elements.

Each is a `StrEnum`, so a member equals its Swedish value ("granskning" == DocType.GRANSKNING)
and is stored and serialised as that plain string; `label` is what a user reads.
"""

from __future__ import annotations

from enum import StrEnum


class DocType(StrEnum):
    """What kind of document a file is, as inferred from its text."""

    GRANSKNING = "granskning"
    """An audit report (granskningsrapport, revisionsrapport)."""
    MISSIV = "missiv"
    """The auditors' cover letter that sends a report to the boards."""
    YTTRANDE = "yttrande"
    """A board's formal reply to an audit."""
    TJANSTESKRIVELSE = "tjansteskrivelse"
    """An official's memo preparing a board's decision, often the draft reply."""
    PROTOKOLL = "protokoll"
    """Minutes of a meeting."""
    OTHER = "other"
    """Anything else, or not known."""

    @property
    def label(self) -> str:
        return _DOC_TYPE_LABELS[self]


_DOC_TYPE_LABELS = {
    DocType.GRANSKNING: "granskning",
    DocType.MISSIV: "missiv",
    DocType.YTTRANDE: "yttrande",
    DocType.TJANSTESKRIVELSE: "tjänsteskrivelse",
    DocType.PROTOKOLL: "protokoll",
    DocType.OTHER: "övrigt",
}

REPLY_TYPES: tuple[DocType, ...] = (DocType.YTTRANDE, DocType.TJANSTESKRIVELSE)
"""Document types that answer an audit: their passages can be earlier answers."""


class _CapitalisedLabel(StrEnum):
    """A vocabulary a user reads as its values with a capital first letter."""

    @property
    def label(self) -> str:
        """The value as a column or field name: "Delvis", "Åtgärd", …"""
        return self.value.capitalize()


class Status(_CapitalisedLabel):
    """How far a reply answers one recommendation."""

    BESVARAD = "besvarad"
    DELVIS = "delvis"
    SAKNAS = "saknas"


class Stance(_CapitalisedLabel):
    """The position a reply takes on one recommendation, as its own words state it."""

    INSTAMMER = "instämmer"
    """Agrees, and (usually) acts on it."""
    INSTAMMER_DELVIS = "instämmer delvis"
    """Agrees in part or in the main, or agrees with reservations."""
    AVVISAR = "avvisar"
    """Does not agree, or sees no reason to act: a rejection, reasoned or not."""
    AVVAKTAR = "avvaktar"
    """Awaits something (an inquiry, a decision) and will come back to it."""


class ElementName(_CapitalisedLabel):
    """The parts of a complete answer to a recommendation, in the order a reply gives them."""

    STALLNINGSTAGANDE = "ställningstagande"
    """The board's position: agrees, partly agrees, rejects (and why)."""
    ATGARD = "åtgärd"
    """Measures taken or planned."""
    ANSVARIG = "ansvarig"
    """Who is responsible for the measures."""
    TIDPLAN = "tidplan"
    """When the measures start and are done."""
    UPPFOLJNING = "uppföljning"
    """How and when the measures and their effect are followed up."""


ELEMENTS: tuple[ElementName, ...] = tuple(ElementName)
"""Every reply element, in reply order."""


class SectionStatus(StrEnum):
    """Where the official is with one section of a draft."""

    UTKAST = "utkast"
    KLAR = "klar"
