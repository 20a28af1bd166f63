"""Find the recommendations of an audit in normalised text, by rules.

Audits, and the replies that quote them, state recommendations in a few shapes:
- a lead-in naming the bodies ("Nämnden för Service och Kommunstyrelsen rekommenderas att:",
  "Vi rekommenderar kommunstyrelsen att:") followed by a list (►, •, -, numbers, indented
  lines whose bullet glyph was lost, or italic "*-säkerställa ...*" paragraphs);
- a lead-in that announces recommendations ("följande rekommendationer:", "kring fyra
  rekommendationer.") followed by self-contained items ("Kommunstyrelsen bör ...");
- labelled items ("Rekommendation 1: ...", "1. Rekommendation: ..."), where a following
  "Åtgärd: ..." is the reply, not the recommendation;
- markdown headings that state one ("Kommunstyrelsen bör ...", or an imperative such as
  "Tydliggör ..." among such headings or after a paragraph announcing recommendations).
A lead-in naming several bodies gives one recommendation per body; repeats (a summary and a
conclusions chapter) are merged. Everything works on lines with bounded patterns: the
function is fed arbitrary text (and fuzzed), so it must never raise and stay near linear.
"""

from __future__ import annotations

from ingest.models import Recommendation
from ingest.recommendations.candidates import candidates
from ingest.recommendations.merging import combine, merge, recommendation_id, resolve
from ingest.recommendations.prose import prose_candidates
from ingest.text.lines import read_lines

__all__ = ["extract_recommendations", "recommendation_id"]


def extract_recommendations(text: str) -> list[Recommendation]:
    """The recommendations stated in a normalised document, in document order.

    Pure and total: any string gives a list (often empty), in time near linear in its size.
    """
    lines = read_lines(text)
    listed = candidates(lines)
    groups = max((candidate.group for candidate in listed), default=0)
    found = combine(listed, prose_candidates(lines, first_group=groups))
    return merge(resolve(found, text))
