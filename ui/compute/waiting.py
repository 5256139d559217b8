"""Where a page's heavy work waits its turn, and how the page says so.

Every full-size computation is admitted by the gate :data:`ui.compute.gate.HEAVY` and kept in
:data:`ui.compute.store.STORE` (see :func:`stored`). A page run takes one ticket for all its
jobs (:func:`waiting_notice`, which ``ui.frame.layout`` opens around every page), so one
visitor's jobs are served together and before those of visitors who came later; while
a job waits, the notice at the top of the page says how many jobs are ahead.
:func:`side_by_side` runs several of a page's jobs at once in threads of its own run,
and the page's thread shows the notice for them.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable, Hashable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import contextmanager
from typing import TypeVar

import streamlit as st

from ui.compute.gate import HEAVY
from ui.compute.store import STORE

__all__ = ["in_background", "side_by_side", "stored", "waiting_notice"]

T = TypeVar("T")

_notice = threading.local()


@contextmanager
def waiting_notice() -> Iterator[None]:
    """Where this script run says that its work is waiting for a free slot.

    ``ui.frame.layout`` opens it at the top of every page; the notice appears only while a
    job of this visitor waits, and disappears when the page is drawn.
    """
    placeholder = st.empty()
    _notice.placeholder = placeholder
    # One ticket for the whole run: this page's jobs are served before those of
    # visitors who came later (ui.compute.gate.Gate). Background work waits meanwhile.
    _notice.ticket = HEAVY.ticket()
    try:
        with HEAVY.visitor_run():
            yield
    finally:
        _notice.placeholder = None
        _notice.ticket = None
        placeholder.empty()


@contextmanager
def in_background() -> Iterator[None]:
    """This thread's jobs, for the ``with`` block, are background work: behind every
    visitor's in the gate's line, and let in only when the gate is otherwise idle
    (:meth:`ui.compute.gate.Gate.background_ticket`). Nobody is shown a notice."""
    _notice.ticket = HEAVY.background_ticket()
    try:
        yield
    finally:
        _notice.ticket = None


def _on_wait(ahead: int | None) -> None:
    relay = getattr(_notice, "relay", None)
    if relay is not None:  # a worker of :func:`side_by_side`: its page's thread shows it
        relay.report(ahead)
        return
    placeholder = getattr(_notice, "placeholder", None)
    if placeholder is None:
        return
    if ahead is None:
        message = (
            "The same picture is being prepared for another visitor or ahead of time; yours appears as soon as it is ready."
        )
    else:
        jobs = "job is" if ahead == 1 else "jobs are"
        message = (
            f"Many people are using the dashboard: {ahead} {jobs} ahead of yours, and "
            f"{HEAVY.slots} run at a time. Your image and settings are kept; this page "
            "fills in by itself when your turn comes."
        )
    placeholder.info(message, icon=":material/hourglass_top:")
    _notice.shown = True


def stored(key: Hashable, make: Callable[[], T], *, heavy: bool = True) -> T:
    """``STORE.get(key, make)`` with this run's ticket and waiting notice; the notice
    goes once the value is in. ``heavy`` jobs wait for the gate."""
    value = STORE.get(key, make, heavy=heavy, on_wait=_on_wait, ticket=getattr(_notice, "ticket", None))
    _clear_notice()
    return value


def _clear_notice() -> None:
    if getattr(_notice, "shown", False):
        _notice.shown = False
        placeholder = getattr(_notice, "placeholder", None)
        if placeholder is not None:
            placeholder.empty()


class _Relay:
    """What the workers of one :func:`side_by_side` call report while they wait in
    line, for the page's own thread to show: Streamlit elements belong to that thread."""

    FRESH_S = 1.5
    """A report older than this is over: waiting jobs report about twice a second."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._reports: dict[int, tuple[int | None, float]] = {}

    def report(self, ahead: int | None) -> None:
        with self._lock:
            self._reports[threading.get_ident()] = (ahead, time.monotonic())

    def done(self) -> None:
        with self._lock:
            self._reports.pop(threading.get_ident(), None)

    def waiting(self) -> tuple[bool, int | None]:
        """(whether a worker waits, the fewest jobs ahead of one that waits for a slot)."""
        now = time.monotonic()
        with self._lock:
            current = [ahead for ahead, at in self._reports.values() if now - at < self.FRESH_S]
        if not current:
            return False, None
        in_line = [ahead for ahead in current if ahead is not None]
        return True, (min(in_line) if in_line else None)


def side_by_side(jobs: Sequence[Callable[[], T]], *, workers: int = 2) -> Iterator[T]:
    """Run ``jobs`` in ``workers`` threads of this page run, yielding results in order.

    One visitor's full-size jobs, two at a time: each releases the GIL for most of its
    work but has serial stretches (a preview, a PNG) that the other fills. Every job
    still goes through the gate with this run's ticket, so a crowd gets no more than
    the gate's slots, and the page's thread shows the queue notice for them. The
    threads are this run's own: a process-wide pool would queue visitors out of the
    gate's sight. The jobs start at once, before the first result is asked for (a page
    may run two such lines side by side); when the page stops asking, jobs not
    started are dropped.
    """
    ticket = getattr(_notice, "ticket", None)
    relay = _Relay()

    def run(job: Callable[[], T]) -> T:
        _notice.ticket, _notice.relay = ticket, relay  # the page's place in the gate's line
        try:
            return job()
        finally:
            relay.done()
            _notice.ticket = _notice.relay = None

    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="page-jobs")
    futures = [pool.submit(run, job) for job in jobs]
    results = _in_order(futures, relay, pool)
    # A line the page never reads from is dropped once it is forgotten.
    weakref.finalize(results, pool.shutdown, wait=False, cancel_futures=True)
    return results


def _in_order(futures: list, relay: _Relay, pool: ThreadPoolExecutor) -> Iterator:
    """The results of ``futures`` in order, showing the queue notice while they wait."""
    try:
        for future in futures:
            while True:
                try:
                    value = future.result(timeout=0.5)
                    break
                except FutureTimeout:
                    waiting, ahead = relay.waiting()
                    if waiting:
                        _on_wait(ahead)
            _clear_notice()
            yield value
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
