"""How the safety filter's per-tick arithmetic is compiled: numba, ahead of the first tick.

The filter runs every control tick on a few dozen numbers per joint; as NumPy calls on arrays that
small, dispatch costs more than the arithmetic (a 14-joint max_viable_velocity: 26 us in NumPy,
1 us compiled). Kernels name their argument types, so they compile when this package is imported
(and load from numba's on-disk cache after the first time), never inside a control tick; a call
with other types fails loudly instead of compiling. error_model="numpy": a division by zero gives
inf/nan as the NumPy code did, never an exception.
"""

from __future__ import annotations

from collections.abc import Callable

import numba


def kernel(signature: str) -> Callable:
    return numba.njit(signature, cache=True, nogil=True, error_model="numpy")
