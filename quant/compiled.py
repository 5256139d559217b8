"""How quant compiles its per-pixel loops with Numba (:mod:`quant.dither`,
:mod:`quant.ordered`, :mod:`quant.pairs`).

The compiled code is cached on disk (next to the module, or where ``NUMBA_CACHE_DIR``
points, or in the user's cache folder when the package folder is read-only), so only
the first call of a fresh installation pays the compilation.
"""

from __future__ import annotations

from numba import njit

__all__ = ["inline", "jit"]


def jit(function):
    """``njit(cache=True, nogil=True)``, without the cache where none can be written."""
    try:
        return njit(cache=True, nogil=True)(function)
    except RuntimeError:  # Numba found no writable cache folder at all
        return njit(nogil=True)(function)


def inline(function):
    """A helper compiled into each caller (and cached with it), not called on its own.

    Every compiled function that calls another does so through these: a cached
    function calling another cached one (a separate library linked in) crashed
    Python at exit about every other run here (an LLVM assertion, numba 0.68.1)."""
    return njit(inline="always", nogil=True)(function)
