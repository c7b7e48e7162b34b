"""The openpi policy-server protocol (websocket + msgpack with NumPy arrays, as openpi-client speaks it).

On connect the server sends its metadata; then each request is one packed observation dict and each
reply one packed dict of arrays (or a text frame carrying the server's traceback). openpi-client's
own WebsocketClientPolicy has no timeouts, so this module uses its msgpack codec with a websocket
that gives up after `open_timeout` / `reply_timeout` seconds instead of hanging.
"""

from __future__ import annotations

from typing import Any

import websockets.exceptions
import websockets.sync.client
from openpi_client import msgpack_numpy


class OpenPIServerError(RuntimeError):
    """The server answered with an error (its traceback) instead of actions."""


class OpenPIConnection:
    def __init__(
        self, uri: str, api_key: str | None, open_timeout: float, reply_timeout: float
    ) -> None:
        headers = {"Authorization": f"Api-Key {api_key}"} if api_key else None
        self.reply_timeout = reply_timeout
        try:
            self._ws = websockets.sync.client.connect(
                uri,
                compression=None,
                max_size=None,
                open_timeout=open_timeout,
                additional_headers=headers,
                legacy=True,
            )
            self.metadata = msgpack_numpy.unpackb(self._ws.recv(timeout=reply_timeout))
        except (OSError, TimeoutError, websockets.exceptions.WebSocketException) as error:
            raise ConnectionError(f"cannot open {uri}: {error}") from error
        self._packer = msgpack_numpy.Packer()

    def infer(self, observation: dict[str, Any]) -> dict[str, Any]:
        try:
            self._ws.send(self._packer.pack(observation))
            reply = self._ws.recv(timeout=self.reply_timeout)
        except TimeoutError as error:
            raise ConnectionError(f"no reply within {self.reply_timeout} s") from error
        except (OSError, websockets.exceptions.WebSocketException) as error:
            raise ConnectionError(f"connection lost: {error}") from error
        if isinstance(reply, str):
            raise OpenPIServerError(f"policy server error:\n{reply}")
        return msgpack_numpy.unpackb(reply)

    def close(self) -> None:
        self._ws.close()
