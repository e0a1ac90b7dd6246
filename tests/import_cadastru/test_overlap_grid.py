"""The grid search for overlapping bounding boxes finds exactly the pairs the STRtree
search finds (imported parcel first, a pair of imported parcels once), on random boxes
with large and repeated ones, over several stripes of the grid."""

from __future__ import annotations

import numpy as np
import pytest

from import_cadastru.writers import validation


def _pairs(found):
    a, b = found
    return sorted(zip(a.tolist(), b.tolist(), strict=True))


@pytest.mark.parametrize("seed", range(12))
def test_grid_finds_the_pairs_the_strtree_finds(monkeypatch, seed):
    monkeypatch.setattr(validation, "GRID_STRIPE", 37)  # many stripes
    monkeypatch.setattr(validation, "GRID_CHUNK", 101)  # many chunks of pairs
    monkeypatch.setattr(validation, "GRID_PAIRS_PER_BOX", 10**6)  # never declines
    rng = np.random.default_rng(seed)
    n = int(rng.integers(50, 1500))
    x, y = rng.uniform(0, 1000, n), rng.uniform(0, 1000, n)
    w, h = rng.uniform(0, 30, n), rng.uniform(0, 30, n)
    big = rng.choice(n, size=5, replace=False)
    w[big] *= 30
    if seed % 3 == 0:  # a regular grid: shared edges and identical boxes
        x, y = np.round(x / 10) * 10, np.round(y / 10) * 10
        w[:], h[:] = 10.0, 10.0
    touched = rng.random(n) < 0.6
    tolerance = float(rng.choice([0.0, 1.0, 20.0]))
    args = (x, y, x + w, y + h, touched, tolerance)
    grid = validation._grid_pairs(*args)
    assert grid is not None
    assert _pairs(grid) == _pairs(validation._strtree_pairs(*args))


def test_grid_declines_boxes_it_does_not_suit():
    # long thin parcels side by side: every cell would hold hundreds of them
    n = 2000
    x = np.arange(n) * 1.0
    y = np.zeros(n)
    touched = np.ones(n, dtype=bool)
    assert validation._grid_pairs(x, y, x + 1.0, y + 500.0, touched, 1.0) is None
