"""JpegEncoder: validation, conversions, size caps and the 5 MB message budget."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import cv2
import numpy as np
import pytest

import sms_sink.media as media
from sms_sink.errors import ConfigurationError, MediaError
from sms_sink.media.encode import MMS_TOTAL_BYTES, JpegEncoder, as_bgr, encode_jpeg


def noisy_frame(width: int, height: int, seed: int = 0) -> np.ndarray:
    """Worst case for JPEG: a gradient under heavy per-pixel noise."""
    rng = np.random.default_rng(seed)
    gradient = np.linspace(0, 135, width).astype(np.uint8)[None, :, None]
    return rng.integers(0, 120, (height, width, 3), dtype=np.uint8) + gradient


def decode(data: bytes) -> np.ndarray:
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    assert image is not None, "not a decodable JPEG"
    return image


@pytest.fixture(scope="module")
def frame_4k() -> np.ndarray:
    return noisy_frame(3840, 2160)


def test_public_names_exist() -> None:
    assert all(hasattr(media, name) for name in media.__all__)


@pytest.mark.parametrize(
    ("max_side", "max_bytes"),
    [(1920, 600_000), (1280, 200_000), (None, 300_000), (1920, 50_000)],
)
def test_noisy_4k_frame_fits_caps(frame_4k: np.ndarray, max_side: int | None, max_bytes: int) -> None:
    data = JpegEncoder(max_side=max_side, max_bytes=max_bytes).encode(frame_4k)
    assert data[:2] == b"\xff\xd8" and len(data) <= max_bytes
    decoded = decode(data)
    assert decoded.ndim == 3 and decoded.shape[2] == 3
    assert max(decoded.shape[:2]) <= (max_side or 3840)
    ratio = decoded.shape[1] / decoded.shape[0]
    assert ratio == pytest.approx(16 / 9, rel=0.02)  # shrinking keeps the aspect ratio


@pytest.mark.parametrize(
    ("shape", "max_side", "expected_hw"),
    [
        ((1080, 1920, 3), 1280, (720, 1280)),
        ((1920, 1080, 3), 960, (960, 540)),  # portrait: the long side is the height
        ((480, 640, 3), 1920, (480, 640)),  # never enlarged
        ((480, 640, 3), None, (480, 640)),
    ],
)
def test_max_side_is_respected(
    shape: tuple[int, ...], max_side: int | None, expected_hw: tuple[int, int]
) -> None:
    image = np.full(shape, 90, np.uint8)
    assert decode(JpegEncoder(max_side=max_side).encode(image)).shape[:2] == expected_hw


def test_small_frame_within_budget_is_encoded_once_at_the_configured_quality() -> None:
    image = noisy_frame(640, 480)
    encoder = JpegEncoder(quality=70)
    assert encoder.encode(image) == encode_jpeg(image, 70) == encoder.encode(image)


def test_encoding_is_deterministic_across_threads(frame_4k: np.ndarray) -> None:
    encoder = JpegEncoder(max_bytes=200_000)
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(encoder.encode, [frame_4k] * 4))
    assert len(set(results)) == 1 and len(results[0]) <= 200_000


def test_max_bytes_argument_tightens_but_never_loosens_the_cap(frame_4k: np.ndarray) -> None:
    encoder = JpegEncoder(max_bytes=100_000)
    assert len(encoder.encode(frame_4k, max_bytes=40_000)) <= 40_000
    assert len(encoder.encode(frame_4k, max_bytes=5_000_000)) <= 100_000


@pytest.mark.parametrize("quality", [1, 20, 39, 40])
def test_low_jpeg_quality_is_accepted_and_is_its_own_floor(quality: int) -> None:
    encoder = JpegEncoder(quality=quality)
    assert encoder.min_quality == quality
    assert decode(encoder.encode(noisy_frame(64, 48))).shape == (48, 64, 3)


def test_as_bgr_makes_non_contiguous_views_contiguous() -> None:
    view = np.zeros((20, 30, 3), np.uint8)[:, ::2]
    assert as_bgr(view).flags.c_contiguous


@pytest.mark.parametrize(
    ("image", "words"),
    [
        (np.zeros((10, 10, 3), np.float32), ("float32", "uint8")),
        (np.ones((10, 10, 3), np.float64), ("float64", "convert")),
        (np.zeros((10, 10, 3), np.uint16), ("uint16",)),
        (np.zeros((0, 0, 3), np.uint8), ("empty",)),
        (np.zeros((10, 0, 3), np.uint8), ("empty",)),
        (np.zeros((2, 10, 10, 3), np.uint8), ("(2, 10, 10, 3)", "batch")),
        (np.zeros((10, 10, 2), np.uint8), ("(10, 10, 2)",)),
        (np.zeros((10, 10), np.uint8), ("(10, 10)", "GRAY2BGR")),
        (np.zeros((10, 10, 1), np.uint8), ("(10, 10, 1)", "grayscale")),
        (np.zeros((10, 10, 4), np.uint8), ("(10, 10, 4)", "BGRA2BGR")),
        (np.zeros(10, np.uint8), ("(10,)",)),
        ([[0, 0, 0]], ("ndarray", "list")),
        (None, ("ndarray", "NoneType")),
    ],
    ids=["float32", "float64", "uint16", "empty", "zero-width", "4d", "2-channel", "gray", "gray-hwx1", "bgra",
         "1d", "list", "none"],
)
def test_unsupported_images_raise_media_error_naming_the_problem(
    image: object, words: tuple[str, ...]
) -> None:
    with pytest.raises(MediaError) as info:
        JpegEncoder().encode(image)  # type: ignore[arg-type]
    for word in words:
        assert word in str(info.value)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"quality": 0}, "jpeg_quality"),
        ({"quality": 101}, "jpeg_quality"),
        ({"quality": 85.0}, "jpeg_quality"),
        ({"quality": True}, "jpeg_quality"),
        ({"quality": 50, "min_quality": 60}, "min_quality"),
        ({"min_quality": 0}, "min_quality"),
        ({"max_side": 0}, "media_max_side"),
        ({"max_side": 16}, "media_max_side"),
        ({"max_side": 1920.0}, "media_max_side"),
        ({"max_bytes": 0}, "media_max_bytes"),
        ({"max_bytes": 1000}, "media_max_bytes"),
        ({"max_bytes": MMS_TOTAL_BYTES + 1}, "media_max_bytes"),
    ],
)
def test_configuration_is_validated_with_the_public_field_name(kwargs: dict, field: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        JpegEncoder(**kwargs)
    assert info.value.field == field and field in str(info.value)


@pytest.mark.parametrize("max_bytes", [0, 9_999, 1.5])
def test_encode_rejects_an_invalid_max_bytes_argument(max_bytes: object) -> None:
    with pytest.raises(ConfigurationError):
        JpegEncoder().encode(np.zeros((8, 8, 3), np.uint8), max_bytes=max_bytes)  # type: ignore[arg-type]


def test_fit_total_keeps_ten_noisy_frames_under_five_mb() -> None:
    # Each alone is ~550-600 KB under the 600 KB cap, so ten need the second pass.
    images = [noisy_frame(1600, 900, seed) for seed in range(2)] * 5
    encoder = JpegEncoder()
    assert sum(len(encoder.encode(image)) for image in images) > MMS_TOTAL_BYTES
    encoded = encoder.fit_total(images)
    assert len(encoded) == 10
    assert sum(map(len, encoded)) <= MMS_TOTAL_BYTES
    assert all(len(data) <= encoder.max_bytes for data in encoded)
    assert all(decode(data).shape[2] == 3 for data in encoded)


@pytest.mark.parametrize("total", [600_000, 1_000_000])
def test_fit_total_gives_large_frames_the_room_small_ones_leave(total: int) -> None:
    flat = np.full((720, 1280, 3), 100, np.uint8)
    images = [flat, noisy_frame(1280, 720, 1), flat, noisy_frame(1280, 720, 2)]
    encoded = JpegEncoder().fit_total(images, total_bytes=total)
    assert sum(map(len, encoded)) <= total
    assert encoded[0] == encoded[2] == encode_jpeg(flat, 85)  # small ones stay untouched
    assert len(encoded[1]) > total // 4 and len(encoded[3]) > total // 4  # > an equal share


def test_fit_total_edge_cases() -> None:
    encoder = JpegEncoder()
    assert encoder.fit_total([]) == []
    with pytest.raises(MediaError, match="fewer images"):
        encoder.fit_total([np.zeros((8, 8, 3), np.uint8)] * 10, total_bytes=50_000)
    with pytest.raises(ConfigurationError, match="total_bytes"):
        encoder.fit_total([np.zeros((8, 8, 3), np.uint8)], total_bytes=0)
