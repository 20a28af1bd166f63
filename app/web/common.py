"""Small pieces the tabs of the web UI share."""

from __future__ import annotations

import html
from collections.abc import Iterable

from vectorstore.catalog import DocumentRecord


def escape_html(text: str) -> str:
    """HTML-escape text, also the characters Gradio's HTML template would interpret."""
    return (
        html.escape(text, quote=True)
        .replace("$", "&#36;")
        .replace("{", "&#123;")
        .replace("}", "&#125;")
    )


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
