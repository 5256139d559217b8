"""Concurrent sessions must not oversubscribe the cores: quant runs native pools at one thread.

Every visitor's quantization runs in the one server process. Left alone, OpenMP
(scikit-learn's MiniBatchKMeans) and BLAS (NumPy's products, in quant's own k-means
too) would each start a thread per core for every session; quant limits them to one
inside its public functions. These tests record the pools' sizes from inside the
work itself.
"""

from __future__ import annotations

import threading

import numpy as np
import pytest
import sklearn.cluster  # noqa: F401 - quant imports it on first use ("minibatch"); its OpenMP pool must be loaded before the test compares pools
import threadpoolctl

import quant
import quant.lloyd
import quant.palette
import quant.pipeline
import quant.parallel
from tests.hostile_inputs import quadrants


def pool_sizes() -> dict[str, int]:
    """Largest thread count per native API (``"openmp"``, ``"blas"``) loaded right now."""
    sizes: dict[str, int] = {}
    for pool in threadpoolctl.threadpool_info():
        api = pool["user_api"]
        sizes[api] = max(sizes.get(api, 0), pool["num_threads"])
    return sizes


def noisy_image() -> np.ndarray:
    rng = np.random.default_rng(0)
    return rng.integers(0, 256, size=(40, 50, 3), dtype=np.uint8)


@pytest.fixture
def several_threads_outside():
    """Give the pools two threads outside quant, so a limit of one is visible."""
    with threadpoolctl.threadpool_limits(limits=2):
        outside = pool_sizes()
        if not outside or max(outside.values()) < 2:
            pytest.skip(f"no native pool with more than one thread here: {outside}")
        yield outside


@pytest.mark.parametrize(
    ("method", "step"),
    [("kmeans", "_kmeans_centres"), ("minibatch", "_minibatch_centres")],
)
def test_quantize_runs_native_pools_at_one_thread(
    monkeypatch: pytest.MonkeyPatch, several_threads_outside, method: str, step: str
) -> None:
    seen: list[dict[str, int]] = []
    original = getattr(quant.pipeline, step)

    def recording(*args, **kwargs):
        seen.append(pool_sizes())
        return original(*args, **kwargs)

    monkeypatch.setattr(quant.pipeline, step, recording)
    result = quant.quantize(noisy_image(), 8, method=method)
    assert result.k == 8
    assert len(seen) == 1
    inside = seen[0]
    assert set(inside) >= {"openmp", "blas"} & set(several_threads_outside)
    assert all(threads == 1 for threads in inside.values()), inside
    # The limit is undone afterwards: the caller's setting is back.
    assert pool_sizes() == several_threads_outside


def test_kmeans_fits_in_pool_threads_run_blas_at_one_thread(
    monkeypatch: pytest.MonkeyPatch, several_threads_outside
) -> None:
    """The k-means fits (NumPy, quant.lloyd) are shared out to quant's block threads;
    their products go to BLAS, which must run at one thread there too."""
    if "blas" not in several_threads_outside:
        pytest.skip("no BLAS pool with more than one thread here")
    monkeypatch.setattr(quant.parallel, "WORKERS", 2)
    monkeypatch.setattr(quant.lloyd, "_PARALLEL_WORK", 0)  # side by side even on this small image
    seen: list[tuple[bool, dict[str, int]]] = []
    original = quant.palette._lloyd_around

    def recording(*args, **kwargs):
        seen.append((threading.current_thread() is threading.main_thread(), pool_sizes()))
        return original(*args, **kwargs)

    monkeypatch.setattr(quant.palette, "_lloyd_around", recording)
    result = quant.quantize(noisy_image(), 8)
    assert result.k == 8
    assert any(not in_main for in_main, _ in seen), "no fit ran in a pool thread"
    assert all(sizes.get("blas") == 1 for _, sizes in seen), seen


def test_assign_colors_runs_native_pools_at_one_thread(
    monkeypatch: pytest.MonkeyPatch, several_threads_outside
) -> None:
    seen: list[dict[str, int]] = []
    original = quant.palette._nearest

    def recording(*args, **kwargs):
        seen.append(pool_sizes())
        return original(*args, **kwargs)

    monkeypatch.setattr(quant.palette, "_nearest", recording)
    colors = quadrants().reshape(-1, 3)
    palette = np.array([[255, 0, 0], [0, 0, 255]], dtype=np.uint8)
    quant.assign_colors(colors, palette)
    assert seen and all(threads == 1 for sizes in seen for threads in sizes.values()), seen
    assert pool_sizes() == several_threads_outside
