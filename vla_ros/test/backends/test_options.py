"""Backend options and the registry: errors name the option, the value and what is valid."""

import pytest

from vla_ros.backends.registry import BACKENDS, create_policy
from vla_ros.core.types import InvalidInput


def test_every_backend_is_registered_and_importable():
    import importlib

    assert {"lerobot", "openvla", "openpi", "lerobot_server", "replay"} <= set(BACKENDS)
    for target in BACKENDS.values():
        module, name = target.split(":")
        assert hasattr(importlib.import_module(module), name)


@pytest.mark.parametrize(
    "backend, options, message",
    [
        (
            "openpi",
            {"card": "pi0_droid", "hots": "x"},
            r"unknown option\(s\) \['hots'\]; valid options: host:",
        ),
        ("openpi", {}, r"missing required option 'card'"),
        (
            "openpi",
            {"card": "pi0_droid", "port": "8000"},
            r"option port='8000' is invalid; expected an integer >= 1",
        ),
        (
            "openpi",
            {"card": "pi0_droid", "reply_timeout": -1},
            r"option reply_timeout=-1 is invalid; expected a number > 0.0",
        ),
        (
            "openpi",
            {"card": "pi0_droid", "cameras": ["wrist"]},
            r"option cameras=\['wrist'\] is invalid; expected a mapping",
        ),
        ("openpi", {"card": "no_card"}, r"model card 'no_card' not found"),
        (
            "lerobot_server",
            {"allow_pickle": "yes"},
            r"option allow_pickle='yes' is invalid; expected true or false",
        ),
        ("lerobot", {"checkpoint": ".", "device": "tpu"}, r"not a LeRobot pretrained policy dir"),
    ],
)
def test_invalid_options(backend, options, message, robots):
    with pytest.raises(InvalidInput, match=message):
        create_policy(backend, robots["panda"], options)


def test_mapping_options_accept_yaml_text_from_ros_parameters(robots):
    policy = create_policy(
        "openpi", robots["panda"], {"card": "openvla_bridge", "cameras": "{image: wrist}"}
    )
    assert policy.io.images.bindings[0][1].name == "wrist"


def test_unknown_backend_lists_the_available_ones(robots):
    with pytest.raises(InvalidInput, match=r"unknown backend 'octo'; available: \[.*'openpi'.*\]"):
        create_policy("octo", robots["panda"])


def test_device_choice():
    import torch

    from vla_ros.backends.torch_runtime import resolve_device

    assert resolve_device("auto", "x").type == ("cuda" if torch.cuda.is_available() else "cpu")
    assert resolve_device("cpu", "x").type == "cpu"
    with pytest.raises(
        InvalidInput, match=r"option device='tpu' is invalid; expected auto, cpu, cuda or cuda:N"
    ):
        resolve_device("tpu", "x")
    if not torch.cuda.is_available():
        with pytest.raises(
            InvalidInput, match=r"option device='cuda' but no CUDA device is available"
        ):
            resolve_device("cuda", "x")
