"""Saved drafts: one JSON file per draft in the data directory, written atomically.

A draft is the official's working material. It is written to a temporary file and then
renamed over the old one, so a crash never leaves half a draft, and it survives restarts.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from datetime import datetime
from pathlib import Path

from app.drafting.model import Draft, DraftError

_ID = re.compile(r"^[0-9a-f]{6,32}$")
"""What a draft id looks like (`Draft.new_id`): hex only, so it is always a safe file name."""


class DraftStore:
    """Drafts as JSON files in `<data_dir>/drafts/`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, draft_id: str) -> Path:
        if not _ID.match(draft_id):
            raise DraftError(f"Ogiltigt utkast-id: {draft_id!r}.")
        return self.folder / f"{draft_id}.json"

    def save(self, draft: Draft) -> None:
        """Write the draft atomically and stamp it as updated."""
        draft.updated = datetime.now().isoformat(timespec="seconds")
        self.folder.mkdir(parents=True, exist_ok=True)
        target = self._path(draft.id)
        handle, temporary = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(draft.to_json(), out, ensure_ascii=False, indent=1)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def load(self, draft_id: str) -> Draft:
        path = self._path(draft_id)
        try:
            return Draft.from_json(json.loads(path.read_text(encoding="utf-8")))
        except FileNotFoundError as error:
            raise DraftError(f"Utkastet {draft_id} finns inte.") from error
        except (ValueError, KeyError, TypeError) as error:
            raise DraftError(f"Utkastet {draft_id} går inte att läsa: {error}") from error

    def list(self) -> list[Draft]:
        """All readable drafts, most recently updated first."""
        drafts = []
        for path in self.folder.glob("*.json") if self.folder.exists() else []:
            try:
                drafts.append(self.load(path.stem))
            except DraftError:
                continue  # an unreadable file is reported when it is opened by id
        return sorted(drafts, key=lambda d: d.updated, reverse=True)

    def delete(self, draft_id: str) -> None:
        self._path(draft_id).unlink(missing_ok=True)
