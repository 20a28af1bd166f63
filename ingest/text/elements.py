"""The parts of a reply to one recommendation, found by Swedish cue phrases.

A complete answer takes a position, names measures, who is responsible, when, and how it
is followed up (`ingest.vocabulary.ElementName`). Each element has one cue pattern here,
used both to check a reply (which elements an answer has) and to draft one (which element
an earlier answer's sentence speaks to), so the two never disagree about a sentence.

The cues are the coverage check's, whose figures on the sample replies (bench/coverage.py)
they decide, widened by what the drafter's own cues also caught ("instämmande", "planerar",
"kommer att", "ledningsgrupper", "successivt"); where the two disagreed, the coverage
check's narrower rule stayed ("ska ha möjlighet" is no measure).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from ingest.text.dates import MONTH_PATTERN
from ingest.text.sentences import split_sentences
from ingest.vocabulary import ELEMENTS, ElementName, Stance

_FLAGS = re.IGNORECASE

MIN_STATEMENT_WORDS = 3
"""A sentence with fewer words than this states nothing: a label, a letterhead line."""

# -- position ---------------------------------------------------------------------------

_STANCE_CUES = (
    r"\binstämm\w*"
    r"|\bdela[rs]?\s+(?:(?:inte|helt|delvis|även|också)\s+)*(?:\w+\s+){0,3}"
    r"(?:bedömning\w*|uppfattning\w*|slutsats\w*|synpunkt\w*|analys\w*)"
    r"|\bhåller\s+(?:inte\s+)?med\b|\bvälkomnar\b|\bavvisar\b|\bavstyrker\b|\btillstyrker\b"
    r"|\bställer\s+sig\s+(?:\w+\s+)?(?:positiv|bakom|negativ|tveksam)"
    r"|\b(?:är|ser)\s+(?:\w+\s+)?positiv\w*|\bser\s+positivt\b"
    r"|\bavser\s+(?:därför\s+|heller\s+|mot\s+denna\s+bakgrund\s+)?inte\b"
    r"|\bfinner\s+(?:inte|inga|inget)\b"
    r"|\bser\s+(?:inte|inget|inga|ej)\s+(?:\w+\s+){0,2}(?:behov|skäl|anledning)"
    r"|\btar\s+till\s+sig\b|\bgodtar\b|\baccepterar\b|\bbifaller\b"
    r"|\b(?:eftersom|då|med\s+anledning\s+av\s+att)\s+.{0,80}\b(?:redan|inte)\b"
)
# Verbs of opinion take a position in a reply, but also report the auditors' view.
_OPINION_CUES = r"\b(?:anser|bedömer|menar|konstaterar)\s+(?:\w+\s+){0,2}(?:att|inte|sig)\b"

STANCE = re.compile(_STANCE_CUES, _FLAGS)
"""A position only the reply itself takes ("instämmer", "avser inte"): never the auditors'
view, so a sentence with it is the reply's own even when it names the audit."""

# Which position: the same cue families, told apart. A negation or a qualifier right after
# the verb decides ("instämmer inte", "delar i huvudsak"); a sentence with several takes the
# first, and at one place the more specific reading wins (order of STANCE_CUES).
_VIEW = (
    r"(?:bedömning\w*|uppfattning\w*|slutsats\w*|synpunkt\w*|analys\w*|iakttagelse\w*"
    r"|rekommendation\w*|åsikt\w*)"
)
_PARTLY = (
    r"(?:delvis|i\s+huvudsak|huvudsakligen|till\s+(?:viss|stor)\s+del|i\s+stort|i\s+flera"
    r"|i\s+vissa|i\s+delar|i\s+princip)"
)
STANCE_CUES: dict[Stance, re.Pattern[str]] = {
    Stance.AVVISAR: re.compile(
        r"\binstämm\w*\s+(?:\w+\s+){0,2}(?:inte|ej)\b"
        r"|\b(?:dela[rs]?|håller)\s+(?:\w+\s+){0,2}(?:inte|ej)\b(?!\s+bara)"
        r"|\bavvisar\b|\bavstyrker\b|\bmotsätter\s+sig\b"
        r"|\bavser\s+(?:\w+\s+){0,2}(?:inte|ej)\b|\bavser\s+mot\s+denna\s+bakgrund\s+inte\b"
        r"|\b(?:ser|finner)\s+(?:\w+\s+){0,2}(?:inte|inget|inga|ej)\s+(?:\w+\s+){0,3}"
        r"(?:behov|skäl|anledning)"
        r"|\b(?:inte|inga|inget)\s+(?:finns\s+)?(?:\w+\s+){0,2}(?:behov|skäl|anledning)\s+"
        r"(?:\w+\s+){0,3}(?:att|till)\b"
        r"|\bfinns\s+(?:det\s+)?(?:inte|inga|inget)\s+(?:\w+\s+){0,2}(?:behov|skäl|anledning)",
        _FLAGS,
    ),
    Stance.INSTAMMER_DELVIS: re.compile(
        rf"\binstämm\w*\s+(?:\w+\s+)?{_PARTLY}|\bdela[rs]?\s+(?:\w+\s+)?{_PARTLY}"
        r"|\bdelvis\s+(?:instämm\w*|dela[rs]?)\b|\binstämmer\s+(?:\w+\s+)?med\s+vissa\b",
        _FLAGS,
    ),
    Stance.AVVAKTAR: re.compile(
        r"\bavvakta\w*|\bi\s+avvaktan\s+på\b|\binväntar\b"
        r"|\b(?:kommer\s+(?:\w+\s+)?att\s+)?återkomma\b|\båterkommer\b"
        r"|\bär\s+under\s+beredning\b|\btar\s+ställning\s+(?:\w+\s+)?senare\b",
        _FLAGS,
    ),
    Stance.INSTAMMER: re.compile(
        rf"\binstämm\w*|\bdela[rs]?\s+(?:(?:helt|även|också|därmed)\s+)*(?:\w+\s+){{0,3}}{_VIEW}"
        r"|\bhåller\s+med\b|\bvälkomnar\b|\btillstyrker\b|\bbifaller\b"
        r"|\bställer\s+sig\s+(?:\w+\s+)?(?:positiv|bakom)|\bser\s+positivt\b"
        r"|\btar\s+till\s+sig\b|\bgodtar\b|\baccepterar\b",
        _FLAGS,
    ),
}
"""Cue phrases of each stance; tried in this order where two start at one place."""


_NOTHING_MORE = re.compile(r"\s*(?:\w+\s+){0,4}?(?:ytterligare|fler|utöver|mer\s+än)\b", _FLAGS)
"""After "avser inte att vidta", "ser inget behov av": only nothing *more* than what the
reply describes ("… ytterligare åtgärder än beslutet om nytt stödsystem"), no rejection."""
_WINDOW = 60


def _first(stance: Stance, pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    for match in pattern.finditer(text):
        following = text[match.end() : match.end() + _WINDOW]
        if stance is Stance.AVVISAR and _NOTHING_MORE.match(following):
            continue
        return match
    return None


def stance_of(text: str) -> Stance | None:
    """The position `text` takes: the stance whose cue comes first; None without one."""
    found: tuple[int, int, Stance] | None = None
    for order, (stance, pattern) in enumerate(STANCE_CUES.items()):
        match = _first(stance, pattern, text)
        if match and (found is None or (match.start(), order) < found[:2]):
            found = (match.start(), order, stance)
    return found[2] if found else None


# -- measures, responsibility, time, follow-up ------------------------------------------

_MEASURE = re.compile(
    r"\bska(?:ll)?\s+(?!ha\s+möjlighet)\w+|\bkommer\s+(?:\w+\s+)?(?:att\s+)?\w+a\b"
    r"|\bkommer\s+(?:\w+\s+)?att\b|\bplanera[rs]?\b"
    r"|\b(?:avser|planerar|beslutat|beslutade)\s+(?:\w+\s+){0,2}att\b|\bplaneras?\b"
    r"|\bhar\s+(?:\w+\s+){0,3}(?:inf[öo]rt|inrättat|tagit\s+fram|genomfört|uppdaterat|"
    r"beslutat|antagit|påbörjat|inlett|startat|utökat|förtydligat|reviderat|sett\s+över|"
    r"utarbetat|upprättat|tydliggjort|implementerat|utvecklat|skapat|stärkt|ändrat)"
    r"|\b\w*(?:införts|tagits\s+fram|genomförts|uppdaterats|påbörjats|inletts|reviderats|"
    r"förtydligats|implementerats|utvecklats|upprättats|ändrats|genomfördes|infördes)\b"
    r"|\b(?:arbetar|jobbar)\s+(?:\w+\s+){0,4}med\b|\bredan\s+(?:i\s?dag|nu)\b"
    r"|\b(?:görs|sker|tillämpas|används|ingår)\b"
    r"|\bblir\s+(?:ett\s+|en\s+)?(?:obligatorisk\w*|krav|del\s+av|\w+\s+moment)"
    # Perfect tense of any verb ("har hållit", "har under året gjort") and present
    # passive ("redovisas", "följs upp", "genomförs"; not genitive plural "-nas").
    r"|\bhar\s+(?:\w+\s+){0,4}?\w{2,}(?:at|it|tt|rt|lt|nt|gt|kt|ort)\b"
    r"|\b\w{3,}(?:(?<!n)as|js|örs|gs)\b"
    r"|\bpågår\b|\bpåbörja\w*|\bimplementer\w*|\binför(?:a|s|des|t)?\b|\buppdater\w*"
    r"|\bta\s+fram\b|\btas\s+fram\b|\bframtag\w*|\bgenomför(?:a|s|t|ande)?\b|\brevider\w*"
    r"|\bse\s+över\b|\bses\s+över\b|\böversyn\w*|\bförtydlig\w*|\btydliggör\w*"
    r"|\butbild\w*|\bkunskapshöjning\w*|\bkompetensutveckl\w*|\brutin(?:er|erna|en)?\b"
    r"|\briktlinje\w*|\bhandlingsplan\w*|\bfattat\s+beslut\b|\bbeslut\s+om\b"
    r"|\b\w+er(?:as|ats)\b|\bdokumentera\w*|\bprotokollför\w*|\bsäkerställ\w*",
    _FLAGS,
)
_RESPONSIBLE = re.compile(
    r"\bansvar\w*"
    r"|\b\w*(?:förvaltning|enhet|avdelning|sektion|stadskontor|kansli|ledningsgrupp)"
    r"(?:en|et|ens|ets)\b|\bledningsgrupp\w*"
    r"|\b\w*chef(?:en|er|erna|s)?\b|\bfunktion(?:en|er|erna)?\b"
    r"|\b\w*(?:samordnare|controller|handläggare|strateg|sekreterare|direktör)(?:n|en|na)?\b"
    r"|\b(?:utsedd|utses|uppdrag(?:it|et)?\s+(?:till|åt))\b",
    _FLAGS,
)
# A year is a time plan ("får genomslag 2026", "internkontrollplanen för 2025"), but a
# full date or a year inside a registration number is a reference: the date of a decision
# ("Riktlinjerna för Inköp (KF 2021-03-09)"), of a letter ("daterat 2025-01-22") or a
# case ("SE-2024-00242"). Those count only after a word that sets a time ("senast
# 2025-06-30", "från 2025-01-01"). Over the sample corpus this differs from counting any
# year in 16 sentences, all letterheads, decision dates or case numbers; no time plan.
_YEAR = r"(?:19|20)\d{2}"
_TIME = re.compile(
    r"\b(?:under|senast|innan|före|inför|från|till|efter|i|för|per|våren|hösten|sommaren"
    rf"|vintern|början\s+av|slutet\s+av)\s+(?:\w+\s+)?{_YEAR}(?:-\d{{2}}(?:-\d{{2}})?)?\b"
    rf"|(?<![\w-]){_YEAR}\b(?!-\d)"
    r"|\b\d{1,2}/\d{1,2}(?:\s*[-/]\s*\d{2,4})?"
    rf"|\b(?:{MONTH_PATTERN})\b|\bkvartal\w*|\b[QT][1-4]\b|\btertial\w*|\bhalvår\w*|\bdelår\w*"
    r"|\bsenast\b|\binnan\b|\bfrån\s+och\s+med\b|\bfr\.\s?o\.\s?m\.?|\btill\s+och\s+med\b"
    r"|\bt\.\s?o\.\s?m\.?|\bårsskifte\w*|\b(?:våren|hösten|sommaren|vintern)\b"
    r"|\binom\s+(?:\w+\s+)?(?:vecka|veckor|månad\w*|år)\b|\bomgående\b|\btidsplan\w*"
    r"|\btidplan\w*|\bunder\s+(?:året|nästa\s+år|kommande\s+år)|\bsuccessiv\w*",
    _FLAGS,
)
_FOLLOW_UP = re.compile(
    r"\bfölj\w*\s+(?:\w+\s+){0,3}upp\b|\buppfölj\w*|\butvärder\w*|\beffekt\w*"
    r"|\båterrapport\w*|\brapportera\w*\s+till\b|\bintern\s*kontroll\w*|\binternkontroll\w*"
    r"|\begenkontroll\w*|\bmät(?:a|er|s|ning\w*)\b|\bindikator\w*|\bnyckeltal\w*"
    r"|\bavstämning\w*|\bredovisa\w*\s+(?:\w+\s+){0,2}(?:för|till)\s+nämnden\b"
    r"|\bfölj(?:a|er|s)\s+(?:\w+\s+){0,4}?(?:arbete\w*|utveckling\w*|fråga\w*)\b",
    _FLAGS,
)

# Keeping watch is follow-up, not a measure: "kommer noga att följa Arbetsförmedlingens
# fortsatta arbete", "avser att följa frågan", "tar med sig frågan i det fortsatta arbetet".
_WATCHING = re.compile(
    r"(?:\b(?:kommer|avser|ska(?:ll)?|vill)\s+(?:\w+\s+){0,2}?(?:att\s*)?)?"
    r"(?:\w+\s+){0,2}?\bfölj(?:a|er|s)\s+(?!upp\b)(?:\w+\s+){0,4}?"
    r"(?:arbete\w*|utveckling\w*|fråga\w*|område\w*|genomförande\w*|verksamhet\w*)\b"
    r"|(?:\b(?:kommer|avser|ska(?:ll)?)\s+(?:\w+\s+){0,2}?att\s*)?\bta\s+med\s+sig\s+"
    r"(?:\w+\s+){0,3}?(?:fråga\w*|synpunkt\w*|iakttagelse\w*|rekommendation\w*|"
    r"bedömning\w*|slutsats\w*)\b"
    r"|\bi\s+(?:det|sitt)\s+fortsatta\s+arbetet\b",
    _FLAGS,
)
# A measure only said to be possibly needed is no commitment: "det kan finnas behov av att
# se över bestämmelserna", "kan finnas skäl att genomföra ytterligare tillsyn".
_HEDGED = re.compile(
    r"\b(?:kan|skulle\s+kunna)\s+(?:det\s+)?(?:finnas|vara|föreligga)\s+(?:\w+\s+){0,2}?"
    r"(?:behov|skäl|anledning|motiverat|lämpligt|värdefullt)\b",
    _FLAGS,
)


def states_measure(sentence: str) -> bool:
    """Whether the sentence commits to a measure: a measure cue that is neither a hedge
    ("kan finnas behov av att se över") nor only keeping watch ("följa arbetet")."""
    if _HEDGED.search(sentence):
        return False
    return bool(_MEASURE.search(_WATCHING.sub(" ", sentence)))


ELEMENT_CUES: dict[ElementName, re.Pattern[str]] = {
    ElementName.STALLNINGSTAGANDE: re.compile(f"{_STANCE_CUES}|{_OPINION_CUES}", _FLAGS),
    ElementName.ATGARD: _MEASURE,
    ElementName.ANSVARIG: _RESPONSIBLE,
    ElementName.TIDPLAN: _TIME,
    ElementName.UPPFOLJNING: _FOLLOW_UP,
}
"""Cue phrases that mark a sentence as speaking to one element of an answer."""

# -- labels and acknowledgements --------------------------------------------------------

MEASURE_LABEL = re.compile(
    r"^(?:planerade?\s+|vidtagna\s+)?(?:åtgärd(?:er)?|åtgärdsplan)(?:\s+\w+){0,2}\s*:\s*(?=\S)",
    _FLAGS,
)
""""Åtgärd: …", "Planerade åtgärder: …": the reply itself labels what follows a measure."""

ELEMENT_LABELS: dict[ElementName, re.Pattern[str]] = {
    ElementName.ANSVARIG: re.compile(
        r"^(?:ansvarig\w*|ansvar)(?:\s+\w+){0,2}\s*:\s*(?=[^\W_])", _FLAGS
    ),
    ElementName.TIDPLAN: re.compile(r"^(?:tids?plan|klart(?:\s+senast)?)\s*:\s*(?=[^\W_])", _FLAGS),
    ElementName.UPPFOLJNING: re.compile(r"^uppföljning(?:\s+\w+){0,2}\s*:\s*(?=[^\W_])", _FLAGS),
}
"""Labels whose text names who, when or how, however short: "Ansvarig: Inköpschefen",
"Tidplan: 2025". (A measure must be stated: see MEASURE_LABEL.)"""

LEADING_LABEL = re.compile(r"^(?:\d{1,2}[.)]\s*)?[A-ZÅÄÖ][\wåäö]*(?:\s+[\wåäö]+){0,2}\s*:\s*")
"""Any short label opening a sentence: "Kommentar: …", "Rekommendation 3: …"."""

_ACKNOWLEDGING = r"\b(?:har\s+tagit\s+del\s+av|tagit\s+emot|har\s+mottagit|noterar|tackar\s+för)\b"
ACKNOWLEDGEMENT = re.compile(_ACKNOWLEDGING, _FLAGS)
"""Receiving a report is not answering it: "Nämnden har tagit del av rapporten",
"noterar rekommendationen", "tackar för granskningen"."""
_ACKNOWLEDGEMENT_CLAUSE = re.compile(rf"^.*?{_ACKNOWLEDGING}[^,;]*?(?:\s+och\s+|[,;]\s*|$)", _FLAGS)

# -- the auditors' words ----------------------------------------------------------------

# The audit and its authors, as the subject of a sentence (not genitive: "revisionens
# bedömning" is what a reply delar or not).
_AUDIT = re.compile(
    r"\b(?:\w*granskning\w*|\w*revision\w*|revisor\w*|\w*rapport\w*|EY|PwC|KPMG)\b", _FLAGS
)
_REPORTING = re.compile(
    r"\b(?:visa[rd]e?|bedöm\w*|konstater\w*|rekommend\w*|granska[dt]e?|syfte\w*|påvisa\w*"
    r"|pekar|lyfter|noterar|önska\w*|önskemål|begär\w*|översän\w*|framhåll\w*|föreslå\w*"
    r"|genomför(?:de|t)|ges|lämna[sr]?|beskriv\w*|redovisa[rs]?|baseras)\b",
    _FLAGS,
)
# A sentence that goes on reporting: "Den visar också …", "Bedömningen är …".
_CARRIED_REPORT = re.compile(
    r"^(?:Den|Det|Denna|Dessa|De|Vidare|Även|Bedömningen|Slutsatsen)\b"
    r"|\b(?:visar|pekar|bedömning\w*)\b"
)
# A recommendation or conclusion stated as the audit's: "X rekommenderas att …",
# "Riksrevisionen rekommenderar regeringen att …", "… huvudsakliga rekommendationer är att …".
_STATES_RECOMMENDATION = re.compile(
    r"\brekommendera(?:s|des)\b|\b\w*(?:revision\w*|revisor\w*|granskning\w*)\s+"
    r"(?:\w+\s+){0,2}rekommendera[rt]\b|\brekommendation\w*\s+(?:\w+\s+){0,3}(?:är|var)\s+att\b"
    # The audit's own conclusion: "Riksrevisionens övergripande slutsats är att …".
    r"|\b\w*(?:revision\w*|revisor\w*|granskning\w*)s\s+(?:\w+\s+){0,2}"
    r"(?:slutsats|bedömning|iakttagelse)\w*\s+(?:\w+\s+){0,3}(?:är|var)\s+att\b",
    _FLAGS,
)
# The audit itself opening the sentence as its subject: "Granskningen omfattar …".
_AUDIT_OPENS = re.compile(
    r"(?:i\s+)?(?:granskning(?:en|arna)?|rapport(?:en|erna)?|revision(?:en)?|"
    r"granskningsrapport(?:en)?|revisionsrapport(?:en)?|\w*revisionen|\w*revisorerna)\s+"
    r"(?!s\b)\w+",
    _FLAGS,
)
_WORD = re.compile(r"[^\W_]+")


def reports_audit(sentence: str, after_report: bool = False) -> bool:
    """Whether the sentence tells what the audit found or asked, rather than answering.

    "Granskningen visar att …", "Revisionen önskar svar …" are the auditors' words; so is
    a sentence that carries on such a report (`after_report`: the previous one was one).
    A sentence that also takes a position ("Nämnden delar revisionens bedömning") is the
    reply's own.
    """
    if STANCE.search(sentence):
        return False
    if _STATES_RECOMMENDATION.search(sentence):
        return True
    subjects = [w for w in _AUDIT.findall(sentence) if not w.lower().endswith("s")]
    if subjects and _REPORTING.search(sentence):
        return True
    if _AUDIT_OPENS.match(sentence):
        return True  # "Granskningen omfattar …", "Rapporten avser …": the audit described
    return after_report and bool(_CARRIED_REPORT.search(sentence))


def without_acknowledgement(sentence: str) -> str:
    """The sentence without a clause that only acknowledges the report."""
    if not ACKNOWLEDGEMENT.search(sentence):
        return sentence
    return _ACKNOWLEDGEMENT_CLAUSE.sub("", sentence)


def _words(text: str) -> list[str]:
    return _WORD.findall(text)


def detect_elements(
    text: str, *, words: Callable[[str], Sequence[str]] = _words
) -> dict[ElementName, bool]:
    """Which answer elements (position, measure, responsible, time, follow-up) `text` has.

    Sentences that only acknowledge the report ("har tagit del av") count for nothing,
    and so do fragments of fewer than MIN_STATEMENT_WORDS `words`; a statement after an
    "Åtgärd:" label counts as a measure, any text after "Ansvarig:", "Tidplan:" or
    "Uppföljning:" as that element. `words` splits a sentence into the words that
    say something: by default every word; a caller with a tokenizer that leaves out
    function words passes it, so that "Beslutet skickas till" is a fragment.
    """
    found: dict[ElementName, bool] = dict.fromkeys(ELEMENTS, False)
    paragraphs = re.split(r"\n\s*\n", text)
    for sentence in (s for p in paragraphs for s in split_sentences(" ".join(p.split()))):
        for name, element_label in ELEMENT_LABELS.items():
            found[name] = found[name] or bool(element_label.match(sentence))
        label = MEASURE_LABEL.match(sentence)
        sentence = sentence[label.end() :] if label else LEADING_LABEL.sub("", sentence, 1)
        sentence = without_acknowledgement(sentence)
        if len(words(sentence)) < MIN_STATEMENT_WORDS:
            continue
        if label:
            found[ElementName.ATGARD] = True
        for name in ELEMENTS:
            if name is ElementName.ATGARD:
                found[name] = found[name] or states_measure(sentence)
            else:
                found[name] = found[name] or bool(ELEMENT_CUES[name].search(sentence))
    return found
