"""The official's list of an audit's recommendations: read, typed in, edited and kept.

Extraction proposes the list; the official has the last word. This module turns the list
to and from the JSON `yttra recommendations --json` prints, reads recommendations typed
or pasted one per line, says in Swedish why extraction found none, and keeps each audit's
edited list as a JSON file in the data directory (written atomically, like drafts), keyed
by the document's file name and a hash of its text, with one earlier version to undo to.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from ingest.errors import YttraError
from ingest.metadata.organs import ORGAN_RE
from ingest.models import Recommendation
from ingest.recommendations import recommendation_id
from ingest.text.bullets import list_marker

LISTS_DIR = "recommendation-lists"
"""Where edited lists live, below the data directory (beside `drafts/`)."""
HEADERS = ["Nr", "Adressat", "Rekommendation"]
"""The columns of the list as a table, in the order of `rows_of`."""
MAX_ADDRESSEE_WORDS = 6
"""A "Adressat: text" prefix longer than this is part of the recommendation, not a name."""

_KEY = re.compile(r"^[\w.-]{1,120}$")
_LABEL = re.compile(r"^(?:rekommendation|rek\.?)\s*\d*\s*[:.)-]\s*", re.IGNORECASE)
_BODY_WORDS = re.compile(
    r"nämnd|styrelse|fullmäktige|direktion|utskott|förvaltning|bolag", re.IGNORECASE
)
_LEAD_IN = re.compile(r"rekommender\w*", re.IGNORECASE)
_HEADING = re.compile(
    r"^\s*(?:#{1,6}\s*)?(?:\d+(?:\.\d+)*\.?\s+)?rekommendation(?:er)?\b",
    re.IGNORECASE | re.MULTILINE,
)
_SHOULD = re.compile(r"\bbör\b", re.IGNORECASE)


class ListError(YttraError):
    """A list of recommendations could not be read or kept."""


# -- the JSON of `yttra recommendations --json` -------------------------------------------


def recommendation_json(recommendation: Recommendation) -> dict[str, Any]:
    """One recommendation as `yttra recommendations --json` prints it."""
    r = recommendation
    return {
        "id": r.id,
        "text": r.text,
        "addressee": r.addressee,
        "page": r.page,
        "section": r.section,
    }


def _field(entry: dict[str, Any], name: str, number: int) -> str:
    value = entry.get(name, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ListError(f'post {number}: "{name}" ska vara en text')
    return " ".join(value.split())


def recommendation_from_json(entry: object, number: int) -> Recommendation:
    """One entry of the list (`number` counts from 1, for the error); id, page and section
    may be left out, and an id that does not fit the text is derived anew."""
    if not isinstance(entry, dict):
        raise ListError(f'post {number} är inte ett objekt med "text" och "addressee"')
    text = _field(entry, "text", number)
    if not text:
        raise ListError(f'post {number} saknar "text"')
    addressee = _field(entry, "addressee", number)
    page = entry.get("page")
    if page is not None and (isinstance(page, bool) or not isinstance(page, int)):
        raise ListError(f'post {number}: "page" ska vara ett heltal eller null')
    return Recommendation(
        recommendation_id(text, addressee),
        text,
        addressee,
        page,
        _field(entry, "section", number),
    )


def recommendations_from_json(data: object) -> list[Recommendation]:
    """The list a JSON value holds; `ListError` (in Swedish) when it is not such a list."""
    if not isinstance(data, list):
        raise ListError("filen ska innehålla en JSON-lista av rekommendationer")
    found = [recommendation_from_json(entry, n) for n, entry in enumerate(data, 1)]
    if not found:
        raise ListError("listan är tom")
    return found


def read_recommendations(path: Path) -> list[Recommendation]:
    """The recommendations in a JSON file; `ListError` names the file and the reason."""
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
        return recommendations_from_json(data)
    except FileNotFoundError as error:
        raise ListError(f"{path}: filen finns inte") from error
    except IsADirectoryError as error:
        raise ListError(f"{path}: är en mapp, inte en fil") from error
    except OSError as error:
        raise ListError(f"{path}: kunde inte läsas ({error.strerror or error})") from error
    except UnicodeDecodeError as error:
        raise ListError(f"{path}: är inte en textfil i UTF-8") from error
    except json.JSONDecodeError as error:
        raise ListError(
            f"{path}: ogiltig JSON på rad {error.lineno}, kolumn {error.colno}"
        ) from error
    except ListError as error:
        raise ListError(f"{path}: {error}") from error


# -- typed or pasted -------------------------------------------------------------------


def _bodies(line: str) -> list[str]:
    """The bodies a lead-in line names ("Vi rekommenderar kommunstyrelsen att:")."""
    names: list[str] = []
    for match in ORGAN_RE.finditer(line):
        name = " ".join(match[0].split())
        if name.casefold() not in (n.casefold() for n in names):
            names.append(name)
    return names


def _split_addressee(text: str) -> tuple[str, str]:
    """ "Kommunstyrelsen: ta fram …" as addressee and text; other text as it is."""
    head, colon, rest = text.partition(":")
    words = head.split()
    if (
        colon
        and rest.strip()
        and 0 < len(words) <= MAX_ADDRESSEE_WORDS
        and _BODY_WORDS.search(head)
        and not _LEAD_IN.search(head)
    ):
        return " ".join(words), rest.strip()
    return "", text


def _item_text(line: str) -> tuple[str, bool]:
    """A line without its bullet, number or "Rekommendation N:" label, and whether it
    opened with one (so that the lines after it may continue it)."""
    text = line.strip().lstrip("#").strip()
    marker = list_marker(text)
    marked = marker is not None
    if marker is not None:
        text = text[marker.end :].strip()
    labelled = _LABEL.match(text)
    if labelled:
        text = text[labelled.end() :].strip()
    return text, marked or labelled is not None


def parse_pasted(text: str, default_addressee: str = "") -> list[Recommendation]:
    """Recommendations typed or pasted one per line.

    Bullets, numbers and "Rekommendation N:" labels are stripped; "Adressat: text" names
    the addressee of that line; a lead-in ending with a colon ("Vi rekommenderar
    kommunstyrelsen att:") names the addressees of the lines after it, one entry per body
    as extraction gives; otherwise `default_addressee`. When the lines carry list markers,
    an unmarked line continues the item above it (a recommendation wrapped when pasted).
    """
    default = " ".join(default_addressee.split())
    lines = [line for line in text.splitlines() if line.strip()]
    any_marked = any(_item_text(line)[1] for line in lines)
    items: list[tuple[list[str], str]] = []
    current = [default] if default else [""]
    open_item = False
    for line in lines:
        body, marked = _item_text(line)
        if not body:
            continue
        if body.endswith(":") and not marked:
            current = _bodies(body) or current
            open_item = False
            continue
        if any_marked and not marked and open_item and items:
            items[-1] = (items[-1][0], f"{items[-1][1]} {body}")
            continue
        named, body = _split_addressee(body)
        items.append(([named] if named else current, body))
        open_item = marked
    out: list[Recommendation] = []
    seen: set[str] = set()
    for addressees, body in items:
        body = " ".join(body.split())
        for addressee in addressees:
            rec = Recommendation(recommendation_id(body, addressee), body, addressee, None, "")
            if rec.id not in seen:
                seen.add(rec.id)
                out.append(rec)
    return out


def missing_reason(text: str) -> str:
    """Why extraction found no recommendation in `text`, in Swedish, for the official."""
    if not text.strip():
        return (
            "Dokumentet innehåller ingen text (en skannad PDF behöver OCR först), så inga "
            "rekommendationer kunde hittas."
        )
    mentions = len(_LEAD_IN.findall(text))
    if _HEADING.search(text):
        return (
            "Dokumentet har en rubrik om rekommendationer, men under den finns ingen lista "
            'eller mening som går att läsa som en rekommendation (t.ex. "Vi rekommenderar '
            'nämnden att:" följt av punkter, eller "Nämnden bör …").'
        )
    if mentions:
        return (
            f'Ordet "rekommendera" förekommer {mentions} gång{"er" if mentions > 1 else ""} '
            'i dokumentet, men inte som en inledning till rekommendationer ("… '
            'rekommenderas att:", "Vi rekommenderar …") följd av en lista, och ingen '
            'rubrik "Rekommendationer" hittades.'
        )
    should = (
        ' Meningar med "bör" finns, men ingen av dem riktas till en nämnd eller styrelse.'
        if _SHOULD.search(text)
        else ""
    )
    return (
        'Dokumentet saknar en inledning som "rekommenderas att" eller "vi '
        'rekommenderar" och en rubrik "Rekommendationer".' + should
    )


# -- the list as a table ----------------------------------------------------------------


@dataclass(frozen=True)
class ListItem:
    """A recommendation of the official's list and the number it is shown with."""

    nr: str
    recommendation: Recommendation


def numbered(recommendations: Iterable[Recommendation]) -> list[ListItem]:
    """The recommendations numbered 1, 2, … as a fresh table shows them."""
    return [ListItem(str(n), r) for n, r in enumerate(recommendations, 1)]


def rows_of(items: Sequence[ListItem]) -> list[list[str]]:
    """The list as table rows: Nr, Adressat, Rekommendation."""
    return [[i.nr, i.recommendation.addressee, i.recommendation.text] for i in items]


def _cell(row: Sequence[object], index: int) -> str:
    if index >= len(row) or row[index] is None:
        return ""
    value = row[index]
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    return "" if text.casefold() == "nan" else " ".join(text.split())


def items_from_rows(
    rows: Iterable[Sequence[object]], shown: Sequence[ListItem], default_addressee: str = ""
) -> list[ListItem]:
    """The list as the official left the table; a row with no text is dropped.

    A row keeps the page and heading of the item shown with its number, its id follows its
    text and addressee; a new row (no number, or one not shown) gets them anew.
    """
    by_nr = {item.nr: item.recommendation for item in shown if item.nr}
    default = " ".join(default_addressee.split())
    out: list[ListItem] = []
    for row in rows:
        nr, addressee, text = _cell(row, 0), _cell(row, 1), _cell(row, 2)
        if not text:
            continue
        addressee = addressee or default
        before = by_nr.get(nr)
        page, section = (before.page, before.section) if before else (None, "")
        rec = Recommendation(recommendation_id(text, addressee), text, addressee, page, section)
        out.append(ListItem(nr if before else "", rec))
    return out


# -- kept per audit ---------------------------------------------------------------------


def document_key(file: str, text: str) -> str:
    """The key of an audit's list: its file name (safe characters only) and a hash of its
    text, so a changed document gets a list of its own."""
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    stem = re.sub(r"[^\w.-]+", "_", Path(file).name)[:80].strip("._") if file else ""
    return f"{stem or 'inklistrad'}-{digest}"


@dataclass(frozen=True)
class SavedList:
    """An audit's list as kept: the items, whether the official changed them, and the list
    they replaced (one step back)."""

    key: str
    file: str
    items: list[ListItem]
    edited: bool
    """False while the list is extraction's, untouched."""
    previous: list[ListItem] | None = None
    previous_edited: bool = False
    updated: str = ""

    @property
    def recommendations(self) -> list[Recommendation]:
        return [item.recommendation for item in self.items]

    def replaced_by(self, items: list[ListItem], edited: bool) -> SavedList:
        """This list replaced by `items`; the current items become the step back."""
        return replace(
            self, items=items, edited=edited, previous=self.items, previous_edited=self.edited
        )

    def undone(self) -> SavedList:
        """The step back taken: the list before the last replacement (which becomes the
        step back in turn, so nothing is lost)."""
        if self.previous is None:
            raise ListError("Det finns ingen tidigare lista att gå tillbaka till.")
        return replace(
            self,
            items=self.previous,
            edited=self.previous_edited,
            previous=self.items,
            previous_edited=self.edited,
        )


def _items_json(items: Sequence[ListItem]) -> list[dict[str, Any]]:
    return [{"nr": i.nr, **recommendation_json(i.recommendation)} for i in items]


def _items_from(data: object) -> list[ListItem]:
    if not isinstance(data, list):
        raise ListError("listan saknas")
    out = []
    for n, entry in enumerate(data, 1):
        nr = entry.get("nr", "") if isinstance(entry, dict) else ""
        out.append(ListItem(str(nr or ""), recommendation_from_json(entry, n)))
    return out


class ListStore:
    """Edited lists as JSON files in `<data dir>/recommendation-lists/`, one per audit."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, key: str) -> Path:
        if not _KEY.match(key) or key.startswith("."):
            raise ListError(f"Ogiltig nyckel för en lista: {key!r}.")
        return self.folder / f"{key}.json"

    def load(self, key: str) -> SavedList | None:
        """The kept list, or None if there is none (or it cannot be read any more)."""
        path = self._path(key)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            previous = data.get("previous")
            return SavedList(
                key,
                str(data.get("file", "")),
                _items_from(data["items"]),
                bool(data.get("edited", False)),
                _items_from(previous) if previous is not None else None,
                bool(data.get("previous_edited", False)),
                str(data.get("updated", "")),
            )
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError, AttributeError, ListError):
            return None  # an unreadable list is proposed anew from the document

    def save(self, kept: SavedList) -> SavedList:
        """Write the list atomically (temporary file, then rename) and stamp it."""
        kept = replace(kept, updated=datetime.now().isoformat(timespec="seconds"))
        data = {
            "key": kept.key,
            "file": kept.file,
            "updated": kept.updated,
            "edited": kept.edited,
            "items": _items_json(kept.items),
            "previous": _items_json(kept.previous) if kept.previous is not None else None,
            "previous_edited": kept.previous_edited,
        }
        target = self._path(kept.key)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
        except OSError as error:
            raise ListError(
                f"Listan kunde inte sparas i {self.folder}: {error.strerror or error}"
            ) from error
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(data, out, ensure_ascii=False, indent=1)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, target)
        except OSError as error:
            Path(temporary).unlink(missing_ok=True)
            raise ListError(
                f"Listan kunde inte sparas i {self.folder}: {error.strerror or error}"
            ) from error
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return kept
