"""A process-wide store of computed results, bounded by the bytes it holds.

``st.cache_data`` bounds a cache by its number of entries, copies every value it
returns (unpickling a fresh one per caller), and cannot say whether a value is there
without computing it. The dashboard's heavy results differ in size by a thousand
times (a palette of a few bytes, a 12-megapixel image of 36 MB), and a heavy result
must wait for the gate (:mod:`ui.compute.gate`) only when it is really to be computed. So
they live here instead:

- one least-recently-used store for every visitor, bounded by :data:`BUDGET_BYTES`
  of NumPy arrays and bytes (``QUANT_STORE_MB`` overrides), so memory follows a
  budget, not the number of visitors;
- values are shared, not copied: they must be immutable (frozen dataclasses,
  read-only arrays, bytes);
- one computation per key: a second visitor asking for a value that is being
  computed waits for it instead of computing it again;
- a heavy computation is admitted by :data:`ui.compute.gate.HEAVY` first, and the visitor
  sees how many jobs are ahead while waiting.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

import numpy as np

from ui.compute.gate import HEAVY, Gate

__all__ = ["BUDGET_BYTES", "STORE", "Store", "size_of"]

logger = logging.getLogger(__name__)

T = TypeVar("T")

WaitCallback = Callable[[int | None], object]
"""Told, while a value is awaited, how many jobs are ahead in the gate's line, or None
when another visitor's identical job is being computed."""


def _parts(value: Any, parts: dict[int, tuple[Any, int]]) -> int:
    """Add ``value``'s arrays and byte strings to ``parts`` (by id: each object once)
    with their sizes; return the bytes of everything else (64 per other object)."""
    if id(value) in parts:
        return 0
    if isinstance(value, np.ndarray):
        parts[id(value)] = (value, int(value.nbytes))
        return 0
    if isinstance(value, (bytes, bytearray, str)):
        parts[id(value)] = (value, len(value))
        return 0
    if isinstance(value, (tuple, list)):
        return sum(_parts(item, parts) for item in value)
    if isinstance(value, dict):
        return sum(_parts(item, parts) for item in value.values())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return sum(_parts(getattr(value, f.name), parts) for f in dataclasses.fields(value))
    return 64


def size_of(value: Any) -> int:
    """Bytes held by ``value``'s arrays and byte strings (what dominates its memory),
    each object counted once; containers and dataclasses are walked."""
    parts: dict[int, tuple[Any, int]] = {}
    other = _parts(value, parts)
    return other + sum(size for _, size in parts.values())


class _Flight:
    """A value being computed: whoever else wants it waits on ``done``."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.value: Any = None
        self.error: Exception | None = None
        self.abandoned = False


class Store:
    """Least-recently-used values by key, at most ``budget_bytes`` of them in all.

    Parameters
    ----------
    budget_bytes : int
        Largest total of bytes kept, an array or byte string shared by several values
        counted once (several palettes of one image share its colour histogram). A
        single value larger than the budget is returned but not kept.
    gate : Gate
        Admits heavy computations (``heavy=True`` in :meth:`get`).
    """

    def __init__(self, budget_bytes: int, *, gate: Gate) -> None:
        self.budget_bytes = budget_bytes
        self.gate = gate
        self._lock = threading.Lock()
        self._values: OrderedDict[Hashable, tuple[Any, tuple[int, ...], int]] = OrderedDict()
        """Each value, the ids of its arrays and byte strings, and the bytes of the rest."""
        self._parts: dict[int, list[Any]] = {}
        """Every array and byte string the values hold, by id: [object, bytes, holders]."""
        self._flights: dict[Hashable, _Flight] = {}
        self._bytes = 0

    @property
    def bytes_held(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._values)

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._values

    def clear(self) -> None:
        """Forget every value (flights in progress finish and keep theirs)."""
        with self._lock:
            self._values.clear()
            self._parts.clear()
            self._bytes = 0

    def peek(self, key: Hashable, default: Any = None) -> Any:
        """The value if it is held (marking it recently used), else ``default``."""
        with self._lock:
            held = self._values.get(key)
            if held is None:
                return default
            self._values.move_to_end(key)
            return held[0]

    def get(
        self,
        key: Hashable,
        make: Callable[[], T],
        *,
        heavy: bool = False,
        on_wait: WaitCallback | None = None,
        ticket: int | None = None,
    ) -> T:
        """The value for ``key``, computed by ``make()`` if it is not held.

        Parameters
        ----------
        key : hashable
            Identifies the value: a content digest and parameters, never arrays.
        make : callable
            Computes it. Its exceptions reach every caller waiting for this key,
            and nothing is kept.
        heavy : bool, default False
            Compute only once admitted by the gate.
        on_wait : callable, optional
            Called about twice a second while waiting (see :data:`WaitCallback`).
        ticket : int, optional
            The place in the gate's line (:meth:`ui.compute.gate.Gate.ticket`): one visitor's
            jobs share one, so they are served together.
        """
        while True:
            with self._lock:
                held = self._values.get(key)
                if held is not None:
                    self._values.move_to_end(key)
                    return held[0]
                flight = self._flights.get(key)
                mine = flight is None and (not heavy or self.gate.held_here())
                if mine:
                    flight = self._flights[key] = _Flight()
            if mine:
                return self._compute(key, flight, make)
            if flight is None:
                # Queue for a slot before claiming the key: whoever computes a value
                # always holds a slot already, so a job waiting for another's value
                # never waits on someone who is waiting in line (no deadlock).
                with self.gate.admit(on_wait, ticket=ticket):
                    return self.get(key, make, heavy=True, on_wait=on_wait)
            while not flight.done.wait(0.5 if on_wait is not None else None):
                on_wait(None)
            if flight.error is not None:
                raise flight.error
            if not flight.abandoned:
                return flight.value
            # Its visitor left before it was computed: try again, perhaps as the owner.

    def put(self, key: Hashable, value: Any) -> None:
        """Keep ``value`` for ``key`` (a by-product of another computation)."""
        self._keep(key, value)

    def _compute(self, key: Hashable, flight: _Flight, make: Callable[[], T]) -> T:
        try:
            value = make()
            flight.value = value
            # Kept before the flight lands, so nobody starts the same computation again.
            self._keep(key, value)
        except Exception as err:
            flight.error = err
            raise
        except BaseException:
            # Streamlit stopping the script (the visitor left or changed a setting).
            flight.abandoned = True
            raise
        finally:
            with self._lock:
                del self._flights[key]
            flight.done.set()
        return value

    def _keep(self, key: Hashable, value: Any) -> None:
        parts: dict[int, tuple[Any, int]] = {}
        other = _parts(value, parts)
        if other + sum(size for _, size in parts.values()) > self.budget_bytes:
            return
        with self._lock:
            if key in self._values:
                return
            self._values[key] = (value, tuple(parts), other)
            self._bytes += other
            for ident, (part, size) in parts.items():
                held = self._parts.get(ident)
                if held is None:
                    self._parts[ident] = [part, size, 1]
                    self._bytes += size
                else:
                    held[2] += 1
            while self._bytes > self.budget_bytes:
                _, (_, idents, evicted_other) = self._values.popitem(last=False)
                self._bytes -= evicted_other
                for ident in idents:
                    held = self._parts[ident]
                    held[2] -= 1
                    if held[2] == 0:
                        del self._parts[ident]
                        self._bytes -= held[1]


def _budget_bytes() -> int:
    configured = os.environ.get("QUANT_STORE_MB", "").strip()
    megabytes = int(configured) if configured.isdigit() and int(configured) > 0 else 384
    return megabytes << 20


BUDGET_BYTES = _budget_bytes()
"""What :data:`STORE` may hold: 384 MB unless ``QUANT_STORE_MB`` says otherwise (about
three 12 MP visitors' pictures, tiles, labels and PNGs)."""

STORE = Store(BUDGET_BYTES, gate=HEAVY)
"""The dashboard's one store, shared by every session of the process."""
