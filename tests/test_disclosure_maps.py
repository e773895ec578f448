"""The maps shipped for the costliest shapes: equal to a fresh computation, never trusted blindly."""

import numpy as np
import pytest

from devtools.build_disclosure_maps import ranking_map
from surveys import partition, shipped_maps
from surveys.coarsen_ranking import Model
from surveys.profiles import capped, n_profiles, profile_index, profiles


@pytest.fixture
def fresh():
    """Forget the loaded file and the cached maps around a test that swaps the file."""
    shipped_maps._archive.cache_clear()
    partition._PARTITIONS.clear()
    yield
    shipped_maps._archive.cache_clear()
    partition._PARTITIONS.clear()


def test_the_shipped_file_was_built_by_the_code_now_running():
    """Fails when a module that builds maps changed: rerun devtools/build_disclosure_maps.py."""
    shipped_maps._archive.cache_clear()
    assert shipped_maps._archive() is not None


@pytest.mark.parametrize(("items", "top", "n", "k", "allow"), [
    (3, 3, 12, 5, False), (4, 2, 6, 5, True), (4, 4, 5, 5, False), (5, 2, 5, 3, False)])
def test_a_shipped_map_equals_a_fresh_computation(fresh, items, top, n, k, allow):
    key, assigned, levels = ranking_map(items, top, n, k, allow)
    shipped = shipped_maps.shipped_map(key, levels)
    assert shipped is not None and np.array_equal(shipped, assigned)


def _ranking_choice(k=5):
    """Return what the gate publishes for one 4-item, five-company ranking profile."""
    model = Model(["0", "1", "2", "3"], 4)
    truth = np.zeros(len(model.types), dtype=np.int64)
    truth[[0, 0, 1, 7, 23]] += 1
    return partition.choose(truth, model.candidates(), model.categories, k, False,
                            key=model.key())


def test_a_tampered_file_is_not_used(fresh, tmp_path, monkeypatch):
    expected = _ranking_choice()
    data = np.load(shipped_maps.PATH)
    members = {name: data[name] for name in data.files}
    for name in members:
        if name.startswith("m"):
            members[name] = np.zeros_like(members[name])  # every profile: the finest level
    forged = tmp_path / "maps.npz"
    np.savez_compressed(forged, **members)
    monkeypatch.setattr(shipped_maps, "PATH", forged)
    shipped_maps._archive.cache_clear()
    partition._PARTITIONS.clear()
    key, _, levels = ranking_map(4, 4, 5, 5, False)
    assert shipped_maps.shipped_map(key, levels) is None
    assert _ranking_choice() == expected


def test_a_missing_or_stale_file_falls_back_to_computing(fresh, tmp_path, monkeypatch):
    expected = _ranking_choice()
    key, _, levels = ranking_map(4, 4, 5, 5, False)
    monkeypatch.setattr(shipped_maps, "PATH", tmp_path / "missing.npz")
    shipped_maps._archive.cache_clear()
    partition._PARTITIONS.clear()
    assert shipped_maps.shipped_map(key, levels) is None
    assert _ranking_choice() == expected
    monkeypatch.undo()
    monkeypatch.setattr(shipped_maps, "fingerprint", lambda: "other code")
    shipped_maps._archive.cache_clear()
    assert shipped_maps.shipped_map(key, levels) is None


@pytest.mark.parametrize(("n", "types"), [(5, 4), (3, 6), (7, 3), (4, 1)])
def test_profile_index_finds_every_profile_without_listing(n, types):
    rows = profiles(n, types)
    assert len(rows) == n_profiles(n, types)
    assert [profile_index(r) for r in rows] == list(range(len(rows)))


def test_capped_splits_respect_the_cap():
    rows = capped(7, 3, 3)
    assert (rows <= 3).all() and (rows.sum(axis=1) == 7).all() and len(rows) == 6
