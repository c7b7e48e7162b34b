"""One single-threaded executor per node, each on its own thread.

rclpy's MultiThreadedExecutor (9.x) re-yields a ready task on every wait until a pool thread starts
it and submits it again each time; once callbacks queue up, its pending list grows into the
thousands, every spin walks it, and the whole process collapses (measured here: the safety
projector's 100 Hz stream fell to 4 Hz). Isolated single-threaded executors have no such queue,
keep each node's callbacks in order, and mirror one-process-per-node deployment: a slow callback
delays only its own node.
"""

from __future__ import annotations

import contextlib
import threading

from rclpy.executors import ExternalShutdownException, SingleThreadedExecutor
from rclpy.node import Node

from vla_ros.nodes.managed import ManagedNode


class IsolatedExecutors:
    def __init__(self) -> None:
        self._spinning: list[tuple[Node, SingleThreadedExecutor, threading.Thread]] = []

    def add(self, node: Node) -> Node:
        executor = SingleThreadedExecutor()
        executor.add_node(node)
        thread = threading.Thread(
            target=_spin, args=(executor,), name=f"spin_{node.get_name()}", daemon=True
        )
        thread.start()
        self._spinning.append((node, executor, thread))
        return node

    @property
    def nodes(self) -> list[Node]:
        return [node for node, _, _ in self._spinning]

    def shutdown(self, timeout_s: float = 2.0) -> None:
        """Stop spinning and destroy every node (after its executor let go of it)."""
        for _, executor, _ in self._spinning:
            executor.shutdown(timeout_sec=timeout_s)
        for node, _, thread in self._spinning:
            thread.join(timeout_s)
            # Managed nodes leave through their lifecycle shutdown (timers, workers, backends released).
            if isinstance(node, ManagedNode):
                node.close()
            else:
                node.destroy_node()
        self._spinning.clear()


def _spin(executor: SingleThreadedExecutor) -> None:
    with contextlib.suppress(ExternalShutdownException):
        executor.spin()
