"""The pieces every command shares: status line, output lines, alert gate, Ctrl-C, arguments."""

from __future__ import annotations

import argparse
import io
import json
import signal
import threading
import time
from pathlib import Path

import pytest

from sms_sink import __version__
from sms_sink.__main__ import main
from sms_sink.cli.common import parse_source, redact, scrub, zone
from sms_sink.cli.report import Reporter
from sms_sink.cli.session import FrameCounter, Interrupts
from sms_sink.cli.status_line import StatusLine
from sms_sink.messages import DeliveryResult


class Terminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def wait_for(condition, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.01)


def test_status_line_redraws_on_a_terminal() -> None:
    tty, out = Terminal(), io.StringIO()
    counter = iter(range(1000))
    with StatusLine(lambda: f"frames {next(counter)}", stream=tty, interval=0.01) as status:
        wait_for(lambda: tty.getvalue().count("\r\x1b[Kframes") >= 3)
        status.emit("alert sent", out)
    assert out.getvalue() == "alert sent\n"
    assert tty.getvalue().endswith("\r\x1b[K")  # erased on stop


@pytest.mark.parametrize(("stream", "enabled"), [(io.StringIO(), None), (Terminal(), False)],
                         ids=["pipe", "terminal-but-disabled"])
def test_status_line_is_silent_elsewhere(stream: io.StringIO, enabled: bool | None) -> None:
    out = io.StringIO()
    with StatusLine(lambda: "frames 1", stream=stream, interval=0.01, enabled=enabled) as status:
        time.sleep(0.05)
        status.emit("line", out)
    assert stream.getvalue() == "" and out.getvalue() == "line\n"
    assert not any(t.name == "sms-sink-status" for t in threading.enumerate())


RESULT = DeliveryResult(ok=False, provider_message_id=None, http_status=400, error_code=21610,
                        error_message="unsubscribed", attempts=1, latency_s=0.1234, source_id=2,
                        receiver_number="+15551234567", body="hi", segments=1, media_count=0)


@pytest.mark.parametrize(
    ("json_mode", "expected"),
    [(True, {"event": "delivery", "ok": False, "to": "+15551234567", "sid": None, "http_status": 400,
             "error_code": 21610, "error": "unsubscribed", "attempts": 1, "latency_s": 0.123, "source_id": 2,
             "segments": 1, "media_count": 0, "body": "hi"}),
     (False, "FAILED  camera 2 -> +15551234567 [21610] unsubscribed (1 attempt)")],
)
def test_reporter_lines(json_mode: bool, expected: object) -> None:
    out = io.StringIO()
    Reporter(json_mode=json_mode, out=out).delivery(RESULT)
    line = out.getvalue().rstrip("\n")
    assert (json.loads(line) if json_mode else line) == expected


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[object, object]] = []

    def __call__(self, predictions: object, frames: object) -> None:
        self.calls.append((predictions, frames))


@pytest.mark.parametrize(("frames", "counted"), [("f", 1), (["a", "b"], 2), (["a", None, "c"], 2)])
def test_frame_counter_counts_frames_and_passes_every_call(frames, counted) -> None:
    sink = Recorder()
    counter = FrameCounter(sink)
    counter({"predictions": []}, frames)
    assert sink.calls == [({"predictions": []}, frames)] and counter.frames == counted


@pytest.mark.parametrize("draining", [False, True])
def test_interrupts(draining: bool) -> None:
    before = signal.getsignal(signal.SIGINT)
    with Interrupts() as interrupts:
        handler = signal.getsignal(signal.SIGINT)
        assert callable(handler)
        if draining:
            interrupts.draining()
        else:
            handler(signal.SIGINT, None)
            assert interrupts.requested.is_set()
        with pytest.raises(KeyboardInterrupt):
            handler(signal.SIGINT, None)
    assert signal.getsignal(signal.SIGINT) is before


@pytest.mark.parametrize(
    ("reference", "shown"),
    [
        ("rtsp://admin:hunter2@10.0.0.5:554/stream1", "rtsp://***@10.0.0.5:554/stream1"),
        ("https://cam.example.com/live.m3u8?token=abc", "https://cam.example.com/live.m3u8?***"),
        ("rtsp://10.0.0.5/stream", "rtsp://10.0.0.5/stream"),
        ("/videos/a.mp4", "/videos/a.mp4"),
        (0, "0"),
    ],
)
def test_redact(reference: object, shown: str) -> None:
    assert redact(reference) == shown


def test_scrub_removes_credentials_from_library_messages() -> None:
    assert scrub("cannot open rtsp://admin:pw@cam/1: refused") == "cannot open rtsp://***@cam/1: refused"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("0", 0), ("12", 12), ("rtsp://cam/1", "rtsp://cam/1"), ("HTTP://cam/x.mjpg", "HTTP://cam/x.mjpg")],
)
def test_parse_source(value: str, expected: object) -> None:
    assert parse_source(value) == expected


def test_parse_source_accepts_an_existing_file(tmp_path: Path) -> None:
    video = tmp_path / "a b.mp4"
    video.write_bytes(b"\x00")
    assert parse_source(str(video)) == str(video)
    assert parse_source(video.as_uri()) == str(video)  # file:///...a%20b.mp4


def test_parse_source_accepts_a_device_path() -> None:
    assert parse_source("/dev/null") == "/dev/null"  # a character device, like /dev/video0


@pytest.mark.parametrize(
    ("value", "expected"),
    [("0,0,10,0,10,10", [(0, 0), (10, 0), (10, 10)]), ("1.4,2,3,4,5,6.6,7,8", [(1, 2), (3, 4), (5, 7), (7, 8)])],
)
def test_zone(value: str, expected: list) -> None:
    assert zone(value) == expected


@pytest.mark.parametrize("value", ["1,2,3,4", "1,2,3,4,5", "a,b,c,d,e,f", "-1,0,1,0,1,1"])
def test_bad_zone(value: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        zone(value)


@pytest.mark.parametrize(
    ("argv", "code", "stream", "says"),
    [
        (["--help"], 0, "out", "130  interrupted by a second Ctrl-C"),
        (["--version"], 0, "out", f"sms-sink {__version__}"),
        ([], 2, "err", "COMMAND"),
        (["launch"], 2, "err", "invalid choice"),
        (["run", "--help"], 0, "out", "--zone"),
        (["send"], 2, "err", "the following arguments are required: --to, --message"),
    ],
)
def test_top_level(argv: list[str], code: int, stream: str, says: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == code
    captured = capsys.readouterr()
    assert says in (captured.out if stream == "out" else captured.err)
