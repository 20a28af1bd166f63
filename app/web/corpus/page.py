"""The "Läs in" and "Översikt" tabs' components and events, over `IngestSession`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import gradio as gr

from app.web.corpus.session import CorpusView, IngestSession
from app.web.widgets import PRIVATE, UPLOAD_TYPES, shown_as_error


class CorpusDisplay:
    """Where the pages show the store's contents: the overview and the chat's filters."""

    def __init__(self, overview: gr.Markdown, filters: Sequence[gr.Dropdown]) -> None:
        self.overview = overview
        self.type_filter, self.organ_filter, self.year_filter = filters

    @property
    def components(self) -> list[Any]:
        return [self.overview, self.type_filter, self.organ_filter, self.year_filter]

    @staticmethod
    def values(view: CorpusView) -> tuple[Any, ...]:
        """The values for `components`, in that order."""
        return (
            view.overview,
            gr.Dropdown(choices=view.filters.types),
            gr.Dropdown(choices=view.filters.organs),
            gr.Dropdown(choices=view.filters.years),
        )


class OverviewPage:
    """The "Översikt" tab: what the store holds, and the models and storage in use."""

    def build(self) -> None:
        with gr.Tab("Översikt", id="oversikt", elem_id="tab-oversikt"):
            self.overview = gr.Markdown(elem_id="overview")


class IngestPage:
    """The "Läs in" tab: upload documents, read them in, see how each file went."""

    def __init__(self, session: IngestSession) -> None:
        self.session = session

    def build(self) -> None:
        """Add the tab to the Blocks being built; `wire` once the overview exists."""
        with gr.Tab("Läs in", id="las-in", elem_id="tab-las-in"):
            gr.Markdown(
                "Välj dokument (PDF, Word, text eller Markdown). De sparas i "
                f"`{self.session.uploads}` och läses in i indexet; en fil med samma namn "
                "som en tidigare ersätter den."
            )
            self.files = gr.File(
                file_count="multiple",
                file_types=UPLOAD_TYPES,
                type="filepath",
                label="Dokument",
                elem_id="upload",
            )
            self.load_button = gr.Button("Läs in", variant="primary", elem_id="ingest")
            self.result = gr.Dataframe(
                headers=["Fil", "Status"],
                column_count=2,
                interactive=False,
                label="Resultat",
                elem_id="ingest-result",
                wrap=True,
            )

    def wire(self, display: CorpusDisplay) -> None:
        """Read uploads in on click; the overview and filters then show the new contents."""
        self.display = display
        self.load_button.click(
            self.ingest,
            self.files,
            [self.result, *display.components],
            concurrency_limit=1,
            concurrency_id="ingest",
            **PRIVATE,
        )

    def refresh(self) -> tuple[Any, ...]:
        """The overview and filters as the store is now."""
        return CorpusDisplay.values(self.session.view())

    # Gradio finds the progress bar by this default value, hence the call in the signature.
    def ingest(
        self,
        files: list[str] | None,
        progress: gr.Progress = gr.Progress(),  # noqa: B008
    ) -> tuple[Any, ...]:
        if not files:
            gr.Warning("Välj en eller flera filer att läsa in.")
            return (gr.skip(),) * 5
        with shown_as_error("Inläsningen misslyckades: "):
            result = self.session.ingest(
                files,
                progress=lambda items: progress.tqdm(items, desc="Läser in", unit="fil"),
            )
        return (result.rows, *CorpusDisplay.values(result.corpus))
