"""The scripted expert (backend `scripted`): hand geometry, task phases, straight-line motion, the Policy."""

from vla_ros.backends.scripted.config import ScriptedExpertConfig
from vla_ros.backends.scripted.policy import ScriptedExpert

__all__ = ["ScriptedExpert", "ScriptedExpertConfig"]
