"""Backend options: every key checked, every error naming the option, the value and what is valid.

Options arrive from ROS parameters or YAML as a plain dict; a backend declares what it accepts
(name -> one-line meaning) and reads typed values through BackendOptions.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from vla_ros.core.model.card import ModelCard, load_model_card
from vla_ros.core.model.io import ModelIO
from vla_ros.core.robot.config import RobotConfig
from vla_ros.core.types import InvalidInput

_MISSING = object()

# Options every card-driven backend accepts.
CARD_OPTIONS = {
    "card": "model card: a name in config/models, a YAML path (default: vla_ros_card.yaml in the checkpoint dir)",
    "cameras": "mapping model camera key -> robot camera name, overriding the card's sources",
}


class BackendOptions:
    def __init__(self, backend: str, options: dict[str, Any], accepted: dict[str, str]) -> None:
        self.backend, self.values, self.accepted = backend, dict(options), accepted
        unknown = sorted(set(self.values) - set(accepted))
        if unknown:
            valid = "; ".join(f"{k}: {v}" for k, v in accepted.items())
            raise InvalidInput(
                f"backend '{backend}': unknown option(s) {unknown}; valid options: {valid}"
            )

    def _fail(self, name: str, value: Any, valid: str) -> InvalidInput:
        return InvalidInput(
            f"backend '{self.backend}': option {name}={value!r} is invalid; expected {valid}"
        )

    def get(self, name: str, default: Any = _MISSING) -> Any:
        if name not in self.values or self.values[name] in (None, ""):
            if default is _MISSING:
                raise InvalidInput(
                    f"backend '{self.backend}': missing required option '{name}' ({self.accepted[name]})"
                )
            return default
        return self.values[name]

    def string(
        self, name: str, default: Any = _MISSING, choices: tuple[str, ...] | None = None
    ) -> str:
        value = self.get(name, default)
        if value is not None and not isinstance(value, str):
            raise self._fail(name, value, "a string")
        if choices is not None and value not in choices:
            raise self._fail(name, value, f"one of {list(choices)}")
        return value

    def boolean(self, name: str, default: bool) -> bool:
        value = self.get(name, default)
        if not isinstance(value, bool):
            raise self._fail(name, value, "true or false")
        return value

    def number(self, name: str, default: Any = _MISSING, minimum: float = 0.0) -> float:
        value = self.get(name, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > minimum:
            raise self._fail(name, value, f"a number > {minimum}")
        return float(value)

    def integer(self, name: str, default: Any = _MISSING, minimum: int = 0) -> int:
        value = self.get(name, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise self._fail(name, value, f"an integer >= {minimum}")
        return value

    def mapping(self, name: str, strings: bool = True) -> dict[str, Any]:
        """A mapping option; a YAML/JSON string is parsed first (ROS parameters cannot hold mappings)."""
        value = self.get(name, {})
        if isinstance(value, str):
            try:
                value = yaml.safe_load(value)
            except yaml.YAMLError:
                raise self._fail(name, value, "a mapping (or its YAML text)") from None
        if not isinstance(value, dict) or not all(
            isinstance(k, str) and (isinstance(v, str) or not strings) for k, v in value.items()
        ):
            raise self._fail(name, value, "a mapping of strings" if strings else "a mapping")
        return dict(value)

    def directory(self, name: str) -> Path:
        value = self.string(name)
        path = Path(value).expanduser()
        if not path.is_dir():
            raise self._fail(
                name,
                value,
                f"an existing directory ({'no such path' if not path.exists() else 'not a directory'})",
            )
        return path

    def file(self, name: str) -> Path:
        value = self.string(name)
        path = Path(value).expanduser()
        if not path.exists():
            raise self._fail(name, value, "an existing file or directory")
        return path

    def card(self, checkpoint: Path | None = None) -> ModelCard:
        """The `card` option, else vla_ros_card.yaml inside the checkpoint dir."""
        name = self.get("card", None)
        if name is None:
            if checkpoint is None:
                raise InvalidInput(
                    f"backend '{self.backend}': missing required option 'card' ({CARD_OPTIONS['card']})"
                )
            return load_model_card(checkpoint)
        return load_model_card(name)

    def model_io(self, robot: RobotConfig, checkpoint: Path | None = None) -> ModelIO:
        return ModelIO(self.card(checkpoint), robot, self.mapping("cameras"))
