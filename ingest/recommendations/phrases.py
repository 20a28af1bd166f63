"""The words recommendations are made of: the bodies they address and the verbs they open with.

A body ("organ") as Swedish documents name it: "Kommunstyrelsen", "servicenämnden",
"Arbetsmarknads- och socialnämnden", "tekniska nämnden", "nämnden för Kultur & Fritid".
A recommendation opens with a verb ("Säkerställa ...", imperative "Tydliggör ...") or with
a body that should act ("Kommunstyrelsen bör ...", "Nämnden utvecklar ...").
"""

from __future__ import annotations

import re

MAX_PHRASE = 200
"""The longest run of body names read as one addressee phrase; longer is running text."""

BOR = re.compile(r"\bbör\b")

_HEAD = r"(?:nämnd|styrelse|fullmäktige|direktion|utskott)"
_NOT_ADJECTIVE = (
    r"(?!(?:denna|hela|vilka|andra|båda|sina|egna|nya|samma|ena|dessa|flera|varken|enda)\s)"
)
_BODY = (
    r"(?<![\w-])"
    r"(?:[^\W\d_]{2,25}-(?:\s*,\s*[^\W\d_]{2,25}-){0,4}\s+(?:och|samt|eller)\s+)?"
    rf"(?:{_NOT_ADJECTIVE}[^\W\d_]{{2,19}}a\s+)?"
    rf"[^\W\d_]{{0,30}}{_HEAD}[^\W\d_]{{0,8}}(?![\w-])"
    # "för Kultur & Fritid", "för Individ- och familjeomsorg": the whole name, not its first word.
    r"(?:\s+för\s+(?!att\b)[^\W\d_]{2,30}"
    rf"(?:-?\s*(?:&|och)\s+(?![^\W\d_]{{0,30}}{_HEAD})[^\W\d_]{{2,30}})?)?"
)
# State bodies are named by their own word endings: "regeringen", "Skolverket",
# "Skolinspektionen", "Arbetsförmedlingen", "Försäkringskassan", "berörda FoU-myndigheter",
# "lärosätena". Only definite or plural forms: "verket" ends agency names, "verk" ends
# many other words.
_STATE_BODY = (
    r"(?<![\w-])(?:(?:berörda|granskade|de\s+granskade|samtliga|övriga)\s+)?"
    r"[\w-]{0,30}?(?:regeringen|regeringskansliet|verket|inspektionen|förmedlingen|kassan|"
    r"myndigheten|myndigheterna|myndigheter|lärosätena|lärosäten|lärosätet|universiteten|"
    r"högskolorna|ämbetet|länsstyrelserna|länsstyrelsen)(?![\w-])"
)
_ANY_BODY = rf"(?:{_BODY}|{_STATE_BODY})"
_SEPARATOR = r"(?:\s*,\s*|\s+(?:och|samt|respektive|liksom|&)\s+)"
BODY_RE = re.compile(_ANY_BODY, re.I)
BODY_SEQUENCE_RE = re.compile(rf"{_ANY_BODY}(?:{_SEPARATOR}{_ANY_BODY}){{0,6}}", re.I)
_GENERIC_HEADS = frozenset(
    "nämnden nämnderna nämnder nämnd styrelsen styrelserna styrelser styrelse myndigheten "
    "myndigheterna myndigheter".split()
)
_GENERIC_QUALIFIERS = frozenset("samtliga berörda alla övriga respektive andra varje".split())
_FILLER = frozenset(
    "vi därför också även härmed dessutom vidare slutligen revisorerna revisionen "
    "följaktligen sammanfattningsvis således främst särskilt".split()
)
_MAX_PHRASE_WORDS = 14
"""The most words `bodies` tries as a trailing addressee phrase (seven short names)."""

# Verbs that open a recommendation, as (infinitive, imperative) where they differ.
_VERBS = """
säkerställa:säkerställ tydliggöra:tydliggör förtydliga utveckla vidareutveckla upprätta
införa:inför följa:följ stärka:stärk förstärka:förstärk fortsätta:fortsätt tillse
särskilja:särskilj utvärdera definiera dokumentera genomföra:genomför implementera besluta
fastställa:fastställ beakta analysera utreda:utred utforma formalisera komplettera uppdatera
förbättra skapa etablera kartlägga:kartlägg identifiera precisera revidera granska anta
rapportera redovisa integrera prioritera överväga:överväg verka arbeta tillämpa
upprätthålla:upprätthåll minska öka utbilda informera samordna klargöra:klargör förankra
säkra systematisera utöka begränsa kontrollera tillsätta:tillsätt efterleva:efterlev
ombesörja:ombesörj tillskapa utarbeta bevaka hantera vidta åtgärda förebygga:förebygg
motverka tillförsäkra inrätta inventera reglera ompröva harmonisera konkretisera förenkla
begära:begär uppmärksamma verkställa:verkställ initiera avsätta:avsätt
sammanställa:sammanställ pröva ge göra:gör ställa:ställ ta se anpassa stödja
tillhandahålla:tillhandahåll samverka uppdra kommunicera planera organisera bedöma:bedöm
mäta:mät utse beskriva:beskriv sprida:sprid efterfråga tillgängliggöra:tillgängliggör
avveckla avsluta omhänderta involvera dimensionera rekrytera ersätta:ersätt
genomlysa:genomlys förvissa
"""
_PARTICLE_VERBS = {"se": {"över", "till"}, "ta": {"fram", "ställning"}}
_ADVERBS = frozenset(
    "att snarast skyndsamt löpande fortsatt årligen regelbundet systematiskt aktivt även "
    "också tydligt tydligare fortlöpande kontinuerligt dessutom vidare omgående".split()
)
_MODALS = frozenset("bör ska skall behöver måste".split())
_MIN_COMPOUND_ENDING = 5
"""Listed verbs at least this long end compounds ("kvalitetssäkra"); shorter ones ("öka",
"ge") end too many unrelated words."""
_MIN_COMPOUND_PREFIX = 2
"""A compound needs this many letters before the verb: "osäkra" is no "säkra"."""
_MAX_ADVERBS_BEFORE_VERB = 2
_OPENING_WORDS = 5
_OPENING_CHARS = 200
"""How much of an item is read for its opening verb: five words, adverbs and a particle."""
_VERB_WINDOW = 80
"""How much text after a body is read for its verb ("Kommunstyrelsen bör snarast ...")."""
_BOR_WINDOW = 400
"""How far into a listed item "bör" may stand ("Rutinen för ... bör ses över")."""
_MAX_COMPOUND = 30
"""Longer "words" are run-together text, not verb compounds."""


def _verb_forms() -> tuple[frozenset[str], frozenset[str], tuple[str, ...]]:
    """(forms that open a recommendation, present-tense forms after a body, compound endings)."""
    opening: set[str] = set()
    present: set[str] = set()
    for entry in _VERBS.split():
        infinitive, _, imperative = entry.partition(":")
        imperative = imperative or infinitive
        opening |= {infinitive, imperative}
        present |= {infinitive + "r", imperative + "er"}
        if imperative.endswith("r"):
            present.add(imperative)
    endings = tuple(
        sorted(form for form in opening if len(form) >= _MIN_COMPOUND_ENDING and form.endswith("a"))
    )
    return frozenset(opening), frozenset(present | _MODALS), endings


_OPENING_VERBS, _PRESENT_VERBS, _VERB_ENDINGS = _verb_forms()


def is_generic(body: str) -> bool:
    """Whether a body names no particular board: "nämnden", "samtliga nämnder"."""
    words = body.casefold().split()
    if not words or " för " in f" {body.casefold()} ":
        return False
    return words[-1] in _GENERIC_HEADS and (
        len(words) == 1 or (len(words) == 2 and words[0] in _GENERIC_QUALIFIERS)
    )


def bodies(phrase: str) -> list[str]:
    """The bodies a lead-in phrase names ("X och Y" gives two); [] when it names none."""
    words = phrase.strip(" ,:").split()
    while words and words[0].casefold() in _FILLER:
        words.pop(0)
    if not words or len(" ".join(words)) > MAX_PHRASE:
        return []
    phrase = " ".join(words)
    if not BODY_SEQUENCE_RE.fullmatch(phrase):
        # "kommunstyrelsen i samråd med nämnderna": the bodies that open the phrase.
        opening = BODY_SEQUENCE_RE.match(phrase)
        if opening:
            return [match[0] for match in BODY_RE.finditer(opening[0])]
    for size in range(min(len(words), _MAX_PHRASE_WORDS), 0, -1):
        candidate = " ".join(words[-size:])
        if BODY_SEQUENCE_RE.fullmatch(candidate):
            return [match[0] for match in BODY_RE.finditer(candidate)]
    return []


_SLOT_SPLIT = re.compile(r"\s*,\s*|\s+(?:och|samt|respektive)\s+(?:till\s+)?", re.I)
_SLOT_PUNCTUATION = re.compile(r"[.:;!?()\"”]")
# Officers, not bodies: a recommendation to "styrelse och VD" is one, answered jointly.
_ROLE = re.compile(
    r"(?:vd|verkställande\s+direktör(?:en)?|[\w-]*direktör(?:en)?|[\w-]*chef(?:en)?|"
    r"ordförande(?:n)?|rektor(?:n)?|presidiet)",
    re.I,
)
_MAX_SLOT_WORDS = 8
"""An addressee slot ("rekommenderar X att") holding more words than this is running text."""
_MAX_NAME_WORDS = 4
"""A name no vocabulary knows ("Vinnova", "Almi Företagspartner AB") is this short."""


def slot_bodies(phrase: str) -> list[str]:
    """The bodies in a phrase that stands where an addressee must: "rekommenderar X att",
    "rekommendationer till X".

    The slot itself says X is an addressee, so names no vocabulary knows are taken too
    ("Tillväxtverket och Vinnova", "de myndigheter som utlyser FoU-medel"); a long or
    punctuated phrase is not a name and only its known bodies count.
    """
    words = phrase.strip(" ,:").split()
    while words and words[0].casefold() in (*_FILLER, "till"):
        words.pop(0)
    phrase = " ".join(words)
    named = bodies(phrase)
    if not words or len(words) > _MAX_SLOT_WORDS or _SLOT_PUNCTUATION.search(phrase):
        return named
    if named and BODY_SEQUENCE_RE.fullmatch(phrase):
        return named
    if " som " in f" {phrase} " or words[0].casefold() == "de":
        return [phrase]  # one body described: "de myndigheter som utlyser medel"
    parts = [part for part in _SLOT_SPLIT.split(phrase) if part]
    if len(parts) > 1 and any(_ROLE.fullmatch(part) for part in parts):
        return [phrase]  # "styrelse och VD": a body and its officer answer together
    found: list[str] = []
    for part in parts:
        known = bodies(part)
        if known and BODY_SEQUENCE_RE.fullmatch(part):
            found.extend(known)
        elif part[:1].isupper() and len(part.split()) <= _MAX_NAME_WORDS:
            found.append(part)
        else:
            return named
    return found


def leading_bodies(text: str) -> list[str]:
    """Bodies that open `text` as the subject of a verb: "Kommunstyrelsen bör ..."."""
    match = BODY_SEQUENCE_RE.match(text[: MAX_PHRASE * 2])
    if not match:
        return []
    following = text[match.end() : match.end() + _VERB_WINDOW].split()
    if following and following[0].casefold() == "att":  # "• socialnämnden att utveckla ..."
        return [body[0] for body in BODY_RE.finditer(match[0])]
    if following and following[0].casefold() == "som":
        # "Lärosäten som har utsett rektor till ordförande bör …": past the relative clause.
        clause = text[match.end() : match.end() + _BOR_WINDOW]
        stop = re.search(r"[.;:!?]", clause)
        if BOR.search(clause[: stop.start()] if stop else clause):
            return [body[0] for body in BODY_RE.finditer(match[0])]
        return []
    while following and following[0].casefold() in _ADVERBS:
        following.pop(0)
    if not following or following[0].casefold().strip(".,") not in _PRESENT_VERBS:
        return []
    return [body[0] for body in BODY_RE.finditer(match[0])]


def opens_with_verb(text: str) -> bool:
    """Whether `text` opens like a recommendation: "Säkerställa ...", "Systematiskt följa"."""
    opening = text[:_OPENING_CHARS].split()[:_OPENING_WORDS]
    words = [word.casefold().strip(".,:;*") for word in opening]
    skipped = 0
    while (
        words
        and skipped < _MAX_ADVERBS_BEFORE_VERB
        and (
            words[0] in _ADVERBS
            or (len(words[0]) > 4 and words[0].endswith(("vis", "ligen", "skt")))
        )
    ):
        words.pop(0)
        skipped += 1
    if not words or not (words[0] in _OPENING_VERBS or _is_verb_compound(words[0])):
        return False
    particles = _PARTICLE_VERBS.get(words[0])
    return particles is None or (len(words) > 1 and words[1] in particles)


_PREPOSITIONS = frozenset("på i genom inom med utifrån vid under för".split())
_MAX_ADVERBIAL_WORDS = 10
"""Words a leading adverbial ("på ett tydligare och mer transparent sätt i
återrapporteringar …") may take before its verb."""


def opens_with_verb_after_adverbial(text: str) -> bool:
    """Whether `text` opens like a recommendation, perhaps after a leading adverbial:
    "på ett tydligare sätt i återrapporteringar redovisa kostnader …"."""
    if opens_with_verb(text):
        return True
    words = text[:_OPENING_CHARS].split()
    if not words or words[0].casefold() not in _PREPOSITIONS:
        return False
    for start in range(2, min(len(words), _MAX_ADVERBIAL_WORDS + 1)):
        if any(mark in words[start - 1] for mark in ".,;:"):
            return False  # the adverbial ended a clause: no verb of this one follows
        if opens_with_verb(" ".join(words[start:])):
            return True
    return False


def _is_verb_compound(word: str) -> bool:
    """A compound ending in a listed verb ("kvalitetssäkra"), not "osäkra" (prefix too short)."""
    if len(word) > _MAX_COMPOUND or not word.endswith(_VERB_ENDINGS):
        return False
    return any(
        word.endswith(ending) and len(word) - len(ending) >= _MIN_COMPOUND_PREFIX
        for ending in _VERB_ENDINGS
    )


def looks_like_recommendation(text: str, listed: bool = True) -> bool:
    """A self-contained item that recommends: a verb first, or a body that should act.

    In a marked list any "bör" will do ("Rutinen ... bör ses över"); in running text that
    is too weak a sign.
    """
    if text.endswith("?"):
        return False
    if text[:4].casefold() == "att ":
        text = text[4:]
    return (
        opens_with_verb(text)
        or bool(leading_bodies(text))
        or (listed and BOR.search(text[:_BOR_WINDOW]) is not None)
    )
