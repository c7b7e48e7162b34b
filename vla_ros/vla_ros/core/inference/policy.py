"""The one interface every policy backend implements (transport and execution live elsewhere)."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from vla_ros.core.types import ActionChunk, Observation


@runtime_checkable
class Policy(Protocol):
    """Maps an observation to a latency-stamped chunk of actions.

    `infer` may block for as long as the model takes; callers run it off their control threads.
    The returned chunk's stamp must be the observation's stamp (see vla_ros.core.types).
    """

    def infer(self, observation: Observation) -> ActionChunk: ...

    def reset(self) -> None:
        """Forget episode state (history, RNG streams, server-side sessions)."""
        ...
