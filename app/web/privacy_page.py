"""`find_in_store` and the other privacy helpers, also importable from here."""

from app.web.privacy.session import (
    HEADERS,
    PiiFinding,
    find_in_store,
    finding_rows,
    masked_context,
    summary_markdown,
)

__all__ = [
    "HEADERS",
    "PiiFinding",
    "find_in_store",
    "finding_rows",
    "masked_context",
    "summary_markdown",
]
