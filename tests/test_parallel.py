"""quant.parallel: passes split into blocks across threads, every element done once."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

import quant.parallel
from quant.parallel import for_each_block, map_in_parallel


@pytest.fixture
def two_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Split into two blocks even on a one-core machine, so the pool is exercised."""
    monkeypatch.setattr(quant.parallel, "WORKERS", 2)


def _recorded_blocks(length: int, **options) -> list[tuple[int, int, int]]:
    blocks: list[tuple[int, int, int]] = []
    lock = threading.Lock()

    def record(start: int, stop: int) -> None:
        time.sleep(0.01)  # long enough for the blocks to overlap
        with lock:
            blocks.append((start, stop, threading.get_ident()))

    for_each_block(record, length, **options)
    return sorted(blocks)


def test_blocks_cover_the_range_once_in_contiguous_pieces(two_workers) -> None:
    blocks = _recorded_blocks(1_000_003, min_block=1000)
    assert len(blocks) == 2
    assert blocks[0][0] == 0 and blocks[-1][1] == 1_000_003
    assert all(first[1] == second[0] for first, second in zip(blocks, blocks[1:]))
    # One block ran in the calling thread, the other in the pool.
    threads = {thread for _, _, thread in blocks}
    assert threading.get_ident() in threads and len(threads) == 2


def test_short_passes_stay_in_the_calling_thread(two_workers) -> None:
    blocks = _recorded_blocks(10, min_block=1000)
    assert blocks == [(0, 10, threading.get_ident())]
    assert _recorded_blocks(0) == [(0, 0, threading.get_ident())]


def test_never_more_blocks_than_workers(two_workers) -> None:
    assert len(_recorded_blocks(10, min_block=1)) == 2
    assert len(_recorded_blocks(1, min_block=1)) == 1


def test_blocks_write_their_own_slices(two_workers) -> None:
    values = np.arange(300_000)
    doubled = np.empty_like(values)

    def double(start: int, stop: int) -> None:
        np.multiply(values[start:stop], 2, out=doubled[start:stop])

    for_each_block(double, values.shape[0])
    np.testing.assert_array_equal(doubled, 2 * values)


def test_an_error_in_a_block_is_raised_after_every_block_finished(two_workers) -> None:
    finished: list[int] = []

    def work(start: int, stop: int) -> None:
        if start == 0:  # the pool's block
            time.sleep(0.05)
            finished.append(start)
        else:  # the calling thread's block fails at once
            raise ValueError(f"block at {start} failed")

    with pytest.raises(ValueError, match="failed"):
        for_each_block(work, 10, min_block=1)
    assert finished == [0]

    def pool_block_fails(start: int, stop: int) -> None:
        if start == 0:
            raise KeyError("the pool's block")

    with pytest.raises(KeyError, match="pool's block"):
        for_each_block(pool_block_fails, 10, min_block=1)


def test_map_in_parallel_keeps_the_order(two_workers) -> None:
    items = list(range(7))
    assert map_in_parallel(lambda item: item * item, items) == [item * item for item in items]
    assert map_in_parallel(lambda item: item, []) == []


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs os.fork")
def test_a_forked_child_gets_its_own_pool(two_workers) -> None:
    import multiprocessing

    for_each_block(lambda start, stop: None, 10, min_block=1)  # the parent's pool exists now
    context = multiprocessing.get_context("fork")
    with context.Pool(1) as pool:
        # Without a new pool the child's blocks would wait forever for threads that were not forked.
        doubled = pool.apply_async(_double_in_blocks, (100_000,)).get(timeout=60)
    np.testing.assert_array_equal(doubled, 2 * np.arange(100_000))


def _double_in_blocks(length: int) -> np.ndarray:
    quant.parallel.WORKERS = 2
    values = np.arange(length)
    doubled = np.empty_like(values)
    for_each_block(lambda start, stop: np.multiply(values[start:stop], 2, out=doubled[start:stop]), length, min_block=1000)
    return doubled


def test_a_pass_started_inside_a_block_runs_there(two_workers) -> None:
    """Waiting in a pool thread for the pool could wait forever: the inner pass runs in place."""
    inner_threads: list[set[int]] = []

    def inner_pass(start: int, stop: int) -> None:
        inner_threads.append({thread for _, _, thread in _recorded_blocks(10, min_block=1)})

    outcome: list[BaseException | None] = []

    def outer() -> None:
        try:
            for_each_block(inner_pass, 2, min_block=1)
            outcome.append(None)
        except BaseException as error:  # reported below
            outcome.append(error)

    runner = threading.Thread(target=outer, daemon=True)
    runner.start()
    runner.join(timeout=30)
    assert not runner.is_alive(), "a pass inside a block waited for the pool"
    assert outcome == [None]
    # The block in the caller's thread shares its inner pass out; the pool's block does not.
    assert sorted(len(threads) for threads in inner_threads) == [1, 2]


def test_passes_inside_several_mapped_items_run_whole_and_a_single_item_splits_them(two_workers) -> None:
    """With several items each thread's item keeps to its thread (the other threads are
    busy with the other items); a single item may use every worker."""
    seen: list[set[int]] = []

    def item(_: int) -> None:
        seen.append({thread for _, _, thread in _recorded_blocks(10, min_block=1)})

    map_in_parallel(item, [0, 1])
    assert [len(threads) for threads in seen] == [1, 1]
    seen.clear()
    map_in_parallel(item, [0])
    assert [len(threads) for threads in seen] == [2]
    # The caller's thread is free to split its passes again afterwards.
    assert len({thread for _, _, thread in _recorded_blocks(10, min_block=1)}) == 2
