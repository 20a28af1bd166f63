"""Recommendation extraction must not depend on how a list of recommendations is written.

For each gold document whose recommendations form a list under a lead-in, its gold
recommendations are written out again in every shape officials meet (bullet glyphs,
numbers and letters, wrapped lines, a page break inside an item, sub-headings, Word lists
and tables, a PDF exported from Word, a one-line transcript, labelled items) after a lead-in
that names the addressee, with ordinary prose around them. Every shape must give the gold
list back: the same count, each gold item matched as `bench/recommendations.py` matches.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import docx
import pypdf
import pytest
from docx.enum.section import WD_SECTION
from docx.enum.text import WD_BREAK
from docx.oxml.ns import qn
from pypdf.generic import ContentStream

from app.drafting.docx import add_field
from bench.recommendations import Gold, match
from ingest.loaders import load_file
from ingest.recommendations import extract_recommendations
from ingest.text.pages import PAGE_MARKER

REPO = Path(__file__).resolve().parents[2]
GOLD_FILE = REPO / "tests" / "fixtures" / "eval" / "recommendations.jsonl"

LISTED = (
    "malmo/000_c0504a5b2df80e7c.txt",
    "malmo/001_74f6e0640af84ef9.txt",
    "malmo/002_84b9857ad2ff5a6d.txt",
    "kungsbacka/009_kungsbacka-kultur-foreningsbidrag-jav-tjansteskrivelse-svar.txt",
    "kungsbacka/010_kungsbacka-revision-foreningsbidrag-hyressubventioner-jav-granskning.txt",
    "kungsbacka/011_kungsbacka-service-upphandling-oegentligheter-tjansteskrivelse.txt",
    "kungsbacka/012_kungsbacka-service-upphandling-oegentligheter-yttrande.txt",
    "kungsbacka/014_kungsbacka-revision-upphandling-oegentligheter-granskning.txt",
    "other/016_huddinge-ks-manuella-utbetalningar-svar-pa-revisionsskrivelse.txt",
    "riksrevisionen/200_riksrevisionen-rir-2018-35-uhr-uka-myndighetsreformen-rekommendationer.txt",
    "riksrevisionen/201_regeringen-skr-2018-19-109-uhr-uka-myndighetsreformen-skrivelse.txt",
    "riksrevisionen/202_riksrevisionen-rir-2019-6-skolinspektionens-uppfoljning-rekommendationer.txt",
    "riksrevisionen/204_riksrevisionen-rir-2019-13-grundsarskolans-kunskapsuppdrag-rekommendationer.txt",
    "riksrevisionen/205_regeringen-skr-2019-20-39-grundsarskolans-kunskapsuppdrag-skrivelse.txt",
    "riksrevisionen/206_riksrevisionen-rir-2020-4-holdingbolag-larosatena-rekommendationer.txt",
    "riksrevisionen/208_riksrevisionen-rir-2020-30-effektutvarderingar-naringspolitiken-rekommendationer.txt",
    "riksrevisionen/209_regeringen-skr-2020-21-178-effektutvarderingar-naringspolitiken-skrivelse.txt",
    "riksrevisionen/210_riksrevisionen-rir-2021-5-statliga-myndigheters-fou-verksamhet-rekommendationer.txt",
    "kungsbacka/232_kungsbacka-ey-stiftelsen-tjoloholm-lekmannarevision-granskningsredogorelse-2023.txt",
    "riksrevisionen/219_regeringen-skr-2019-20-162-undantag-fran-skolplikten-skrivelse.txt",
    "riksrevisionen/220_regeringen-skr-2022-23-12-tillsyn-apotek-partihandel-skrivelse.txt",
)
"""Gold documents whose recommendations are itemised (a list, labels or headings under a
lead-in). The others state theirs only in running prose ("Riksrevisionen rekommenderar
vidare att ..."), which has no list shape to vary."""

WRAP = 70
"""Line width of wrapped shapes, as in a PDF text layer or a plain-text e-mail."""

PROSE_BEFORE = (
    "Granskningen har genomförts på uppdrag av de förtroendevalda revisorerna. Vår samlade "
    "bedömning är att arbetet i huvudsak bedrivs ändamålsenligt, men att styrningen och "
    "uppföljningen behöver utvecklas inom flera områden."
)
PROSE_AFTER = (
    "Revisorerna önskar ett svar på granskningen senast den 30 april. Svaret bör innehålla "
    "en tidsplan för de åtgärder som planeras."
)
HEADER = "Kommunrevisionen i Exempelstad"
"""A page header that repeats on every page, as letterheads do."""


@dataclass(frozen=True)
class Group:
    """The recommendations to one addressee, in gold order."""

    addressee: str
    texts: tuple[str, ...]


@dataclass(frozen=True)
class Case:
    file: str
    gold: tuple[Gold, ...]

    @property
    def groups(self) -> list[Group]:
        order: dict[str, list[str]] = {}
        for item in self.gold:
            order.setdefault(item.addressee, []).append(item.text)
        return [Group(addressee, tuple(texts)) for addressee, texts in order.items()]

    @property
    def number(self) -> str:
        """The document's number in the sample corpus ("204")."""
        return self.file.split("/")[-1][:3]

    @property
    def short(self) -> str:
        return self.file.split("/")[-1][:24]


def _load_cases() -> list[Case]:
    entries = {
        entry["file"]: entry
        for entry in map(json.loads, GOLD_FILE.read_text(encoding="utf-8").splitlines())
    }
    return [
        Case(
            file,
            tuple(Gold(r["addressee"], r["text"]) for r in entries[file]["recommendations"]),
        )
        for file in LISTED
    ]


CASES = _load_cases()

# ------------------------------------------------------------------ lead-ins


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def _active(addressee: str) -> list[str]:
    return [f"Vi rekommenderar {addressee} att:"]


def _passive(addressee: str) -> list[str]:
    return [f"{_upper_first(addressee)} rekommenderas att:"]


def _headed(addressee: str) -> list[str]:
    return ["## Rekommendationer", f"Vi rekommenderar {addressee} att:"]


LEAD_INS: dict[str, Callable[[str], list[str]]] = {
    "active": _active,
    "passive": _passive,
    "heading": _headed,
}
"""Each lead-in as paragraphs (a heading and a sentence are two)."""

# ------------------------------------------------------------------ text shapes

Items = Callable[[Sequence[str]], list[str]]
"""Writes the items of one list as paragraphs (each may hold several lines)."""


def _marked(marker: Callable[[int], str], wrap: bool = False, indent: str = "") -> Items:
    def write(texts: Sequence[str]) -> list[str]:
        lines: list[str] = []
        for number, text in enumerate(texts, 1):
            opening = f"{indent}{marker(number)}"
            if not wrap:
                lines.append(opening + text)
                continue
            wrapped = textwrap.wrap(text, WRAP - len(opening))
            lines.append(opening + wrapped[0])
            lines.extend(wrapped[1:])  # continuation lines start at the margin
        return ["\n".join(lines)]

    return write


def _glyph(glyph: str) -> Callable[[int], str]:
    return lambda _number: f"{glyph} "


GLYPHS = {
    "bullet": "•",
    "triangle": "►",
    "small-square": "▪",
    "white-bullet": "◦",
    "square": "■",
    "black-circle": "●",
    "en-dash": "–",
    "hyphen": "-",
    "minus": "−",
    "asterisk": "*",
    "escaped-hyphen": "\\-",
    "word-symbol": "\uf0b7",
}

ITEM_SHAPES: dict[str, Items] = {
    **{f"glyph-{name}": _marked(_glyph(glyph)) for name, glyph in GLYPHS.items()},
    **{
        f"glyph-{name}-wrapped": _marked(_glyph(glyph), wrap=True)
        for name, glyph in GLYPHS.items()
    },
    "lost-glyph": _marked(lambda _number: "", indent="  "),
    "lost-glyph-wrapped": _marked(lambda _number: "", wrap=True, indent="  "),
    "number-dot": _marked(lambda number: f"{number}. "),
    "number-paren": _marked(lambda number: f"{number}) "),
    "number-parens": _marked(lambda number: f"({number}) "),
    "letter-paren": _marked(lambda number: f"{'abcdefgh'[number - 1]}) "),
    "letter-dot": _marked(lambda number: f"{'abcdefgh'[number - 1]}. "),
    "number-dot-wrapped": _marked(lambda number: f"{number}. ", wrap=True),
    "letter-paren-wrapped": _marked(lambda number: f"{'abcdefgh'[number - 1]}) ", wrap=True),
}


def _document(case: Case, lead_in: str, items: Items, between: Sequence[str] = ()) -> str:
    """Prose, then per addressee a lead-in, optional sub-headings and the items, then prose."""
    paragraphs = [PROSE_BEFORE]
    for group in case.groups:
        paragraphs += LEAD_INS[lead_in](group.addressee)
        paragraphs += between
        paragraphs += items(group.texts)
    paragraphs.append(PROSE_AFTER)
    return "\n\n".join(paragraphs) + "\n"


def _labelled(case: Case, lead_in: str) -> str:
    """"Rekommendation 1: ..." lines under the lead-in."""
    return _document(
        case,
        lead_in,
        lambda texts: [f"Rekommendation {n}: {text}" for n, text in enumerate(texts, 1)],
    )


ANSWERS = (
    "Åtgärd: Förvaltningen ser över rutinen och rapporterar till nämnden under hösten.",
    "Nämndens ställningstagande: Nämnden delar revisorernas bedömning och har gett "
    "förvaltningen i uppdrag att återkomma med en plan.",
)


def _labelled_with_answers(case: Case, lead_in: str) -> str:
    """"1. Rekommendation: ..." each followed by the reply's answer, which is no part of it."""

    def items(texts: Sequence[str]) -> list[str]:
        paragraphs: list[str] = []
        for number, text in enumerate(texts, 1):
            paragraphs.append(f"{number}. Rekommendation: {text}")
            paragraphs.append(ANSWERS[number % len(ANSWERS)])
        return paragraphs

    return _document(case, lead_in, items)


def _one_line(separator: str) -> Callable[[Case, str], str]:
    """The lead-in and its list on one line, as a transcript or a flattened PDF gives it."""

    def write(case: Case, lead_in: str) -> str:
        lines = [PROSE_BEFORE]
        for group in case.groups:
            lead = " ".join(part.lstrip("# ") for part in LEAD_INS[lead_in](group.addressee))
            items = "".join(f" {separator}{text}" for text in group.texts)
            lines.append(f"{lead}{items}{'' if items.endswith('.') else '.'}")
        lines.append(PROSE_AFTER)
        return "\n\n".join(lines) + "\n"

    return write


def _break_point(texts: Sequence[str]) -> tuple[int, int] | None:
    """(item, word) where the longest item can break across a page: before a lower-case
    word past its middle, as a page break falls inside a sentence."""
    longest = max(range(len(texts)), key=lambda i: len(texts[i]))
    words = texts[longest].split()
    for position in range(max(2, len(words) // 2), len(words)):
        if words[position][:1].islower():
            return longest, position
    return None


def _across_pages(case: Case, lead_in: str) -> str:
    """Wrapped items, one of them broken by a page footer, a page marker and a header."""
    pages = 2
    page = 1
    lines = [HEADER, "", PROSE_BEFORE, ""]
    broken = False
    for group in case.groups:
        for paragraph in LEAD_INS[lead_in](group.addressee):
            lines += [paragraph, ""]
        point = None if broken else _break_point(group.texts)
        for index, text in enumerate(group.texts):
            if point is not None and index == point[0]:
                words = text.split()
                head, tail = " ".join(words[: point[1]]), " ".join(words[point[1] :])
                lines += textwrap.wrap(f"• {head}", WRAP)
                lines += ["", f"Sida {page} av {pages}", f"<!-- sida {page + 1} -->", HEADER, ""]
                page += 1
                lines += textwrap.wrap(tail, WRAP)
                broken = True
            else:
                lines += textwrap.wrap(f"• {text}", WRAP)
        lines.append("")
    assert broken, "no item long enough to break"
    lines += [PROSE_AFTER, "", f"Sida {page} av {pages}"]
    return "<!-- sida 1 -->\n" + "\n".join(lines) + "\n"


TextShape = Callable[[Case, str], str]


def _listed(items: Items) -> TextShape:
    return lambda case, lead_in: _document(case, lead_in, items)


TEXT_SHAPES: dict[str, TextShape] = {
    **{name: _listed(items) for name, items in ITEM_SHAPES.items()},
    "subheading": lambda case, lead_in: _document(
        case, lead_in, ITEM_SHAPES["glyph-bullet"], ["### Rekommendationer"]
    ),
    "two-subheadings": lambda case, lead_in: _document(
        case,
        lead_in,
        ITEM_SHAPES["glyph-hyphen-wrapped"],
        ["### Rekommendationer", "**Våra rekommendationer**"],
    ),
    "bold-subheading-numbered": lambda case, lead_in: _document(
        case, lead_in, ITEM_SHAPES["number-dot"], ["**Våra rekommendationer**"]
    ),
    "across-page-break": _across_pages,
    "one-line-dash": _one_line("- "),
    "one-line-bullet": _one_line("• "),
    "labelled": _labelled,
    "labelled-with-answers": _labelled_with_answers,
}

# ------------------------------------------------------------------ Word and PDF shapes


def _word_document(case: Case, lead_in: str, table: bool, furniture: bool) -> docx.Document:
    document = docx.Document()
    if furniture:
        section = document.sections[0]
        section.header.paragraphs[0].text = HEADER
        footer = section.footer.paragraphs[0]
        footer.add_run("Sida ")
        add_field(footer, "PAGE")
        footer.add_run(" av ")
        add_field(footer, "NUMPAGES")
        # Enough prose that the list runs onto the next page.
        for _ in range(7):
            document.add_paragraph(PROSE_BEFORE)
    document.add_paragraph(PROSE_BEFORE)
    for group in case.groups:
        _add_lead_in(document, lead_in, group.addressee)
        if table:
            rows = document.add_table(rows=1, cols=2)
            rows.rows[0].cells[0].text = "Nr"
            rows.rows[0].cells[1].text = "Rekommendation"
            for number, text in enumerate(group.texts, 1):
                cells = rows.add_row().cells
                cells[0].text = str(number)
                cells[1].text = text
        else:
            for text in group.texts:
                document.add_paragraph(text, style="List Bullet")
    document.add_paragraph(PROSE_AFTER)
    return document


def _add_lead_in(document: docx.Document, lead_in: str, addressee: str) -> None:
    """The lead-in's paragraphs, a "#" line as a Word heading."""
    for paragraph in LEAD_INS[lead_in](addressee):
        if paragraph.startswith("#"):
            document.add_heading(paragraph.lstrip("# "), level=2)
        else:
            document.add_paragraph(paragraph)


def _docx_path(directory: Path, case: Case, lead_in: str, table: bool, furniture: bool) -> Path:
    kind = "table" if table else "list"
    path = directory / f"{case.short}-{lead_in}-{kind}{'-pdf' if furniture else ''}.docx"
    if not path.exists():
        _word_document(case, lead_in, table, furniture).save(str(path))
    return path


def _soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


PDF_CASES = [(case, list(LEAD_INS)[number % len(LEAD_INS)]) for number, case in enumerate(CASES)]
"""Each case exported once, the lead-ins taking turns: LibreOffice takes about a second a
file, and the lead-ins are varied on every other shape."""

TWO_COLUMN_DOCUMENTS = ("000", "009", "016", "204", "210")
"""A handful of gold documents (one to three addressees, three to six items) set in two
columns; the list takes the left column or the right one in turns."""

TWO_COLUMN_CASES = [
    (case, list(LEAD_INS)[number % len(LEAD_INS)], ("left", "right")[number % 2])
    for number, case in enumerate(c for c in CASES if c.number in TWO_COLUMN_DOCUMENTS)
]

OTHER_COLUMN = (
    "Granskningen omfattar perioden från januari till och med oktober. Underlaget består "
    "av intervjuer med tjänstepersoner och förtroendevalda samt av en genomgång av "
    "styrdokument, protokoll och rapporter som nämnden har tagit fram under året.",
    "Intervjuerna genomfördes under våren med förvaltningschefen, ekonomichefen och två "
    "enhetschefer. Samtliga intervjuade har fått tillfälle att faktagranska rapporten innan "
    "den lämnades över till revisorerna.",
    "Nämnden har under perioden antagit en ny internkontrollplan med sex kontrollmoment. "
    "Planen följs upp två gånger om året, och resultatet redovisas för nämnden i samband "
    "med delårsrapporten och årsredovisningen.",
    "Arbetet har utförts av certifierade kommunala revisorer i enlighet med god revisionssed "
    "i kommunal verksamhet och med kommunens revisionsreglemente.",
)
"""Ordinary prose that fills the column the list is not in."""


def _two_column_document(case: Case, lead_in: str, list_side: str) -> docx.Document:
    """A full-width title, then a two-column section: the lead-ins and lists (with prose
    around them) in one column, other prose in the other, a column break between them."""
    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = HEADER
    document.add_heading("Granskning av styrning och uppföljning", level=1)
    columns = document.add_section(WD_SECTION.CONTINUOUS)
    cols = columns._sectPr.find(qn("w:cols"))
    assert cols is not None, "the default template has a w:cols element"
    cols.set(qn("w:num"), "2")
    cols.set(qn("w:space"), "567")  # a one-centimetre gutter

    def write_list() -> None:
        document.add_paragraph(PROSE_BEFORE)
        for group in case.groups:
            _add_lead_in(document, lead_in, group.addressee)
            for text in group.texts:
                document.add_paragraph(text, style="List Bullet")
        document.add_paragraph(PROSE_AFTER)

    def write_prose() -> None:
        for paragraph in OTHER_COLUMN:
            document.add_paragraph(paragraph)

    first, second = (write_list, write_prose) if list_side == "left" else (write_prose, write_list)
    first()
    document.add_paragraph().add_run().add_break(WD_BREAK.COLUMN)
    second()
    return document


def _two_column_path(directory: Path, case: Case, lead_in: str, list_side: str) -> Path:
    path = directory / f"{case.short}-{lead_in}-columns-{list_side}.docx"
    _two_column_document(case, lead_in, list_side).save(str(path))
    return path


@pytest.fixture(scope="session")
def exported_pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every Word document of the PDF shapes exported by LibreOffice in one call: each
    case's Word list, and the two-column documents."""
    soffice = _soffice()
    if soffice is None:
        pytest.skip("LibreOffice (soffice) saknas: apt-get install libreoffice-writer-nogui")
    directory = tmp_path_factory.mktemp("word-pdf")
    sources = {
        f"{case.file}|{lead_in}": _docx_path(directory, case, lead_in, False, True)
        for case, lead_in in PDF_CASES
    }
    for case, lead_in, side in TWO_COLUMN_CASES:
        sources[f"{case.file}|{lead_in}|{side}"] = _two_column_path(directory, case, lead_in, side)
    profile = tmp_path_factory.mktemp("soffice-profile")
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(directory),
            *map(str, sources.values()),
        ],
        check=True,
        capture_output=True,
        timeout=600,
    )
    return {key: path.with_suffix(".pdf") for key, path in sources.items()}


# ------------------------------------------------------------------ the check

KNOWN_GAPS: dict[tuple[str, str], str] = {}
"""Shapes the extractor does not read yet, by document number, each with the reason;
strict, so a fix shows."""

KNOWN_PDF_GAPS: dict[str, str] = {}
"""Documents whose PDF export the extractor does not read yet, each with the reason;
strict, so a fix shows."""


def _check(case: Case, text: str, shape: str) -> None:
    found = extract_recommendations(text)
    pairs = match(found, case.gold)
    matched = {gold for _, gold, _ in pairs}
    missed = [f"[{g.addressee}] {g.text}" for i, g in enumerate(case.gold) if i not in matched]
    got = "\n".join(f"  [{r.addressee}] {r.text}" for r in found)
    detail = f"{case.file} as {shape}:\nmissed {missed}\ngot\n{got}\n--- text\n{text}"
    assert not missed, detail
    assert len(found) == len(case.gold), detail


def _load(path: Path) -> str:
    return load_file(path, path.name).text


@pytest.mark.parametrize("lead_in", list(LEAD_INS))
@pytest.mark.parametrize("shape", list(TEXT_SHAPES))
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.short)
def test_text_shapes_give_the_gold_list(
    case: Case, shape: str, lead_in: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    gap = KNOWN_GAPS.get((case.number, shape))
    if gap:
        request.applymarker(pytest.mark.xfail(strict=True, reason=gap))
    path = tmp_path / "granskning.txt"
    path.write_text(TEXT_SHAPES[shape](case, lead_in), encoding="utf-8")
    _check(case, _load(path), f"{shape}/{lead_in}")


@pytest.mark.parametrize("lead_in", list(LEAD_INS))
@pytest.mark.parametrize("kind", ["list", "table"])
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.short)
def test_word_shapes_give_the_gold_list(
    case: Case, kind: str, lead_in: str, tmp_path: Path
) -> None:
    path = _docx_path(tmp_path, case, lead_in, kind == "table", False)
    _check(case, _load(path), f"docx-{kind}/{lead_in}")


@pytest.mark.parametrize(
    ("case", "lead_in"), PDF_CASES, ids=[f"{case.short}-{lead}" for case, lead in PDF_CASES]
)
def test_pdf_exported_from_word_gives_the_gold_list(
    case: Case, lead_in: str, exported_pdfs: dict[str, Path], request: pytest.FixtureRequest
) -> None:
    gap = KNOWN_PDF_GAPS.get(case.number)
    if gap:
        request.applymarker(pytest.mark.xfail(strict=True, reason=gap))
    path = exported_pdfs[f"{case.file}|{lead_in}"]
    assert path.exists(), f"LibreOffice did not write {path.name}"
    _check(case, _load(path), f"pdf/{lead_in}")


def _drawn_row_by_row(source: Path, target: Path) -> Path:
    """The same PDF with its lines drawn top down across both columns, as producers that
    sort their text layer by height write it: the page looks the same, the stream interleaves.

    LibreOffice draws each line as its own `q ... BT Td ... ET Q` group; those groups
    trade places, sorted by where their text starts.
    """
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(source))
    for page in writer.pages:
        content = ContentStream(page.get_contents(), writer)
        # Each operation of the page's outer clip group is its own group, but a q..Q
        # nested in it is one group.
        groups: list[list[tuple[list, bytes]]] = []
        depth = 0
        for operands, operator in content.operations:
            if depth < 2:
                groups.append([])
            groups[-1].append((operands, operator))
            depth += {b"q": 1, b"Q": -1}.get(operator, 0)
        text_slots = [i for i, group in enumerate(groups) if _text_start(group) is not None]
        ordered = sorted((groups[i] for i in text_slots), key=_text_start)  # type: ignore[arg-type]
        for slot, group in zip(text_slots, ordered, strict=True):
            groups[slot] = group
        content.operations = [operation for group in groups for operation in group]
        page.replace_contents(content)
    writer.write(target)
    return target


def _text_start(group: list[tuple[list, bytes]]) -> tuple[float, float] | None:
    """(-y, x) of the first text positioning in a group that draws text, else None."""
    if not any(operator == b"BT" for _, operator in group):
        return None
    for operands, operator in group:
        if operator in (b"Td", b"Tm"):
            x, y = operands[-2:]
            return -float(y), float(x)
    return None


@pytest.mark.parametrize("drawing", ["as-exported", "row-by-row"])
@pytest.mark.parametrize(
    ("case", "lead_in", "side"),
    TWO_COLUMN_CASES,
    ids=[f"{case.short}-{lead}-{side}" for case, lead, side in TWO_COLUMN_CASES],
)
def test_two_column_pdf_gives_the_gold_list(
    case: Case,
    lead_in: str,
    side: str,
    drawing: str,
    exported_pdfs: dict[str, Path],
    tmp_path: Path,
) -> None:
    """The list in one column and prose in the other: each column is read whole, in order,
    whether the PDF draws a column at a time or a row across both columns at a time."""
    path = exported_pdfs[f"{case.file}|{lead_in}|{side}"]
    assert path.exists(), f"LibreOffice did not write {path.name}"
    if drawing == "row-by-row":
        path = _drawn_row_by_row(path, tmp_path / path.name)
    text = _load(path)
    _check(case, text, f"pdf-two-columns-{side}/{lead_in}")
    flat = " ".join(PAGE_MARKER.sub(" ", text).split())
    for paragraph in OTHER_COLUMN:
        assert " ".join(paragraph.split()) in flat, f"{path.name}: prose column not whole"
    assert flat.index(PROSE_BEFORE) < flat.index(PROSE_AFTER)


def test_the_renderer_keeps_every_gold_text() -> None:
    """The shapes vary the layout only: each gold text is in every rendering, marks aside."""
    case = CASES[0]
    for shape, render in TEXT_SHAPES.items():
        flat = " ".join(render(case, "active").replace("<!-- sida 2 -->", " ").split())
        for gold in case.gold:
            words = gold.text.split()
            assert words[0] in flat and words[-1] in flat, shape
