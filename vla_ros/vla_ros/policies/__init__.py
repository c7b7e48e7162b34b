"""The suite's own LeRobot policy types, registered with LeRobot when this package is imported.

Each is a LeRobot-format package (configuration_*.py, modeling_*.py, processor_*.py), so LeRobot's
loaders find the model and processors by its type name (`get_policy_class`,
`make_pre_post_processors`) and a checkpoint is served by the `lerobot` backend like any other.
"""

from vla_ros.backends.torch_runtime import ensure_torchvision_importable

ensure_torchvision_importable()  # before LeRobot's modules, which import torchvision

from vla_ros.policies.flow_film.configuration_flow_film import FlowFilmConfig  # noqa: E402

__all__ = ["FlowFilmConfig"]
