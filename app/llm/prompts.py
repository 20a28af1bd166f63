"""Prompt templates are files in `prompts/`; rendering checks every variable is given."""

from __future__ import annotations

import string
from dataclasses import dataclass
from functools import cache
from importlib import resources

from ingest.errors import YttraError
from ingest.tokens import get_encoding


class PromptError(YttraError):
    """A template is missing, or a variable it needs was not supplied."""


@dataclass(frozen=True)
class PromptTemplate:
    """A Swedish prompt with named `{variables}`."""

    name: str
    text: str

    @property
    def variables(self) -> frozenset[str]:
        return frozenset(field for _, field, _, _ in string.Formatter().parse(self.text) if field)

    def render(self, **values: object) -> str:
        """Fill in the template; a missing or unexpected variable is an error, not a blank."""
        missing = self.variables - values.keys()
        if missing:
            raise PromptError(
                f"Mallen {self.name!r} saknar värden för: {', '.join(sorted(missing))}."
            )
        unexpected = values.keys() - self.variables
        if unexpected:
            raise PromptError(
                f"Mallen {self.name!r} har inga platser för: {', '.join(sorted(unexpected))}."
            )
        return self.text.format(**values)


@cache
def load_prompt(name: str) -> PromptTemplate:
    """Read `prompts/<name>.txt` from the installed package."""
    try:
        text = resources.files("prompts").joinpath(f"{name}.txt").read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise PromptError(f"Promptmallen {name!r} finns inte i prompts/.") from error
    return PromptTemplate(name, text)


def escape_material(text: str) -> str:
    """Material may not forge the delimiters that fence it in a prompt."""
    return text.replace("<<<", "‹‹‹").replace(">>>", "›››")


def truncate_tokens(text: str, limit: int) -> str:
    """`text` cut to at most `limit` tokens, marked with an ellipsis when cut."""
    encoding = get_encoding()
    tokens = encoding.encode(text, disallowed_special=())
    return text if len(tokens) <= limit else encoding.decode(tokens[:limit]) + " …"
