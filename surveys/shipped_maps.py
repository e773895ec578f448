"""Pure: the gate's maps for the costliest question shapes, precomputed and shipped.

Listing a shape's profiles and finding its map takes up to seconds (a 4-item ranking of five
companies has 98,280 profiles), so devtools/build_disclosure_maps.py writes the maps of the
large shapes to surveys/data/disclosure_maps.npz. A shipped map is used only when the file
was built by the code now running (a fingerprint of the source of the modules that build
maps; import lines are left out, so moving an import does not stale it), its digest matches
and its size fits the shape; otherwise the gate computes the map itself, as for any shape
not shipped.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Hashable
from functools import cache
from pathlib import Path

import numpy as np

from surveys.profiles import n_profiles

PATH = Path(__file__).with_name("data") / "disclosure_maps.npz"
SOURCES = ("partition.py", "disclosure.py", "profiles.py", "coarsen_scale.py",
           "coarsen_choice.py", "coarsen_ranking.py", "shipped_maps.py")


def fingerprint() -> str:
    """Return a digest of the code that builds maps, import lines left out."""
    digest = hashlib.sha256()
    for name in SOURCES:
        text = Path(__file__).with_name(name).read_text(encoding="utf-8")
        kept, inside = [], False
        for line in text.splitlines():
            starts = line.lstrip().startswith(("from ", "import "))
            if starts or inside:  # an import, or a line of a parenthesized one
                inside = (inside or (starts and "(" in line)) and ")" not in line
                continue
            kept.append(line)
        digest.update("\n".join(kept).encode())
    return digest.hexdigest()


def key_name(key: Hashable) -> str:
    """Return the name a map is stored under."""
    return repr(key)


def digest_of(assigned: np.ndarray) -> str:
    """Return the digest of one map."""
    return hashlib.sha256(np.ascontiguousarray(assigned, dtype=np.int16).tobytes()).hexdigest()


@cache
def _archive() -> tuple[dict, np.lib.npyio.NpzFile] | None:
    """Return the shipped file's index and contents, or None when missing, broken or stale."""
    try:
        data = np.load(io.BytesIO(PATH.read_bytes()), allow_pickle=False)
        index = json.loads(str(data["index"]))
    except (OSError, ValueError, KeyError):
        return None
    if index.get("fingerprint") != fingerprint():
        return None
    return index, data


def shipped_map(key: Hashable, levels: int) -> np.ndarray | None:
    """Return the shipped map for the cache key (shape, n, total, types, k, allow), or None."""
    archive = _archive()
    if archive is None:
        return None
    index, data = archive
    entry = index["maps"].get(key_name(key))
    if entry is None:
        return None
    try:
        assigned = data[entry["member"]].astype(np.int16)
    except (KeyError, ValueError, OSError):
        return None
    _, _, total, types, _, _ = key
    if (digest_of(assigned) != entry["digest"] or entry["levels"] != levels
            or len(assigned) != n_profiles(total, types)
            or not ((assigned >= 0) & (assigned <= levels)).all()):
        return None
    assigned.setflags(write=False)
    return assigned


def write(path: Path, maps: dict[Hashable, tuple[np.ndarray, int]]) -> None:
    """Write maps (key -> (map, number of levels)) with their digests and the fingerprint."""
    index = {"fingerprint": fingerprint(), "maps": {}}
    members = {}
    for i, (key, (assigned, levels)) in enumerate(sorted(maps.items(), key=lambda kv: repr(kv[0]))):
        member = f"m{i}"
        members[member] = np.asarray(assigned, dtype=np.uint8)
        index["maps"][key_name(key)] = {"member": member, "digest": digest_of(assigned),
                                        "levels": levels}
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, index=np.array(json.dumps(index, sort_keys=True)), **members)
