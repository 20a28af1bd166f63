import csv
import io

from app.review.coverage import CoverageItem, CoverageReport, Evidence
from app.review.export import item_json, report_csv, report_markdown
from ingest.models import Recommendation
from ingest.vocabulary import Stance


def _report() -> CoverageReport:
    rec = Recommendation("rek-1", "Tydliggöra ansvaret | för uppföljning.", "nämnden", 4, "")
    evidence = Evidence("Ansvaret ligger på förvaltningen.", 7, "Svar > 1", 10, 12)
    elements = {
        "ställningstagande": False,
        "åtgärd": True,
        "ansvarig": True,
        "tidplan": False,
        "uppföljning": False,
    }
    return CoverageReport(
        "nämnden",
        [
            CoverageItem(rec, "besvarad", 0.71, evidence, elements, "Besvaras på s. 7."),
            CoverageItem(
                Recommendation("rek-2", "Följa upp avtal.", "nämnden", 5, ""),
                "saknas",
                0.1,
                None,
                dict.fromkeys(elements, False),
                "Saknas i svaret.",
            ),
        ],
    )


def test_json_shape() -> None:
    first = item_json(_report().items[0])
    assert first["evidence"] == {
        "text": "Ansvaret ligger på förvaltningen.",
        "page": 7,
        "section": "Svar > 1",
    }
    assert item_json(_report().items[1])["evidence"] is None


def test_csv_reads_back_with_one_row_per_recommendation() -> None:
    rows = list(csv.reader(io.StringIO(report_csv(_report())), delimiter=";"))
    assert rows[0][:5] == ["Id", "Rekommendation", "Adressat", "Status", "Poäng"]
    assert rows[1][3:7] == ["Besvarad", "0,71", "nej", "ja"]
    assert rows[2][3] == "Saknas" and len(rows) == 3


def test_markdown_table_escapes_pipes() -> None:
    text = report_markdown(_report())
    assert "1 besvarade, 0 delvis, 1 saknas." in text
    assert "Tydliggöra ansvaret \\| för uppföljning." in text
    assert "Belägg (s. 7, Svar > 1):" in text


def _rejected() -> CoverageReport:
    rec = Recommendation("rek-3", "Utforma riktlinjer om riskhantering.", "regeringen", 2, "")
    evidence = Evidence("Regeringen instämmer inte i rekommendationen.", 2, "", 5, 5)
    elements = dict.fromkeys(
        ["ställningstagande", "åtgärd", "ansvarig", "tidplan", "uppföljning"], False
    ) | {"ställningstagande": True}
    item = CoverageItem(rec, "besvarad", 0.6, evidence, elements, "Avvisas.", Stance.AVVISAR)
    return CoverageReport("regeringen", [item, *_report().items])


def test_the_stance_is_exported_in_every_format() -> None:
    report = _rejected()
    assert item_json(report.items[0])["stance"] == "avvisar"
    assert item_json(report.items[1])["stance"] is None
    rows = list(csv.reader(io.StringIO(report_csv(report)), delimiter=";"))
    column = rows[0].index("Hållning")
    assert [row[column] for row in rows[1:]] == ["Avvisar", "", ""]
    text = report_markdown(report)
    assert "| 1 | Utforma riktlinjer om riskhantering. | Besvarad | Avvisar |" in text
    assert "## 1. Besvarad (avvisar)" in text
    assert "## 2. Besvarad\n" in text
