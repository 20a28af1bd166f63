"""The bodies (organs) a document is from or about: the board that replies, or the boards
an audit or cover letter addresses ("Till", "... rekommenderas att"); never the auditors.

Each mention scores, more near the top; a mention next to a reply cue ("... föreslås
besluta", "Förslag till beslut i ...") or an audit cue ("Till", "... bör") scores extra for
the matching kind of document, and so does one in the letterhead.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from ingest.metadata.cleanup import (
    BODY_CHARS,
    EARLY_CHARS,
    EARLY_MENTION_WEIGHT,
    header_lines,
    normalise,
)
from ingest.metadata.doc_types import infer_doc_type
from ingest.vocabulary import REPLY_TYPES, DocType

MAX_ORGANS = 3
"""A document names at most this many bodies as its own (the rest are mentions)."""

_AUDIT_TYPES = (DocType.GRANSKNING, DocType.MISSIV)
_CUE_CHARS = 40
"""How much text on each side of a mention is read for reply and audit cues."""
_CUE_WEIGHT = 4
"""Each cue next to a mention outweighs several bare mentions."""
_LETTERHEAD_WEIGHT = 3
_LETTERHEAD_LINES = 8
_LETTERHEAD_LINE_CHARS = 80
"""The letterhead: short lines among the first eight, where a letter names sender and
addressee."""

ORGAN_RE = re.compile(
    r"(?<![\w-])(?:"
    r"(?P<nf>(?:[Nn]ämnden|NÄMNDEN)[ ]+(?:för|FÖR)[ ]+(?:"
    r"[A-ZÅÄÖ]\w*(?:[ ]*(?:&|och|OCH)[ ]+(?!(?i:nämnd|kommunstyrelse|styrelse))\w+)?"
    r"|[a-zåäö]\w*[ ]*(?:&|och)[ ]+[a-zåäö]\w*))"
    r"|(?P<sf>[Ss]tyrelsen[ ]+för[ ]+[A-ZÅÄÖ]\w*(?:[ ]*(?:&|och)[ ]+\w+)?)"
    r"|(?P<ks>(?i:kommunstyrelsen|regionstyrelsen)(?i:s)?)"
    r"|(?P<adj>(?i:tekniska|sociala|gemensamma|kulturella|centrala)[ ]+(?i:nämnden)(?i:s)?)"
    r"|(?:Till|TILL):?[ ]*\n?[ ]*(?P<kf>(?i:kommunfullmäktige|regionfullmäktige))"
    r"|(?P<nd>(?:\w+-[ ]*(?:,[ ]*\w+-[ ]*){0,4}(?:och|&)[ ]+)?\w+(?i:nämnd)(?i:ens|en)?)"
    r")(?![\w])"
)
_NOT_ORGAN_PREFIX = ("fack", "huvud", "revision", "del", "samtliga", "berörd", "respektive")


@dataclass(frozen=True)
class _Cue:
    """Words right before or right after a mention that tell which kind of document names it."""

    before: re.Pattern[str]
    after: re.Pattern[str]

    @classmethod
    def of(cls, *, before: str, after: str) -> _Cue:
        """A cue from two alternations of phrases (regex syntax, case-insensitive)."""
        return cls(re.compile(rf"(?:{before})\s*$", re.I), re.compile(rf"\s*(?:{after})", re.I))

    def around(self, before: str, after: str) -> bool:
        """Whether the text ending at a mention, or the text following it, has the cue."""
        return self.after.match(after) is not None or self.before.search(before) is not None


_REPLY_CUE = _Cue.of(
    before=r"förslag\s+till\s+beslut\s+i|ordförande|föreslår",
    after=(
        r"föreslås|föreslår|beslutade|beslutar|beslöt|antar|godkänner|yttrade|yttrar|"
        r"lämnar\s+följande|beslut\b|yttrande\b|har\s+i\s+yttrandet"
    ),
)
"""A board that proposes, decides or replies: the writer of a reply."""
_AUDIT_CUE = _Cue.of(
    before=(
        r"\btill:?|rekommenderas|bedöma\s+om|bedömning\s+är\s+att|bedömning\s+att|avser|"
        r"granskat(?:\s+om)?|granskning\s+av|granska|önskar\s+(?:få|att)(?:\s+\w+\s+och)?|"
        r"ansvarig\s+nämnd:?|svar\s+från|yttrande\s+från"
    ),
    after=(
        r"rekommenderas|bör\b|har\s+inte|inte\s+har|har\s+en\b|har\s+säkerställt|"
        r"säkerställer|har\s+vidtagit|lämnar\s+synpunkter|endast\s+delvis|svar\b"
    ),
)
"""A board addressed, audited or asked to answer: the subject of an audit."""


def _cap(s: str) -> str:
    """Initial capital, rest as written (all-caps words are lowered first)."""
    if s.isupper():
        s = s.lower()
    return s[:1].upper() + s[1:]


def _organ_name(m: re.Match[str], text: str) -> str | None:
    """The display name of an organ mention, genitive undone; None for generic words."""
    if m.group("ks"):
        word = m.group("ks").lower()
        return "Regionstyrelsen" if word.startswith("region") else "Kommunstyrelsen"
    if m.group("kf"):
        return _cap(m.group("kf").lower())
    raw = m.group("nf") or m.group("sf")
    if raw:
        name = " ".join(raw.split())
        head, _, tail = name.split(" ", 2)  # "Nämnden", "för", the field
        follower = re.match(r"[ ]+([a-zåäö]+)", text[m.end() : m.end() + 30])
        if tail.endswith("s") and follower and follower.group(1) not in ("och", "eller"):
            tail = tail[:-1]  # "Nämnden för Services riskanalys"
        if tail.isupper():  # "NÄMNDEN FÖR KULTUR OCH FRITID"
            tail = " ".join(w.lower() if w == "OCH" else w.capitalize() for w in tail.split())
        return f"{_cap(head.lower())} för {tail}"
    if m.group("adj"):
        words = m.group("adj").lower().split()
        return f"{words[0].capitalize()} nämnden"
    raw = m.group("nd") or ""
    name = " ".join(raw.split())
    last = name.split(" ")[-1].lower()
    prefix = last[: last.find("nämnd")]
    if not prefix or prefix.startswith(_NOT_ORGAN_PREFIX):
        return None
    if name.lower().endswith("nämndens"):
        name = name[:-1]
    return _cap(name.lower() if name.isupper() else name)


def _organ_key(name: str) -> str:
    return " ".join(name.lower().replace("&", "och").split())


@dataclass
class _OrganStats:
    """What the text says about one body: spellings, salience and the cues around it."""

    names: Counter[str]
    first: int
    score: float = 0.0
    reply_cues: int = 0
    audit_cues: int = 0
    header: bool = False


def _letterhead_spans(clean: str) -> list[tuple[int, int]]:
    """Short lines among the first eight: where a letter names its sender or addressee."""
    return [
        (ln.start, ln.start + len(ln.text) + _CUE_CHARS)
        for ln in header_lines(clean, EARLY_CHARS)[:_LETTERHEAD_LINES]
        if len(ln.text) <= _LETTERHEAD_LINE_CHARS
    ]


def _organ_stats(clean: str) -> dict[str, _OrganStats]:
    body = clean[:BODY_CHARS]
    letterhead = _letterhead_spans(clean)
    stats: dict[str, _OrganStats] = {}
    for m in ORGAN_RE.finditer(body):
        name = _organ_name(m, body)
        if name is None:
            continue
        start = m.start("kf") if m.group("kf") else m.start()
        key = _organ_key(name)
        st = stats.get(key)
        if st is None:
            st = stats[key] = _OrganStats(Counter(), start)
        st.names[name] += 1
        st.score += EARLY_MENTION_WEIGHT if start < EARLY_CHARS else 1.0
        before = body[max(0, start - _CUE_CHARS) : start]
        after = body[m.end() : m.end() + _CUE_CHARS]
        if _REPLY_CUE.around(before, after):
            st.reply_cues += 1
        if m.group("kf") or _AUDIT_CUE.around(before, after):
            st.audit_cues += 1
        if any(a <= start < b for a, b in letterhead):
            st.header = True
    # Merge a genitive key into its base form ("nämnden för fritids" -> "... fritid").
    for key in [k for k in stats if k.endswith("s") and k[:-1] in stats]:
        base, gen = stats[key[:-1]], stats.pop(key)
        # Count the genitive mentions towards the base spelling, never show them.
        base.names[base.names.most_common(1)[0][0]] += sum(gen.names.values())
        base.first = min(base.first, gen.first)
        base.score += gen.score
        base.reply_cues += gen.reply_cues
        base.audit_cues += gen.audit_cues
        base.header = base.header or gen.header
    return stats


def organs_from(clean: str, doc_type: str) -> tuple[str, ...]:
    """The bodies of normalised text that matter for a document of `doc_type`."""
    stats = _organ_stats(clean)
    if not stats:
        return ()

    def cues(st: _OrganStats) -> int:
        if doc_type in REPLY_TYPES:
            return st.reply_cues
        if doc_type in _AUDIT_TYPES:
            return st.audit_cues
        return st.reply_cues + st.audit_cues

    def rank(st: _OrganStats) -> tuple[float, int]:
        salience = st.score + _CUE_WEIGHT * cues(st) + (_LETTERHEAD_WEIGHT if st.header else 0)
        return (-salience, st.first)

    chosen = [st for st in stats.values() if cues(st)]
    if not chosen or doc_type not in REPLY_TYPES:
        chosen += [st for st in stats.values() if st.header and not cues(st)]
    if not chosen:
        chosen = sorted(stats.values(), key=rank)[:1]
    chosen.sort(key=rank)
    out: list[str] = []
    for st in chosen[:MAX_ORGANS]:
        # The most used spelling; on a tie the one with more capitals ("Kultur & Fritid").
        name = max(st.names, key=lambda n: (st.names[n], sum(c.isupper() for c in n)))
        out.append(name)
    return tuple(out)


def infer_organs(text: str, doc_type: str | None = None) -> tuple[str, ...]:
    """The writing (replies) or audited/addressed (audits) bodies, most salient first."""
    clean = normalise(text)
    kind = doc_type if doc_type is not None else infer_doc_type(text)
    return organs_from(clean, kind)
