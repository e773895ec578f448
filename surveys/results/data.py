"""Answers as NumPy columns, one block per question, and the tidy CSV format that feeds them.

The tidy export (one row per answered value) has the columns of TIDY_COLUMNS:

* ``question_type`` is one of QUESTION_TYPES.
* likert: ``item`` empty, ``value`` = the scale point (an integer), or ``dk`` for "don't know".
* matrix: ``item`` = the statement, ``value`` = the scale point or ``dk``.
* single / multiple: ``item`` = the option chosen, ``value`` = 1 (a 0 row is ignored).
* ranking: ``item`` = the roadmap item, ``value`` = its rank (1 = most important); items a
  respondent left out of a top-k ranking simply have no row.
* budget: ``item`` = the roadmap item, ``value`` = points given (0 or more).
* number: ``item`` empty, ``value`` = the number.  text: ``item`` empty, ``value`` = the text.

One row per response, question and item: a repeated row is refused, as is a response filed
under two companies. The response (``response_id``) is the respondent unit: the publication
gate counts distinct responses; the ``respondent`` column is not used by the statistics.
Parsing is vectorized: each distinct string is handled once, rows are NumPy codes, and the
table is split by question once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

TIDY_COLUMNS = ("response_id", "company", "respondent", "question_id", "question_type",
                "item", "value")
QUESTION_TYPES = ("likert", "matrix", "single", "multiple", "ranking", "budget", "number",
                  "text")
DONT_KNOW = "dk"
ITEMLESS = frozenset({"likert", "number", "text"})
SCALE_TYPES = frozenset({"likert", "matrix"})


class TidyFormatError(ValueError):
    """Raised when a tidy answers table cannot be read; the message names the line."""


@dataclass(frozen=True, eq=False)
class QuestionData:
    """All answers to one question as aligned NumPy arrays (one entry per answered value)."""

    question_id: str
    question_type: str
    responses: np.ndarray  # int code of the response (respondent unit) behind each value
    companies: np.ndarray  # int code of the company behind each value
    items: tuple[str, ...]  # item labels; ("",) for likert, number and text
    item_codes: np.ndarray  # index into items for each value
    values: np.ndarray  # float; NaN means "don't know"; for text an object array of str
    answer_ids: tuple[str, ...] = ()  # text only: an id per answer, for one-by-one approval
    scale: tuple[int, int] | None = None  # likert/matrix: lowest and highest point, if known


@dataclass(frozen=True, eq=False)
class SurveyData:
    """The questions of one survey and the company label of each company code."""

    questions: tuple[QuestionData, ...]
    companies: tuple[str, ...]


def cell_counts(cells: np.ndarray, responses: np.ndarray, companies: np.ndarray,
                n_cells: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return per cell: values counted, distinct responses, distinct companies."""
    cells = np.asarray(cells, dtype=np.int64)
    count = np.bincount(cells, minlength=n_cells)
    return (count, _distinct_per_cell(cells, responses, n_cells),
            _distinct_per_cell(cells, companies, n_cells))


MARK_LIMIT = 50_000_000  # above this many (cell, code) slots, sort instead of marking


def _distinct_per_cell(cells: np.ndarray, who: np.ndarray, n_cells: int) -> np.ndarray:
    """Count distinct codes of who within each cell."""
    if cells.size == 0:
        return np.zeros(n_cells, dtype=np.int64)
    width = int(who.max()) + 1
    slots = cells * width + np.asarray(who, dtype=np.int64)
    if n_cells * width <= MARK_LIMIT:  # a boolean mark per slot beats sorting
        seen = np.zeros(n_cells * width, dtype=bool)
        seen[slots] = True
        return seen.reshape(n_cells, width).sum(axis=1)
    return np.bincount(np.unique(slots) // width, minlength=n_cells)


def distinct(codes: np.ndarray) -> int:
    """Count distinct non-negative integer codes."""
    codes = np.asarray(codes, dtype=np.int64)
    if codes.size == 0:
        return 0
    if int(codes.max()) < MARK_LIMIT:
        return int(np.count_nonzero(np.bincount(codes)))
    return int(np.unique(codes).size)


def survey_from_tidy(columns: Mapping[str, Sequence[str]],
                     scales: Mapping[str, tuple[int, int]] | None = None,
                     items: Mapping[str, Sequence[str]] | None = None) -> SurveyData:
    """Build SurveyData from tidy columns (name -> sequence of strings), validating them.

    scales: question id -> (lowest, highest) point, when known (else inferred from answers).
    items: question id -> its options, statements or roadmap items in survey order, so that
    items nobody chose still show (with 0) and statements keep their order.
    """
    missing = [c for c in TIDY_COLUMNS if c not in columns]
    if missing:
        raise TidyFormatError(f"missing column(s): {', '.join(missing)}; "
                              f"expected {','.join(TIDY_COLUMNS)}")
    cols = {c: _factorize(columns[c]) for c in TIDY_COLUMNS if c != "respondent"}
    cols["question_type"] = _lowered(*cols["question_type"])
    _check_types(*cols["question_type"])
    _check_one_company_per_response(cols["response_id"], cols["company"][1])
    values = _ValueTable(cols["value"][0])
    cols["item_empty"] = np.array([label == "" for label in cols["item"][0]], dtype=bool)
    qids, q_codes = cols["question_id"]
    order = np.argsort(q_codes, kind="stable")
    bounds = np.searchsorted(q_codes[order], np.arange(len(qids) + 1))
    hints = {"scales": scales or {}, "items": items or {}}
    questions = tuple(_question(qids[i], order[bounds[i]:bounds[i + 1]], cols, values, hints)
                      for i in range(len(qids)))
    return SurveyData(questions, tuple(cols["company"][0]))


def _factorize(values: Sequence[str]) -> tuple[list[str], np.ndarray]:
    """Return (distinct stripped labels, first seen first; code of each value)."""
    # Only the distinct values go through Python code; the per-value lookup runs in C.
    first = dict.fromkeys(values)
    cleaned = [str(v).strip() for v in first]
    index = {label: i for i, label in enumerate(dict.fromkeys(cleaned))}
    lookup = {v: index[c] for v, c in zip(first, cleaned, strict=True)}
    codes = np.fromiter(map(lookup.__getitem__, values), dtype=np.int64, count=len(values))
    return list(index), codes


def _lowered(labels: list[str], codes: np.ndarray) -> tuple[list[str], np.ndarray]:
    """Return the column with lower-cased labels (question types are case-insensitive)."""
    lowered, remap = _factorize([label.lower() for label in labels])
    return lowered, remap[codes] if codes.size else codes


class _ValueTable:
    """Each distinct value string parsed once: number, whether numeric, whether "dk"."""

    def __init__(self, labels: list[str]) -> None:
        self.labels = np.asarray(labels, dtype=object)
        self.number = np.array([_number(v) for v in labels], dtype=float).reshape(-1)
        self.numeric = ~np.isnan(self.number)
        self.dont_know = np.array([v.lower() == DONT_KNOW for v in labels], dtype=bool)
        self.empty = np.array([v == "" for v in labels], dtype=bool)


def _number(text: str) -> float:
    """Return text as a finite float, or NaN."""
    try:
        x = float(text)
    except ValueError:
        return np.nan
    return x if np.isfinite(x) else np.nan


def _fail(rows: np.ndarray, message: str) -> TidyFormatError:
    """Return an error naming the CSV line of the first offending row (header is line 1)."""
    return TidyFormatError(f"line {int(np.min(rows)) + 2}: {message}")


def _check_types(labels: list[str], codes: np.ndarray) -> None:
    """Refuse unknown question types."""
    unknown = [i for i, t in enumerate(labels) if t not in QUESTION_TYPES]
    if unknown:
        rows = np.flatnonzero(np.isin(codes, unknown))
        raise _fail(rows, f"unknown question_type {labels[codes[rows[0]]]!r}; "
                          f"expected one of {', '.join(QUESTION_TYPES)}")


def _check_one_company_per_response(responses: tuple, companies: np.ndarray) -> None:
    """Refuse a response that is attributed to two companies."""
    labels, codes = responses
    pairs = np.unique(codes * (int(companies.max(initial=0)) + 1) + companies)
    owners = np.bincount(pairs // (int(companies.max(initial=0)) + 1), minlength=len(labels))
    if np.any(owners > 1):
        bad = int(np.flatnonzero(owners > 1)[0])
        raise _fail(np.flatnonzero(codes == bad),
                    f"response {labels[bad]!r} appears under more than one company")


def _question(qid: str, rows: np.ndarray, cols: dict, values: _ValueTable,
              hints: dict) -> QuestionData:
    """Build one question's arrays from its rows of the tidy table."""
    qtype = _single_type(qid, rows, *cols["question_type"])
    item_labels, item_codes = cols["item"]
    _check_items(qid, qtype, rows, cols["item_empty"][item_codes[rows]])
    parsed, keep = _parse_values(qid, qtype, rows, values, cols["value"][1][rows])
    rows, parsed = rows[keep], parsed[keep]
    used, codes = np.unique(item_codes[rows], return_inverse=True)
    known = () if qtype in ITEMLESS else hints["items"].get(qid, ())
    labels, remap = _item_labels([item_labels[u] for u in used], known)
    codes = remap[codes.ravel()] if codes.size else codes.ravel()
    responses = cols["response_id"][1][rows]
    _check_duplicates(qid, qtype, rows, responses, codes)
    answer_ids: tuple[str, ...] = ()
    if qtype == "text":
        ids = np.asarray(cols["response_id"][0], dtype=object)[responses] + f":{qid}"
        answer_ids = tuple(ids.tolist())
    scale = hints["scales"].get(qid) if qtype in SCALE_TYPES else None
    if qtype in ITEMLESS:
        labels = [""]  # one unnamed statement / value column, even with no answers
    return QuestionData(qid, qtype, responses, cols["company"][1][rows], tuple(labels), codes,
                        parsed, answer_ids, scale)


def _item_labels(observed: list[str], known: Sequence[str]) -> tuple[list[str], np.ndarray]:
    """Return item labels, known ones first in their order, and where each observed one went."""
    labels = list(dict.fromkeys([*known, *observed]))
    position = {label: i for i, label in enumerate(labels)}
    return labels, np.array([position[o] for o in observed], dtype=np.int64)


def _single_type(qid: str, rows: np.ndarray, labels: list[str], codes: np.ndarray) -> str:
    """Return the question's type, refusing a question that mixes types."""
    kinds = codes[rows]
    if np.any(kinds != kinds[0]):
        mixed = ", ".join(labels[k] for k in np.unique(kinds))
        raise _fail(rows[kinds != kinds[0]], f"question {qid!r} mixes types {mixed}")
    return labels[kinds[0]]


def _check_items(qid: str, qtype: str, rows: np.ndarray, empty: np.ndarray) -> None:
    """Refuse rows whose item column does not fit the question type."""
    bad = ~empty if qtype in ITEMLESS else empty
    if np.any(bad):
        need = "must leave item empty" if qtype in ITEMLESS else "need an item"
        raise _fail(rows[bad], f"question {qid!r} ({qtype}) rows {need}")


def _parse_values(qid: str, qtype: str, rows: np.ndarray, table: _ValueTable,
                  codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return (values, rows to keep) parsed for the question type."""
    if qtype == "text":
        return table.labels[codes], ~table.empty[codes]
    dk = table.dont_know[codes] if qtype in SCALE_TYPES else np.zeros(codes.size, bool)
    bad = ~dk & ~table.numeric[codes]
    if np.any(bad):
        first = int(np.flatnonzero(bad)[0])
        raise _fail(rows[first:first + 1], f"question {qid!r} ({qtype}): value "
                                           f"{table.labels[codes[first]]!r} is not a number")
    numbers = np.where(dk, np.nan, table.number[codes])
    _check_range(qid, qtype, rows, numbers, dk)
    keep = numbers != 0 if qtype in ("single", "multiple") else np.ones(codes.size, bool)
    return numbers, keep


RANGE_RULES = {
    "likert": (lambda v: v == np.round(v), "a whole scale point"),
    "matrix": (lambda v: v == np.round(v), "a whole scale point"),
    "ranking": (lambda v: (v >= 1) & (v == np.round(v)), "a whole rank of 1 or more"),
    "budget": (lambda v: v >= 0, "0 points or more"),
    "single": (lambda v: (v == 0) | (v == 1), "1 (chosen) or 0"),
    "multiple": (lambda v: (v == 0) | (v == 1), "1 (chosen) or 0"),
    "number": (lambda v: np.ones(v.size, bool), "a number"),
}


def _check_range(qid: str, qtype: str, rows: np.ndarray, values: np.ndarray,
                 dk: np.ndarray) -> None:
    """Refuse numbers outside what the question type allows."""
    rule, wanted = RANGE_RULES[qtype]
    bad = ~dk & ~rule(values)
    if np.any(bad):
        raise _fail(rows[bad], f"question {qid!r} ({qtype}): value must be {wanted}")


def _check_duplicates(qid: str, qtype: str, rows: np.ndarray, responses: np.ndarray,
                      item_codes: np.ndarray) -> None:
    """Refuse two values for the same response and item (two options, for single choice)."""
    key = np.asarray(responses, dtype=np.int64)
    if qtype != "single":
        key = key * (int(item_codes.max(initial=0)) + 1) + item_codes.ravel()
    dup = np.ones(key.size, bool)
    dup[np.unique(key, return_index=True)[1]] = False
    if np.any(dup):
        what = "more than one option" if qtype == "single" else "the same item twice"
        raise _fail(rows[dup], f"question {qid!r} ({qtype}): a response gives {what}")
