"""The "Personuppgifter" tab's components and events, over `PrivacySession`."""

from __future__ import annotations

import gradio as gr

from app.web.privacy.session import HEADERS, PrivacySession
from app.web.widgets import PRIVATE


class PrivacyPage:
    """A summary and a table of the personal data found, scanned when the tab opens."""

    def __init__(self, session: PrivacySession) -> None:
        self.session = session

    def build(self) -> None:
        """Add the tab to the Blocks being built and wire its events."""
        with gr.Tab(
            "Personuppgifter", id="personuppgifter", elem_id="tab-personuppgifter"
        ) as tab:
            gr.Markdown(
                "Personnummer, samordningsnummer och e-postadresser i de inlästa dokumenten, "
                "visade maskerade. Kontrollera om de behöver finnas i indexet."
            )
            summary = gr.Markdown(elem_id="privacy-summary")
            table = gr.Dataframe(
                headers=HEADERS,
                column_count=len(HEADERS),
                interactive=False,
                wrap=True,
                label="Personuppgifter",
                elem_id="privacy-findings",
            )
        tab.select(self.scan, None, [summary, table], concurrency_id="privacy", **PRIVATE)

    def scan(self) -> tuple[str, list[list[str]]]:
        view = self.session.scan()
        return view.summary, view.rows
