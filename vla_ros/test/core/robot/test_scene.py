"""The table-top scene layout read from a robot YAML's `sim:` block: errors name the key."""

import pytest

from vla_ros.core.robot.scene import SceneConfig
from vla_ros.core.types import InvalidInput


def test_scene_config_errors_name_the_key():
    with pytest.raises(InvalidInput, match="'tabel' \\(did you mean 'table'\\?\\)"):
        SceneConfig.from_yaml({"tabel": {}})
    with pytest.raises(InvalidInput, match="spawn_max"):
        SceneConfig.from_yaml({"objects": {"spawn_min": [0, 0]}})
    with pytest.raises(InvalidInput, match="task_spawn_max"):
        SceneConfig.from_yaml({"objects": {"task_spawn_min": [0, 0]}})
    with pytest.raises(InvalidInput, match="task_region max"):
        SceneConfig.from_yaml(
            {"objects": {"task_spawn_min": [0, 0], "task_spawn_max": [-0.1, 0.1]}}
        )
    assert SceneConfig.from_yaml(None).task_region is None  # the task cube then in object_region
