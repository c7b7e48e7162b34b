"""Action chunks -> smooth controller-rate commands: scheduling, blending, interpolation, triggering.

Public entry point: ChunkExecutor (executor.py) configured by ExecutorConfig (config.py).
"""

from vla_ros.core.chunking.config import ExecutorConfig
from vla_ros.core.chunking.executor import ChunkExecutor, ExecutorStats
from vla_ros.core.chunking.timeline import Admission

__all__ = ["Admission", "ChunkExecutor", "ExecutorConfig", "ExecutorStats"]
