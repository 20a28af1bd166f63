"""The `yttra` command: a thin layer that turns domain errors into messages and exit codes."""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from app.indexing.ingestor import IngestSummary, verify_store
from app.logging_setup import configure_logging
from app.settings import Settings
from app.wiring import Services
from ingest.errors import YttraError
from ingest.vocabulary import Status
from vectorstore.catalog import Filters
from vectorstore.store import Hit, Store

if TYPE_CHECKING:
    from app.drafting.drafter import Drafter
    from app.drafting.model import Draft
    from app.review.coverage import CoverageItem, CoverageReport
    from ingest.models import Recommendation

cli = typer.Typer(
    help="Yttra: sök i och besvara revisionens granskningar.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

EXIT_SOME_FAILED = 1
EXIT_ERROR = 2
HIT_TEXT_CHARS = 400
"""A search hit's text is cut to about this many characters in the terminal (`--json` has
it whole): four or five lines, enough to judge the hit."""
TABLE_TEXT_CHARS = 70
"""Recommendation text in the coverage table is cut here, to keep a row on one line."""

_T = TypeVar("_T")

_WHERE_KEYS = {
    "type": "doc_type", "doc_type": "doc_type", "typ": "doc_type",
    "organ": "organ", "body": "organ", "nämnd": "organ",
    "year": "year", "år": "year",
    "diarienummer": "diarienummer", "dnr": "diarienummer",
    "municipality": "municipality", "kommun": "municipality",
    "file": "file", "fil": "file",
}


def parse_where(pairs: Sequence[str]) -> Filters:
    """`key=value` pairs into filters; unknown keys and bad years are errors."""
    values: dict[str, object] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        field = _WHERE_KEYS.get(key.strip().lower())
        if not sep or field is None:
            valid = ", ".join(sorted(set(_WHERE_KEYS) - {"typ", "nämnd", "år", "dnr", "fil"}))
            raise YttraError(
                f"Okänt filter {pair!r}; använd nyckel=värde med nyckel bland {valid}."
            )
        value = value.strip()
        if field == "year":
            if not value.isdigit():
                raise YttraError(f"Året måste vara ett tal, inte {value!r}.")
            values[field] = int(value)
        else:
            values[field] = value
    return Filters(**values)  # type: ignore[arg-type]


def _settings() -> Settings:
    return Settings()


@cli.callback()
def _setup() -> None:
    # Every command: Yttra's log level from the settings, third-party loggers held quiet.
    configure_logging(_settings().log_level)


def _fail(error: YttraError) -> typer.Exit:
    typer.echo(f"Fel: {error}", err=True)
    return typer.Exit(EXIT_ERROR)


@contextmanager
def _reported() -> Iterator[None]:
    """A domain error inside becomes a one-line message and exit code 2."""
    try:
        yield
    except YttraError as error:
        raise _fail(error) from error


def _notify(notices: Sequence[str]) -> None:
    """The language model's notices (dropped quotes, a failing endpoint) on stderr."""
    for notice in notices:
        typer.echo(f"Obs: {notice}", err=True)


def _echo_json(data: object) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _read_store(read: Callable[[Store], _T]) -> _T:
    """What `read` finds in the configured store; a domain error ends the command."""
    with _reported(), Services(_settings()) as services:
        return read(services.store)


def _progress(files: Sequence[tuple[Path, str]]) -> Iterator[tuple[Path, str]]:
    from tqdm import tqdm

    yield from tqdm(files, desc="Läser in", unit="fil", disable=None, leave=False)


def print_summary(summary: IngestSummary) -> None:
    """The end-of-run report: counts, then one line per failed file with its reason."""
    typer.echo(
        f"Klart på {summary.seconds:.1f} s: {summary.count('added')} tillagda, "
        f"{summary.count('updated')} uppdaterade, {summary.count('unchanged')} oförändrade, "
        f"{summary.count('removed')} borttagna, {len(summary.failed)} misslyckade "
        f"({summary.chunks_written} nya avsnitt)."
    )
    repair = summary.repair
    if repair.vectors_rebuilt:
        typer.echo("Chromas vektorindex gick inte att läsa (troligen efter ett avbrott) och "
                   "har byggts om: dokumenten ovan har lästs in på nytt.")
    elif repair.changed:
        typer.echo(
            "Reparerade indexet efter ett avbrott: "
            f"{len(repair.pending_removed) + len(repair.incomplete_documents)} halvskrivna "
            f"dokument, {repair.orphan_vectors} lösa vektorer."
        )
    for outcome in summary.failed:
        typer.echo(f"MISSLYCKADES {outcome.file}: {outcome.reason}", err=True)


@cli.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Filer eller mappar (läses rekursivt).")],
    prune: Annotated[
        bool, typer.Option("--prune", help="Ta bort dokument vars filer inte längre finns.")
    ] = False,
    reindex: Annotated[
        bool, typer.Option("--reindex", help="Töm indexet och läs in allt på nytt.")
    ] = False,
    if_empty: Annotated[
        bool, typer.Option("--if-empty", help="Läs bara in om indexet är tomt.")
    ] = False,
) -> None:
    """Läs in dokument (.pdf, .docx, .txt, .md) i indexet."""
    with _reported(), Services(_settings(), reindex=reindex) as services:
        if reindex:
            services.store.reset()
        elif if_empty and services.store.stats().documents:
            typer.echo("Indexet innehåller redan dokument; inget läses in.")
            return
        summary = services.ingestor.ingest(paths, prune=prune, progress=_progress)
    print_summary(summary)
    if summary.failed:
        raise typer.Exit(EXIT_SOME_FAILED)


def _format_hit(number: int, hit: Hit) -> str:
    where = ", ".join(
        part
        for part in (
            hit.file,
            f"s. {hit.page}" if hit.page else "",
            hit.section,
        )
        if part
    )
    facts = " · ".join(p for p in (hit.doc_type, hit.diarienummer, hit.date, hit.organ) if p)
    text = " ".join(hit.text.split())
    if len(text) > HIT_TEXT_CHARS:
        text = text[:HIT_TEXT_CHARS].rsplit(" ", 1)[0] + " …"
    return f"[{number}] {hit.title or hit.file}\n    {facts}\n    {where}\n    {text}\n"


@cli.command()
def search(
    query: Annotated[str, typer.Argument(help="Fråga eller sökord.")],
    k: Annotated[int, typer.Option("--k", min=1, max=100, help="Antal träffar.")] = 5,
    where: Annotated[
        list[str] | None,
        typer.Option("--where", help="Filter nyckel=värde: type, organ, year, "
                     "diarienummer, municipality, file. Kan upprepas."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Skriv träffarna som JSON.")] = False,
) -> None:
    """Sök i indexet (semantiskt och på ord, sammanvägt)."""
    with _reported():
        filters = parse_where(where or [])
    hits = _read_store(lambda store: store.search(query, k=k, filters=filters))
    if as_json:
        _echo_json([hit.as_json() for hit in hits])
        return
    if not hits:
        typer.echo("Inga träffar.")
    for number, hit in enumerate(hits, 1):
        typer.echo(_format_hit(number, hit))


@cli.command()
def ask(
    question: Annotated[str, typer.Argument(help="Frågan, på svenska.")],
    where: Annotated[
        list[str] | None,
        typer.Option("--where", help="Filter nyckel=värde, som för search. Kan upprepas."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Skriv svaret som JSON.")] = False,
) -> None:
    """Besvara en fråga med hänvisningar till källorna (utdrag, eller LLM om konfigurerat)."""
    with _reported(), Services(_settings()) as services:
        filters = parse_where(where or [])
        answerer = services.answerer
        if as_json:
            _echo_json(answerer.answer(question, filters=filters).as_json())
            return
        shown = 0
        final = None
        for final in answerer.stream(question, filters=filters):
            if not final.done and final.text.startswith(final.text[:shown]):
                typer.echo(final.text[shown:], nl=False)
                shown = len(final.text)
        if final is not None:
            if shown:
                typer.echo("\n")
            typer.echo(final.markdown())


def _load(path: Path) -> str:
    """A file's normalised text, or a one-line error naming it."""
    from ingest.loaders import load_file

    return load_file(path, path.name).text


@cli.command()
def recommendations(
    file: Annotated[Path, typer.Argument(help="Granskning, missiv eller svar (.pdf, .docx, …).")],
    as_json: Annotated[bool, typer.Option("--json", help="Skriv som JSON.")] = False,
) -> None:
    """Lista rekommendationerna i ett dokument."""
    with _reported():
        found, notices = Services(_settings()).recommendations(_load(file))
    _notify(notices)
    if as_json:
        from app.review.lists import recommendation_json

        _echo_json([recommendation_json(r) for r in found])
        return
    if not found:
        typer.echo("Inga rekommendationer hittades.")
    for number, rec in enumerate(found, 1):
        where = ", ".join(p for p in (f"s. {rec.page}" if rec.page else "", rec.section) if p)
        typer.echo(f"{number:>2}. [{rec.addressee or 'okänd adressat'}] {rec.text}")
        if where:
            typer.echo(f"    ({where}; {rec.id})")


RECOMMENDATIONS_OPTION = typer.Option(
    "--recommendations",
    help="Använd rekommendationerna i denna JSON-fil (som `yttra recommendations --json` "
    "skriver) i stället för dem som hittas i granskningen.",
)


def _given_list(path: Path | None) -> list[Recommendation] | None:
    """The recommendations of a `--recommendations` file, or None without one."""
    if path is None:
        return None
    from app.review.lists import read_recommendations

    return read_recommendations(path)


def _tally(items: Iterable[CoverageItem]) -> str:
    """How many recommendations are answered, partly answered and not answered."""
    counts = Counter(Status(item.status) for item in items)
    return (f"{counts[Status.BESVARAD]} besvarade, {counts[Status.DELVIS]} delvis, "
            f"{counts[Status.SAKNAS]} saknas.")


@cli.command()
def coverage(
    audit: Annotated[Path, typer.Argument(help="Granskningen (eller missivet).")],
    reply: Annotated[Path, typer.Argument(help="Svaret: yttrande, tjänsteskrivelse, utkast.")],
    addressee: Annotated[
        str | None, typer.Option("--addressee", help="Kontrollera bara rekommendationer "
                                 "till detta organ, t.ex. \"nämnden för Service\".")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Skriv som JSON.")] = False,
    given: Annotated[Path | None, RECOMMENDATIONS_OPTION] = None,
) -> None:
    """Visa vilka rekommendationer ett svar besvarar, delvis besvarar eller saknar."""
    from app.review.export import item_json

    services = Services(_settings())
    with _reported():
        found = _given_list(given)
        notices: list[str] = []
        if found is None:
            found, notices = services.recommendations(_load(audit))
        if not found:
            raise YttraError(f"{audit}: inga rekommendationer hittades i granskningen.")
        report, judged = services.coverage(found, _load(reply), addressee)
    _notify([*notices, *judged])
    if as_json:
        _echo_json([item_json(i) for i in report.items])
        return
    if not report.items:
        typer.echo(f"Inga rekommendationer till {addressee!r} i granskningen.")
        return
    typer.echo(f"{'Nr':>2}  {'Status':<9} {'Poäng':>5}  {'SÅATU':<5}  Rekommendation")
    for number, item in enumerate(report.items, 1):
        marks = "".join(
            letter if item.elements.get(name) else "·"
            for letter, name in zip("SÅATU", item.elements, strict=False)
        )
        text = item.recommendation.text
        text = text if len(text) <= TABLE_TEXT_CHARS else text[: TABLE_TEXT_CHARS - 1] + "…"
        typer.echo(f"{number:>2}  {Status(item.status).label:<9} {item.score:>5.2f}  "
                   f"{marks:<5}  {text}")
        if item.evidence:
            where = ", ".join(p for p in (f"s. {item.evidence.page}" if item.evidence.page
                                          else "", item.evidence.section) if p)
            typer.echo(f"{'':17}belägg: {where or 'rad ' + str(item.evidence.start_line)}")
    typer.echo(
        "\nS = ställningstagande, Å = åtgärd, A = ansvarig, T = tidplan, U = uppföljning. "
        + _tally(report.items)
    )


def _draft_json(created: Draft, report: CoverageReport, out: Path | None) -> dict[str, object]:
    """The documented `yttra draft --json` shape."""
    return {
        "id": created.id,
        "addressee": created.addressee,
        "sections": [
            {
                "recommendation": s.recommendation.text,
                "text": s.text,
                "precedents": [
                    {"kind": p.kind, "file": p.file, "date": p.date, "score": p.score,
                     "recommendation": p.recommendation}
                    for p in s.precedents
                ],
            }
            for s in created.sections
        ],
        "coverage": [{"id": i.recommendation.id, "status": i.status} for i in report.items],
        "out": str(out) if out is not None else None,
    }


def _write_draft(drafter: Drafter, created: Draft, out: Path) -> None:
    """The yttrande as Word (.docx) or Markdown (.md); a failed write is a domain error."""
    if out.suffix.lower() == ".docx":
        from app.drafting.docx import write_docx

        write_docx(created, out)
        return
    try:
        out.write_text(drafter.assemble(created), encoding="utf-8")
    except OSError as error:
        reason = error.strerror or error
        raise YttraError(f"{out}: kunde inte skrivas ({reason}).") from error


@cli.command()
def draft(
    audit: Annotated[Path, typer.Argument(help="Granskningen (eller missivet) att svara på.")],
    addressee: Annotated[
        str, typer.Option("--addressee", help="Organet som svarar, t.ex. \"nämnden för Service\".")
    ],
    out: Annotated[
        Path | None, typer.Option("--out", help="Skriv yttrandet till en .md- eller .docx-fil.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Skriv utkastet som JSON.")] = False,
    given: Annotated[Path | None, RECOMMENDATIONS_OPTION] = None,
) -> None:
    """Skapa ett utkast till yttrande med stöd av tidigare svar på liknande rekommendationer."""
    with Services(_settings()) as services:
        with _reported():
            if out is not None and out.suffix.lower() not in (".md", ".docx"):
                raise YttraError(f"{out}: utfilen måste sluta på .md eller .docx.")
            own = _given_list(given)
            drafter = services.drafter
            created = drafter.create(
                _load(audit), addressee, audit_file=audit.name, recommendations=own
            )
            report = drafter.check(created)
            if out is not None:
                _write_draft(drafter, created, out)
        if as_json:
            _echo_json(_draft_json(created, report, out))
            return
        if out is None:
            typer.echo(drafter.assemble(created))
    typer.echo(f"Utkast {created.id} sparat: {len(created.sections)} rekommendationer till "
               f"{created.addressee}.")
    typer.echo(f"Täckning: {_tally(report.items)}")
    if out is not None:
        typer.echo(f"Skrivet till {out}")


@cli.command()
def stats(
    as_json: Annotated[bool, typer.Option("--json", help="Skriv som JSON.")] = False,
) -> None:
    """Visa vad som finns i indexet."""
    result = _read_store(Store.stats)
    if as_json:
        _echo_json(result.__dict__)
        return
    typer.echo(f"Dokument: {result.documents}   Avsnitt: {result.chunks}   "
               f"Vektorer: {result.vectors}")
    typer.echo(f"Embeddingmodell: {result.embedding_model}")
    typer.echo(f"Lagring: {result.location}")
    for title, counts in (("Dokumenttyp", result.by_type), ("Organ", result.by_organ),
                          ("År", result.by_year)):
        if counts:
            listed = ", ".join(f"{key or 'okänt'} {n}" for key, n in counts.items())
            typer.echo(f"{title}: {listed}")


@cli.command()
def verify(
    as_json: Annotated[bool, typer.Option("--json", help="Skriv rapporten som JSON.")] = False,
) -> None:
    """Kontrollera att katalogen, Chroma och ordindexet stämmer exakt överens."""
    report = _read_store(verify_store)
    if as_json:
        _echo_json(report.as_json())
    elif report.consistent:
        typer.echo(f"Indexet är konsekvent: {report.documents} dokument, {report.chunks} "
                   f"avsnitt, {report.vectors} vektorer, {report.lexical} i ordindexet.")
    else:
        for problem in report.problems:
            typer.echo(problem.message)
        advice = ("kör `yttra ingest` på samma mappar igen, den reparerar först"
                  if report.repairable else "bygg om med `yttra ingest --reindex <mappar>`")
        typer.echo(f"{len(report.problems)} fel i indexet; {advice}.", err=True)
    if not report.consistent:
        raise typer.Exit(EXIT_SOME_FAILED)


@cli.command()
def serve(
    host: Annotated[
        str | None,
        typer.Option("--host", help="Adress att lyssna på (standard 127.0.0.1; andra "
                     "adresser kräver YTTRA_UI_USERNAME och YTTRA_UI_PASSWORD)."),
    ] = None,
    port: Annotated[
        int | None, typer.Option("--port", min=1, max=65535, help="Port (standard 7860).")
    ] = None,
) -> None:
    """Starta webbgränssnittet (frågor, inläsning och översikt)."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    from app.web.access import DEFAULT_HOST, check_binding

    settings = _settings()
    with _reported():
        # Before anything is loaded: an exposed UI without a proper login never starts.
        password = settings.ui_password.get_secret_value()
        check_binding(host or settings.ui_host or DEFAULT_HOST, settings.ui_username, password)
        # Imported here: gradio takes seconds to import and only this command needs it.
        from app.web.server import build_ui_for, launch

        with Services(settings) as services:
            launch(
                build_ui_for(services),
                settings,
                host=host,
                port=port,
                announce=lambda url: typer.echo(f"Yttra körs på {url} (avsluta med Ctrl+C)"),
            )


def main() -> None:
    """Entry point of the `yttra` script."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    cli()


if __name__ == "__main__":
    main()
