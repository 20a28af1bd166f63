"""Small pieces the tabs of the web UI share."""

from __future__ import annotations

import html


def escape_html(text: str) -> str:
    """HTML-escape text, also the characters Gradio's HTML template would interpret."""
    return (
        html.escape(text, quote=True)
        .replace("$", "&#36;")
        .replace("{", "&#123;")
        .replace("}", "&#125;")
    )
