"""ui.compute.gate and ui.compute.store: heavy work bounded process-wide, results bounded by bytes."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from ui.compute.gate import Gate, release_memory
from ui.compute.store import Store, size_of


def _run_jobs(gate: Gate, n_jobs: int, seconds: float) -> tuple[int, list[list[int]]]:
    """Run n_jobs threads through the gate; return the most running at once and what
    each job was told while it waited."""
    lock = threading.Lock()
    running = [0, 0]
    told: list[list[int]] = [[] for _ in range(n_jobs)]

    def job(index: int) -> None:
        with gate.admit(told[index].append, poll_s=0.02):
            with lock:
                running[0] += 1
                running[1] = max(running[1], running[0])
            time.sleep(seconds)
            with lock:
                running[0] -= 1

    threads = [threading.Thread(target=job, args=(i,)) for i in range(n_jobs)]
    for thread in threads:
        thread.start()
        time.sleep(0.005)  # arrive in order
    for thread in threads:
        thread.join(timeout=30)
    return running[1], told


def test_gate_bounds_the_jobs_running_at_once() -> None:
    gate = Gate(2)
    most, told = _run_jobs(gate, 8, 0.05)
    assert most == 2
    assert gate.running == 0 and gate.waiting == 0
    # The last to arrive waited behind the others and was told so, the count falling.
    assert told[-1] and told[-1][0] >= 6
    assert told[-1] == sorted(told[-1], reverse=True)


def test_gate_serves_in_order_of_arrival() -> None:
    gate = Gate(1)
    order: list[int] = []
    hold = threading.Event()

    def first() -> None:
        with gate.admit():
            hold.wait(5)
            order.append(0)

    def later(index: int) -> None:
        with gate.admit(poll_s=0.01):
            order.append(index)

    threads = [threading.Thread(target=first)]
    threads[0].start()
    time.sleep(0.05)
    for index in range(1, 6):
        threads.append(threading.Thread(target=later, args=(index,)))
        threads[-1].start()
        time.sleep(0.03)
    hold.set()
    for thread in threads:
        thread.join(timeout=10)
    assert order == [0, 1, 2, 3, 4, 5]


def test_a_job_that_leaves_the_line_frees_its_place() -> None:
    gate = Gate(1)

    class Left(BaseException):
        """What Streamlit raises in a script whose visitor has gone."""

    def leave(_ahead: int) -> None:
        raise Left

    caught: list[BaseException] = []

    def visitor() -> None:
        try:
            with gate.admit(leave, poll_s=0.01):
                caught.append(AssertionError("admitted while the slot was taken"))
        except Left as err:
            caught.append(err)

    with gate.admit():
        thread = threading.Thread(target=visitor)
        thread.start()
        thread.join(timeout=5)
        assert len(caught) == 1 and isinstance(caught[0], Left)
        assert gate.waiting == 0
    assert gate.running == 0
    with gate.admit():  # and the gate still works
        assert gate.running == 1


def test_a_holder_passes_straight_in_again() -> None:
    gate = Gate(1)
    with gate.admit():
        with gate.admit():  # a job's sub-step: no deadlock
            assert gate.running == 1
    assert gate.running == 0


def test_the_gate_reports_idle_once_empty() -> None:
    idle = []
    gate = Gate(2, on_idle=lambda: idle.append(True))
    _run_jobs(gate, 4, 0.02)
    assert idle  # at least once, when the last job left
    assert isinstance(release_memory(), bool)


def test_store_is_bounded_by_bytes_least_recently_used_first() -> None:
    store = Store(3_000, gate=Gate(1))
    for key in "abc":
        store.get(key, lambda: np.zeros(1_000, dtype=np.uint8))
    assert store.bytes_held == 3_000
    store.get("a", lambda: pytest.fail("a is held"))  # a is now the most recent
    store.get("d", lambda: np.zeros(1_000, dtype=np.uint8))
    assert "b" not in store and {"a", "c", "d"} <= {k for k in "abcd" if k in store}
    store.get("huge", lambda: np.zeros(10_000, dtype=np.uint8))
    assert "huge" not in store and store.bytes_held <= 3_000


def test_store_computes_each_key_once_for_concurrent_callers() -> None:
    store = Store(1 << 20, gate=Gate(2))
    calls = []

    def make() -> bytes:
        calls.append(1)
        time.sleep(0.1)
        return b"x" * 100

    results: list[bytes] = []
    threads = [threading.Thread(target=lambda: results.append(store.get("k", make, heavy=True))) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert len(calls) == 1
    assert results == [b"x" * 100] * 6


def test_store_passes_errors_on_and_keeps_nothing() -> None:
    store = Store(1 << 20, gate=Gate(1))

    def broken() -> bytes:
        raise ValueError("bad image")

    with pytest.raises(ValueError, match="bad image"):
        store.get("k", broken, heavy=True)
    assert "k" not in store
    assert store.get("k", lambda: b"ok") == b"ok"


def test_heavy_values_wait_for_the_gate() -> None:
    gate = Gate(1)
    store = Store(1 << 20, gate=gate)
    told: list[int | None] = []
    release = threading.Event()

    def occupy() -> None:
        with gate.admit():
            release.wait(5)

    holder = threading.Thread(target=occupy)
    holder.start()
    time.sleep(0.05)
    threading.Timer(0.3, release.set).start()
    assert store.get("k", lambda: b"v", heavy=True, on_wait=told.append) == b"v"
    holder.join(timeout=5)
    assert told and told[0] == 1


def test_size_of_counts_shared_arrays_once() -> None:
    array = np.zeros(500, dtype=np.uint8)
    assert size_of((array, array, b"abc")) == 503


def test_store_counts_an_array_shared_by_several_values_once() -> None:
    histogram = np.zeros(2_000, dtype=np.uint8)  # like one image's histogram in each of its fits
    store = Store(4_000, gate=Gate(1))
    store.get("fit 16", lambda: (histogram, np.zeros(100, dtype=np.uint8)))
    store.get("fit 32", lambda: (histogram, np.zeros(100, dtype=np.uint8)))
    assert store.bytes_held == 2_200
    # Room for a third fit and another image's 1,500 bytes without evicting anything.
    store.get("fit 64", lambda: (histogram, np.zeros(100, dtype=np.uint8)))
    store.get("other", lambda: np.zeros(1_500, dtype=np.uint8))
    assert store.bytes_held == 3_800 and len(store) == 4
    # The shared array is released only with the last value that holds it.
    store.get("big", lambda: np.zeros(2_000, dtype=np.uint8))
    assert "fit 16" not in store and "fit 32" not in store and "fit 64" not in store
    assert store.bytes_held == 3_500  # "other" and "big"; the histogram is gone
    store.clear()
    assert store.bytes_held == 0 and len(store) == 0


def test_jobs_sharing_a_ticket_go_before_later_visitors() -> None:
    gate = Gate(1)
    order: list[str] = []
    hold = threading.Event()
    first_visitor, second_visitor = gate.ticket(), gate.ticket()

    def occupy() -> None:
        with gate.admit(ticket=first_visitor):
            hold.wait(5)
            order.append("first visitor, job 1")

    def job(name: str, ticket: int) -> None:
        with gate.admit(ticket=ticket, poll_s=0.01):
            order.append(name)

    threads = [threading.Thread(target=occupy)]
    threads[0].start()
    time.sleep(0.05)
    # The second visitor's job arrives before the first visitor's second job...
    for name, ticket in (("second visitor, job 1", second_visitor), ("first visitor, job 2", first_visitor)):
        threads.append(threading.Thread(target=job, args=(name, ticket)))
        threads[-1].start()
        time.sleep(0.05)
    hold.set()
    for thread in threads:
        thread.join(timeout=5)
    # ...but the first visitor is served in full first.
    assert order == ["first visitor, job 1", "first visitor, job 2", "second visitor, job 1"]


def test_a_pages_jobs_run_side_by_side_in_order_and_show_the_queue_on_its_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    from ui.compute import waiting
    from ui.compute.gate import HEAVY
    from ui.compute.store import STORE

    STORE.clear()
    page_thread = threading.get_ident()
    shown: list[int | None] = []
    original = waiting._on_wait

    def on_wait(ahead: int | None) -> None:
        if threading.get_ident() == page_thread:
            shown.append(ahead)
        original(ahead)

    monkeypatch.setattr(waiting, "_on_wait", on_wait)
    lock = threading.Lock()
    running = [0, 0]

    def job(index: int) -> int:
        def make() -> int:
            with lock:
                running[0] += 1
                running[1] = max(running[1], running[0])
            time.sleep(0.2)
            with lock:
                running[0] -= 1
            return index * 10

        return waiting.stored(("side-by-side test", index), make)

    # Every slot taken by other visitors for a while: the page's jobs wait in line,
    # and the page's own thread is told so (its workers cannot draw).
    release = threading.Event()
    occupied = threading.Barrier(HEAVY.slots + 1)

    def occupy() -> None:
        with HEAVY.admit():
            occupied.wait(5)
            release.wait(5)

    holders = [threading.Thread(target=occupy) for _ in range(HEAVY.slots)]
    for holder in holders:
        holder.start()
    occupied.wait(5)
    threading.Timer(1.2, release.set).start()
    results = list(waiting.side_by_side([lambda i=i: job(i) for i in range(4)]))
    for holder in holders:
        holder.join(timeout=5)
    STORE.clear()

    assert results == [0, 10, 20, 30]
    assert running[1] == min(2, HEAVY.slots)
    assert shown and all(ahead is not None and ahead >= 1 for ahead in shown), shown
