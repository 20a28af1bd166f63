"""Infer what a document says about itself: type, date, numbers, bodies, place and title.

Everything here is a pure function of the converted text (never of the file name), so the
same rules apply to unseen documents. A value the text does not state stays empty rather
than guessed. Header fields are read from the first `HEADER_CHARS` characters, frequency
fields from the first `BODY_CHARS`; every pattern is linear, so arbitrary input is safe.

Rules worth knowing:
- Type: a type word heading one of the first 40 lines ("YTTRANDE", "## Tjänsteskrivelse",
  "Revisionsrapport 2024", "Protokoll") outweighs phrase cues found in the rest of the text.
  A cover letter signed by the auditors ("För revisorerna i ...") is `missiv` when it
  stands alone and `granskning` when a report body (contents, Sammanfattning,
  revisionsfrågor, ...) follows the signature: the file is then mostly the report.
- Own number: the one after a Diarienummer/Dnr/Vår beteckning label; else, for replies
  and minutes, the first one in the letterhead; else one in the title. All others, in
  order, are `refers_to`.
- Organs: for replies the board that answers ("... föreslås besluta", "Förslag till
  beslut i ..."), for audits and cover letters the boards audited or addressed ("Till",
  "... rekommenderas att"); never the auditors themselves.
"""

from __future__ import annotations

from ingest.metadata.cleanup import BODY_CHARS, HEADER_CHARS, dehyphenate, header_lines, normalise
from ingest.metadata.diarienummer import find_diarienummer, own_diarienummer, refers_to
from ingest.metadata.doc_types import DOC_TYPES, doc_type_from, infer_doc_type
from ingest.metadata.document_date import infer_date
from ingest.metadata.organs import MAX_ORGANS, infer_organs, organs_from
from ingest.metadata.places import infer_municipality
from ingest.metadata.titles import MAX_TITLE, infer_title, title_from
from ingest.models import DocMetadata
from ingest.text.dates import find_dates

__all__ = [
    "BODY_CHARS",
    "DOC_TYPES",
    "HEADER_CHARS",
    "MAX_ORGANS",
    "MAX_TITLE",
    "find_dates",
    "find_diarienummer",
    "infer_date",
    "infer_doc_type",
    "infer_metadata",
    "infer_municipality",
    "infer_organs",
    "infer_title",
    "own_diarienummer",
]


def infer_metadata(text: str) -> DocMetadata:
    """Everything the text says about the document; values it does not state stay empty."""
    if not isinstance(text, str) or not text.strip():
        return DocMetadata()
    clean = normalise(text)
    doc_type = doc_type_from(clean, dehyphenate(clean[:BODY_CHARS]))
    title = title_from(header_lines(clean))
    own = own_diarienummer(clean, doc_type, title)
    return DocMetadata(
        doc_type=doc_type,
        title=title,
        date=infer_date(clean),
        diarienummer=own,
        refers_to=refers_to(clean, own),
        organs=organs_from(clean, doc_type),
        municipality=infer_municipality(clean),
    )
