"""One process-wide gate for heavy work, served in order of arrival, and the allocator
settings that let the process give memory back after a burst.

The hosted demo is one process for every visitor. Two cores cannot compute more than
two full-size palettes at a time, and each needs a few hundred megabytes while it
runs, so letting every visitor start at once only multiplies the memory and slows
everyone down. :data:`HEAVY` admits at most :data:`SLOTS` jobs at once; the others
wait in line, and the page that waits says how many are ahead (the ``on_wait``
callback of :meth:`Gate.admit`).

Waiting polls instead of blocking: the callback is called about twice a second from
the visitor's own script thread, and every Streamlit call there is a point where
Streamlit can stop a script whose visitor left or changed a setting. A job whose
visitor has gone is then dropped from the line instead of run later for nobody.

Memory: glibc keeps freed memory in per-thread arenas, sized from the host's cores
rather than the container's, and returns little of it on its own. At import the
number of arenas is capped (``mallopt(M_ARENA_MAX, 2)``, what ``MALLOC_ARENA_MAX=2``
would do, which a hosted app cannot set before its process starts), blocks of 4 MB
or more get their own mapping (``M_MMAP_THRESHOLD``), and when the
last job of a burst leaves the gate, ``malloc_trim(0)`` hands the free pages back;
after :data:`QUIET_S` seconds without heavy work, quant's memos of the last images go
too.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import itertools
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

__all__ = ["BACKGROUND", "HEAVY", "QUIET_S", "SLOTS", "VISITOR_QUIET_S", "Gate", "release_memory"]

logger = logging.getLogger(__name__)

_M_ARENA_MAX = -8
"""mallopt's parameter number for the arena cap (glibc's malloc.h)."""
_M_MMAP_THRESHOLD = -3
"""mallopt's parameter number for the size from which blocks get their own mapping."""
_MMAP_THRESHOLD_BYTES = 4 << 20
"""Arrays of 4 MB or more (a 12 MP photo's are 12 to 48 MB) are mapped on their own and
go back to the system as soon as they are freed, instead of fragmenting the heap
(glibc's threshold otherwise climbs to 32 MB after the first large free). At 1 MB the
Compare page's 32 small palettes paid for fresh pages each time: its first visit took
4.6 times a libimagequant palette (3.2 without the setting, 3.7 at 4 MB;
scripts/measure_app.py)."""


BACKGROUND = 1 << 62
"""Tickets from here on are background work's (:meth:`Gate.background_ticket`): work
nobody is waiting for yet, done ahead of time (:mod:`ui.compute.warm`)."""


def _libc() -> ctypes.CDLL | None:
    """glibc, or None on a system without it (macOS, musl): then nothing is tuned."""
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        libc = ctypes.CDLL(name)
        libc.mallopt  # noqa: B018 - present only in glibc
        libc.malloc_trim  # noqa: B018
    except (OSError, AttributeError):
        return None
    return libc


_LIBC = _libc()
if _LIBC is not None:
    _LIBC.mallopt(_M_ARENA_MAX, 2)
    _LIBC.mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD_BYTES)


def release_memory() -> bool:
    """Return the allocator's free pages to the system (glibc's ``malloc_trim(0)``).

    Returns
    -------
    bool
        Whether anything was done (False where glibc is not the allocator).
    """
    if _LIBC is None:
        return False
    _LIBC.malloc_trim(0)
    return True


class Gate:
    """At most ``slots`` holders at a time, served in order of their tickets.

    A job waits with a ticket: by default a fresh one, so jobs are served first come
    first served; a caller that passes the same ticket for several jobs (one visitor's
    page: decode, tiles, PNGs) has all of them served before the jobs of anyone who
    arrived later, so a crowd is served visitor by visitor instead of everybody's
    pages filling in together at the end.

    A background ticket (:meth:`background_ticket`) comes after every visitor's, and
    its job is let in only when no other job holds a slot, no visitor's script is
    running (:meth:`visitor_run`) and none has ended in the last ``quiet_s`` seconds:
    work done ahead of time never delays a visitor by more than the one background
    job already running when they came.

    Parameters
    ----------
    slots : int
        How many jobs may run at once, at least 1.
    on_idle : callable, optional
        Called (in the thread of the last job out) when the gate empties: no job
        running, nobody waiting.
    quiet_s : float, default 1.0
        Seconds after the last visitor's script run before background work may start:
        a visitor clicking on, or their browser drawing, is left the cores.
    """

    def __init__(self, slots: int, *, on_idle: Callable[[], object] | None = None, quiet_s: float = 1.0) -> None:
        if slots < 1:
            raise ValueError(f"slots must be at least 1, got {slots}.")
        self.slots = slots
        self._on_idle = on_idle
        self._condition = threading.Condition()
        self._running = 0
        self._visitor_runs = 0
        self._last_visitor_run = float("-inf")
        self.quiet_s = quiet_s
        self._line: list[tuple[int, int]] = []
        """(ticket, arrival) of every waiting job; the smallest is served next."""
        self._numbers = itertools.count()
        self._background_numbers = itertools.count(BACKGROUND)
        self._holders = threading.local()

    @property
    def running(self) -> int:
        """Jobs holding a slot now."""
        return self._running

    @property
    def waiting(self) -> int:
        """Jobs in line now."""
        return len(self._line)

    def ticket(self) -> int:
        """A new ticket, later than every one given before."""
        return next(self._numbers)

    def background_ticket(self) -> int:
        """A ticket for background work: after every visitor's, and admitted only when
        the gate is otherwise idle."""
        return next(self._background_numbers)

    @contextmanager
    def visitor_run(self) -> Iterator[None]:
        """Mark a visitor's script run for the ``with`` block: background work waits
        until no such run is going on and none has ended for ``quiet_s`` seconds."""
        with self._condition:
            self._visitor_runs += 1
        try:
            yield
        finally:
            with self._condition:
                self._visitor_runs -= 1
                self._last_visitor_run = time.monotonic()
                self._condition.notify_all()

    def _may_enter(self, place: tuple[int, int]) -> bool:
        """Whether the job at ``place`` in line may take a slot now (lock held)."""
        if self._running >= self.slots or min(self._line) != place:
            return False
        if place[0] < BACKGROUND:
            return True
        return (
            self._running == 0
            and self._visitor_runs == 0
            and time.monotonic() - self._last_visitor_run >= self.quiet_s
        )

    def held_here(self) -> bool:
        """Whether the calling thread holds a slot (then :meth:`admit` lets it straight in)."""
        return getattr(self._holders, "depth", 0) > 0

    @contextmanager
    def admit(
        self, on_wait: Callable[[int], object] | None = None, *, ticket: int | None = None, poll_s: float = 0.5
    ) -> Iterator[None]:
        """Hold a slot for the ``with`` block, waiting in line for it if need be.

        Parameters
        ----------
        on_wait : callable, optional
            Called with the number of jobs ahead (running ones included) before the
            first wait and then about every ``poll_s`` seconds while waiting, outside
            the gate's lock. An exception it raises (Streamlit stopping the script)
            takes the job out of the line and propagates.
        ticket : int, optional
            From :meth:`ticket`; jobs with smaller tickets go first. A fresh one by default.
        poll_s : float, default 0.5
            Seconds between calls of ``on_wait``.
        """
        if self.held_here():
            # A job's own sub-steps never queue behind other jobs: that could deadlock.
            yield
            return
        place = (self.ticket() if ticket is None else ticket, self.ticket())
        with self._condition:
            self._line.append(place)
        try:
            while True:
                with self._condition:
                    if self._may_enter(place):
                        self._line.remove(place)
                        self._running += 1
                        # The next in line may be admitted too when slots are free.
                        self._condition.notify_all()
                        break
                    ahead = self._running + sum(other < place for other in self._line)
                if on_wait is not None:
                    on_wait(ahead)
                with self._condition:
                    if not self._may_enter(place):
                        self._condition.wait(poll_s)
        except BaseException:
            with self._condition:
                if place in self._line:
                    self._line.remove(place)
                self._condition.notify_all()
            raise
        self._holders.depth = 1
        try:
            yield
        finally:
            self._holders.depth = 0
            with self._condition:
                self._running -= 1
                idle = self._running == 0 and not self._line
                self._condition.notify_all()
            if idle and self._on_idle is not None:
                try:
                    self._on_idle()
                except Exception:  # never let housekeeping fail a visitor's page
                    logger.exception("The gate's on_idle callback failed")


def _slots() -> int:
    """The cores this process may use (2 here and on Community Cloud), at most 4;
    ``QUANT_HEAVY_SLOTS`` overrides."""
    configured = os.environ.get("QUANT_HEAVY_SLOTS", "").strip()
    if configured.isdigit() and int(configured) >= 1:
        return int(configured)
    return max(1, min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1))


SLOTS = _slots()
"""Heavy jobs allowed at once in this process."""

QUIET_S = 20.0
"""Seconds without heavy work after which quant's memos of recent images are dropped."""

_quiet_timer: list[threading.Timer | None] = [None]
_quiet_lock = threading.Lock()


def _after_quiet_period() -> None:
    if HEAVY.running or HEAVY.waiting:
        return
    # Imported here: the gate itself knows nothing of quant.
    import quant

    quant.forget_images()
    release_memory()


def _trim_after_burst() -> None:
    """The gate has emptied: give free pages back now, and quant's memos of the last
    images (a few hundred megabytes at 12 MP) once nothing has run for :data:`QUIET_S`.
    A visitor moving a slider keeps them; a finished burst does not."""
    release_memory()
    with _quiet_lock:
        if _quiet_timer[0] is not None:
            _quiet_timer[0].cancel()
        timer = threading.Timer(QUIET_S, _after_quiet_period)
        timer.daemon = True
        _quiet_timer[0] = timer
        timer.start()


VISITOR_QUIET_S = 3.0
"""Seconds after a visitor's script run before :data:`HEAVY` lets background work in:
their browser is still drawing what it was sent (the 3D colour cloud takes about 3 s
where WebGL is drawn in software), and on a one-machine setup it shares the cores."""

HEAVY = Gate(SLOTS, on_idle=_trim_after_burst, quiet_s=VISITOR_QUIET_S)
"""The gate every full-size computation of the dashboard goes through."""
