"""One pass over a large array, split across the machine's cores.

The per-pixel and per-colour passes of quantization (looking every pixel up in a
table, finding each colour's nearest palette entry, writing the reconstruction) are
single numpy calls over millions of elements. numpy releases the GIL inside them, so
cutting the array into one contiguous block per core and running the blocks in
threads uses every core with no copying: each block writes its own slice of a shared
output.

The threads come from one small pool for the whole process. When several sessions
quantize at once (the dashboard's server), their blocks queue for the same few
threads instead of each session starting its own, so the cores are never
oversubscribed; the calling thread always does one block itself, so a busy pool
slows a call down but never stalls it.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

__all__ = ["WORKERS", "for_each_block", "map_in_parallel"]


def _usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


WORKERS = max(1, min(4, _usable_cores()))
"""Blocks a pass is cut into: the cores this process may use, at most 4 (the passes are
memory-bound; more threads than that only add overhead)."""

MIN_BLOCK = 1 << 16
"""Fewest elements worth handing to another thread (about 0.1 ms of work)."""

_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()

_this_thread = threading.local()
"""``runs_whole`` is True in the pool's own threads, where a pass started from inside a
block runs whole, because waiting there for the pool could wait forever; and in a
thread doing its share of :func:`map_in_parallel`, whose other items keep the other
cores busy (splitting a pass there would wait for the pool to finish them)."""


def _mark_pool_thread() -> None:
    _this_thread.runs_whole = True


def _forget_pool() -> None:
    """In a forked child the parent's pool threads do not exist: start a new pool there."""
    global _pool
    _pool = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool)


def _shared_pool() -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(
                max_workers=WORKERS - 1, thread_name_prefix="quant-block", initializer=_mark_pool_thread
            )
        return _pool


def for_each_block(function: Callable[[int, int], None], length: int, *, min_block: int = MIN_BLOCK) -> None:
    """Call ``function(start, stop)`` on contiguous blocks that cover ``range(length)``.

    Parameters
    ----------
    function : callable
        Does the work for ``[start, stop)`` and writes its result into its own slice
        of an output made beforehand; it must not depend on the other blocks. It
        should spend its time in numpy calls that release the GIL.
    length : int
        Number of elements (pixels, colours or rows) to cover.
    min_block : int, default :data:`MIN_BLOCK`
        Fewest elements per block; shorter passes run in the calling thread only.

    Notes
    -----
    The blocks are as equal as possible, one per worker, in order; the last one runs
    in the calling thread. An exception in any block is raised here once every block
    has finished. Called from inside a block, the pass runs whole in that thread.
    """
    n_blocks = max(1, min(WORKERS, length // max(1, min_block)))
    if n_blocks == 1 or getattr(_this_thread, "runs_whole", False):
        function(0, length)
        return
    bounds = [length * i // n_blocks for i in range(n_blocks + 1)]
    pool = _shared_pool()
    pending: list[Future] = [pool.submit(function, bounds[i], bounds[i + 1]) for i in range(n_blocks - 1)]
    try:
        function(bounds[-2], bounds[-1])
    finally:
        for future in pending:
            future.exception()  # wait for every block before anything is raised
    for future in pending:
        future.result()


def map_in_parallel(function: Callable[[Item], Result], items: Sequence[Item]) -> list[Result]:
    """``[function(item) for item in items]``, the items shared out over the cores.

    For a few independent tasks that each release the GIL for most of their time
    (k-means fits). Results are in the order of ``items``. With several items, the
    passes an item starts (:func:`for_each_block`) run whole in the thread that runs
    the item, the other cores being busy with the other items; a single item runs in
    the calling thread, free to split its passes.
    """
    if len(items) <= 1:
        return [function(item) for item in items]
    results: list = [None] * len(items)

    def run(start: int, stop: int) -> None:
        runs_whole = getattr(_this_thread, "runs_whole", False)
        _this_thread.runs_whole = True
        try:
            for index in range(start, stop):
                results[index] = function(items[index])
        finally:
            _this_thread.runs_whole = runs_whole

    for_each_block(run, len(items), min_block=1)
    return results
