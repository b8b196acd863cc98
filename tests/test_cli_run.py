"""``sms-sink run``: a file source through every provider path, error exits, Ctrl-C drain."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sms_sink.__main__ import main
from sms_sink.demo_video import write_demo_video
from sms_sink.sandbox import SandboxServer, TwilioError

from support import RECEIVER, SENDER

SANDBOX_ENV = {"TWILIO_ACCOUNT_SID": SandboxServer.DEFAULT_ACCOUNT_SID,
               "TWILIO_AUTH_TOKEN": SandboxServer.DEFAULT_AUTH_TOKEN, "TWILIO_PHONE_NUMBER": SENDER}
LOOPBACK_MEDIA = ["--media-url-base", "http://127.0.0.1:0", "--media-host", "127.0.0.1", "--media-port", "0"]


@pytest.fixture(scope="module")
def street(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """4 s at 15 fps, small: three crossings, about 1.3 s apart."""
    return write_demo_video(tmp_path_factory.mktemp("run") / "street.mp4", width=320, height=240, seconds=4)


@pytest.fixture
def no_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in (*SANDBOX_ENV, "ROBOFLOW_API_KEY"):
        monkeypatch.delenv(var, raising=False)


def events(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines()]


@pytest.mark.parametrize(("media", "images"), [("visualization", 1), ("frame", 1), ("none", 0)])
def test_embedded_sandbox(media: str, images: int, street: Path, tmp_path: Path,
                          capsys: pytest.CaptureFixture[str], no_credentials: None) -> None:
    code = main(["run", "--source", str(street), "--to", RECEIVER, "--provider", "sandbox", "--outbox", str(tmp_path),
                 "--cooldown", "1", "--media", media, "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    log = events(out)
    deliveries = [e for e in log if e["event"] == "delivery"]
    assert log[0]["event"] == "start" and log[-1]["event"] == "summary"
    assert len(deliveries) == 3 and {d["media_count"] for d in deliveries} == {images}
    assert log[-1]["frames"] == 60 and log[-1]["sent"] == 3 and not log[-1]["interrupted"]
    saved = [json.loads(p.read_text()) for p in tmp_path.glob("0*.json")]
    assert sorted(m["body"] for m in saved) == ["Motion on camera 0: 1 moving object(s)"] * 3
    assert len(list(tmp_path.glob("*.jpg"))) == 3 * images
    assert "\r" not in err


def test_two_cameras_have_their_own_cooldown(street: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                             no_credentials: None) -> None:
    code = main(["run", "--source", str(street), "--source", str(street), "--to", RECEIVER, "--provider", "sandbox",
                 "--outbox", str(tmp_path), "--cooldown", "10", "--media", "none", "--json",
                 "--message", "cam {{ $parameters.cam }}"])
    assert code == 0
    bodies = sorted(e["body"] for e in events(capsys.readouterr().out) if e["event"] == "delivery")
    assert bodies == ["cam 0", "cam 1"]


@pytest.mark.parametrize(
    ("env", "extra", "api"),
    [(SANDBOX_ENV, LOOPBACK_MEDIA, "twilio"), ({"ROBOFLOW_API_KEY": SandboxServer.DEFAULT_API_KEY}, [], "roboflow")],
    ids=["twilio-media-server", "roboflow-inline"],
)
def test_provider_from_environment(env: dict[str, str], extra: list[str], api: str, street: Path,
                                   sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch, no_credentials: None,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    """The real deployment path: credentials from env; Twilio gets frames from the built-in media server."""
    for var, value in env.items():
        monkeypatch.setenv(var, value)
    code = main(["run", "--source", str(street), "--to", RECEIVER, "--base-url", sandbox.url, "--cooldown", "1",
                 *extra])
    out, err = capsys.readouterr()
    assert code == 0, err
    messages = sandbox.messages
    assert len(messages) == 3 and all(m.api == api and len(m.images) == 1 for m in messages)
    assert out.count("sent    camera 0") == 3
    assert SandboxServer.DEFAULT_AUTH_TOKEN not in out + err and SandboxServer.DEFAULT_API_KEY not in out + err


def test_refused_alerts_exit_1(street: Path, sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch,
                               capsys: pytest.CaptureFixture[str]) -> None:
    for var, value in SANDBOX_ENV.items():
        monkeypatch.setenv(var, value)
    sandbox.inject(TwilioError(21610), times=10)
    code = main(["run", "--source", str(street), "--to", RECEIVER, "--base-url", sandbox.url, "--media", "none",
                 "--cooldown", "1", "--json"])
    summary = events(capsys.readouterr().out)[-1]
    assert code == 1
    assert (summary["sent"], summary["failed"]) == (0, 3)


@pytest.mark.parametrize(
    ("args", "env", "code", "says"),
    [
        (["--source", "/no/such.mp4"], {}, 3, "is not a file"),
        (["--source", "rtsp://user:secret@127.0.0.1:1/cam"], {}, 3, "cannot open the video source"),
        (["--to", "5551234567"], {}, 2, "E.164"),
        (["--cooldown", "-1"], {}, 2, "--cooldown"),
        (["--zone", "1,2,3"], {}, 2, "--zone"),
        (["--min-area", "-5"], {}, 2, "--min-area"),
        (["--metrics-port", "99999"], {}, 2, "--metrics-port"),
        (["--provider", "twilio"], {}, 4, "TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_PHONE_NUMBER"),
        (["--provider", "roboflow"], {}, 4, "ROBOFLOW_API_KEY"),
        ([], {}, 4, "no provider configured"),
        ([], SANDBOX_ENV, 4, "--media-url-base"),
        ([], {**SANDBOX_ENV, "TWILIO_ACCOUNT_SID": "not-a-sid"}, 4, "twilio_account_sid"),
    ],
    ids=["missing-file", "unreachable-rtsp", "bad-to", "negative-cooldown", "bad-zone", "negative-area",
         "bad-metrics-port", "twilio-no-env", "roboflow-no-env", "no-provider", "twilio-no-media-url", "bad-sid"],
)
def test_errors_exit_with_codes(args: list[str], env: dict[str, str], code: int, says: str, street: Path,
                                tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_credentials: None,
                                capsys: pytest.CaptureFixture[str]) -> None:
    for var, value in env.items():
        monkeypatch.setenv(var, value)
    base = {"--source": str(street), "--to": RECEIVER, "--outbox": str(tmp_path)}
    for i in range(0, len(args) - 1, 2):
        base.pop(args[i], None)
    if "--source" in args and "--provider" not in args:
        args = [*args, "--provider", "sandbox"]
    argv = ["run", *[part for pair in base.items() for part in pair], *args]
    assert main(argv) == code
    err = capsys.readouterr().err
    assert says in err
    assert "secret" not in err and "Traceback" not in err


def test_json_mode_ends_with_an_error_event(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--source", str(tmp_path / "missing.mp4"), "--to", RECEIVER, "--provider", "sandbox",
                 "--outbox", str(tmp_path), "--json"]) == 3
    out, err = capsys.readouterr()
    last = json.loads(out.strip().splitlines()[-1])
    assert last["event"] == "error" and last["exit_code"] == 3 and "missing.mp4" in last["message"]
    assert "missing.mp4" in err


def test_one_unreachable_source_among_several_exits_3_cleanly(street: Path, tmp_path: Path) -> None:
    """The reachable source's decoder must be stopped, or the process aborts (134) at exit."""
    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    done = subprocess.run(
        [sys.executable, "-m", "sms_sink", "run", "--source", str(street), "--source", f"rtsp://127.0.0.1:{port}/x",
         "--to", RECEIVER, "--provider", "sandbox", "--outbox", str(tmp_path), "--media", "none"],
        capture_output=True, text=True, timeout=120, env={**os.environ, "DISABLE_VERSION_CHECK": "True"},
    )
    assert done.returncode == 3, done.stderr
    assert "cannot open the video source" in done.stderr and "terminate called" not in done.stderr


def test_ctrl_c_drains_and_exits_0(street: Path, tmp_path: Path) -> None:
    """SIGINT to a real process: the pipeline stops, queued alerts are delivered, summary, exit 0."""
    process = subprocess.Popen(
        [sys.executable, "-m", "sms_sink", "run", "--source", str(street), "--to", RECEIVER, "--provider", "sandbox",
         "--outbox", str(tmp_path), "--max-fps", "10", "--cooldown", "0.5", "--json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "DISABLE_VERSION_CHECK": "True"},
    )
    assert process.stdout is not None
    assert json.loads(process.stdout.readline())["event"] == "start"
    first = json.loads(process.stdout.readline())  # the first alert: the video is well under way
    assert first["event"] == "delivery" and first["ok"]
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    summary = events(out)[-1]
    assert summary["interrupted"] is True and 0 < summary["frames"] < 60  # 60 frames take 6 s at --max-fps 10
    assert summary["accepted"] == summary["sent"] and summary["abandoned"] == 0


def test_second_ctrl_c_quits_at_once_with_130(street: Path, sandbox: SandboxServer) -> None:
    """A send hangs for 30 s; the first Ctrl-C starts the drain, the second gives up on it."""
    sandbox.latency = 30
    process = subprocess.Popen(
        [sys.executable, "-m", "sms_sink", "run", "--source", str(street), "--to", RECEIVER, "--base-url", sandbox.url,
         "--media", "none", "--max-fps", "10", "--drain-timeout", "30", "--json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, **SANDBOX_ENV, "DISABLE_VERSION_CHECK": "True"},
    )
    deadline = time.monotonic() + 30
    while sandbox.requests == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sandbox.requests == 1
    process.send_signal(signal.SIGINT)
    time.sleep(0.5)
    stopped = time.monotonic()
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=25)
    assert process.returncode == 130, err
    assert "interrupted" in err and time.monotonic() - stopped < 20


def test_metrics_port(street: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], no_credentials: None) -> None:
    from prometheus_client import REGISTRY

    code = main(["run", "--source", str(street), "--to", RECEIVER, "--provider", "sandbox", "--outbox", str(tmp_path),
                 "--media", "none", "--metrics-port", "0", "--json"])
    start = events(capsys.readouterr().out)[0]
    assert code == 0
    assert start["metrics"].startswith("http://127.0.0.1:") and start["metrics"].endswith("/metrics")
    assert REGISTRY.get_sample_value("sms_sink_sent_total") is None  # unregistered on exit


def test_busy_metrics_port_exits_4(street: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                   no_credentials: None) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        code = main(["run", "--source", str(street), "--to", RECEIVER, "--provider", "sandbox",
                     "--outbox", str(tmp_path), "--metrics-port", str(busy.getsockname()[1])])
    assert code == 4
    assert "cannot serve metrics" in capsys.readouterr().err
