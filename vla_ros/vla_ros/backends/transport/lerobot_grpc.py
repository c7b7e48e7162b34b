"""LeRobot's async-inference gRPC protocol (lerobot.async_inference PolicyServer), client side.

Security: this protocol pickles. The policy setup and every observation are pickled to the
server, and every action chunk comes back as a pickle that this client must unpickle; unpickling
runs whatever code the bytes name. Anyone who can answer on the server's address (a compromised or
spoofed GPU box, a man in the middle of the unencrypted channel) can run code on the robot computer.
The backend therefore refuses to run unless `allow_pickle: true` is set, and logs a warning when it
is. Use it only on a network you control end to end (or through an SSH tunnel).
"""

from __future__ import annotations

import pickle  # nosec B403 - LeRobot's wire format; gated behind the allow_pickle option
import time
from typing import Any

import grpc
import numpy as np


class LeRobotServerConnection:
    """One session with a PolicyServer: Ready, SendPolicyInstructions, then observation -> actions."""

    def __init__(
        self,
        address: str,
        policy_setup: Any,
        connect_timeout: float,
        load_timeout: float,
        reply_timeout: float,
    ) -> None:
        from lerobot.transport import services_pb2, services_pb2_grpc

        self._pb = services_pb2
        self.address, self.reply_timeout = address, reply_timeout
        self._channel = grpc.insecure_channel(address)
        try:
            grpc.channel_ready_future(self._channel).result(timeout=connect_timeout)
            self._stub = services_pb2_grpc.AsyncInferenceStub(self._channel)
            self._stub.Ready(services_pb2.Empty(), timeout=connect_timeout)
            setup = services_pb2.PolicySetup(data=pickle.dumps(policy_setup))  # nosec B301
            self._stub.SendPolicyInstructions(setup, timeout=load_timeout)
        except grpc.FutureTimeoutError as error:
            self._channel.close()
            raise ConnectionError(
                f"no PolicyServer answering at {address} within {connect_timeout} s"
            ) from error
        except grpc.RpcError as error:
            self._channel.close()
            raise ConnectionError(
                f"PolicyServer at {address} refused the session: {error.code().name} {error.details()}"
            ) from error

    def infer(self, timed_observation: Any) -> np.ndarray:
        """(horizon, dim) actions the server returns for one observation (sent with must_go)."""
        from lerobot.transport.utils import send_bytes_in_chunks

        payload = pickle.dumps(timed_observation)  # nosec B301
        deadline = time.monotonic() + self.reply_timeout
        try:
            self._stub.SendObservations(
                send_bytes_in_chunks(payload, self._pb.Observation), timeout=self.reply_timeout
            )
            reply = self._stub.GetActions(
                self._pb.Empty(), timeout=max(0.1, deadline - time.monotonic())
            )
        except grpc.RpcError as error:
            raise ConnectionError(
                f"PolicyServer at {self.address}: {error.code().name} {error.details()}"
            ) from error
        if not reply.data:
            raise RuntimeError(
                f"PolicyServer at {self.address} returned no actions (inference failed or timed "
                "out on the server; see its log)"
            )
        timed_actions = pickle.loads(reply.data)  # nosec B301 - allowed explicitly by the allow_pickle option
        return np.stack([np.asarray(a.get_action(), dtype=np.float64) for a in timed_actions])

    def restart_episode(self) -> None:
        """Ready again: the server flushes its observation queue and predicted timesteps, keeps the policy."""
        try:
            self._stub.Ready(self._pb.Empty(), timeout=self.reply_timeout)
        except grpc.RpcError as error:
            raise ConnectionError(
                f"PolicyServer at {self.address}: {error.code().name} {error.details()}"
            ) from error

    def close(self) -> None:
        self._channel.close()
