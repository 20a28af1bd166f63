"""Settling addressees and merging repeats into the final `Recommendation`s."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable, Sequence

from ingest.metadata import infer_organs
from ingest.models import Recommendation
from ingest.recommendations.phrases import is_generic
from ingest.recommendations.reading import Candidate

_NEAR_DUPLICATE = 0.8
"""Token-set overlap at which two texts for one addressee are the same recommendation: a
summary and a conclusions chapter word one recommendation slightly differently ("kostnader"
/ "kostnaderna", a comma), while two different recommendations to one board in different
places share well under this (checked on the sample corpus). Items of one list are never
merged: "… med inköp …" and "… med arbetsmiljöarbetet …" differ in one word and are two."""
_MAX_NEAR_DUPLICATE_CHECKS = 200_000
"""Cap on pairwise comparisons, so a document with thousands of items stays fast."""
_STEM_CHARS = 6
"""Words compared by their first six letters: Swedish inflection sits at the end."""
_BARE_BOARDS = ("nämnden", "styrelsen")


def normal_body(body: str) -> str:
    """A body's name for comparing: case folded, "&" read as "och", whitespace collapsed."""
    return " ".join(body.casefold().replace("&", "och").split())


_NAMED_FOR = re.compile(r"^(?P<head>nämnden|styrelsen)\s+för\s+(?P<core>.+)$")
_COMPOUND = re.compile(r"^(?P<core>.+?)s?(?P<head>nämnden|nämnd|styrelsen|styrelse)$")


def body_key(body: str) -> str:
    """One key for one body however it is spelled: "nämnden för Individ & Familjeomsorg",
    "Individ- och familjeomsorgsnämnden" and "individ- och familjeomsorgsnämnden" agree."""
    name = normal_body(body)
    match = _NAMED_FOR.match(name) or _COMPOUND.match(name)
    if not match or not match["core"].strip(" -"):
        return name
    core = re.sub(r"[\s-]+", "", match["core"]).removesuffix("s")
    head = "nämnd" if match["head"].startswith("nämnd") else "styrelse"
    return f"{head}:{core}"


class _Addressees:
    """Who the candidates of one document are addressed to."""

    def __init__(self, candidates: Sequence[Candidate], text: str) -> None:
        self._text = text
        self._named = Counter(
            body_key(body)
            for candidate in candidates
            for body in (*candidate.lead, *candidate.own)
            if not is_generic(body)
        )
        self.spelled: dict[str, str] = {}
        for candidate in candidates:
            for body in (*candidate.lead, *candidate.own):
                self.spelled.setdefault(body_key(body), body)
        self._document_body: str | None = None

    def document_body(self) -> str:
        """The body the document is about: most named by its lead-ins, else its main organ."""
        if self._document_body is None:
            if self._named:
                self._document_body = self.spelled[self._named.most_common(1)[0][0]]
            else:
                organs = infer_organs(self._text)
                self._document_body = organs[0] if organs else ""
        return self._document_body

    def specific(self, body: str) -> str:
        """The body's one spelling in this document; a bare "nämnden" becomes the
        document's own board when one is known."""
        if body.casefold() not in _BARE_BOARDS:
            return self.spelled.get(body_key(body), body)
        known = self.document_body()
        kind = "styrelse" if "styrelse" in body.casefold() else "nämnd"
        return known if known and kind in known.casefold() else body


def resolve(candidates: Sequence[Candidate], text: str) -> list[tuple[Candidate, str]]:
    """Give every candidate its addressees: one (candidate, addressee) pair per body."""
    addressees = _Addressees(candidates, text)
    # Items of one list or heading run that name no body share the one the others name.
    by_group: dict[int, set[str]] = {}
    for candidate in candidates:
        for body in candidate.own:
            by_group.setdefault(candidate.group, set()).add(body_key(body))

    resolved: list[tuple[Candidate, str]] = []
    for candidate in candidates:
        named = candidate.own or candidate.lead
        if named:
            names = [addressees.specific(body) for body in named]
        else:
            shared = by_group.get(candidate.group, set())
            if len(shared) == 1:
                names = [addressees.specific(addressees.spelled[next(iter(shared))])]
            else:
                names = [addressees.document_body()]
        seen: set[str] = set()
        for name in names:
            if body_key(name) not in seen:
                seen.add(body_key(name))
                resolved.append((candidate, name))
    return resolved


def _tokens(text: str) -> tuple[str, ...]:
    return tuple(re.findall(r"\w+", text.casefold()))


def _stems(tokens: Iterable[str]) -> frozenset[str]:
    """Crude stems for comparing repeats: "kostnader" and "kostnaderna" are one word."""
    return frozenset(token[:_STEM_CHARS] for token in tokens)


_RESTATED = 0.6
"""Share of the smaller text's content stems found in another candidate's at which running
text only restates it: a summary sentence repeating a listed recommendation, or a reply
naming one it already quoted ("instämmer i rekommendationen att …")."""
_MIN_CONTENT_CHARS = 4
"""Shorter words ("att", "för", "den", "bör") are function words, not content."""


def _content_stems(text: str) -> frozenset[str]:
    return _stems(token for token in _tokens(text) if len(token) >= _MIN_CONTENT_CHARS)


def _restates(stems: frozenset[str], others: Iterable[frozenset[str]]) -> bool:
    for theirs in others:
        smaller = min(len(stems), len(theirs))
        if smaller and len(stems & theirs) / smaller >= _RESTATED:
            return True
    return False


def combine(listed: Sequence[Candidate], prose: Sequence[Candidate]) -> list[Candidate]:
    """Listed candidates and the prose ones that say something new, in document order.

    A stated recommendation in prose ("rekommenderar X att …") is kept unless a listed one
    already says it; one only named ("rekommendationen att …") is also dropped when an
    earlier prose statement says it.
    """
    listed_stems = [_content_stems(candidate.text) for candidate in listed]
    stated: list[tuple[Candidate, frozenset[str]]] = []
    checks = 0
    for candidate in prose:
        checks += len(listed) + len(stated)
        if checks > _MAX_NEAR_DUPLICATE_CHECKS:
            break
        stems = _content_stems(candidate.text)
        earlier = [theirs for _, theirs in stated] if candidate.mention else []
        if not _restates(stems, [*listed_stems, *earlier]):
            stated.append((candidate, stems))
    kept = [*listed, *(candidate for candidate, _ in stated)]
    return sorted(kept, key=lambda candidate: candidate.order)


def recommendation_id(text: str, addressee: str) -> str:
    """Stable id from the normalised text and addressee, independent of position."""
    key = " ".join(text.casefold().split()) + "|" + normal_body(addressee)
    # "surrogatepass": lone surrogates (possible in any str) must not make hashing fail.
    digest = hashlib.sha1(key.encode("utf-8", "surrogatepass")).hexdigest()
    return "rek-" + digest[:10]


def merge(pairs: Sequence[tuple[Candidate, str]]) -> list[Recommendation]:
    """One Recommendation per addressee and text; near-identical repeats keep the first."""
    out: list[Recommendation] = []
    exact: set[tuple[str, tuple[str, ...]]] = set()
    kept: dict[str, list[tuple[frozenset[str], int]]] = {}
    checks = 0
    for candidate, addressee in pairs:
        body = body_key(addressee)
        tokens = _tokens(candidate.text)
        if (body, tokens) in exact:
            continue
        token_set = _stems(tokens)
        duplicate = False
        for other, group in kept.get(body, []):
            checks += 1
            if checks > _MAX_NEAR_DUPLICATE_CHECKS:
                break
            if group == candidate.group:
                continue  # one list does not repeat itself: its items differ, however little
            union = len(token_set | other)
            if union and len(token_set & other) / union >= _NEAR_DUPLICATE:
                duplicate = True
                break
        if duplicate:
            continue
        exact.add((body, tokens))
        kept.setdefault(body, []).append((token_set, candidate.group))
        out.append(
            Recommendation(
                id=recommendation_id(candidate.text, addressee),
                text=candidate.text,
                addressee=addressee,
                page=candidate.page,
                section=candidate.section,
            )
        )
    return out
