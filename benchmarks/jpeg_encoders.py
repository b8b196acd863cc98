"""Compare JPEG encoders for MMS frames: ``cv2.imencode`` vs ``simplejpeg`` 4:2:0.

Run: ``python benchmarks/jpeg_encoders.py [--frames N]``. Prints one row per
(encoder, resolution): per-image latency with one thread (median / p90), MB/s of raw
BGR input, images/s with 1 and 2 threads, and the 2-thread/1-thread ratio (close to 2
means the encoder releases the GIL). Frames are synthetic but camera-like (gradients,
sensor noise, shapes, text) so the entropy coder does realistic work.
"""

from __future__ import annotations

import argparse
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Callable

import cv2
import numpy as np

QUALITY = 85
RESOLUTIONS = ((1280, 720), (1920, 1080))


def camera_like_frame(width: int, height: int, seed: int = 0) -> np.ndarray:
    """A BGR frame with gradients, noise, filled shapes and text (not flat black)."""
    rng = np.random.default_rng(seed)
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    frame = np.empty((height, width, 3), np.float32)
    frame[..., 0] = 60 + 120 * xs / width
    frame[..., 1] = 40 + 150 * ys / height
    frame[..., 2] = 90 + 60 * np.sin(xs / 37.0) * np.cos(ys / 53.0)
    frame += rng.normal(0.0, 6.0, frame.shape).astype(np.float32)
    image = np.clip(frame, 0, 255).astype(np.uint8)
    for _ in range(25):
        x, y = int(rng.integers(0, width)), int(rng.integers(0, height))
        color = tuple(int(c) for c in rng.integers(0, 256, 3))
        size = int(rng.integers(20, max(21, width // 8)))
        if rng.random() < 0.5:
            cv2.rectangle(image, (x, y), (x + size, y + size // 2), color, -1)
        else:
            cv2.circle(image, (x, y), size // 2, color, -1)
    cv2.putText(image, "CAM 03 2026-08-01 12:00:00", (20, 40),
                cv2.FONT_HERSHEY_SIMPLEX, 1.0, (255, 255, 255), 2)
    return image


def encode_cv2(image: np.ndarray) -> bytes:
    ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, QUALITY])
    assert ok
    return buf.tobytes()


def encode_simplejpeg(image: np.ndarray) -> bytes:
    import simplejpeg

    return simplejpeg.encode_jpeg(image, quality=QUALITY, colorspace="BGR", colorsubsampling="420")


def latencies_ms(encode: Callable[[np.ndarray], bytes], frames: list[np.ndarray]) -> list[float]:
    """Per-image wall time on one thread."""
    out = []
    for frame in frames:
        start = time.perf_counter()
        encode(frame)
        out.append((time.perf_counter() - start) * 1000.0)
    return out


def throughput(encode: Callable[[np.ndarray], bytes], frames: list[np.ndarray], threads: int) -> float:
    """Images per second when ``threads`` workers encode ``frames``."""
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(encode, frames[:threads]))  # warm the threads
        start = time.perf_counter()
        list(pool.map(encode, frames))
        return len(frames) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=120, help="encodes per measurement")
    args = parser.parse_args()
    encoders = {"cv2.imencode q85": encode_cv2, "simplejpeg 4:2:0 q85": encode_simplejpeg}
    header = (f"{'encoder':<22} {'size':>9} {'KB':>6} {'med ms':>7} {'p90 ms':>7} "
              f"{'MB/s':>6} {'img/s 1T':>9} {'img/s 2T':>9} {'2T/1T':>6}")
    print(f"cv2 {cv2.__version__}, {args.frames} encodes per cell, raw BGR MB/s")
    print(header)
    print("-" * len(header))
    for width, height in RESOLUTIONS:
        base = [camera_like_frame(width, height, seed) for seed in range(4)]
        frames = [base[i % len(base)] for i in range(args.frames)]
        for name, encode in encoders.items():
            encode(base[0])
            lat = latencies_ms(encode, frames)
            median = statistics.median(lat)
            p90 = statistics.quantiles(lat, n=10)[-1]
            kb = statistics.mean(len(encode(f)) for f in base) / 1000.0
            one = throughput(encode, frames, 1)
            two = throughput(encode, frames, 2)
            mbps = one * base[0].nbytes / 1e6
            print(f"{name:<22} {width:>4}x{height:<4} {kb:>6.0f} {median:>7.2f} {p90:>7.2f} "
                  f"{mbps:>6.0f} {one:>9.0f} {two:>9.0f} {two / one:>6.2f}")


if __name__ == "__main__":
    main()
