"""Drafting a yttrande: one section per recommendation, built on how earlier replies answered.

The heart is precedent retrieval. Every reply in the store (yttrande, tjänsteskrivelse)
is read once per store generation: the recommendations it quotes are extracted and the
coverage check finds the passage that answers each one. A new recommendation is matched
against those earlier recommendations by e5 similarity, so a reply that answered a
similar recommendation ranks above a passage that merely shares words; plain hybrid
search over the replies fills up the list when too few such answers exist.

Without an LLM a section is a skeleton: the recommendation quoted, the five elements of
an answer (position, measures, responsible, time plan, follow-up) each with a
placeholder for the official and the most fitting sentences of the precedents, cited.
With an LLM the section is written from the precedents; any failure falls back to the
skeleton with a Swedish notice, and never raises.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from app.drafting.model import (
    Draft,
    DraftError,
    DraftStore,
    Heading,
    Precedent,
    Section,
    number_citations,
)
from app.llm.calls import failure_reason, stream_text, validate_citations
from app.llm.prompts import escape_material, load_prompt, truncate_tokens
from app.review.coverage import ELEMENTS, CoverageItem, CoverageReport, addressed_to, check_coverage
from ingest.errors import YttraError
from ingest.loaders import load_file
from ingest.metadata import infer_metadata
from ingest.models import Recommendation
from ingest.normalize import normalize_text
from ingest.recommendations import extract_recommendations
from ingest.tokens import count_tokens
from vectorstore.catalog import DocumentRecord, StoredChunk
from vectorstore.lexical import tokenize
from vectorstore.store import Hit, Store

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

log = logging.getLogger(__name__)

REPLY_TYPES = ("yttrande", "tjansteskrivelse")
"""Document types whose passages can be precedents."""
SIMILAR_RECOMMENDATION = 0.90
"""e5 similarity (both as queries) from which an earlier recommendation counts as similar.

Measured on the sample corpus: a recommendation against itself scores 0.99-1.0, against
the other recommendations of the same audit (same topic) 0.90-0.94, against those of
audits on other topics 0.86-0.89. Below this, an answer is no precedent for the topic.
"""
NEAR_EQUAL = 0.02
"""Precedents whose scores differ by at most this are ordered newest first."""
MAX_PRECEDENT_SENTENCES = 2
"""Precedent sentences shown under each element of a skeleton section."""
QUOTE_SHARE = 0.7
"""A sentence with this share of its words from a recommendation only repeats it."""
_CACHE_SIZE = 4

AUDITORS = ("Kommunrevisionen", "Revisorskollegiet", "Stadsrevisionen")
DEFAULT_AUDITORS = "Revisorerna"

ELEMENT_HEADINGS: dict[str, str] = {
    "ställningstagande": "Ställningstagande",
    "åtgärd": "Åtgärder",
    "ansvarig": "Ansvarig",
    "tidplan": "Tidplan",
    "uppföljning": "Uppföljning",
}
PLACEHOLDERS: dict[str, str] = {
    "ställningstagande": "[Ange om nämnden instämmer, instämmer delvis eller avvisar "
    "rekommendationen, och varför.]",
    "åtgärd": "[Beskriv vilka åtgärder som har vidtagits eller planeras.]",
    "ansvarig": "[Ange vilken förvaltning, enhet eller funktion som ansvarar för åtgärderna.]",
    "tidplan": "[Ange när åtgärderna påbörjas och när de ska vara genomförda.]",
    "uppföljning": "[Ange hur och när åtgärderna och deras effekt följs upp.]",
}
_FLAGS = re.IGNORECASE
_MONTHS = "januari|februari|mars|april|maj|juni|juli|augusti|september|oktober|november|december"
# Cue phrases that mark a sentence of an earlier answer as speaking to one element.
ELEMENT_CUES: dict[str, re.Pattern[str]] = {
    "ställningstagande": re.compile(
        r"\binstämm\w*|\bdela[rs]?\s+(?:\w+\s+){0,3}(?:bedömning|uppfattning|slutsats)\w*"
        r"|\bvälkomnar\b|\bavser\s+(?:därför\s+)?inte\b|\bhåller\s+(?:inte\s+)?med\b"
        r"|\bställer\s+sig\s+(?:\w+\s+)?(?:positiv|bakom)\w*|\bser\s+positivt\b|\bavvisar\b"
        r"|\bser\s+(?:inte|inget|inga)\s+(?:\w+\s+){0,2}(?:behov|skäl|anledning)",
        _FLAGS,
    ),
    "åtgärd": re.compile(
        r"\bska(?:ll)?\s+\w+|\bkommer\s+(?:\w+\s+)?att\b|\bhar\s+(?:\w+\s+){0,2}(?:infört|"
        r"tagit\s+fram|genomfört|uppdaterat|inrättat|påbörjat|förtydligat|reviderat)"
        r"|\buppdatera\w*|\bta\s+fram\b|\btas\s+fram\b|\binföra\b|\bförtydliga\w*"
        r"|\bimplementera\w*|\bpågår\b|\bplanera[rs]?\b|\bavser\s+(?:även\s+)?att\b",
        _FLAGS,
    ),
    "ansvarig": re.compile(
        r"\bansvar\w*|\b\w*förvaltning(?:en|ens)\b|\b\w*enhet(?:en|ens)\b|\b\w*chef(?:en|er)?\b"
        r"|\bfunktion(?:en)?\b|\bledningsgrupp\w*|\b\w*avdelning(?:en|ens)\b",
        _FLAGS,
    ),
    # A year alone is no time plan ("Riktlinjerna för Inköp (KF 2021-03-09)"); a year
    # after "under", "senast", "inför" … is.
    "tidplan": re.compile(
        r"\b(?:under|senast|innan|före|inför|från|till|efter|i|våren|hösten|sommaren"
        r"|början\s+av|slutet\s+av)\s+(?:\w+\s+)?(?:19|20)\d{2}\b|\b\d{1,2}/\d{1,2}\b"
        rf"|\bsenast\b|\bkvartal\w*|\b(?:{_MONTHS})\b|\btertial\w*|\bhalvår\w*"
        r"|\bårsskifte\w*|\btidsplan\w*|\btidplan\w*|\bfrån\s+och\s+med\b|\bsuccessiv\w*",
        _FLAGS,
    ),
    "uppföljning": re.compile(
        r"\bfölj\w*\s+(?:\w+\s+){0,3}upp\b|\buppfölj\w*|\butvärder\w*|\beffekt\w*"
        r"|\bintern\s*kontroll\w*|\begenkontroll\w*|\båterrapport\w*|\bmät(?:a|er|ning\w*)\b",
        _FLAGS,
    ),
}
# Sentence ends, list markers, and a label inside a line ("… avtalsuppföljning Åtgärd: …").
# Which element a sentence matching several cues is shown under: the most telling first.
ASSIGNMENT_ORDER = ("ställningstagande", "tidplan", "uppföljning", "ansvarig", "åtgärd")
_SENTENCE_SPLIT = re.compile(
    r"(?<=[.!?])\s+(?=[A-ZÅÄÖ0-9\"»(])|\s+[•►▪]\s+"
    r"|\s+(?=(?:Åtgärd(?:er)?|Svar|Kommentar|Ansvarig|Tidplan|Rekommendation)\s*:)"
)
_QUESTION_LABEL = re.compile(r"^(?:När|Vilk\w+|Hur|Vem|Vad)\b[^:]{5,300}:\s+(?=\S)")
_AUDIT_REPORT = re.compile(
    r"\b(?:\w*granskning\w*|revision\w*|revisor\w*|\w*rapport\w*)\b[^.]{0,80}"
    r"\b(?:visa[rd]e?|bedöm\w*|konstater\w*|rekommender\w*|pekar|påvisa\w*|framhåll\w*)\b",
    _FLAGS,
)
_LEADING_LABEL = re.compile(r"^(?:\d{1,2}[.)]\s*)?[A-ZÅÄÖ][\wåäö]*(?:\s+[\wåäö]+){0,2}\s*:\s+")
_NOTICE_LINE = re.compile(r"^\*Språkmodellen .*\*$")
_PRECEDENT_LINE = re.compile(r"^>\s*\*Prejudikat:\*")
_PLACEHOLDER_LINE = re.compile(r"^\[[^\]]*\]$")
_FENCE = re.compile(r"^```\w*\s*\n(.*?)\n```\s*$", re.DOTALL)
_NUMBER_WORDS = (
    "noll",
    "en",
    "två",
    "tre",
    "fyra",
    "fem",
    "sex",
    "sju",
    "åtta",
    "nio",
    "tio",
    "elva",
    "tolv",
)


# -- precedents -------------------------------------------------------------------------


@dataclass(frozen=True)
class AnsweredRecommendation:
    """A recommendation an earlier reply quotes, and the passage of the reply answering it."""

    recommendation: str
    answer: str
    """A verbatim stretch (spaces collapsed) of one stored chunk of the reply."""
    record: DocumentRecord
    chunk: StoredChunk


@dataclass(frozen=True)
class _AnswerIndex:
    answers: list[AnsweredRecommendation]
    vectors: np.ndarray
    """e5 query vectors of the earlier recommendations, one row per answer."""
    quoted: list[str]
    """Every recommendation the replies quote, answered or not: no precedent sentence."""


_index_cache: dict[tuple[str, str, int], _AnswerIndex] = {}
_index_lock = threading.Lock()


def _flat(text: str) -> str:
    return " ".join(text.split())


def _reply_text(record: DocumentRecord, chunks: Sequence[StoredChunk]) -> str:
    """The reply as loaded from its file when it is unchanged, else its stored chunks."""
    path = Path(record.path)
    if path.is_file():
        try:
            loaded = load_file(path, record.file)
            if loaded.sha256 == record.sha256:
                return loaded.text
        except YttraError as error:
            log.info("precedents: %s read from the index instead: %s", record.file, error)
    return "\n\n".join(chunk.text for chunk in chunks)


def _usable(item: CoverageItem) -> bool:
    """Whether the reply's passage is an answer, not just the quote of the recommendation."""
    if item.evidence is None:
        return False
    return item.status == "besvarad" or (item.status == "delvis" and any(item.elements.values()))


def _locate(evidence: str, chunks: Sequence[StoredChunk]) -> tuple[StoredChunk, str] | None:
    """The chunk holding most of the evidence, and the stretch of it the evidence spans."""
    sentences = [_flat(s) for s in re.split(r"\n\s*\n|(?<=[.!?])\s+", evidence)]
    sentences = [s for s in sentences if len(s.split()) >= 3]
    best: tuple[int, StoredChunk, str] | None = None
    for chunk in chunks:
        flat = _flat(chunk.text)
        spans = [(i, i + len(s)) for s in sentences if (i := flat.find(s)) >= 0]
        if spans and (best is None or len(spans) > best[0]):
            start, end = min(s for s, _ in spans), max(e for _, e in spans)
            best = (len(spans), chunk, flat[start:end])
    return (best[1], best[2]) if best else None


def answered_recommendations(store: Store) -> list[AnsweredRecommendation]:
    """Every (earlier recommendation, answer passage) the store's replies hold."""
    return _answer_index(store).answers


def _answer_index(store: Store) -> _AnswerIndex:
    """The replies' answered recommendations, built once per store generation."""
    key = (str(store.data_dir), store.embedder.name, store.generation())
    with _index_lock:
        cached = _index_cache.get(key)
        if cached is not None:
            return cached
        answers: list[AnsweredRecommendation] = []
        all_quoted: list[str] = []
        for record in store.documents():
            if record.metadata.doc_type not in REPLY_TYPES:
                continue
            chunks = store.document_chunks(record.doc_id)
            text = _reply_text(record, chunks)
            quoted = extract_recommendations(text)
            if not quoted:
                continue
            all_quoted.extend(r.text for r in quoted)
            seen: set[str] = set()
            for item in check_coverage(quoted, text, store.embedder, None).items:
                key_text = _flat(item.recommendation.text).casefold()
                if key_text in seen or not _usable(item):
                    continue
                assert item.evidence is not None
                located = _locate(item.evidence.text, chunks)
                if located is None:
                    continue
                seen.add(key_text)
                chunk, answer = located
                answers.append(
                    AnsweredRecommendation(item.recommendation.text, answer, record, chunk)
                )
        vectors = (
            store.embedder.embed_queries([a.recommendation for a in answers])
            if answers
            else np.zeros((0, 1))
        )
        index = _AnswerIndex(answers, np.asarray(vectors), list(dict.fromkeys(all_quoted)))
        if len(_index_cache) >= _CACHE_SIZE:
            _index_cache.pop(next(iter(_index_cache)))
        _index_cache[key] = index
        return index


def order_precedents(precedents: Sequence[Precedent]) -> list[Precedent]:
    """Best score first; among scores within NEAR_EQUAL of the best left, newest first."""
    remaining = sorted(precedents, key=lambda p: -p.score)
    ordered: list[Precedent] = []
    while remaining:
        top = remaining[0].score
        close = [p for p in remaining if top - p.score <= NEAR_EQUAL]
        chosen = max(close, key=lambda p: (p.date, p.score))
        remaining.remove(chosen)
        ordered.append(chosen)
    return ordered


def _answer_precedent(answered: AnsweredRecommendation, similarity: float) -> Precedent:
    meta = answered.record.metadata
    return Precedent(
        kind="svar",
        recommendation=answered.recommendation,
        answer=answered.answer,
        file=answered.record.file,
        title=meta.title,
        doc_type=meta.doc_type,
        date=meta.date,
        organ=meta.organ,
        diarienummer=meta.diarienummer,
        page=answered.chunk.page,
        section=answered.chunk.section,
        score=round(similarity, 4),
    )


def _hit_precedent(hit: Hit, score: float) -> Precedent:
    return Precedent(
        kind="text",
        recommendation="",
        answer=hit.text,
        file=hit.file,
        title=hit.title,
        doc_type=hit.doc_type,
        date=hit.date,
        organ=hit.organ,
        diarienummer=hit.diarienummer,
        page=hit.page,
        section=hit.section,
        score=round(score, 4),
    )


# -- text helpers -----------------------------------------------------------------------


def _capitalise(name: str) -> str:
    return name[:1].upper() + name[1:]


def _lower_first(title: str, context: str) -> str:
    """A title fit to follow "Yttrande över": common first words lower-cased.

    The first word is lower-cased when the document also uses it in lower case (so it is
    no name: "Granskning", not "Malmö"); an acronym is kept; a title in capitals is
    taken down to sentence case first.
    """
    if title.isupper():
        title = title[:1] + title[1:].lower()
    first = title.split(" ", 1)[0]
    if len(first) > 1 and first.isupper():
        return title
    if first[:1].isupper() and re.search(rf"\b{re.escape(first.lower())}\b", context):
        return first.lower() + title[len(first) :]
    return title


def find_auditors(audit_text: str) -> str:
    """The auditors' body as the audit names it most often, else "Revisorerna"."""
    counts = {
        name: len(re.findall(rf"\b{name.lower()}\w*", audit_text, re.IGNORECASE))
        for name in AUDITORS
    }
    best = max(AUDITORS, key=lambda name: counts[name])
    return best if counts[best] else DEFAULT_AUDITORS


def _count_words(number: int) -> str:
    return _NUMBER_WORDS[number] if number < len(_NUMBER_WORDS) else str(number)


def _sentences(text: str, known: Sequence[str] = ()) -> list[str]:
    """Whole sentences an earlier reply says itself, fit to quote as a precedent.

    List markers, "Åtgärd:" labels and the question a label answers ("När avser
    nämnden …: Successiv implementering …") are removed; sentences that repeat one of the
    `known` recommendations or report what the audit found are left out.
    """
    result = []
    for piece in _SENTENCE_SPLIT.split(_flat(text)):
        sentence = piece.strip().lstrip("•►▪-– ").strip()
        question = _QUESTION_LABEL.match(sentence)
        if question:
            sentence = sentence[question.end() :]
        sentence = _LEADING_LABEL.sub("", sentence)
        if not (30 <= len(sentence) <= 400 and len(sentence.split()) >= 5):
            continue
        if sentence[-1] not in ".!" or _reports_audit(sentence) or _repeats(sentence, known):
            continue
        result.append(sentence)
    return result


def _reports_audit(sentence: str) -> bool:
    """ "Granskningen visar att …": the auditors' findings, not the reply's answer."""
    return bool(_AUDIT_REPORT.search(sentence)) and not ELEMENT_CUES["ställningstagande"].search(
        sentence
    )


def _repeats(sentence: str, texts: Sequence[str]) -> bool:
    """Whether the sentence mostly repeats one of `texts` (a quoted recommendation)."""
    words = set(tokenize(sentence))
    if not words:
        return True
    return any(len(words & set(tokenize(t))) / len(words) >= QUOTE_SHARE for t in texts if t)


def quote_line(recommendation: Recommendation) -> str:
    """The recommendation as the Markdown quote that opens its section."""
    return f"> {_flat(recommendation.text)}"



def _clean_output(text: str) -> str:
    """The model's text without a code fence around it."""
    text = text.strip()
    fenced = _FENCE.match(text)
    return fenced.group(1).strip() if fenced else text


# -- the drafter ------------------------------------------------------------------------


class Drafter:
    """Drafts a yttrande for one body from an audit, section by section."""

    def __init__(
        self,
        store: Store,
        chat_model: BaseChatModel | None = None,
        *,
        drafts: DraftStore | None = None,
        timeout: float = 30.0,
        context_tokens: int = 6000,
        precedents_k: int = 5,
    ) -> None:
        self.store = store
        self.chat_model = chat_model
        self.drafts = drafts
        self.timeout = timeout
        self.context_tokens = context_tokens
        self.precedents_k = precedents_k

    # -- precedents -------------------------------------------------------------------

    def precedents(
        self, recommendation: Recommendation, exclude_files: Collection[str] = ()
    ) -> list[Precedent]:
        """Up to `precedents_k` passages of earlier replies to draft this answer from.

        Answers to similar recommendations ("svar") come first; passages of replies that
        are merely similar ("text") fill up the list.
        """
        excluded = set(exclude_files)
        index = _answer_index(self.store)
        query = self.store.embedder.embed_queries([recommendation.text])[0]
        found: dict[tuple[str, str], Precedent] = {}
        similarities = index.vectors @ query if index.answers else np.zeros(0)
        for answered, similarity in zip(index.answers, similarities, strict=True):
            if answered.record.file in excluded or similarity < SIMILAR_RECOMMENDATION:
                continue
            precedent = _answer_precedent(answered, float(similarity))
            key = (precedent.file, precedent.answer)
            if key not in found or found[key].score < precedent.score:
                found[key] = precedent
        answers = order_precedents(list(found.values()))[: self.precedents_k]
        missing = self.precedents_k - len(answers)
        if missing <= 0:
            return answers
        return answers + self._similar_passages(recommendation, query, excluded, answers, missing)

    def _similar_passages(
        self,
        recommendation: Recommendation,
        query: np.ndarray,
        excluded: set[str],
        answers: Sequence[Precedent],
        count: int,
    ) -> list[Precedent]:
        """Hybrid search hits from replies that say something of their own.

        A hit must hold a sentence taking a position or naming a measure that is not a
        quoted recommendation (lists of quoted recommendations and letterheads share
        words, but answer nothing). Hits are scored by the e5 similarity of their stored
        vector to the recommendation.
        """
        replies = {
            r.doc_id
            for r in self.store.documents()
            if r.metadata.doc_type in REPLY_TYPES and r.file not in excluded
        }
        if not replies:
            return []
        depth = max(60, count * 10)
        cosines = self.store.dense_similarities(query, depth, replies)
        known = [recommendation.text, *_answer_index(self.store).quoted]
        passages: list[Precedent] = []
        for hit in self.store.search(recommendation.text, k=depth):
            if hit.doc_type not in REPLY_TYPES or hit.file in excluded:
                continue
            flat = _flat(hit.text)
            if any(a.file == hit.file and a.answer in flat for a in answers):
                continue  # already shown as an answer
            if not any(
                ELEMENT_CUES["ställningstagande"].search(sentence)
                or ELEMENT_CUES["åtgärd"].search(sentence)
                for sentence in _sentences(hit.text, known)
            ):
                continue
            score = cosines.get(hit.chunk_id, min(cosines.values(), default=0.0))
            passages.append(_hit_precedent(hit, score))
        return order_precedents(passages)[:count]

    # -- whole drafts -----------------------------------------------------------------

    def create(
        self,
        audit_text: str,
        addressee: str,
        audit_file: str = "",
        exclude_files: Collection[str] = (),
    ) -> Draft:
        """A new draft answering every recommendation of the audit addressed to `addressee`."""
        addressee = " ".join(addressee.split())
        if not addressee:
            raise DraftError("Ange vilken nämnd eller styrelse som ska svara.")
        recommendations = self._recommendations_for(audit_text, addressee)
        title = infer_metadata(audit_text).title
        subject = _lower_first(title, audit_text) if title else "revisionens granskning"
        draft = Draft(
            id=Draft.new_id(),
            addressee=addressee,
            audit_file=audit_file,
            audit_title=title,
            heading=Heading(
                till=find_auditors(audit_text),
                datum=date.today().isoformat(),
                diarienummer="",
                arende=f"Yttrande över {subject}",
            ),
            decision=(
                f"{_capitalise(addressee)} föreslås besluta att anta yttrandet som sitt svar "
                "till revisorerna."
            ),
        )
        failure = ""
        for recommendation in recommendations:
            precedents = self.precedents(recommendation, exclude_files)
            section, failure = self._draft_section(
                addressee, recommendation, precedents, recommendations, failure
            )
            draft.sections.append(section)
        draft.summary = self._summary(addressee, title, recommendations, failure)
        if self.drafts is not None:
            self.drafts.save(draft)
        return draft

    def _recommendations_for(self, audit_text: str, addressee: str) -> list[Recommendation]:
        found = extract_recommendations(audit_text)
        if not found:
            raise DraftError("Inga rekommendationer hittades i granskningen.")
        chosen = [r for r in found if addressed_to(r, addressee)]
        if not chosen:
            generic = ("", "nämnden", "nämnderna", "styrelsen")
            chosen = [r for r in found if r.addressee.strip().casefold() in generic]
        if not chosen:
            named = sorted({r.addressee for r in found if r.addressee})
            raise DraftError(
                f"Granskningen innehåller inga rekommendationer till {addressee}. "
                f"Rekommendationerna riktas till: {', '.join(named)}."
            )
        unique: dict[str, Recommendation] = {}
        for recommendation in chosen:
            unique.setdefault(_flat(recommendation.text).casefold(), recommendation)
        return list(unique.values())

    def regenerate(self, draft: Draft, index: int) -> Section:
        """Draft section `index` again (the LLM sees the current text); the draft is unchanged.

        The section keeps its precedents, so its citations keep their meaning; it gets
        them anew only when it has none. The caller puts the section in and saves.
        """
        if not 0 <= index < len(draft.sections):
            raise DraftError(f"Utkastet har inget avsnitt nummer {index + 1}.")
        current = draft.sections[index]
        recommendation = current.recommendation
        others = [s.recommendation for s in draft.sections]
        precedents = current.precedents or self.precedents(recommendation)
        if self.chat_model is None:
            return self.skeleton(recommendation, precedents, others)
        body = "\n".join(
            line
            for line in current.text.splitlines()
            if line.strip() != quote_line(recommendation) and not _NOTICE_LINE.match(line)
        ).strip()
        try:
            prompt = self._section_prompt(
                "regenerate_section",
                draft.addressee,
                recommendation,
                precedents,
                current=escape_material(truncate_tokens(body, self.context_tokens // 4)),
            )
            return self._llm_section(recommendation, precedents, prompt)
        except Exception as error:  # the LLM boundary: any failure shows the skeleton
            log.warning("LLM section failed: %s", type(error).__name__)
            reason = failure_reason(error, self.timeout)
            return self._fallback(recommendation, precedents, others, reason)

    # -- sections ---------------------------------------------------------------------

    def _draft_section(
        self,
        addressee: str,
        recommendation: Recommendation,
        precedents: list[Precedent],
        others: Sequence[Recommendation],
        failure: str,
    ) -> tuple[Section, str]:
        """The section and the LLM's failure reason ("" when it worked or is not used).

        Once the LLM has failed, the remaining sections are skeletons at once: waiting
        out the timeout once per recommendation helps nobody.
        """
        if self.chat_model is None:
            return self.skeleton(recommendation, precedents, others), ""
        if failure:
            return self._fallback(recommendation, precedents, others, failure), failure
        try:
            prompt = self._section_prompt("draft_section", addressee, recommendation, precedents)
            return self._llm_section(recommendation, precedents, prompt), ""
        except Exception as error:  # the LLM boundary: any failure shows the skeleton
            log.warning("LLM section failed: %s", type(error).__name__)
            reason = failure_reason(error, self.timeout)
            return self._fallback(recommendation, precedents, others, reason), reason

    def skeleton(
        self,
        recommendation: Recommendation,
        precedents: Sequence[Precedent],
        others: Sequence[Recommendation] = (),
    ) -> Section:
        """A section without LLM: the five elements with placeholders and cited precedents.

        `others` are the audit's other recommendations: sentences repeating them are
        quotes, not answers, and are never offered as precedents.
        """
        chosen = self._element_sentences(recommendation, precedents, others)
        parts = [quote_line(recommendation)]
        for element in ELEMENTS:
            parts.append(f"**{ELEMENT_HEADINGS[element]}**")
            parts.append(PLACEHOLDERS[element])
            parts.extend(
                f'> *Prejudikat:* "{sentence}" [{number}]' for number, sentence in chosen[element]
            )
        return Section(recommendation, "\n\n".join(parts), list(precedents), "utkast", "mall")

    def _element_sentences(
        self,
        recommendation: Recommendation,
        precedents: Sequence[Precedent],
        others: Sequence[Recommendation],
    ) -> dict[str, list[tuple[int, str]]]:
        """Per element, up to two (precedent number, sentence) pairs, each sentence once.

        A sentence qualifies for an element by its cue phrases. Sentences rank by their
        precedent's score (an answer to the most similar recommendation leads), then by
        the idf-weighted share of the recommendation's words they contain.
        """
        known = [
            recommendation.text,
            *(r.text for r in others),
            *_answer_index(self.store).quoted,
        ]
        weights = self.store.idf(set(tokenize(recommendation.text)))
        total = sum(weights.values()) or 1.0
        candidates: list[tuple[float, int, str]] = []
        seen: set[str] = set()
        for number, precedent in enumerate(precedents, 1):
            base = precedent.score if precedent.kind == "svar" else precedent.score - 0.05
            for sentence in _sentences(precedent.answer, [*known, precedent.recommendation]):
                key = sentence.casefold()
                if key in seen:
                    continue
                seen.add(key)
                words = set(tokenize(sentence))
                overlap = sum(w for t, w in weights.items() if t in words) / total
                candidates.append((base + 0.1 * overlap, number, sentence))
        candidates.sort(key=lambda c: -c[0])
        chosen: dict[str, list[tuple[int, str]]] = {element: [] for element in ELEMENTS}
        used: set[str] = set()
        for element in ASSIGNMENT_ORDER:
            for _, number, sentence in candidates:
                if len(chosen[element]) == MAX_PRECEDENT_SENTENCES:
                    break
                if sentence not in used and ELEMENT_CUES[element].search(sentence):
                    chosen[element].append((number, sentence.replace('"', "'")))
                    used.add(sentence)
        return chosen

    def _fallback(
        self,
        recommendation: Recommendation,
        precedents: Sequence[Precedent],
        others: Sequence[Recommendation],
        reason: str,
    ) -> Section:
        section = self.skeleton(recommendation, precedents, others)
        section.text = f"*Språkmodellen {reason}; mallen visas i stället.*\n\n{section.text}"
        return section

    def _format_precedent(self, number: int, precedent: Precedent) -> str:
        about = ", ".join(
            p
            for p in (precedent.doc_type, precedent.diarienummer, precedent.date, precedent.organ)
            if p
        )
        header = f"Dokument: {escape_material(precedent.title or precedent.file)}"
        if about:
            header += f" ({escape_material(about)})"
        if precedent.kind == "svar":
            header += (
                "\nSvar på en liknande rekommendation: "
                f"{escape_material(_flat(precedent.recommendation))}\nSvaret:"
            )
        else:
            header += "\nLiknande text ur ett tidigare svar:"
        return (
            f"<<<KÄLLA {number}>>>\n{header}\n{escape_material(precedent.answer)}\n"
            f"<<<SLUT PÅ KÄLLA {number}>>>"
        )

    def _section_prompt(
        self,
        name: str,
        addressee: str,
        recommendation: Recommendation,
        precedents: Sequence[Precedent],
        **extra: str,
    ) -> str:
        """The prompt with as many precedents as fit the token budget, in order."""
        template = load_prompt(name)
        values = {
            "addressee": escape_material(addressee),
            "recommendation": escape_material(_flat(recommendation.text)),
            **extra,
        }
        # A small margin: token counts of parts do not quite add up to the whole's.
        room = self.context_tokens - count_tokens(template.render(precedents="", **values)) - 16
        blocks: list[str] = []
        for number, precedent in enumerate(precedents, 1):
            block = self._format_precedent(number, precedent)
            cost = count_tokens(block) + 2
            if cost > room:
                overhead = count_tokens(
                    self._format_precedent(number, replace(precedent, answer=""))
                )
                if blocks or room - overhead < 30:
                    break
                # Even the first precedent is too long: keep what fits of its answer.
                short = truncate_tokens(precedent.answer, room - overhead - 4)
                block = self._format_precedent(number, replace(precedent, answer=short))
                cost = count_tokens(block) + 2
            blocks.append(block)
            room -= cost
        while True:
            material = "\n\n".join(blocks) if blocks else "(Inga tidigare svar hittades.)"
            prompt = template.render(precedents=material, **values)
            if len(blocks) <= 1 or count_tokens(prompt) <= self.context_tokens:
                return prompt
            blocks.pop()

    def _complete(self, prompt: str) -> str:
        """The model's streamed reply; TimeoutError past the deadline."""
        from langchain_core.messages import HumanMessage

        assert self.chat_model is not None
        text = "".join(stream_text(self.chat_model, [HumanMessage(prompt)], self.timeout))
        return _clean_output(text)

    def _llm_section(
        self, recommendation: Recommendation, precedents: Sequence[Precedent], prompt: str
    ) -> Section:
        text = self._complete(prompt)
        cleaned, invalid = validate_citations(text, len(precedents))
        if invalid:
            log.info("dropped citations to precedents that do not exist")
        if not cleaned:
            raise ValueError("empty section")
        if not cleaned.startswith(quote_line(recommendation)):
            cleaned = f"{quote_line(recommendation)}\n\n{cleaned}"
        return Section(recommendation, cleaned, list(precedents), "utkast", "llm")

    # -- summary ----------------------------------------------------------------------

    def _summary(
        self,
        addressee: str,
        title: str,
        recommendations: Sequence[Recommendation],
        failure: str,
    ) -> str:
        skeleton = self.skeleton_summary(addressee, title, len(recommendations))
        if self.chat_model is None:
            return skeleton
        if not failure:
            try:
                listed = "\n".join(
                    f"{n}. {escape_material(_flat(r.text))}"
                    for n, r in enumerate(recommendations, 1)
                )
                prompt = load_prompt("draft_summary").render(
                    addressee=escape_material(addressee),
                    title=escape_material(title or "revisionens granskning"),
                    recommendations=listed,
                )
                text, _ = validate_citations(self._complete(prompt), 0)
                if text:
                    return text
                failure = "gav ett tomt svar"
            except Exception as error:  # the LLM boundary: any failure shows the skeleton
                log.warning("LLM summary failed: %s", type(error).__name__)
                failure = failure_reason(error, self.timeout)
        return f"*Språkmodellen {failure}; mallen visas i stället.*\n\n{skeleton}"

    @staticmethod
    def skeleton_summary(addressee: str, title: str, count: int) -> str:
        """The summary without LLM: receipt of the audit and how the reply is laid out."""
        subject = "revisionens granskning"
        if title:
            about = re.sub(r"^(?:en\s+)?granskning\s+av\s+", "", title, flags=re.IGNORECASE)
            subject += f" av {about}" if about != title else f" ”{title}”"
        noun = "rekommendation" if count == 1 else "rekommendationer"
        return (
            f"{_capitalise(addressee)} har tagit del av {subject} och lämnar följande "
            f"yttrande. Granskningen innehåller {_count_words(count)} {noun} till "
            f"{addressee}, som besvaras var för sig nedan. "
            "[Ange nämndens sammanfattande inställning till granskningen.]"
        )

    # -- the whole text ---------------------------------------------------------------

    def assemble(self, draft: Draft) -> str:
        """The whole yttrande in Markdown, citations numbered across the document."""
        return self._assemble(draft, for_check=False)

    def _assemble(self, draft: Draft, *, for_check: bool) -> str:
        citations = number_citations(draft)
        heading = draft.heading
        parts = [
            "# Yttrande",
            f"**Till:** {heading.till or DEFAULT_AUDITORS}",
            f"**Datum:** {heading.datum or '[Ange datum.]'}",
            f"**Diarienummer:** {heading.diarienummer or '[Ange diarienummer.]'}",
            f"**Ärende:** {heading.arende or '[Ange ärendet.]'}",
            "## Sammanfattning",
            draft.summary.strip() or "[Skriv en sammanfattning.]",
            "## Yttrande",
        ]
        for number, (section, text) in enumerate(
            zip(draft.sections, citations.texts, strict=True), 1
        ):
            parts.append(f"### Rekommendation {number}")
            quote = quote_line(section.recommendation)
            if quote not in (line.strip() for line in text.splitlines()):
                parts.append(quote)
            body = text.strip()
            if for_check:
                body = _own_text(body)
            if body:
                parts.append(body)
        parts += ["## Förslag till beslut", draft.decision.strip() or "[Ange förslag till beslut.]"]
        for role in ("Ordförande", "Förvaltningsdirektör"):
            parts += [role, "." * 40, "[Namn]"]
        if citations.sources and not for_check:
            parts.append("## Källor")
            parts.append(
                "\n".join(f"[{n}] {p.reference()}  " for n, p in enumerate(citations.sources, 1))
            )
        return "\n\n".join(parts) + "\n"

    def check(self, draft: Draft) -> CoverageReport:
        """How the assembled yttrande covers the draft's recommendations.

        The text checked is what the body itself says: quotes of precedents, unfilled
        placeholders and LLM notices are left out, so a skeleton reads as "delvis"
        (the recommendation quoted, its answer still to be written), never "besvarad"
        on the strength of another reply's sentences.
        """
        text = normalize_text(self._assemble(draft, for_check=True))
        return check_coverage(
            [s.recommendation for s in draft.sections], text, self.store.embedder, None
        )


def _own_text(body: str) -> str:
    """A section's text without precedent quotes, bare placeholders and notices."""
    kept = [
        line
        for line in body.splitlines()
        if not (
            _PRECEDENT_LINE.match(line.strip())
            or _PLACEHOLDER_LINE.match(line.strip())
            or _NOTICE_LINE.match(line.strip())
        )
    ]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()
