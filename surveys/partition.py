"""Pure: the gate's fixed map from every answer profile to what it publishes, safe everywhere.

The attacker knows the gate, so what a profile publishes is a cell of a map over every profile
of the question's shape: the profiles publishing the same level with the same figures. Each
cell must be safe (surveys/disclosure.py): for every protected category, the count is not
known to lie within 1..k-1, nor, unless the chair allows unanimity, to be all n. A view is a
subset of the profiles an attacker may know the truth lies in (say, "nobody could answer
"don't know""); each cell must also be safe within each view it meets.

The map is built coarsest first, then refined: every profile starts at the coarsest candidate
(its unsafe cells, and then whole cells until that cell is safe too, show nothing but n);
then, finest first, a group of profiles showing the same figures at a finer level moves to it
when the group is safe and every cell it leaves stays safe. So a profile publishes the finest
level the others let it, and never less than the coarsest one's safe cells.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence

import numpy as np

from surveys.disclosure import Level
from surveys.profiles import profile_index, profiles
from surveys.shipped_maps import shipped_map

Views = Callable[[np.ndarray], np.ndarray]  # profiles (P x types) -> masks (V x P)

_PARTITIONS: dict[Hashable, np.ndarray] = {}  # cached maps, oldest first
CACHE_SIZE = 256


def choose(truth: Sequence[int], levels: Sequence[Level], categories: np.ndarray | None,
           k: int, allow_unanimous: bool, *, key: Hashable = None,
           space: np.ndarray | None = None, n: int | None = None,
           views: Views | None = None) -> int:
    """Return the index of the level published for truth (len(levels): only n is shown).

    The map is cached (and may be shipped, surveys/shipped_maps.py) under key, the question's
    shape (None: not cached). space: the profiles to consider instead of every split of
    sum(truth) (then n: respondents); views: the subsets an attacker may know of.
    """
    true = np.asarray(truth, dtype=np.int16)
    n = int(true.sum()) if n is None else n
    cache_key = None if key is None else (key, n, int(true.sum()), true.size, k, allow_unanimous)
    assigned = _PARTITIONS.get(cache_key) if cache_key is not None else None
    if assigned is None and cache_key is not None and space is None:
        assigned = shipped_map(cache_key, len(levels))
    if assigned is None:
        rows = profiles(int(true.sum()), true.size) if space is None else space
        masks = None if views is None else views(rows)
        assigned = partition(rows, levels, categories, k, allow_unanimous, n, masks)
    if cache_key is not None:
        _PARTITIONS[cache_key] = assigned
        while len(_PARTITIONS) > CACHE_SIZE:
            _PARTITIONS.pop(next(iter(_PARTITIONS)))
    if space is None:
        return int(assigned[profile_index(true)])
    return int(assigned[int(np.flatnonzero((space == true).all(axis=1))[0])])


class Cells:
    """Per cell and view, how many profiles hold each category at 0, at k or more, at n."""

    def __init__(self, counts: np.ndarray, masks: np.ndarray, cell: np.ndarray, size: int,
                 k: int, n: int, allow_unanimous: bool) -> None:
        self.marks = np.stack([counts == 0, counts >= k, counts == n], axis=1).astype(np.int32)
        self.masks, self.allow = masks, allow_unanimous
        self.stats = np.zeros((len(masks), size, 3, counts.shape[1]), dtype=np.int32)
        self.sizes = np.zeros((len(masks), size), dtype=np.int32)
        for v, mask in enumerate(masks):
            np.add.at(self.stats[v], cell[mask], self.marks[mask])
            np.add.at(self.sizes[v], cell[mask], 1)

    def safe(self, stats: np.ndarray, sizes: np.ndarray) -> np.ndarray:
        """Tell, per (view, cell), whether its profiles disclose nothing (empty cells do not)."""
        hidden = ((stats[..., 0, :] > 0) | (stats[..., 1, :] > 0)).all(axis=-1)
        if not self.allow:
            hidden &= (stats[..., 2, :] < sizes[..., None]).all(axis=-1)
        return hidden | (sizes == 0)

    def delta(self, members: np.ndarray, cell: np.ndarray) -> tuple[np.ndarray, np.ndarray,
                                                                    np.ndarray]:
        """Return the cells members lie in, and their stats and sizes per view and cell."""
        touched, where = np.unique(cell[members], return_inverse=True)
        stats = np.zeros((len(self.masks), len(touched), *self.stats.shape[2:]), np.int32)
        sizes = np.zeros((len(self.masks), len(touched)), np.int32)
        for v, mask in enumerate(self.masks):
            inside = mask[members]
            np.add.at(stats[v], where[inside], self.marks[members[inside]])
            np.add.at(sizes[v], where[inside], 1)
        return touched, stats, sizes


def partition(rows: np.ndarray, levels: Sequence[Level], categories: np.ndarray | None,
              k: int, allow_unanimous: bool, n: int, views: np.ndarray | None = None
              ) -> np.ndarray:
    """Return the level each profile publishes (len(levels): nothing but n), safe everywhere."""
    counts = rows if categories is None else rows.astype(np.int32) @ categories
    masks = np.ones((1, len(rows)), dtype=bool)
    if views is not None:
        masks = np.concatenate([masks, np.asarray(views, dtype=bool)])
    memo: dict[Callable, np.ndarray] = {}  # each feature over every profile, computed once

    def figures(level: Level, idx: np.ndarray) -> np.ndarray:
        for f in level.features:
            if f not in memo:
                memo[f] = np.asarray(f(rows)).reshape(len(rows), -1)
        return np.concatenate([memo[f][idx] for f in level.features], axis=1)

    def first(level: Level, idx: np.ndarray) -> np.ndarray:
        figures(Level(level.name, level.features[:1]), idx)
        return memo[level.features[0]][idx]

    none, base = len(levels), len(levels) - 1
    cell = _group_ids(figures(levels[base], np.arange(len(rows))))
    nothing = int(cell.max()) + 1 if len(rows) else 0  # the cell that shows nothing but n
    cells = Cells(counts, masks, cell, nothing + 1, k, n, allow_unanimous)
    ok = cells.safe(cells.stats, cells.sizes).all(axis=0)[:nothing]
    if levels[base].cells and not allow_unanimous:
        ok &= ~_any_full(first(levels[base], np.arange(len(rows))), cell, nothing, n)
    cell = np.where(ok[cell], cell, nothing)
    cells = Cells(counts, masks, cell, nothing + 1, k, n, allow_unanimous)
    _fix_nothing_cell(cells, cell, nothing)
    assigned = np.where(cell == nothing, none, base).astype(np.int16)
    for index, level in enumerate(levels[:base]):
        idx = np.flatnonzero(cell >= 0)
        if idx.size == 0:
            break
        group = _group_ids(figures(level, idx))
        full = (_any_full(first(level, idx), group, int(group.max()) + 1, n)
                if level.cells and not allow_unanimous else None)
        moved = _refine(cells, cell, idx, group, full)
        assigned[moved] = index
    return assigned


def _any_full(first: np.ndarray, group: np.ndarray, groups: int, n: int) -> np.ndarray:
    """Tell, per group, whether one of its published counts is all n (a shown unanimity)."""
    full = np.zeros(groups, dtype=bool)
    np.logical_or.at(full, group, (first == n).any(axis=1))
    return full


def _refine(cells: Cells, cell: np.ndarray, idx: np.ndarray, group: np.ndarray,
            full: np.ndarray | None) -> np.ndarray:
    """Move each group of profiles idx that is safe, and leaves its cells safe; return them."""
    groups = int(group.max()) + 1
    stats = np.zeros((len(cells.masks), groups, *cells.stats.shape[2:]), np.int32)
    sizes = np.zeros((len(cells.masks), groups), np.int32)
    for v, mask in enumerate(cells.masks):
        inside = mask[idx]
        np.add.at(stats[v], group[inside], cells.marks[idx[inside]])
        np.add.at(sizes[v], group[inside], 1)
    good = cells.safe(stats, sizes).all(axis=0)
    if full is not None:
        good &= ~full
    order = np.argsort(group, kind="stable")
    bounds = np.searchsorted(group[order], np.arange(groups + 1))
    moved = []
    # The largest groups first: they are the likeliest answers, and each one moved may take
    # the witnesses a later one needs.
    for g in sorted(np.flatnonzero(good), key=lambda g: (-(bounds[g + 1] - bounds[g]), g)):
        members = idx[order[bounds[g]:bounds[g + 1]]]
        touched, taken, taken_sizes = cells.delta(members, cell)
        left = cells.stats[:, touched] - taken
        left_sizes = cells.sizes[:, touched] - taken_sizes
        if cells.safe(left, left_sizes).all():
            cells.stats[:, touched], cells.sizes[:, touched] = left, left_sizes
            cell[members] = -1
            moved.append(members)
    moved += _empty_cells(cells, cell, idx, group, good)
    return np.concatenate(moved) if moved else np.zeros(0, dtype=np.int64)


def _empty_cells(cells: Cells, cell: np.ndarray, idx: np.ndarray, group: np.ndarray,
                 good: np.ndarray) -> list[np.ndarray]:
    """Move whole cells that split exactly into safe groups: none could move alone.

    Each group moved alone would take witnesses the others need; moved together they leave
    nothing behind, and an empty cell discloses nothing.
    """
    here = cell[idx] >= 0
    idx, group = idx[here], group[here]
    moved = []
    for c in np.unique(cell[idx]):
        inside = cell[idx] == c
        groups = np.unique(group[inside])
        whole = np.isin(group, groups)
        if (good[groups].all() and (cell[idx[whole]] == c).all()
                and whole.sum() == cells.sizes[0, c]):
            members = idx[whole]
            cells.stats[:, c], cells.sizes[:, c] = 0, 0
            cell[members] = -1
            moved.append(members)
    return moved


def _fix_nothing_cell(cells: Cells, cell: np.ndarray, nothing: int) -> None:
    """Send whole cells to the "nothing but n" cell until it discloses nothing in any view.

    One profile that widens the offending range is sent when its cell stays safe without it
    (a count of 0 first: where the answer is rare, a cell tells least about it); otherwise
    the smallest whole cell holding such a profile.
    """
    while True:
        stats, sizes = cells.stats[:, nothing], cells.sizes[:, nothing]
        bad = np.flatnonzero(~cells.safe(stats, sizes))
        if not bad.size:
            return
        v = int(bad[0])
        zero, many, every = stats[v]
        pinned = np.flatnonzero((zero == 0) & (many == 0))
        if pinned.size:
            c = int(pinned[0])
            wanted = [cells.stats[v, :nothing, 0, c], cells.stats[v, :nothing, 1, c]]
            marks = [cells.marks[:, 0, c], cells.marks[:, 1, c]]
        else:
            c = int(np.flatnonzero(every >= sizes[v])[0])
            wanted = [cells.sizes[v, :nothing] - cells.stats[v, :nothing, 2, c]]
            marks = [1 - cells.marks[:, 2, c]]
        if _send_one_profile(cells, cell, nothing, v, marks):
            continue
        for helps in wanted:
            candidates = np.flatnonzero(helps > 0)
            if candidates.size:
                g = int(candidates[np.argmin(cells.sizes[0, candidates])])
                break
        else:
            return  # no cell left to send: every profile shows only n already
        cells.stats[:, nothing] += cells.stats[:, g]
        cells.sizes[:, nothing] += cells.sizes[:, g]
        cells.stats[:, g], cells.sizes[:, g] = 0, 0
        cell[cell == g] = nothing


def _send_one_profile(cells: Cells, cell: np.ndarray, nothing: int, v: int,
                      marks: list[np.ndarray]) -> bool:
    """Send one profile of view v with a mark to the nothing cell, if its cell stays safe."""
    for mark in marks:
        for p in np.flatnonzero((mark > 0) & cells.masks[v] & (cell >= 0) & (cell != nothing)):
            members = np.array([p])
            touched, taken, taken_sizes = cells.delta(members, cell)
            left = cells.stats[:, touched] - taken
            left_sizes = cells.sizes[:, touched] - taken_sizes
            if cells.safe(left, left_sizes).all():
                cells.stats[:, touched], cells.sizes[:, touched] = left, left_sizes
                cells.stats[:, nothing] += taken[:, 0]
                cells.sizes[:, nothing] += taken_sizes[:, 0]
                cell[p] = nothing
                return True
    return False


def _group_ids(figures: np.ndarray) -> np.ndarray:
    """Return a group id per row of figures: equal rows, equal ids (0..groups - 1)."""
    figures = np.asarray(figures)
    if figures.dtype.kind in "iub" and figures.size:
        shifted = figures.astype(np.int64) - figures.min(axis=0)
        spans = shifted.max(axis=0) + 1
        if float(np.prod(spans.astype(float))) < 2.0 ** 62:
            radix = np.concatenate([[1], np.cumprod(spans[:-1])]).astype(np.int64)
            return np.unique(shifted @ radix, return_inverse=True)[1].ravel()
    return np.unique(figures, axis=0, return_inverse=True)[1].ravel()
