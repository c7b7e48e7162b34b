"""Client of an openpi policy server (pi0, pi0-FAST, pi0.5; or any model served with its protocol).

The card names the server's observation keys: camera keys and state keys as the server's policy
config reads them (keys with '.' nest, e.g. ALOHA's images.cam_high -> {"images": {"cam_high": ...}}),
the prompt key, and the reply key holding the (horizon, dim) actions.
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

import numpy as np

from vla_ros.backends.options import CARD_OPTIONS, BackendOptions
from vla_ros.backends.transport.openpi_websocket import OpenPIConnection
from vla_ros.backends.transport.remote_link import Backoff, RemoteLink
from vla_ros.core.inference.policy import Policy
from vla_ros.core.model.io import ModelIO
from vla_ros.core.robot.config import RobotConfig
from vla_ros.core.types import ActionChunk, InferenceTiming, InvalidInput, Observation

OPTIONS = {
    "host": "server host name or address (default localhost), or a ws:// URI",
    "port": "server port (default 8000)",
    "api_key": "sent as 'Authorization: Api-Key <key>' when set",
    "connect_timeout": "seconds to open the connection (default 5)",
    "reply_timeout": "seconds to wait for a reply before the link counts as down (default 10)",
    "backoff_initial": "first reconnect delay in seconds (default 0.5)",
    "backoff_max": "longest reconnect delay in seconds (default 10)",
    **CARD_OPTIONS,
}


class OpenPIPolicy(Policy):
    def __init__(
        self,
        io: ModelIO,
        uri: str,
        api_key: str | None,
        connect_timeout: float,
        reply_timeout: float,
        backoff: Backoff,
    ) -> None:
        self.io, self.uri = io, uri
        self.link: RemoteLink[OpenPIConnection] = RemoteLink(
            f"openpi server {uri}",
            lambda: OpenPIConnection(uri, api_key, connect_timeout, reply_timeout),
            lambda connection: connection.close(),
            backoff,
        )

    @classmethod
    def from_options(cls, robot: RobotConfig, options: dict[str, Any]) -> OpenPIPolicy:
        opts = BackendOptions("openpi", options, OPTIONS)
        io = opts.model_io(robot)
        host = opts.string("host", "localhost")
        port = opts.integer("port", 8000, minimum=1)
        uri = host if host.startswith("ws") else f"ws://{host}:{port}"
        backoff = Backoff(opts.number("backoff_initial", 0.5), opts.number("backoff_max", 10.0))
        return cls(
            io,
            uri,
            opts.string("api_key", None),
            opts.number("connect_timeout", 5.0),
            opts.number("reply_timeout", 10.0),
            backoff,
        )

    @property
    def link_state(self) -> str:
        return self.link.state.value

    def infer(self, observation: Observation) -> ActionChunk:
        """The chunk, timed as the worker cannot: encoding here, the round trip to the server, decoding here."""
        start = time.perf_counter()
        request = self.request(observation)
        connection = self.link.handle()
        sent = time.perf_counter()
        try:
            reply = connection.infer(request)
        except ConnectionError as error:
            self.link.failed(error)
            raise ConnectionError(f"openpi server {self.uri}: {error}") from error
        received = time.perf_counter()
        key = self.io.card.action.key
        if key not in reply:
            raise InvalidInput(
                f"openpi server {self.uri} replied with keys {sorted(reply)}; model card "
                f"'{self.io.card.name}' expects actions under '{key}'"
            )
        chunk = self.io.chunk(np.asarray(reply[key]), observation)
        timing = InferenceTiming(sent - start, received - sent, time.perf_counter() - received)
        return replace(chunk, timing=timing)

    def request(self, observation: Observation) -> dict[str, Any]:
        """The observation as the server's policy reads it (nested on '.' in keys)."""
        inputs = self.io.inputs(observation)
        request: dict[str, Any] = {}
        for key, value in [
            *inputs.images.items(),
            *inputs.state.items(),
            (self.io.card.prompt_key, inputs.prompt),
        ]:
            *parents, leaf = key.split(".")
            node = request
            for parent in parents:
                node = node.setdefault(parent, {})
            node[leaf] = value
        return request

    def warmup(self) -> None:
        self.infer(self.io.placeholder_observation())

    def reset(self) -> None:
        """openpi servers keep no episode state between requests."""

    def close(self) -> None:
        self.link.close()
