"""quant.steps: the k-means traces the "k-means step by step" page animates."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_sample_image

import quant
from quant import steps
from ui.frame import samples


@pytest.fixture(scope="module")
def crop() -> np.ndarray:
    """A 120 x 160 crop of china.jpg: few enough colours for the colour-by-colour path."""
    return np.ascontiguousarray(load_sample_image("china.jpg")[150:270, 250:410])


@pytest.fixture(scope="module")
def china() -> np.ndarray:
    """The whole photo: 96,615 distinct colours, so the assignment goes cell by cell."""
    image = np.ascontiguousarray(load_sample_image("china.jpg"))
    assert quant.count_colors(image) >= steps._CELL_MIN_COLORS
    return image


def visible_sample(name: str) -> np.ndarray:
    """A sample as the k-means page runs on it: an RGBA one as the (1, N, 3) colours of its
    visible pixels (ui.compute.cached.visible_pixels), the traces being RGB only."""
    image = samples.load_sample(name)
    return image if image.shape[-1] == 3 else np.ascontiguousarray(image[..., :3][image[..., 3] > 0])[None]


def brute_force(image: np.ndarray, centres: np.ndarray) -> tuple[float, np.ndarray]:
    """MSE and pixels per centre with every pixel sent to its nearest centre, in float64."""
    pixels = image.reshape(-1, 3).astype(np.float64)
    distances = ((pixels[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
    labels = distances.argmin(axis=1)
    return float(distances.min(axis=1).sum() / pixels.size), np.bincount(labels, minlength=centres.shape[0])


@pytest.mark.parametrize("init", quant.INITS)
def test_shapes_and_bookkeeping(crop: np.ndarray, init: str) -> None:
    trace = quant.kmeans_steps(crop, 8, init=init, seed=1, max_iter=12)
    n_rows = trace.n_steps + 1
    assert 1 <= trace.n_steps <= 12
    assert trace.centres.shape == (n_rows, 8, 3) and trace.k == 8
    assert trace.mse.shape == (n_rows,)
    assert trace.counts.shape == (n_rows, 8) and trace.counts.dtype == np.int64
    assert np.all(trace.counts.sum(axis=1) == crop.shape[0] * crop.shape[1])
    assert np.array_equal(trace.empty, trace.counts == 0)
    assert trace.moves.shape == (trace.n_steps, 8)
    assert (trace.method, trace.init, trace.seed, trace.n_colors) == ("lloyd", init, 1, 8)
    assert trace.batch_size is None and trace.n_pixels == crop.shape[0] * crop.shape[1]
    assert trace.converged == (trace.n_steps < 12 or trace.moves[-1].max() <= steps.TOL)


@pytest.mark.parametrize("fixture", ["crop", "china"])
def test_every_rows_error_and_counts_are_exact(fixture: str, request: pytest.FixtureRequest) -> None:
    image = request.getfixturevalue(fixture)
    trace = quant.kmeans_steps(image, 12, init="random", seed=4, max_iter=6)
    for row in (0, 1, trace.n_steps):
        mse, counts = brute_force(image, trace.centres[row])
        assert trace.mse[row] == pytest.approx(mse, rel=1e-9)
        assert np.array_equal(trace.counts[row], counts)
    # Half-way through iteration 1: the start's groups, the moved centres.
    pixels = image.reshape(-1, 3).astype(np.float64)
    groups = ((pixels[:, None, :] - trace.centres[0][None]) ** 2).sum(axis=2).argmin(axis=1)
    halfway = ((pixels - trace.centres[1][groups]) ** 2).sum() / pixels.size
    assert trace.update_mse[0] == pytest.approx(halfway, rel=1e-9)


def test_step_zero_is_the_start(crop: np.ndarray) -> None:
    # Uniform: the very palette quantize(method="random") draws with the same seed.
    uniform = quant.kmeans_steps(crop, 16, init="uniform", seed=7, max_iter=3)
    random_palette = quant.quantize(crop, 16, method="random", seed=7).palette
    # (quantize drops the entries no pixel is nearest to.)
    assert {tuple(c) for c in random_palette} <= {tuple(c) for c in uniform.centres[0].astype(np.uint8)}
    assert len(random_palette) == 16 - uniform.empty[0].sum()
    assert np.all(uniform.centres[0] == np.rint(uniform.centres[0]))
    # Forgy: distinct colours of the image.
    colours = quant.color_histogram(crop).colors
    start = quant.kmeans_steps(crop, 16, init="random", seed=7, max_iter=0)
    assert start.n_steps == 0
    chosen = {tuple(c) for c in start.centres[0].astype(np.uint8)}
    assert np.all(start.centres[0] == np.rint(start.centres[0]))
    assert len(chosen) == 16 and chosen <= {tuple(c) for c in colours}
    # k-means++: 16 distinct centres among the image's colours (seeded on 5-bit cell means).
    plus = quant.kmeans_steps(crop, 16, init="k-means++", seed=7, max_iter=0).centres[0]
    assert len({tuple(c) for c in plus}) == 16
    assert np.all(plus >= colours.min(axis=0)) and np.all(plus <= colours.max(axis=0))


def test_a_step_moves_each_centre_to_the_mean_of_its_pixels(crop: np.ndarray) -> None:
    trace = quant.kmeans_steps(crop, 6, init="random", seed=2, max_iter=1)
    pixels = crop.reshape(-1, 3).astype(np.float64)
    labels = ((pixels[:, None, :] - trace.centres[0][None]) ** 2).sum(axis=2).argmin(axis=1)
    for centre in range(6):
        np.testing.assert_allclose(trace.centres[1][centre], pixels[labels == centre].mean(axis=0), atol=1e-9)


@pytest.mark.parametrize("name", list(samples.SAMPLES))
@pytest.mark.parametrize("init", quant.INITS)
def test_error_never_rises_under_lloyd(name: str, init: str) -> None:
    trace = quant.kmeans_steps(visible_sample(name), 16, init=init, seed=3)
    rises = np.diff(trace.mse)
    assert np.all(rises <= 1e-9 * trace.mse[:-1]), rises.max()
    # Both halves of every iteration lower it: assign, then update.
    assert trace.update_mse.shape == (trace.n_steps,)
    assert np.all(trace.update_mse <= trace.mse[:-1] * (1 + 1e-9))
    assert np.all(trace.mse[1:] <= trace.update_mse * (1 + 1e-9))
    assert trace.mse[-1] < trace.mse[0]


def test_same_seed_same_trace_and_another_seed_another(crop: np.ndarray) -> None:
    for init in quant.INITS:
        first = quant.kmeans_steps(crop, 8, init=init, seed=5)
        again = quant.kmeans_steps(crop, 8, init=init, seed=5)
        other = quant.kmeans_steps(crop, 8, init=init, seed=6)
        assert np.array_equal(first.centres, again.centres) and np.array_equal(first.mse, again.mse)
        assert not np.array_equal(first.centres[0], other.centres[0])
    batches = quant.minibatch_steps(crop, 8, seed=5, max_iter=5)
    assert np.array_equal(batches.centres, quant.minibatch_steps(crop, 8, seed=5, max_iter=5).centres)


def test_uniform_start_leaves_empty_centres_where_they_are() -> None:
    # Two tight clusters of colours in one corner of the cube: most of 16 uniform
    # colours are nearer to neither, and they never win a pixel.
    rng = np.random.default_rng(0)
    image = np.concatenate(
        [rng.integers(10, 20, size=(40, 40, 3)), rng.integers(40, 50, size=(40, 40, 3))]
    ).astype(np.uint8)
    trace = quant.kmeans_steps(image, 16, init="uniform", seed=0)
    assert trace.empty[0].sum() >= 8
    never_used = np.flatnonzero(trace.empty.all(axis=0))
    assert never_used.size >= 8
    # An empty centre stays where it is.
    for centre in never_used:
        assert np.all(trace.centres[:, centre] == trace.centres[0, centre])
        assert np.all(trace.moves[:, centre] == 0.0)
    # The error still falls, to a poor local minimum: one centre took both clusters.
    assert trace.mse[-1] < trace.mse[0]
    assert trace.mse[-1] > 10 * quant.kmeans_steps(image, 16).mse[-1]


def test_image_with_fewer_colours_than_k() -> None:
    image = np.zeros((10, 12, 3), dtype=np.uint8)
    image[:5] = (200, 30, 30)
    image[:, :3] = (10, 200, 90)
    for init in ("k-means++", "random"):
        trace = quant.kmeans_steps(image, 16, init=init)
        assert trace.k == 3 and trace.n_colors == 16
        assert trace.mse[0] == 0.0 and trace.converged and trace.n_steps == 1
        assert {tuple(c) for c in trace.palette()} == {tuple(c) for c in quant.color_histogram(image).colors}
    uniform = quant.kmeans_steps(image, 16, init="uniform")
    assert uniform.k == 16 and uniform.empty[-1].sum() >= 13
    assert uniform.mse[-1] == 0.0


def test_one_colour_one_centre() -> None:
    image = np.full((4, 4, 3), 77, dtype=np.uint8)
    trace = quant.kmeans_steps(image, 1, init="uniform", seed=2)
    assert trace.k == 1 and trace.mse[-1] == 0.0 and trace.converged
    np.testing.assert_array_equal(trace.palette(), [[77, 77, 77]])


# The photos and the gradient: one seeding of the logo's few flat colours can end in a
# poorer minimum (6% above quantize's best of several at k = 16).
@pytest.mark.parametrize("name", [name for name in samples.SAMPLES if name != "logo"])
@pytest.mark.parametrize("n_colors", [16, 32, 64])
def test_kmeans_plus_plus_ends_near_quantize(name: str, n_colors: int) -> None:
    image = visible_sample(name)
    trace = quant.kmeans_steps(image, n_colors)
    # quantize keeps the best of several seedings; one seeding and 30 steps land close.
    assert trace.mse[-1] <= 1.05 * quant.quantize(image, n_colors).mse
    assert trace.mse[0] > trace.mse[-1]


def test_kmeans_plus_plus_starts_better_than_random_colours(china: np.ndarray) -> None:
    starts = {init: np.mean([quant.kmeans_steps(china, 16, init=init, seed=s, max_iter=0).mse[0] for s in range(5)]) for init in quant.INITS}
    assert starts["k-means++"] < starts["random"] < starts["uniform"]


def test_labels_of_and_palette(crop: np.ndarray) -> None:
    trace = quant.kmeans_steps(crop, 8, seed=1, max_iter=4)
    colours = quant.color_histogram(crop).colors[:500]
    labels = trace.labels_of(colours, 2)
    distances = ((colours[:, None, :].astype(float) - trace.centres[2][None]) ** 2).sum(axis=2)
    assert np.all(distances[np.arange(500), labels] <= distances.min(axis=1) + 1e-3)
    palette = trace.palette(2)
    assert palette.dtype == np.uint8 and np.all(np.abs(palette - trace.centres[2]) <= 0.5)


def test_minibatch_trace(china: np.ndarray) -> None:
    lloyd = quant.kmeans_steps(china, 16, seed=2, max_iter=10)
    batches = quant.minibatch_steps(china, 16, seed=2, max_iter=10, batch_size=512)
    assert batches.method == "minibatch" and batches.batch_size == 512
    assert batches.n_steps == 10 and not batches.converged
    # The same start as Lloyd's; then its own, noisier path, measured exactly.
    np.testing.assert_array_equal(batches.centres[0], lloyd.centres[0])
    assert not np.allclose(batches.centres[1], lloyd.centres[1])
    for row in (1, 10):
        assert batches.mse[row] == pytest.approx(brute_force(china, batches.centres[row])[0], rel=1e-9)
    assert batches.mse[-1] < batches.mse[0]
    assert np.all(batches.counts.sum(axis=1) == china.shape[0] * china.shape[1])


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda image: quant.kmeans_steps(image, 0), "n_colors"),
        (lambda image: quant.kmeans_steps(image, 8, init="forgy"), "'k-means++', 'random', 'uniform'"),
        (lambda image: quant.kmeans_steps(image, 8, seed=-1), "seed"),
        (lambda image: quant.kmeans_steps(image, 8, max_iter=10_000), "max_iter must be a whole number from 0 to 500"),
        (lambda image: quant.minibatch_steps(image, 8, batch_size=4), "batch_size must be a whole number from 8"),
    ],
)
def test_bad_parameters_are_image_errors(crop: np.ndarray, call, message: str) -> None:
    with pytest.raises(quant.ImageError, match=message.replace("+", r"\+")):
        call(crop)
