import numpy as np
import pytest

from vla_ros.core.perception.image import (
    SUPPORTED_ENCODINGS,
    ImageCrop,
    rgb_image_from_buffer,
)
from vla_ros.core.types import InvalidInput

RGB = np.arange(4 * 6 * 3, dtype=np.uint8).reshape(4, 6, 3)


@pytest.mark.parametrize(
    "encoding, raw",
    [
        ("rgb8", RGB),
        ("bgr8", RGB[..., ::-1]),
        ("rgba8", np.dstack([RGB, np.full((4, 6), 255, np.uint8)])),
        ("bgra8", np.dstack([RGB[..., ::-1], np.zeros((4, 6), np.uint8)])),
    ],
)
def test_colour_encodings_decode_to_rgb(encoding, raw):
    raw = np.ascontiguousarray(raw)
    decoded = rgb_image_from_buffer(raw.tobytes(), encoding, 4, 6, raw.shape[1] * raw.shape[2])
    np.testing.assert_array_equal(decoded, RGB)


def test_row_padding_is_skipped():
    padded = np.zeros((4, 6 * 3 + 5), np.uint8)
    padded[:, : 6 * 3] = RGB.reshape(4, -1)
    decoded = rgb_image_from_buffer(padded.tobytes(), "rgb8", 4, 6, padded.shape[1])
    np.testing.assert_array_equal(decoded, RGB)


def test_mono16_big_endian_scales_to_8_bit():
    depth = np.array([[0, 1000], [2000, 4000]], dtype=">u2")
    decoded = rgb_image_from_buffer(depth.tobytes(), "mono16", 2, 2, 4, is_bigendian=1)
    assert decoded.shape == (2, 2, 3)
    assert decoded[1, 1, 0] == 255 and decoded[0, 0, 0] == 0 and decoded[0, 1, 0] == 63


def test_unknown_encoding_names_the_supported_ones():
    with pytest.raises(InvalidInput, match="unsupported image encoding 'yuv422'.*rgb8"):
        rgb_image_from_buffer(b"\0" * 48, "yuv422", 4, 6, 12)
    assert "bgr8" in SUPPORTED_ENCODINGS


def test_short_buffer_is_rejected_with_sizes():
    with pytest.raises(
        InvalidInput, match=r"needs step >= 18 and 72 bytes; got step 18 and 10 bytes"
    ):
        rgb_image_from_buffer(b"\0" * 10, "rgb8", 4, 6, 18)


def test_crop_keeps_the_region_and_never_resizes():
    image = np.zeros((100, 200, 3), np.uint8)
    image[10:60, 20:120] = 255
    out = ImageCrop((10, 20, 50, 100))(image)
    assert out.shape == (50, 100, 3) and out.min() == 255 and out.flags.c_contiguous
    assert ImageCrop()(image) is image, "no crop: the frame passes at its own size"


def test_crop_outside_the_image_or_of_no_size_is_rejected():
    with pytest.raises(InvalidInput, match=r"crop \(0, 0, 50, 50\) exceeds the 20x20 image"):
        ImageCrop((0, 0, 50, 50))(np.zeros((20, 20, 3), np.uint8))
    with pytest.raises(InvalidInput, match="positive size, got \\(0, 0, 0, 10\\)"):
        ImageCrop((0, 0, 0, 10))
