from ingest.chunking import ChunkingConfig, chunk_text
from ingest.tokens import count_tokens
from tests.conftest import SAMPLE_CORPUS


def test_tokens_are_counted_offline() -> None:
    assert 5 < count_tokens("Nämnden rekommenderas att säkerställa intern kontroll.") < 20


def test_sections_follow_headings_with_heading_path_and_page() -> None:
    body = "Meningen om ansvar upprepas här för att fylla ut avsnittet ordentligt. " * 6
    text = (
        f"<!-- sida 3 -->\n# Rapport\n\n## Bakgrund\n\n{body}\n\n"
        f"<!-- sida 4 -->\n## Bedömning\n\n{body}\n"
    )
    chunks = chunk_text(text, ChunkingConfig(max_tokens=200, min_tokens=20))
    assert [(c.section, c.page) for c in chunks] == [
        ("Rapport > Bakgrund", 3),
        ("Rapport > Bedömning", 4),
    ]
    assert [c.ordinal for c in chunks] == [0, 1]


def test_list_stays_with_lead_in_and_long_lists_repeat_it() -> None:
    items = "\n".join(f"► åtgärd nummer {n} ska genomföras under året" for n in range(40))
    text = f"Nämnden rekommenderas att:\n{items}\n"
    chunks = chunk_text(text, ChunkingConfig(max_tokens=120, min_tokens=10))
    assert len(chunks) > 1
    for chunk in chunks:
        assert chunk.text.startswith("Nämnden rekommenderas att:")
        assert chunk.token_count <= 120


def test_small_sections_merge_forward_keeping_the_heading_visible() -> None:
    text = "## Beslutsplanering\n\nKommunstyrelsen 2019-10-09\n\n## Ärendet\n\n" + (
        "Revisorskollegiet genomförde en granskning av arbetsmarknadsinsatser. " * 5
    )
    chunks = chunk_text(text, ChunkingConfig(max_tokens=300, min_tokens=60))
    assert len(chunks) == 1
    assert "Ärendet" in chunks[0].text and chunks[0].section == "Beslutsplanering"


def test_no_chunk_exceeds_the_limit_on_real_documents() -> None:
    config = ChunkingConfig(max_tokens=250, min_tokens=40)
    for path in sorted(SAMPLE_CORPUS.rglob("*.txt")):
        chunks = chunk_text(path.read_text(), config)
        assert chunks, path
        assert all(c.token_count <= 250 for c in chunks), path


def test_every_word_of_a_document_survives_chunking() -> None:
    path = (
        SAMPLE_CORPUS
        / "kungsbacka"
        / ("012_kungsbacka-service-upphandling-oegentligheter-yttrande.txt")
    )
    chunks = chunk_text(path.read_text())
    joined = " ".join(c.text for c in chunks)
    for phrase in (
        "Successiv implementering",
        "Systematiskt följa upp arbetet med avtalsuppföljning",
        "Fredrik Hansson",
    ):
        assert phrase in joined


def test_a_tiny_closing_section_joins_the_previous_chunk() -> None:
    body = "Nämnden har vidtagit åtgärder för att stärka kontrollen av avtal. " * 6
    text = f"## Åtgärder\n\n{body}\n\n## Ansvariga\n\nEva Svensson, utvecklingssekreterare\n"
    chunks = chunk_text(text, ChunkingConfig(max_tokens=300, min_tokens=40))
    assert len(chunks) == 1
    assert chunks[0].section == "Åtgärder"
    assert chunks[0].text.endswith("Ansvariga\nEva Svensson, utvecklingssekreterare")


def test_no_word_is_lost_between_text_and_chunks() -> None:
    from ingest.normalize import normalize_text
    from ingest.text.pages import PAGE_MARKER

    def words(text: str) -> set[str]:
        return {w.strip("*_#►•-–:.,;()") for w in text.split()} - {""}

    for path in sorted(SAMPLE_CORPUS.rglob("*.txt")):
        text = normalize_text(path.read_text())
        source = words("\n".join(
            line for line in text.splitlines() if not PAGE_MARKER.match(line.strip())
        ))
        chunks = chunk_text(text, ChunkingConfig(max_tokens=200, min_tokens=40))
        kept = words(" ".join(c.text + " " + " ".join(c.headings) for c in chunks))
        assert source - kept <= {"Rekommendation"}, (path.name, source - kept)


def test_a_sentence_too_long_for_a_chunk_is_cut_between_words() -> None:
    words = [f"åtgärd{n}" for n in range(400)]  # one "sentence": no full stop anywhere
    chunks = chunk_text(" ".join(words), ChunkingConfig(max_tokens=60, min_tokens=10))
    assert len(chunks) > 5
    assert [w for c in chunks for w in c.text.split()] == words
    assert all(c.token_count <= 60 for c in chunks)


def test_a_run_without_spaces_is_still_cut_to_size() -> None:
    run = "x" * 5000
    chunks = chunk_text(run, ChunkingConfig(max_tokens=60, min_tokens=10))
    assert "".join(c.text for c in chunks) == run
    assert all(c.token_count <= 60 for c in chunks)


def test_a_tiny_closing_section_keeps_every_heading_it_entered() -> None:
    body = "Nämnden har vidtagit åtgärder för att stärka kontrollen av avtal. " * 6
    text = f"## Åtgärder\n\n{body}\n\n## Bilagor\n\n### Ansvariga\n\nEva Svensson\n"
    chunks = chunk_text(text, ChunkingConfig(max_tokens=300, min_tokens=40))
    assert len(chunks) == 1 and chunks[0].section == "Åtgärder"
    assert chunks[0].text.endswith("\nBilagor\nAnsvariga\nEva Svensson")
