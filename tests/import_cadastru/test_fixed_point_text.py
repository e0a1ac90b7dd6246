"""The Arrow reader's numeric text is exactly what `"%.Nf" % value` gives (what the
row-by-row converter writes), computed for a whole batch at once, including halves,
values next to a half, negative zero and the largest values a numeric(14,2) holds."""

from __future__ import annotations

import numpy as np
import pytest

from import_cadastru.readers.arrow_batches import fixed_point_text


@pytest.mark.parametrize("places", [0, 1, 2, 3])
def test_fixed_point_text_is_the_format(places):
    rng = np.random.default_rng(places)
    values = np.concatenate(
        [
            rng.uniform(-1e6, 1e6, 20_000),
            np.round(rng.uniform(-1e4, 1e4, 20_000), places + 1),  # halves and near-halves
            rng.integers(-(10**6), 10**6, 5_000) / 1000.0 + 0.005,
            rng.uniform(-1e11, 1e11, 5_000),
            np.exp(rng.uniform(-30, 25, 5_000)),
            [0.125, 0.375, 1.005, 2.675, -0.001, -0.0, 0.0, 0.005, -0.005, 123.455, 5e-324],
            [99_999_999_999.99, -99_999_999_999.995, 0.015, 0.025, 1e-7],
        ]
    )
    present = rng.random(len(values)) < 0.95
    fmt = f"%.{places}f"
    pairs = zip(values.tolist(), present.tolist(), strict=True)
    expected = [fmt % v if ok else None for v, ok in pairs]
    assert fixed_point_text(values, present, places).to_pylist() == expected
