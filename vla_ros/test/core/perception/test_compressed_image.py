"""CompressedImage payloads (image_transport's compressed plugin): jpeg/png round trips, reduced
JPEG decoding, and malformed data refused with what is wrong."""

import cv2
import numpy as np
import pytest

from vla_ros.core.perception.compressed_image import (
    compressed_codec,
    jpeg_size,
    rgb_image_from_compressed,
)
from vla_ros.core.perception.image import FrameGeometry, ImageCrop, rgb_image_from_buffer
from vla_ros.core.types import InvalidInput

_Y, _X = np.mgrid[0:720, 0:1280]
# Smooth content, as a camera sees it: JPEG keeps it well at every scale.
FRAME = np.dstack([_X * 255 // 1279, _Y * 255 // 719, (_X // 4 + _Y // 3) % 256]).astype(np.uint8)


def encoded(image: np.ndarray, extension: str) -> bytes:
    ok, data = cv2.imencode(extension, image)
    assert ok
    return data.tobytes()


JPEG = encoded(cv2.cvtColor(FRAME, cv2.COLOR_RGB2BGR), ".jpg")


@pytest.mark.parametrize(
    "format_, codec",
    [
        ("rgb8; jpeg compressed bgr8", "jpeg"),
        ("bgr8; jpeg compressed bgr8", "jpeg"),
        ("mono8; jpeg compressed ", "jpeg"),
        ("16UC1; png compressed ", "png"),
        ("bgra8; png compressed bgr8", "png"),
        ("jpeg", "jpeg"),
        ("PNG", "png"),
    ],
)
def test_image_transport_formats_name_their_codec(format_, codec):
    assert compressed_codec(format_) == codec


@pytest.mark.parametrize("format_", ["16UC1; compressedDepth png", "theora", "", "jpeg; png"])
def test_other_formats_are_refused_by_name(format_):
    with pytest.raises(InvalidInput, match=f"unsupported compressed image format '{format_}'"):
        compressed_codec(format_)


def test_jpeg_round_trip_is_close_to_the_frame():
    decoded = rgb_image_from_compressed(JPEG, "rgb8; jpeg compressed bgr8")
    assert decoded.shape == (720, 1280, 3)
    assert np.abs(decoded.astype(int) - FRAME).mean() < 2


def test_jpeg_header_gives_the_size_without_decoding():
    assert jpeg_size(JPEG) == (720, 1280)


@pytest.mark.parametrize(
    "geometry, reduction",
    [
        (FrameGeometry(size=(180, 320)), 4),
        (FrameGeometry(size=(90, 160)), 8),
        (FrameGeometry(size=(224, 224)), 2),
        (FrameGeometry(size=(400, 400)), 1),
        (FrameGeometry(ImageCrop((0, 160, 720, 960)), (180, 240)), 4),
        (FrameGeometry(ImageCrop((0, 162, 720, 960)), (180, 240)), 2),  # 162 not on a 4-pixel grid
        (FrameGeometry(), 1),
    ],
)
def test_reduced_jpeg_decode_when_the_size_allows_and_the_crop_stays_exact(geometry, reduction):
    assert geometry.decode_reduction(720, 1280) == reduction


@pytest.mark.parametrize(
    "geometry",
    [FrameGeometry(size=(180, 320)), FrameGeometry(ImageCrop((0, 160, 720, 960)), (180, 240))],
    ids=["whole", "cropped"],
)
def test_reduced_jpeg_decode_matches_full_decode_then_shrink(geometry):
    full = rgb_image_from_compressed(JPEG, "bgr8; jpeg compressed bgr8")
    expected = rgb_image_from_buffer(full.tobytes(), "rgb8", 720, 1280, 3840, geometry=geometry)
    reduced = rgb_image_from_compressed(JPEG, "bgr8; jpeg compressed bgr8", geometry)
    assert reduced.shape == expected.shape == (*geometry.size, 3)
    assert np.abs(reduced.astype(int) - expected).mean() < 3


def test_png_round_trips_exactly_in_colour_and_16_bit_depth():
    bgra = cv2.cvtColor(FRAME, cv2.COLOR_RGB2BGRA)
    decoded = rgb_image_from_compressed(encoded(bgra, ".png"), "bgra8; png compressed bgra8")
    np.testing.assert_array_equal(decoded, FRAME)
    depth = (_X * 40 + _Y).astype(np.uint16)
    geometry = FrameGeometry(ImageCrop((100, 200, 400, 600)), (100, 150))
    from_png = rgb_image_from_compressed(
        encoded(depth, ".png"), "16UC1; png compressed ", geometry
    )
    from_raw = rgb_image_from_buffer(depth.tobytes(), "16UC1", 720, 1280, 2560, geometry=geometry)
    np.testing.assert_array_equal(from_png, from_raw)


@pytest.mark.parametrize(
    "data, format_, geometry, message",
    [
        (b"", "jpeg", FrameGeometry(), r"could not decode jpeg data \(0 bytes"),
        (b"\x00garbage" * 10, "jpeg", FrameGeometry(), "could not decode jpeg data"),
        (b"\x00garbage" * 10, "jpeg", FrameGeometry(size=(90, 160)), "not a JPEG"),
        (JPEG[:2] + b"\xff\xe0\x00", "jpeg", FrameGeometry(size=(90, 160)), "no readable frame"),
        (JPEG[:300], "jpeg", FrameGeometry(), "could not decode jpeg"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 30, "png", FrameGeometry(), "could not decode png"),
    ],
    ids=["empty", "garbage", "garbage_reduced", "no_frame_header", "truncated_jpeg", "bad_png"],
)
def test_malformed_data_is_refused_with_the_codec(data, format_, geometry, message):
    with pytest.raises(InvalidInput, match=message):
        rgb_image_from_compressed(data, format_, geometry)
