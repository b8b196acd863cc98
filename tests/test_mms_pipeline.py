"""MMS end to end: the real pipeline -> sink -> frame annotated/encoded off the loop -> media
path (inline, LocalMediaServer, S3) -> the sandbox fetching it like Twilio does."""

from __future__ import annotations

import threading
import time
import urllib.request
from datetime import datetime
from pathlib import Path

import cv2
import numpy as np
import pytest
from streamvision.camera.entities import VideoFrame
from streamvision.stream.pipeline import InferencePipeline

from sms_sink import DeliveryResult, RoboflowManagedProvider, SMSNotificationSink, TwilioProvider
from sms_sink.media.stores import LocalMediaServer, S3MediaStore
from sms_sink.sandbox import SandboxServer
from support import RECEIVER, SENDER, detections_response


def decode(data: bytes) -> np.ndarray:
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    assert image is not None
    return image


def spread_boxes(n: int) -> dict:
    """``n`` boxes far enough apart that each box and its label stay one separate region."""
    response = detections_response(n)
    for i, prediction in enumerate(response["predictions"]):
        prediction.update(x=50.0 + 100 * i, y=170.0, width=40.0, height=40.0)
    return response


def run(video: Path, sink, boxes: int = 3) -> dict[int, np.ndarray]:  # type: ignore[no-untyped-def]
    """Run the pipeline; return the frames the model saw, by frame id."""
    seen: dict[int, np.ndarray] = {}

    def model(frames):
        for f in frames:
            seen[f.frame_id] = f.image.copy()
        return [spread_boxes(boxes) for _ in frames]

    pipeline = InferencePipeline.init_with_custom_logic(video_reference=str(video), on_video_frame=model,
                                                        on_prediction=sink)
    pipeline.start()
    pipeline.join()
    return seen


def count_annotations(annotated: np.ndarray, raw: np.ndarray) -> int:
    """Connected regions where the annotation changed the frame (a box with its label each)."""
    changed = (np.abs(annotated.astype(int) - raw.astype(int)).max(axis=2) > 60).astype(np.uint8)
    changed = cv2.dilate(changed, np.ones((3, 3), np.uint8))
    count, _, stats, _ = cv2.connectedComponentsWithStats(changed)
    return sum(1 for i in range(1, count) if stats[i, cv2.CC_STAT_AREA] > 30)


def sink_for(provider, **kwargs) -> SMSNotificationSink:  # type: ignore[no-untyped-def]
    settings = dict(receiver_number=RECEIVER, message="{{ $parameters.n }} objects",
                    message_parameters={"n": "$predictions.predictions"},
                    message_parameters_operations={"n": [{"type": "SequenceLength"}]},
                    media_url="$visualization", provider=provider, cooldown_seconds=0.5, cooldown_clock="video",
                    jpeg_quality=95)
    return SMSNotificationSink(**(settings | kwargs))


def test_inline_visualization_has_one_box_per_detection(video_path: Path, sandbox: SandboxServer,
                                                        roboflow: RoboflowManagedProvider) -> None:
    results: list[DeliveryResult] = []
    with sink_for(roboflow, media_url=["$visualization", "$frame.image"], on_result=results.append) as sink:
        run(video_path, sink, boxes=3)
    messages = sandbox.messages
    assert len(messages) == 4 and all(r.ok and r.media_count == 2 for r in results)
    for message in messages:
        annotated, raw = (decode(image.data) for image in message.images)
        assert count_annotations(annotated, raw) == 3


def test_frame_sent_is_the_frame_the_pipeline_saw(video_path: Path, sandbox: SandboxServer,
                                                  roboflow: RoboflowManagedProvider) -> None:
    with sink_for(roboflow, media_url="$frame.image",
                  message_parameters={"id": "$frame.frame_id"}, message="frame {{ $parameters.id }}",
                  message_parameters_operations={}) as sink:
        seen = run(video_path, sink)
    assert len(sandbox.messages) == 4
    for message in sandbox.messages:
        frame_id = int(message.body.split()[1])
        received = decode(message.images[0].data)
        assert np.abs(received.astype(int) - seen[frame_id].astype(int)).mean() < 3  # JPEG loss only


def test_twilio_fetches_frames_from_the_local_media_server(video_path: Path, sandbox: SandboxServer,
                                                           twilio: TwilioProvider) -> None:
    store = LocalMediaServer("http://127.0.0.1:0", host="127.0.0.1", port=0)
    with sink_for(twilio, media_store=store, media_url=["$visualization", "$frame.image"]) as sink:
        run(video_path, sink, boxes=2)
    assert len(sandbox.messages) == 4
    for message in sandbox.messages:
        assert message.status == "queued" and len(message.media_urls) == 2
        assert all(url.startswith("http://127.0.0.1:") and "/media/" in url for url in message.media_urls)
        assert all(image.content_type == "image/jpeg" for image in message.images)
        annotated, raw = (decode(image.data) for image in message.images)
        assert count_annotations(annotated, raw) == 2
    assert store.stats()["hits"] >= 16  # the sandbox fetched each picture over HTTP (HEAD + GET)


def test_a_refused_mms_does_not_hold_close_and_its_frame_is_deleted(sandbox: SandboxServer,
                                                                    twilio: TwilioProvider) -> None:
    """Twilio never fetches the media of a message it refused: close() must not wait for it."""
    from sms_sink.sandbox import TwilioError

    sandbox.inject(TwilioError(21610))  # the receiver sent STOP: permanent, not retried
    store = LocalMediaServer("http://127.0.0.1:0", host="127.0.0.1", port=0)
    results: list[DeliveryResult] = []
    sink = sink_for(twilio, media_store=store, media_url="$frame.image", on_result=results.append)
    sink(spread_boxes(1), VideoFrame(image=np.full((240, 320, 3), 80, np.uint8), frame_id=1,
                                     frame_timestamp=datetime.now(), source_id=0))
    started = time.monotonic()
    report = sink.close(timeout=8)
    assert time.monotonic() - started < 4  # not the whole deadline
    assert report.ok and [(r.ok, r.error_code) for r in results] == [(False, 21610)]
    assert store.stats()["discarded"] == 1 and store.stats()["objects"] == 0


def test_close_keeps_frames_online_until_twilio_fetched_them(video_path: Path) -> None:
    """Twilio answers "queued" and fetches media later: close() must not take frames offline first."""
    with SandboxServer.run_in_thread(fetch_media=False) as late_twilio:
        twilio = TwilioProvider(SandboxServer.DEFAULT_ACCOUNT_SID, SandboxServer.DEFAULT_AUTH_TOKEN, SENDER,
                                base_url=late_twilio.url)
        store = LocalMediaServer("http://127.0.0.1:0", host="127.0.0.1", port=0)
        sink = sink_for(twilio, media_store=store)
        run(video_path, sink, boxes=1)
        closing = threading.Thread(target=sink.close, kwargs={"timeout": 30})
        closing.start()
        deadline = time.monotonic() + 20
        while len(late_twilio.messages) < 4 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)  # close() is past the drain now, waiting for the fetches
        urls = [m.media_urls[0] for m in late_twilio.messages]
        assert len(urls) == 4 and closing.is_alive()
        for url in urls:
            with urllib.request.urlopen(url, timeout=5) as response:
                assert response.status == 200 and decode(response.read()).shape[2] == 3
        closing.join(10)
        assert not closing.is_alive() and sink.stats()["sent"] == 4 and store.stats()["unfetched"] == 0


@pytest.mark.usefixtures("moto_endpoint")
def test_twilio_fetches_frames_from_s3(video_path: Path, sandbox: SandboxServer, twilio: TwilioProvider,
                                       moto_endpoint: str) -> None:
    import boto3

    credentials = dict(region_name="us-east-1", aws_access_key_id="AKIDTEST", aws_secret_access_key="secret-s3")
    boto3.client("s3", endpoint_url=moto_endpoint, **credentials).create_bucket(Bucket="frames")
    store = S3MediaStore("frames", "alerts/", 600, endpoint_url=moto_endpoint, **credentials)
    with sink_for(twilio, media_store=store, media_url=["$visualization", "$frame.image"]) as sink:
        run(video_path, sink, boxes=3)
    assert len(sandbox.messages) == 4
    for message in sandbox.messages:
        assert all("/frames/alerts/" in url and "X-Amz-Signature" in url for url in message.media_urls)
        assert len(message.images) == 2 and message.status == "queued"
        annotated, raw = (decode(image.data) for image in message.images)
        assert count_annotations(annotated, raw) == 3


@pytest.mark.parametrize(
    ("image", "ok", "error"),
    [
        (np.zeros((4000, 3000, 3), np.uint8) + np.random.default_rng(0).integers(0, 255, (4000, 3000, 3),
                                                                                 dtype=np.uint8), True, None),
        (np.zeros((120, 160), np.uint8), False, "(120, 160)"),
        (np.zeros((120, 160, 4), np.uint8), False, "(120, 160, 4)"),
        (np.zeros((120, 160, 3), np.float32), False, "float32"),
        (np.zeros((0, 0, 3), np.uint8), False, "empty"),
    ],
    ids=["4k-noise", "gray", "bgra", "float", "empty"],
)
def test_frames_shrunk_or_rejected_with_a_clear_result(image: np.ndarray, ok: bool, error: str | None,
                                                       sandbox: SandboxServer,
                                                       roboflow: RoboflowManagedProvider) -> None:
    results: list[DeliveryResult] = []
    frame = VideoFrame(image=image, frame_id=1, frame_timestamp=datetime.now(), source_id=0)
    with sink_for(roboflow, media_url="$frame.image", media_max_side=1280, media_max_bytes=300_000,
                  on_result=results.append) as sink:
        sink(detections_response(1), frame)
        status = sink.status(0)
        if not ok:  # refused on the pipeline thread: the cooldown is left for the next good frame
            good = VideoFrame(image=np.zeros((120, 160, 3), np.uint8), frame_id=2,
                              frame_timestamp=datetime.now(), source_id=0)
            sink(detections_response(1), good)
            assert sink.status(0)["throttling_status"] is False
    result = results[0]
    assert result.ok is ok
    if ok:
        [message] = sandbox.messages
        assert message.images[0].size <= 300_000 and max(decode(message.images[0].data).shape[:2]) <= 1280
    else:
        assert error in result.error_message.lower() and result.attempts == 0
        assert status["error_status"] is True and error in status["message"].lower()
        assert sink.stats()["rejected"] == 1 and sink.stats()["accepted"] == 1 and sink.stats()["sent"] == 1
        assert len(sandbox.messages) == 1 and len(results) == 2 and results[1].ok


def test_frames_share_twilio_5mb_with_the_url_images_beside_them(tmp_path: Path, sandbox: SandboxServer,
                                                                  twilio: TwilioProvider) -> None:
    """A 3 MB picture at a URL plus six noisy 1080p frames: the frames get the 2 MB left."""
    import functools
    import http.server

    big = tmp_path / "site-plan.jpg"
    big.write_bytes(b"\xff\xd8" + np.random.default_rng(1).bytes(3_000_000) + b"\xff\xd9")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler) as files:
        threading.Thread(target=files.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{files.server_address[1]}/site-plan.jpg"
        noise = np.random.default_rng(2).integers(0, 255, (1080, 1920, 3), dtype=np.uint8)
        results: list[DeliveryResult] = []
        store = LocalMediaServer("http://127.0.0.1:0", host="127.0.0.1", port=0)
        with sink_for(twilio, media_store=store, media_url=[url] + ["$frame.image"] * 6,
                      on_result=results.append) as sink:
            sink(spread_boxes(1), VideoFrame(image=noise, frame_id=1, frame_timestamp=datetime.now(), source_id=0))
        files.shutdown()
    [result] = results
    assert result.ok, result.error_message
    [message] = sandbox.messages
    sizes = [len(image.data) for image in message.images]
    assert len(sizes) == 7 and sizes[0] == big.stat().st_size and sum(sizes) <= 5_000_000
