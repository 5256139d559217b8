"""quant.lloyd: the engine's weighted k-means (k-means++ seeding, Lloyd's iterations with bounds)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import quant
from quant.lloyd import _fit, _Level, _lloyd_around, _seed_around
from quant.parallel import map_in_parallel

REPO_ROOT = Path(__file__).resolve().parents[1]


def blobs(n: int, d: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Weighted points in a few overlapping clusters (ties and boundary points included)."""
    rng = np.random.default_rng(seed)
    centres = rng.uniform(0, 255, size=(6, d))
    points = np.rint(centres[rng.integers(0, 6, n)] + rng.normal(0, 25, size=(n, d)))
    return points, rng.integers(1, 50, n).astype(np.float64)


def plain_lloyd(points: np.ndarray, weights: np.ndarray, pins: np.ndarray, free: np.ndarray, steps: int) -> np.ndarray:
    """Textbook weighted Lloyd: every distance every step (empty centres move to the
    farthest point, as quant.lloyd does); the free centres after ``steps`` updates."""
    centres = np.concatenate([pins, free])
    labels = np.argmin(((points[:, None, :] - centres[None]) ** 2).sum(axis=2), axis=1)
    for _ in range(steps):
        moved = centres.copy()
        counts = np.bincount(labels, weights=weights, minlength=centres.shape[0])
        for centre in range(pins.shape[0], centres.shape[0]):
            if counts[centre] > 0:
                moved[centre] = weights[labels == centre] @ points[labels == centre] / counts[centre]
        empty = [centre for centre in range(pins.shape[0], centres.shape[0]) if counts[centre] == 0]
        if empty:
            far = np.argsort(-((points - centres[labels]) ** 2).sum(axis=1), kind="stable")[: len(empty)]
            moved[empty] = points[far]
        centres = moved
        labels = np.argmin(((points[:, None, :] - centres[None]) ** 2).sum(axis=2), axis=1)
    return centres[pins.shape[0] :]


@pytest.mark.parametrize(("d", "n_pins"), [(3, 0), (3, 2), (4, 0)])
@pytest.mark.parametrize("steps", [1, 2, 5, 40])
def test_lloyd_with_bounds_takes_the_textbook_steps(d: int, n_pins: int, steps: int) -> None:
    points, weights = blobs(3000, d, seed=d + n_pins)
    pins = points[:n_pins] + 0.5
    level = _Level(points, weights, pins)
    free = _seed_around(level, 12 - n_pins, np.random.default_rng(1))
    centres, inertia, labels = _lloyd_around(level, free, max_iter=steps, tol=0.0)
    np.testing.assert_allclose(centres, plain_lloyd(points, weights, pins, free, steps), rtol=0, atol=1e-9)
    # The labels are each point's nearest centre, the error that assignment's.
    everything = np.concatenate([pins, centres])
    distances = ((points[:, None, :] - everything[None]) ** 2).sum(axis=2)
    np.testing.assert_allclose(distances[np.arange(points.shape[0]), labels], distances.min(axis=1), rtol=1e-12, atol=1e-6)
    assert inertia == pytest.approx(float(weights @ distances.min(axis=1)), rel=1e-12)


def test_a_centre_left_empty_moves_to_the_farthest_point() -> None:
    points = np.array([[0.0, 0, 0], [1, 0, 0], [100, 0, 0]])
    level = _Level(points, np.ones(3), np.zeros((0, 3)))
    # The third centre is nearest to no point: it moves to a point far from its centre,
    # until each centre has a point of its own.
    centres, inertia, labels = _lloyd_around(level, np.array([[0.5, 0, 0], [60, 0, 0], [250, 250, 250]]), max_iter=10, tol=0.0)
    assert sorted(map(tuple, centres.tolist())) == [(0, 0, 0), (1, 0, 0), (100, 0, 0)]
    assert sorted(labels.tolist()) == [0, 1, 2] and inertia == 0.0


def test_weights_count_as_repeated_points() -> None:
    points, weights = blobs(400, 3, seed=5)
    weights = np.rint(weights / 10) + 1
    repeated = np.repeat(points, weights.astype(int), axis=0)
    start = points[:7]
    weighted = _lloyd_around(_Level(points, weights, np.zeros((0, 3))), start, max_iter=300, tol=0.0)
    plain = _lloyd_around(_Level(repeated, np.ones(repeated.shape[0]), np.zeros((0, 3))), start, max_iter=300, tol=0.0)
    np.testing.assert_allclose(weighted[0], plain[0], atol=1e-9)
    assert weighted[1] == pytest.approx(plain[1], rel=1e-12)


def test_seeding_is_reproducible_and_picks_distinct_points() -> None:
    points, weights = blobs(2000, 3, seed=2)
    level = _Level(points, weights, np.zeros((0, 3)))
    first = _seed_around(level, 16, np.random.default_rng(7))
    again = _seed_around(level, 16, np.random.default_rng(7))
    other = _seed_around(level, 16, np.random.default_rng(8))
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)
    assert np.unique(first, axis=0).shape[0] == 16
    assert all((points == centre).all(axis=1).any() for centre in first)


def test_the_first_centre_is_drawn_in_proportion_to_weight() -> None:
    points = np.array([[0.0, 0, 0], [50, 50, 50], [200, 10, 90]])
    weights = np.array([0.0, 1.0, 0.0])  # all the weight on one point
    level = _Level(points, weights + 1e-300, np.zeros((0, 3)))
    for seed in range(5):
        assert _seed_around(level, 1, np.random.default_rng(seed)).tolist() == [[50, 50, 50]]


def test_seeding_around_pins_spends_no_centre_on_a_pin_and_stops_when_points_run_out() -> None:
    points = np.array([[0.0, 0, 0], [10, 0, 0], [200, 0, 0], [210, 0, 0]])
    level = _Level(points, np.ones(4), points[:2])
    free = _seed_around(level, 5, np.random.default_rng(0))
    assert sorted(map(tuple, free)) == [(200, 0, 0), (210, 0, 0)]


def test_fit_in_four_dimensions_labels_each_point_with_its_nearest_centre() -> None:
    points, weights = blobs(1500, 4, seed=9)
    fitted = _fit(points, weights, 8, init="k-means++", random_state=3, tol=1e-6)
    assert fitted.cluster_centers_.shape == (8, 4)
    distances = ((points[:, None, :] - fitted.cluster_centers_[None]) ** 2).sum(axis=2)
    np.testing.assert_array_equal(fitted.labels_, distances.argmin(axis=1))
    again = _fit(points, weights, 8, init=fitted.cluster_centers_, random_state=0, tol=1e-6)
    assert again.inertia_ <= fitted.inertia_ * (1 + 1e-12)


def test_fits_in_threads_equal_fits_one_after_another() -> None:
    points, weights = blobs(40_000, 3, seed=4)
    level = _Level(points, weights, np.zeros((0, 3)))

    def fit(seed: int) -> np.ndarray:
        return _lloyd_around(level, _seed_around(level, 24, np.random.default_rng(seed)), max_iter=50, tol=1e-6)[0]

    serial = [fit(seed) for seed in range(4)]
    for threaded, alone in zip(map_in_parallel(fit, list(range(4))), serial):
        np.testing.assert_array_equal(threaded, alone)


def test_quantize_with_a_seed_is_reproducible_in_threads() -> None:
    image = np.random.default_rng(0).integers(0, 256, size=(120, 90, 3), dtype=np.uint8)
    palettes = map_in_parallel(lambda seed: quant.quantize(image, 16, seed=seed % 2).palette, [0, 1, 0, 1])
    np.testing.assert_array_equal(palettes[0], palettes[2])
    np.testing.assert_array_equal(palettes[1], palettes[3])
    np.testing.assert_array_equal(palettes[0], quant.quantize(image, 16, seed=0).palette)


def test_the_k_means_paths_import_no_heavy_package() -> None:
    """k-means palettes (with pins too), fits and traces need NumPy only."""
    code = (
        "import json, sys\nimport numpy as np\nimport quant\n"
        "image = np.random.default_rng(0).integers(0, 256, size=(60, 80, 3), dtype=np.uint8)\n"
        "result = quant.quantize(image, 32)\nquant.indexed_png(result)\n"
        "quant.apply_palette(image, quant.fit_palette(image, 8))\nquant.quantize(image, 8, fixed=[(255, 0, 0)])\n"
        "quant.kmeans_steps(image, 8)\n"
        "print(json.dumps(sorted({name.split('.')[0] for name in sys.modules} & {'sklearn', 'scipy', 'skimage', 'numba'})))"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO_ROOT), os.environ.get("PYTHONPATH", "")])}
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300, check=False)
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout.splitlines()[-1]) == []
