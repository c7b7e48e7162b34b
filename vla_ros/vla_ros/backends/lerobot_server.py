"""Client of LeRobot's async-inference PolicyServer (a remote GPU box runs the policy).

The server loads `checkpoint` (a path or hub id on the server's machine) for `policy_type`, applies
LeRobot's processors there and returns un-normalized actions. The card maps cameras and state:
camera keys must be observation.images.<name> and the state key observation.state, as LeRobot
names them. The protocol pickles in both directions: see vla_ros.backends.transport.lerobot_grpc for
the risk; the backend refuses to start unless `allow_pickle: true`.
"""

from __future__ import annotations

import itertools
import logging
import time
from dataclasses import replace
from typing import Any

from vla_ros.backends.options import CARD_OPTIONS, BackendOptions
from vla_ros.backends.torch_runtime import ensure_torchvision_importable
from vla_ros.backends.transport.lerobot_grpc import LeRobotServerConnection
from vla_ros.backends.transport.remote_link import Backoff, LinkState, RemoteLink
from vla_ros.core.inference.policy import Policy
from vla_ros.core.model.io import ModelIO
from vla_ros.core.robot.config import RobotConfig
from vla_ros.core.types import ActionChunk, InferenceTiming, InvalidInput, Observation

_log = logging.getLogger(__name__)
POLICY_TYPES = ("act", "smolvla", "diffusion", "tdmpc", "vqbet", "pi0", "pi05", "groot")
OPTIONS = {
    "allow_pickle": (
        "must be true: LeRobot's gRPC protocol unpickles server replies (code "
        "execution if the server is hostile)"
    ),
    "host": "PolicyServer host (default localhost)",
    "port": "PolicyServer port (default 8080)",
    "policy_type": f"one of {list(POLICY_TYPES)}",
    "checkpoint": "pretrained policy path or hub id, as the server's machine sees it",
    "server_device": "device the server runs the policy on (default cuda)",
    "connect_timeout": "seconds to reach the server (default 5)",
    "load_timeout": "seconds the server may take to load the policy (default 120)",
    "reply_timeout": "seconds to wait for a chunk before the link counts as down (default 10)",
    "backoff_initial": "first reconnect delay in seconds (default 0.5)",
    "backoff_max": "longest reconnect delay in seconds (default 10)",
    **CARD_OPTIONS,
}
STATE_KEY, IMAGE_PREFIX = "observation.state", "observation.images."


class LeRobotServerPolicy(Policy):
    def __init__(self, io: ModelIO, address: str, make_connection: Any, backoff: Backoff) -> None:
        self.io, self.address = io, address
        self.link: RemoteLink[LeRobotServerConnection] = RemoteLink(
            f"LeRobot PolicyServer {address}",
            make_connection,
            lambda connection: connection.close(),
            backoff,
        )
        self._timesteps = itertools.count()

    @classmethod
    def from_options(cls, robot: RobotConfig, options: dict[str, Any]) -> LeRobotServerPolicy:
        opts = BackendOptions("lerobot_server", options, OPTIONS)
        if not opts.boolean("allow_pickle", False):
            raise InvalidInput(
                "backend 'lerobot_server': LeRobot's gRPC protocol pickles, and unpickling a "
                "reply runs whatever code it "
                "names: anyone who can answer on the server address can run code on this computer. Set option "
                "allow_pickle: true only for a server on a network you control."
            )
        _log.warning(
            "lerobot_server: allow_pickle is set; replies from the PolicyServer are unpickled "
            "(trust that server and network)"
        )
        io = opts.model_io(robot)
        _check_lerobot_keys(io)
        ensure_torchvision_importable()  # lerobot's protocol classes import torchvision
        address = f"{opts.string('host', 'localhost')}:{opts.integer('port', 8080, minimum=1)}"
        policy_type = opts.string("policy_type", choices=POLICY_TYPES)
        checkpoint = opts.string("checkpoint")
        server_device = opts.string("server_device", "cuda")
        timeouts = (
            opts.number("connect_timeout", 5.0),
            opts.number("load_timeout", 120.0),
            opts.number("reply_timeout", 10.0),
        )
        backoff = Backoff(opts.number("backoff_initial", 0.5), opts.number("backoff_max", 10.0))

        def connect() -> LeRobotServerConnection:
            from lerobot.async_inference.helpers import RemotePolicyConfig

            setup = RemotePolicyConfig(
                policy_type, checkpoint, _features(io), io.card.execute, server_device
            )
            return LeRobotServerConnection(address, setup, *timeouts)

        return cls(io, address, connect, backoff)

    @property
    def link_state(self) -> str:
        return self.link.state.value

    def infer(self, observation: Observation) -> ActionChunk:
        """The chunk, timed as the worker cannot: encoding here, the round trip to the server, decoding here."""
        from lerobot.async_inference.helpers import TimedObservation

        start = time.perf_counter()
        inputs = self.io.inputs(observation)
        raw: dict[str, Any] = {
            key.removeprefix(IMAGE_PREFIX): image for key, image in inputs.images.items()
        }
        for (_, joints, _, _), vector in zip(
            self.io.states.groups, inputs.state.values(), strict=True
        ):
            raw.update({joint: float(v) for joint, v in zip(joints, vector, strict=True)})
        raw["task"] = inputs.prompt
        timed = TimedObservation(
            timestamp=time.time(), timestep=next(self._timesteps), observation=raw, must_go=True
        )
        connection = self.link.handle()
        sent = time.perf_counter()
        try:
            actions = connection.infer(timed)
        except ConnectionError as error:
            self.link.failed(error)
            raise
        received = time.perf_counter()
        chunk = self.io.chunk(actions, observation)
        return replace(
            chunk,
            timing=InferenceTiming(sent - start, received - sent, time.perf_counter() - received),
        )

    def warmup(self) -> None:
        self.infer(self.io.placeholder_observation())

    def reset(self) -> None:
        """Flush the server's episode state (its queues); a dead link is left to reconnect on the next inference."""
        if self.link.state is LinkState.CONNECTED:
            try:
                self.link.handle().restart_episode()
            except ConnectionError as error:
                self.link.failed(error)

    def close(self) -> None:
        self.link.close()


def _check_lerobot_keys(io: ModelIO) -> None:
    bad = [c.key for c in io.card.cameras if not c.key.startswith(IMAGE_PREFIX)]
    bad += [key for key in io.states.sizes if key != STATE_KEY]
    if bad or len(io.states.sizes) != 1:
        raise InvalidInput(
            f"backend 'lerobot_server': model card '{io.card.name}' must name cameras "
            f"{IMAGE_PREFIX}<name> and one state "
            f"'{STATE_KEY}' as LeRobot does; got cameras {[c.key for c in io.card.cameras]}, "
            f"state {list(io.states.sizes)}"
        )


def _features(io: ModelIO) -> dict[str, dict]:
    """LeRobot dataset features describing what this client sends (as lerobot's hw_to_dataset_features would)."""
    ((_, joints, _, _),) = io.states.groups
    features = {STATE_KEY: {"dtype": "float32", "shape": (len(joints),), "names": list(joints)}}
    for camera in io.card.cameras:
        features[camera.key] = {
            "dtype": "image",
            "shape": (camera.height, camera.width, 3),
            "names": ["height", "width", "channels"],
        }
    return features
