"""Pure: the one JSON-ready base of every published figure (a frozen dataclass with to_dict).

``to_dict()`` writes a dataclass's fields in declaration order, recursively: nested figures
and dataclasses become dicts, tuples and lists (and NumPy arrays) become lists, NumPy scalars
become Python numbers, and NaN or infinity becomes None (JSON has neither). A field marked
``NOT_JSON`` stays out (it serves the publication gate, not readers); a class adds computed
entries by overriding ``json_extra``.
"""

from __future__ import annotations

import math
from dataclasses import fields, is_dataclass
from typing import Any

import numpy as np

NOT_JSON = {"json": False}  # field(metadata=NOT_JSON): a field to_dict leaves out


class JsonReady:
    """Mixin for dataclasses whose fields are JSON-ready values, figures or dataclasses."""

    def to_dict(self) -> dict[str, Any]:
        """Return the public fields (and any json_extra entries) as a JSON-ready dict."""
        out = {f.name: json_value(getattr(self, f.name))
               for f in fields(self)  # type: ignore[arg-type]  # subclasses are dataclasses
               if f.metadata.get("json", True)}
        return out | self.json_extra()

    def json_extra(self) -> dict[str, Any]:
        """Return JSON-ready entries computed from the fields, appended after them (none here)."""
        return {}


def json_value(x: Any) -> Any:
    """Return x as plain JSON data (dict, list, str, int, float, bool or None)."""
    if isinstance(x, JsonReady):
        return x.to_dict()
    if is_dataclass(x) and not isinstance(x, type):
        return {f.name: json_value(getattr(x, f.name)) for f in fields(x)}
    if isinstance(x, np.ndarray):
        return json_value(x.tolist())
    if isinstance(x, np.generic):
        return json_value(x.item())
    if isinstance(x, float):
        return x if math.isfinite(x) else None
    if isinstance(x, dict):
        return {k: json_value(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [json_value(v) for v in x]
    return x
