"""PURE: JSON read back from the database as text that always encodes (lone surrogates become U+FFFD).

The edge refuses a lone UTF-16 surrogate (JSON "\\ud800"), but a JSON column may hold one that
got in before, or by another client: SQLite keeps the escape as it is. Read back, it would
break every page, export and hash that touches it, so the database's JSON is read through
`loads`, the engine's JSON deserializer, and every layer above sees only characters.
"""

from __future__ import annotations

import json
import re
from typing import Any

SURROGATE = re.compile("[\ud800-\udfff]")
SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")  # how JSON text spells one (or a pair)
REPLACEMENT = "\ufffd"


def scrub(text: str) -> str:
    """Return text that encodes as UTF-8: each lone surrogate replaced by U+FFFD."""
    return SURROGATE.sub(REPLACEMENT, text) if SURROGATE.search(text) else text


def loads(document: str | bytes) -> Any:
    """Parse JSON, replacing lone surrogates in its keys and strings with U+FFFD."""
    value = json.loads(document)
    if isinstance(document, bytes):
        document = document.decode("utf-8", "replace")
    return _scrubbed(value) if SURROGATE_ESCAPE.search(document) else value


def _scrubbed(value: Any) -> Any:
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, dict):
        return {scrub(key): _scrubbed(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrubbed(item) for item in value]
    return value
