"""Small pieces the tabs of the web UI share: escaping, labels, stored-document choices."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

from ingest.vocabulary import DocType
from vectorstore.catalog import DocumentRecord


def escape_html(text: str) -> str:
    """HTML-escape text, also the characters Gradio's HTML template would interpret."""
    return (
        html.escape(text, quote=True)
        .replace("$", "&#36;")
        .replace("{", "&#123;")
        .replace("}", "&#125;")
    )


_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")


def escape_markdown(text: str) -> str:
    """Text shown as it is in Markdown: the characters Markdown would read escaped."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", text)


def details_html(summary: str, body: str, classes: str, **data: object) -> str:
    """A collapsible element: `summary` shown, `body` on a click (both HTML already);
    `data` become escaped data-* attributes, in the order given."""
    attributes = "".join(
        f' data-{name}="{escape_html(str(value))}"' for name, value in data.items()
    )
    return f'<details class="{classes}"{attributes}><summary>{summary}</summary>{body}</details>'


def cards_css(panel: str, card: str, passage: str) -> str:
    """CSS for a side panel of collapsible cards: the panel's `panel` heading, each `card`
    with its summary line, the quoted `passage` inside, and the note of an empty panel."""
    return f"""
.{panel} h3 {{ margin: 0 0 .5rem 0; font-size: 1rem; }}
.{card} {{ border: 1px solid var(--border-color-primary); border-radius: 6px;
  margin: 0 0 .5rem 0; padding: .35rem .6rem; background: var(--background-fill-primary); }}
.{card} > summary {{ cursor: pointer; font-size: .9rem; line-height: 1.35; }}
{passage} {{ white-space: pre-wrap; font-size: .85rem; margin: 0; padding: .5rem;
  border-left: 3px solid var(--border-color-primary);
  background: var(--background-fill-secondary); }}
.yttra-empty {{ color: var(--body-text-color-subdued); font-size: .9rem; }}
"""


def doc_type_label(value: str) -> str:
    """A document type as a user reads it ("tjänsteskrivelse"); an unknown value as is."""
    try:
        return DocType(value).label
    except ValueError:
        return value


def shorten(text: str, limit: int) -> str:
    """The text on one line, cut with "…" to at most `limit` characters."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def document_choices(records: Iterable[DocumentRecord]) -> list[tuple[str, str]]:
    """Dropdown choices for stored documents: title (type, date) shown, doc id as value."""
    return [
        (
            f"{r.metadata.title or r.file} ({r.metadata.doc_type}"
            f"{', ' + r.metadata.date if r.metadata.date else ''})",
            r.doc_id,
        )
        for r in records
    ]
