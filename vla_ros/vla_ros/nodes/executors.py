"""One single-threaded executor per node, each on its own thread.

rclpy's MultiThreadedExecutor (9.x) re-yields a ready task on every wait until a pool thread starts
it and submits it again each time; once callbacks queue up, its pending list grows into the
thousands, every spin walks it, and the whole process collapses (measured here: the safety
projector's 100 Hz stream fell to 4 Hz). Isolated single-threaded executors have no such queue,
keep each node's callbacks in order, and mirror one-process-per-node deployment: a slow callback
delays only its own node.

Each thread spins in short turns and stops at a flag; the executor is shut down only after its
thread has ended. rclpy's `Executor.shutdown` from another thread while `spin()` runs destroys the
executor's guard condition under a handler being made (CI: "'NoneType' object has no attribute
'trigger'" in a spin thread of `vla-ros run`).
"""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass, field

from rclpy.executors import ExternalShutdownException, SingleThreadedExecutor
from rclpy.node import Node

from vla_ros.nodes.managed import ManagedNode
from vla_ros.nodes.shutdown import POLL_S


@dataclass
class _Spinning:
    node: Node
    executor: SingleThreadedExecutor
    stop: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread = field(init=False)

    def __post_init__(self) -> None:
        self.thread = threading.Thread(
            target=self.run, name=f"spin_{self.node.get_name()}", daemon=True
        )

    def run(self) -> None:
        with contextlib.suppress(ExternalShutdownException):
            while not self.stop.is_set() and self.executor.context.ok():
                self.executor.spin_once(timeout_sec=POLL_S)


class IsolatedExecutors:
    def __init__(self) -> None:
        self._spinning: list[_Spinning] = []

    def add(self, node: Node) -> Node:
        executor = SingleThreadedExecutor()
        executor.add_node(node)
        spinning = _Spinning(node, executor)
        spinning.thread.start()
        self._spinning.append(spinning)
        return node

    @property
    def nodes(self) -> list[Node]:
        return [spinning.node for spinning in self._spinning]

    def shutdown(self, timeout_s: float = 2.0) -> None:
        """Stop spinning and destroy every node (after its executor let go of it)."""
        for spinning in self._spinning:
            spinning.stop.set()
        for spinning in self._spinning:
            spinning.thread.join(timeout_s)
            spinning.executor.shutdown(timeout_sec=timeout_s)
            # Managed nodes leave through their lifecycle shutdown (timers, workers, backends released).
            if isinstance(spinning.node, ManagedNode):
                spinning.node.close()
            else:
                spinning.node.destroy_node()
        self._spinning.clear()
