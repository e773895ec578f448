"""Write surveys/data/disclosure_maps.npz: the gate's maps for the costliest ranking shapes.

    python -m devtools.build_disclosure_maps [--k 3 5] [--min-profiles 5000]

Run it after changing any module surveys/shipped_maps.py fingerprints (the test
tests/test_disclosure_maps.py says when the shipped file is stale); until then the gate
computes those maps itself, which is safe but slower the first time in each process.
"""

from __future__ import annotations

import argparse
import time
from math import perm

import numpy as np

from surveys.coarsen_ranking import Model
from surveys.partition import partition
from surveys.profiles import EXACT_MAX, MAX_PROFILES, n_profiles, profiles
from surveys.shipped_maps import PATH, write


def ranking_shapes(min_profiles: int) -> list[tuple[int, int, int]]:
    """Return (items, top, n) of every ranking the exact attack runs on with many profiles."""
    out = []
    for items in range(2, 7):
        for top in [t for t in range(1, items + 1) if t != items - 1]:  # top n-1 is a full one
            for n in range(1, EXACT_MAX + 1):
                if min_profiles <= n_profiles(n, perm(items, top)) <= MAX_PROFILES:
                    out.append((items, top, n))
    return out


def ranking_map(items: int, top: int, n: int, k: int, allow: bool) -> tuple[tuple, np.ndarray, int]:
    """Return the cache key, the map and its number of levels for one ranking shape."""
    model = Model([str(i) for i in range(items)], top)
    levels = model.candidates()
    types = len(model.types)
    assigned = partition(profiles(n, types), levels, model.categories, k, allow, n)
    return (model.key(), n, n, types, k, allow), assigned, len(levels)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--k", type=int, nargs="+", default=[3, 5])
    parser.add_argument("--min-profiles", type=int, default=5000)
    args = parser.parse_args()
    maps = {}
    for items, top, n in ranking_shapes(args.min_profiles):
        for k in args.k:
            if n < k:
                continue  # a group smaller than k is withheld before any map is read
            for allow in (False, True):
                start = time.perf_counter()
                key, assigned, levels = ranking_map(items, top, n, k, allow)
                maps[key] = (assigned, levels)
                print(f"{key}: {len(assigned)} profiles, {time.perf_counter() - start:.1f} s")
    write(PATH, maps)
    print(f"wrote {len(maps)} maps to {PATH} ({PATH.stat().st_size // 1024} KiB)")


if __name__ == "__main__":
    main()
