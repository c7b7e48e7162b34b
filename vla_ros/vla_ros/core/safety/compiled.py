"""How the safety filter's per-tick arithmetic is compiled: numba, ahead of the first tick.

The filter runs every control tick on a few dozen numbers per joint; as NumPy calls on arrays that
small, dispatch costs more than the arithmetic (a 14-joint max_viable_velocity: 26 us in NumPy,
1 us compiled). Kernels name their argument types, so they compile when this package is imported
(and load from numba's on-disk cache after the first time), never inside a control tick; a call
with other types fails loudly instead of compiling. error_model="numpy": a division by zero gives
inf/nan as the NumPy code did, never an exception. Kernels keep the GIL: they last microseconds,
and releasing it would offer it to the other threads of a one-process graph at every kernel call,
with the control tick waiting up to a switch interval (5 ms) to get it back.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import numba

_STAMP = "numba-sources.sha256"


def kernel(signature: str) -> Callable:
    return numba.njit(signature, cache=True, error_model="numpy")


def drop_stale_cache(package: Path) -> bool:
    """Empty the numba caches of `package` and its subpackages when any of their sources changed;
    True if they were dropped.

    numba checks a cached kernel against its own file only, so a kernel that calls a kernel of
    another file (the braking path calls brake()) would keep the old callee after that file alone
    changed (a git pull, an edit). Keyed on all the package's sources at once, the cache cannot go
    stale. A package without a writable __pycache__ (an installed one: numba then caches in the
    user's cache dir) is left alone: an install replaces all its files at once.
    """
    sources = sorted(package.rglob("*.py"))
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in sources)).hexdigest()
    stamp = package / "__pycache__" / _STAMP
    if stamp.is_file() and stamp.read_text() == digest:
        return False
    try:
        for cache in {p.parent / "__pycache__" for p in sources}:
            cache.mkdir(exist_ok=True)
            for entry in [*cache.glob("*.nbi"), *cache.glob("*.nbc")]:
                entry.unlink(missing_ok=True)
        stamp.write_text(digest)
    except OSError:
        return False
    return True


drop_stale_cache(Path(__file__).parent)
