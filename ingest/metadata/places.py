"""The municipality or region a document belongs to: the one it names most often."""

from __future__ import annotations

import re
from collections import Counter

from ingest.metadata.cleanup import BODY_CHARS, EARLY_CHARS, EARLY_MENTION_WEIGHT, normalise

_AUDIT_OFFICE_WEIGHT = 0.5
"""A place named through its auditors ("Malmö stadsrevision") counts as half a mention."""

_PLACE_PREFIX = r"(?:(?:Upplands|Lilla|Stora|Östra|Västra|Norra|Södra|Övre|Nedre)[ ])?"
MUNI_RE = re.compile(
    r"(?<![\w-])(?:"
    rf"(?P<place>{_PLACE_PREFIX}[A-ZÅÄÖ][a-zåäöéü]+(?:-[A-ZÅÄÖ][a-zåäöéü]+)?)[ ]+"
    r"(?P<kind>kommun|stad|Stad)(?:s)?"
    r"|(?P<uplace>[A-ZÅÄÖ]{2,}(?:-[A-ZÅÄÖ]{2,})?)[ ]+(?P<ukind>KOMMUN|STAD)(?:S)?"
    r"|(?P<rplace>[A-ZÅÄÖ][a-zåäö]+)[ ]+(?P<rkind>stads|kommun)revision(?:en|ens)?"
    r"|Region[ ]+(?P<region>[A-ZÅÄÖ][a-zåäö]+(?:[ ]+[A-ZÅÄÖ][a-zåäö]+)?)"
    r")(?![\w])"
)
_NOT_PLACE = frozenset(
    "varje en ett denna den det samma vilken vår vårt er ert hela annan annat egen eget ny "
    "nya ingen någon respektive berörd övrig större mindre stor liten i inom per som att från "
    "mot hos för till av med och eller samt vilka sin sitt dess deras aktuell ansvarig "
    "enskild alla olika svensk svenska sveriges landets varje hemkommun kommunens dessa "
    "nämnda ovan samtliga vid på under efter".split()
)


def place_name(m: re.Match[str]) -> str | None:
    """The municipality a match names ("Huddinge kommuns" -> "Huddinge kommun")."""
    if m.group("region"):
        return f"Region {m.group('region')}"
    if m.group("uplace"):
        place = "-".join(p.capitalize() for p in m.group("uplace").split("-"))
        kind = m.group("ukind").lower()
    elif m.group("rplace"):
        place = m.group("rplace")
        kind = "stad" if m.group("rkind") == "stads" else "kommun"
    else:
        place, kind = m.group("place"), m.group("kind")  # "Borås Stad" keeps its capital
    if place.split(" ")[0].lower() in _NOT_PLACE:
        return None
    return f"{place} {kind}"


def infer_municipality(text: str) -> str:
    """The municipality or region the text names most often (earliest on a tie), or empty."""
    body = normalise(text)[:BODY_CHARS]
    counts: dict[str, float] = {}
    first: dict[str, int] = {}
    shown: dict[str, Counter[str]] = {}
    for m in MUNI_RE.finditer(body):
        name = place_name(m)
        if name is None:
            continue
        key = name.lower()
        weight = _AUDIT_OFFICE_WEIGHT if m.group("rplace") else 1.0
        early = EARLY_MENTION_WEIGHT if m.start() < EARLY_CHARS else 1.0
        counts[key] = counts.get(key, 0.0) + weight * early
        first.setdefault(key, m.start())
        shown.setdefault(key, Counter())[name] += 1
    if not counts:
        return ""
    key = min(counts, key=lambda k: (-counts[k], first[k]))
    return shown[key].most_common(1)[0][0]
