"""core.json_ready: the one to_dict of every figure (nested, NumPy, NaN, hidden and extra)."""

import json
import math
from dataclasses import dataclass, field

import numpy as np

from core.json_ready import NOT_JSON, JsonReady, json_value
from core.stats import Interval, proportion


@dataclass(frozen=True)
class Plain:
    """A dataclass that is not a figure, nested in one."""

    label: str
    weight: float


@dataclass(frozen=True)
class Inner(JsonReady):
    """A nested figure."""

    count: int
    share: float | None


@dataclass(frozen=True)
class Outer(JsonReady):
    """A figure with every kind of field the results use."""

    name: str
    inner: Inner
    many: tuple[Inner, ...]
    pairs: tuple[tuple[str, ...], ...]
    by_key: dict
    plain: Plain
    maybe: Inner | None
    secret: tuple[int, ...] = field(default=(), metadata=NOT_JSON)

    def json_extra(self) -> dict:
        """Append a computed entry."""
        return {"secret_count": len(self.secret)}


def test_nested_figures_numpy_values_and_nan_become_plain_json():
    figure = Outer(
        name="q",
        inner=Inner(np.int64(3), np.float64(0.25)),
        many=(Inner(1, math.nan), Inner(np.int32(2), np.float64("inf"))),
        pairs=(("a", "b"), ("c",)),
        by_key={"array": np.array([1.5, np.nan]), "flag": np.bool_(True), "nested": (1, 2)},
        plain=Plain("x", np.float32(0.5)),
        maybe=None,
        secret=(7, 8),
    )
    out = figure.to_dict()
    assert out == {
        "name": "q",
        "inner": {"count": 3, "share": 0.25},
        "many": [{"count": 1, "share": None}, {"count": 2, "share": None}],
        "pairs": [["a", "b"], ["c"]],
        "by_key": {"array": [1.5, None], "flag": True, "nested": [1, 2]},
        "plain": {"label": "x", "weight": 0.5},
        "maybe": None,
        "secret_count": 2,
    }
    assert list(out) == ["name", "inner", "many", "pairs", "by_key", "plain", "maybe",
                         "secret_count"]  # field order, hidden field left out, extra last
    assert type(out["inner"]["count"]) is int and type(out["inner"]["share"]) is float
    assert type(out["by_key"]["flag"]) is bool
    json.dumps(out, allow_nan=False)


def test_core_stats_figures_keep_their_shape():
    share = proportion(3, 4)
    assert share.to_dict() == {"k": 3, "n": 4, "value": 0.75, "ci": share.ci.to_dict(),
                               "note": ""}
    assert Interval(0.1, 0.9, 0.95, "m").to_dict() == {"low": 0.1, "high": 0.9, "level": 0.95,
                                                       "method": "m"}


def test_json_value_leaves_plain_values_alone():
    assert json_value("text") == "text" and json_value(None) is None
    assert json_value(2) == 2 and json_value(False) is False
    assert json_value([np.float64(1.0), (np.int16(2),)]) == [1.0, [2]]
