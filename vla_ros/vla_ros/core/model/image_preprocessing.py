"""Camera images -> the images a model reads, resized once to the card's size: the one resize.

A card may crop a camera's image (fractions of it) just before that resize. Images arrive as
ingestion decoded and cropped them, at whatever size the camera delivers (the
robot config's camera width/height is what the sim renders and the real camera is set to, not a
check on observations). Anything but height x width x 3 uint8 RGB is rejected with the camera's
name, because a transposed or mis-typed image is a policy quietly seeing something it was never
trained on.
"""

from __future__ import annotations

import cv2
import numpy as np

from vla_ros.core.model.card import CameraInput, ModelCard
from vla_ros.core.perception.image import ImageCrop
from vla_ros.core.robot.config import CameraConfig, RobotConfig
from vla_ros.core.types import InvalidInput


class ImagePreprocessor:
    def __init__(
        self, card: ModelCard, robot: RobotConfig, camera_map: dict[str, str] | None = None
    ) -> None:
        cameras = {c.name: c for c in robot.cameras}
        camera_map = dict(camera_map or {})
        unknown = sorted(set(camera_map) - {c.key for c in card.cameras})
        if unknown:
            raise InvalidInput(
                f"option cameras maps {unknown}, which are not cameras of model card "
                f"'{card.name}' {[c.key for c in card.cameras]}"
            )
        self.bindings: list[tuple[CameraInput, CameraConfig]] = []
        for wanted in card.cameras:
            source = camera_map.get(wanted.key, wanted.source)
            if source not in cameras:
                raise InvalidInput(
                    f"model card '{card.name}' reads camera '{source}' (for '{wanted.key}') but "
                    f"robot '{robot.name}' has "
                    f"cameras {sorted(cameras)}; map it with option cameras: {{{wanted.key}: <robot camera>}}"
                )
            self.bindings.append((wanted, cameras[source]))

    def __call__(self, images: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Model key -> uint8 image at the card's size and layout."""
        out = {}
        for wanted, camera in self.bindings:
            image = images.get(camera.name)
            if image is None:
                raise InvalidInput(
                    f"observation lacks camera '{camera.name}' (has {sorted(images)}) needed for "
                    f"model input '{wanted.key}'"
                )
            if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
                raise InvalidInput(
                    f"camera '{camera.name}' image is {image.shape} {image.dtype}; expected "
                    "(height, width, 3) uint8 RGB"
                )
            if wanted.crop is not None:
                image = _cropped(image, wanted.crop)
            if image.shape[:2] != (wanted.height, wanted.width):
                shrink = wanted.height < image.shape[0]
                image = cv2.resize(
                    image,
                    (wanted.width, wanted.height),
                    interpolation=cv2.INTER_AREA if shrink else cv2.INTER_LINEAR,
                )
            out[wanted.key] = (
                np.ascontiguousarray(image.transpose(2, 0, 1)) if wanted.layout == "chw" else image
            )
        return out


def _cropped(image: np.ndarray, crop: tuple[float, float, float, float]) -> np.ndarray:
    """The card's crop, rounded to whole pixels of this image (at least one pixel each way)."""
    rows, cols = image.shape[:2]
    top, left = min(round(crop[0] * rows), rows - 1), min(round(crop[1] * cols), cols - 1)
    height = max(1, min(rows - top, round(crop[2] * rows)))
    width = max(1, min(cols - left, round(crop[3] * cols)))
    return ImageCrop((top, left, height, width))(image)
