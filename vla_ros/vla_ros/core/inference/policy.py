"""The one interface every policy backend implements (transport and execution live elsewhere).

Everything the node and the inference worker rely on is declared here, with a default, so nothing
the node and the worker never probe a backend with hasattr/getattr: a backend overrides what it has.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

from vla_ros.core.types import ActionChunk, Observation


class Policy(ABC):
    """Maps an observation to a latency-stamped chunk of actions.

    `infer` may block for as long as the model takes; callers run it off their control threads and
    measure the call (vla_ros.core.inference.worker). The returned chunk's stamp must be the
    observation's stamp (see vla_ros.core.types).
    """

    # The policy reads simulated object poses (observation.extras["object_poses"]); the node subscribes.
    needs_object_poses: bool = False
    # The policy inpaints observation.extras["rtc_prefix"] (the actions that execute while it infers,
    # /vla/rtc_prefix); the node subscribes and the worker attaches the newest at inference time.
    uses_rtc_prefix: bool = False

    @abstractmethod
    def infer(self, observation: Observation) -> ActionChunk: ...

    def reset(self) -> None:  # noqa: B027 - optional hook, a no-op unless overridden
        """Forget episode state (history, RNG streams, server-side sessions)."""

    def warmup(self) -> None:  # noqa: B027 - optional hook, a no-op unless overridden
        """Run a first inference before serving so the first real chunk is not a cold start."""

    def close(self) -> None:  # noqa: B027 - optional hook, a no-op unless overridden
        """Release models and connections (the node calls it at cleanup)."""

    @property
    def link_state(self) -> str | None:
        """State of the link to a policy server ("connected", "backing_off", ...); None in-process."""
        return None
