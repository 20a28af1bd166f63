"""Property tests: random and audit-shaped input through every text step of ingestion.

Decoding, normalising, metadata, chunking and recommendation extraction must take any
input without raising or hanging, and keep a few cheap promises (nothing dropped by
chunking, extracted recommendations quoted from the text, one-line reasons on refusal).
"""

from __future__ import annotations

import io
import re
import tempfile
from pathlib import Path

import docx
import pytest
from fpdf import FPDF
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.chunking import ChunkingConfig, chunk_text
from ingest.errors import IngestError
from ingest.loaders import decode_bytes, load_file
from ingest.metadata import DOC_TYPES, MAX_TITLE, infer_metadata
from ingest.normalize import normalize_text
from ingest.recommendations import extract_recommendations, recommendation_id
from ingest.tokens import count_tokens

# A fixed profile: the same examples on every run (no flaky CI), nothing written to the
# repository, and a per-example deadline that turns a hang or a quadratic blow-up into a
# failure. Example counts keep the whole file to well under a minute on two cores.
settings.register_profile(
    "ingest-properties",
    derandomize=True,
    database=None,
    deadline=5000,
    max_examples=60,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
PROFILE = settings.get_profile("ingest-properties")

pytestmark = pytest.mark.timeout(300)

_PAGE_MARKER = re.compile(r"<!-- sida \d+ -->")
# The reasons a file's content can be refused for; a library's message is never one.
_REFUSALS = re.compile(
    r"PDF-filen (?:är skadad och går inte att läsa|är ofullständig \(.*\)|är lösenordsskyddad"
    r"|saknar textlager.*|har inga sidor|är krypterad .*)"
    r"|filen (?:är tom|är inte ett giltigt Word-dokument \(\.docx\).*|innehåller ingen text"
    r"|är (?:en|ett) .+, inte (?:en|ett) .*)"
    r"|ser ut som en binärfil, inte text|misstänkt zip-bomb: .*"
)
# What a technical error message or a Python repr looks like; never part of a reason.
_TECHNICAL = re.compile(r"Error\b|Exception|Traceback|\\x[0-9a-f]{2}|\bb'|<[a-z_.]+ object")
_WORD = re.compile(r"[^\W_]+")

# --- strategies -----------------------------------------------------------------------

# Any code point, lone surrogates included: PDF text layers are not always valid Unicode.
any_char = st.characters(exclude_categories=())
odd_unicode = st.sampled_from(
    [
        "\u00a0", "\u00ad", "\u200b", "\ufeff", "\u2028", "\x0c", "\x00", "\r\n", "\r",
        "ﬁ", "A\u030a", "o\u0308", "\uf0b7", "\u202e", "😀", "\ud800", "\t", "…",
    ]
)
word = st.one_of(
    st.sampled_from(
        [
            "nämnden", "Kommunstyrelsen", "säkerställa", "rutiner", "för", "att", "och",
            "uppföljning", "internkontroll", "Arbetsmarknads-", "bör", "tydliggöra",
            "upphandling", "IT-", "e-", "ansvar", "granskningen", "revisorerna", "2023",
            "Åtgärd", "ÖVERSIKT", "§", "(", ")", "...", "–", ",", ".", ":",
        ]
    ),
    st.text(alphabet="abcdefåäöABCÅÄÖ0123456789", min_size=1, max_size=12),
)
sentence = st.lists(word, min_size=1, max_size=25).map(" ".join).map(lambda s: s + ".")
diarienummer = st.one_of(
    st.builds(
        "{}-{}-{:05d}".format,
        st.sampled_from(["KS", "KF", "SN", "ÅN", "KUN"]),
        st.integers(1990, 2030),
        st.integers(0, 99999),
    ),
    st.builds("Rev/{:05d}-{}".format, st.integers(0, 99999), st.integers(1990, 2030)),
)
a_date = st.one_of(
    st.dates().map(lambda d: d.isoformat()),
    st.builds(
        "{} {} {}".format,
        st.integers(0, 40),
        st.sampled_from(["januari", "mars", "april", "december", "Maj"]),
        st.integers(1890, 2110),
    ),
)
heading = st.one_of(
    st.builds("{} {}".format, st.sampled_from(["#", "##", "###", "####"]), sentence),
    st.builds("{}. {}".format, st.integers(1, 12), word),
    st.builds("{}.{} {}".format, st.integers(1, 9), st.integers(1, 9), word),
    st.sampled_from(["YTTRANDE", "Tjänsteskrivelse", "Revisionsrapport 2023", "Sammanfattning"]),
    st.builds("**{}**".format, sentence),
)
bullet = st.builds("{} {}".format, st.sampled_from(["►", "•", "-", "–", "*", "1.", "a)", "o"]),
                   sentence)
recommendation = st.one_of(
    st.builds("Rekommendation {}: {}".format, st.integers(0, 120), sentence),
    st.builds(
        "{} rekommenderas att:\n{}".format,
        st.sampled_from(["Kommunstyrelsen", "Nämnden för Service", "Socialnämnden och KS"]),
        st.lists(bullet, min_size=1, max_size=5).map("\n".join),
    ),
    st.builds("Vi rekommenderar {} att {}".format, word, sentence),
)
line = st.one_of(
    sentence,
    heading,
    bullet,
    recommendation,
    st.builds("Diarienummer: {}".format, diarienummer),
    st.builds("Dnr {} {}".format, diarienummer, sentence),
    st.builds("Datum {}".format, a_date),
    a_date,
    st.builds("<!-- sida {} -->".format, st.integers(0, 9_999_999)),
    st.builds("{} ({})".format, st.integers(1, 40), st.integers(1, 40)),
    st.builds("{}-".format, word),  # a word hyphenated at the line end
    st.builds("{} | {} | {}".format, word, word, word),
    sentence.map(lambda s: s * 60),  # a long line
    st.builds(lambda w, n: (w + " ") * n, word, st.integers(50, 400)),
    st.text(alphabet=".-–•►*#|: \t", min_size=50, max_size=3000),  # punctuation runs
    odd_unicode,
    st.text(any_char, max_size=40),
)
# Arbitrary text, short and long (left alone, generated text stays short).
arbitrary_text = st.one_of(
    st.text(any_char, max_size=100), st.text(any_char, min_size=500, max_size=4000)
)
audit_text = st.lists(
    st.tuples(line, st.sampled_from(["\n", "\n\n", "\n\n\n", "  ", "\n   "])),
    max_size=60,
).map(lambda parts: "".join(text + gap for text, gap in parts))


def _alnum(text: str) -> str:
    return "".join(char for char in text if char.isalnum())


# --- decoding -------------------------------------------------------------------------


@settings(PROFILE, max_examples=200)
@given(st.binary(max_size=4000))
def test_random_bytes_decode_to_one_of_the_three_encodings(data: bytes) -> None:
    text = decode_bytes(data)
    try:
        expected = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        candidates = {data.decode("latin-1")}
        if data.startswith(b"\xef\xbb\xbf"):
            candidates.add(data[3:].decode("utf-8", errors="replace"))
        try:
            candidates.add(data.decode("cp1252"))
        except UnicodeDecodeError:
            pass
        assert text in candidates
    else:
        assert text == expected


@PROFILE
@given(
    st.text(alphabet="abcåäöÅÄÖéü–”€ \n.,", max_size=500),
    st.sampled_from(["cp1252", "latin-1"]),
)
def test_swedish_text_from_old_windows_tools_decodes_back(text: str, encoding: str) -> None:
    if encoding == "latin-1":
        text = text.replace("–", "-").replace("”", '"').replace("€", "E")
    data = text.encode(encoding)
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        assert decode_bytes(data) == text
    else:  # pure ASCII, or a rare byte sequence that is also valid UTF-8
        assert decode_bytes(data) == data.decode("utf-8")


# --- loading random files -------------------------------------------------------------


def _sample_pdf() -> bytes:
    pdf = FPDF()
    pdf.set_font("Helvetica", size=11)
    for number in range(2):
        pdf.add_page()
        pdf.cell(0, 8, f"Sida {number + 1}: Kommunstyrelsen rekommenderas att se över rutinerna.")
    return bytes(pdf.output())


def _sample_docx() -> bytes:
    document = docx.Document()
    document.add_heading("Yttrande", level=1)
    document.add_paragraph("Nämnden instämmer i revisorernas bedömning.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


SAMPLE_PDF = _sample_pdf()
SAMPLE_DOCX = _sample_docx()


@st.composite
def damaged(draw: st.DrawFn, original: bytes) -> bytes:
    """A real file cut short, overwritten in places, or with junk inserted."""
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 6))):
        position = draw(st.integers(0, max(len(data) - 1, 0)))
        action = draw(st.sampled_from(["cut", "overwrite", "insert"]))
        chunk = draw(st.binary(min_size=1, max_size=64))
        if action == "cut":
            del data[position:]
        elif action == "overwrite":
            data[position : position + len(chunk)] = chunk
        else:
            data[position:position] = chunk
    return bytes(data)


def _load_bytes(data: bytes, name: str) -> None:
    """Load bytes saved under `name`: a document or an IngestError with a one-line reason."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        try:
            doc = load_file(path, name, max_bytes=1024 * 1024)
        except IngestError as error:
            assert error.reason and "\n" not in error.reason, repr(error.reason)
            assert not _TECHNICAL.search(error.reason), error.reason
            assert _REFUSALS.fullmatch(error.reason), error.reason
        else:
            assert doc.format in {"pdf", "docx", "txt", "md"}
            assert doc.text.strip() and doc.text == normalize_text(doc.text)


@settings(PROFILE, max_examples=150)
@given(
    st.one_of(st.binary(max_size=3000), damaged(SAMPLE_PDF), damaged(SAMPLE_DOCX)),
    st.sampled_from(["fil.txt", "fil.md", "fil.pdf", "fil.docx"]),
)
def test_random_and_damaged_files_load_or_are_refused_in_one_line(data: bytes, name: str) -> None:
    _load_bytes(data, name)


# --- normalising ----------------------------------------------------------------------


@settings(PROFILE, max_examples=300)
@given(st.one_of(arbitrary_text, audit_text))
def test_normalised_text_is_tidy_and_storable(text: str) -> None:
    out = normalize_text(text)
    out.encode("utf-8")  # no lone surrogates: the catalog stores UTF-8
    assert "\r" not in out and "\x00" not in out and "\n\n\n" not in out
    assert out == out.strip("\n")
    assert all(line == line.rstrip() for line in out.split("\n"))


# --- the text steps after loading -----------------------------------------------------

CONFIG = ChunkingConfig(max_tokens=120, min_tokens=20)


def _check_metadata(text: str) -> None:
    meta = infer_metadata(text)
    flat = " ".join(text.split())
    assert meta.doc_type in DOC_TYPES
    assert meta.date == "" or (
        re.fullmatch(r"(?:19|20)\d\d-\d\d-\d\d", meta.date) and meta.year is not None
    )
    assert len(meta.title) <= MAX_TITLE and "\n" not in meta.title
    for number in filter(None, (meta.diarienummer, *meta.refers_to)):
        assert number in flat, number
    assert meta.diarienummer not in meta.refers_to
    assert len(meta.organs) <= 3 and all(o and "\n" not in o for o in meta.organs)


def _check_chunks(text: str) -> None:
    chunks = chunk_text(text, CONFIG)
    assert [chunk.ordinal for chunk in chunks] == list(range(len(chunks)))
    pages = {int(n) for n in re.findall(r"<!-- sida (\d+) -->", text)}
    for chunk in chunks:
        assert chunk.text and chunk.text == chunk.text.strip()
        assert chunk.token_count == count_tokens(chunk.text)
        assert chunk.section == " > ".join(chunk.headings)
        assert chunk.page is None or chunk.page in pages
    # Nothing is lost: every word of the text is in a chunk or in a heading path. Only a
    # run without spaces too long for half a hard-split window may be cut in two.
    haystack = " ".join(c.text + " " + c.section for c in chunks).casefold()
    for run in _PAGE_MARKER.sub(" ", text).split():
        if count_tokens(run) <= 8:
            for found in _WORD.finditer(run):
                assert found[0].casefold() in haystack, found[0]


def _check_recommendations(text: str) -> None:
    recommendations = extract_recommendations(text)
    source = _alnum(_PAGE_MARKER.sub(" ", text))
    for rec in recommendations:
        assert rec.text and rec.text == rec.text.strip() and "\n" not in rec.text
        # Quoted from the text: lines joined, hyphenation undone, markers and labels left
        # out, but no word made up.
        for found in _WORD.finditer(rec.text):
            assert found[0] in source, (found[0], rec.text)
        assert rec.id == recommendation_id(rec.text, rec.addressee)
    assert len({rec.id for rec in recommendations}) == len(recommendations)


@settings(PROFILE, max_examples=400)
@given(audit_text)
def test_audit_shaped_text_through_every_step(raw: str) -> None:
    text = normalize_text(raw)
    _check_metadata(text)
    _check_chunks(text)
    _check_recommendations(text)


@settings(PROFILE, max_examples=150)
@given(arbitrary_text)
def test_arbitrary_text_through_every_step(raw: str) -> None:
    text = normalize_text(raw)
    _check_metadata(text)
    _check_chunks(text)
    _check_recommendations(text)
