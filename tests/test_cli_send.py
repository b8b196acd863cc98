"""``sms-sink send``: one message through each provider path; the receipt or the error."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import cv2
import numpy as np
import pytest

from sms_sink.__main__ import main
from sms_sink.sandbox import SandboxServer, TwilioError

from support import RECEIVER, SENDER

TWILIO_ENV = {"TWILIO_ACCOUNT_SID": SandboxServer.DEFAULT_ACCOUNT_SID,
              "TWILIO_AUTH_TOKEN": SandboxServer.DEFAULT_AUTH_TOKEN, "TWILIO_PHONE_NUMBER": SENDER}
ROBOFLOW_ENV = {"ROBOFLOW_API_KEY": SandboxServer.DEFAULT_API_KEY}
LOOPBACK_MEDIA = ["--media-url-base", "http://127.0.0.1:0", "--media-host", "127.0.0.1", "--media-port", "0"]


@pytest.fixture
def photo(tmp_path: Path) -> Path:
    path = tmp_path / "photo.jpg"
    cv2.imwrite(str(path), np.full((60, 80, 3), (0, 128, 255), np.uint8))
    return path


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch):
    for var in (*TWILIO_ENV, *ROBOFLOW_ENV):
        monkeypatch.delenv(var, raising=False)

    def set_env(values: dict[str, str]) -> None:
        for var, value in values.items():
            monkeypatch.setenv(var, value)

    return set_env


def test_embedded_sandbox_with_media(photo: Path, tmp_path: Path, env, capsys: pytest.CaptureFixture[str]) -> None:
    outbox = tmp_path / "outbox"
    code = main(["send", "--provider", "sandbox", "--to", RECEIVER, "--message", "hello", "--media", str(photo),
                 "--outbox", str(outbox)])
    out, err = capsys.readouterr()
    assert code == 0, err
    receipt = json.loads(out)
    assert receipt["sid"].startswith("SM") and receipt["status"] == "queued" and receipt["http_status"] == 201
    assert receipt["response"]["num_media"] == "1"
    assert [p.read_bytes() for p in outbox.glob("*.jpg")] == [photo.read_bytes()]


@pytest.mark.parametrize(
    ("provider_env", "extra", "api"),
    [(TWILIO_ENV, LOOPBACK_MEDIA, "twilio"), (ROBOFLOW_ENV, [], "roboflow")],
    ids=["twilio-media-server", "roboflow-inline"],
)
def test_provider_from_environment(provider_env: dict[str, str], extra: list[str], api: str, photo: Path,
                                   sandbox: SandboxServer, env, capsys: pytest.CaptureFixture[str]) -> None:
    env(provider_env)
    code = main(["send", "--to", RECEIVER, "--message", "hello " * 40, "--media", str(photo),
                 "--base-url", sandbox.url, *extra])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert json.loads(out)["provider"] == api
    [message] = sandbox.messages
    assert message.api == api and message.body == "hello " * 40
    assert [image.data for image in message.images] == [photo.read_bytes()]
    for secret in (provider_env.get("TWILIO_AUTH_TOKEN"), provider_env.get("ROBOFLOW_API_KEY")):
        assert secret is None or secret not in out + err


def test_text_only_segments(sandbox: SandboxServer, env, capsys: pytest.CaptureFixture[str]) -> None:
    env(TWILIO_ENV)
    assert main(["send", "--to", RECEIVER, "--message", "x" * 200, "--base-url", sandbox.url]) == 0
    assert json.loads(capsys.readouterr().out)["segments"] == 2


@pytest.mark.parametrize(
    ("fault", "message", "code_in_output"),
    [(TwilioError(21211), "hi", 21211), (None, "x" * 1601, 21617)],
    ids=["invalid-to", "too-long"],
)
def test_refusal_prints_the_error_and_exits_1(fault, message: str, code_in_output: int, sandbox: SandboxServer,
                                              env, capsys: pytest.CaptureFixture[str]) -> None:
    env(TWILIO_ENV)
    if fault is not None:
        sandbox.inject(fault)
    assert main(["send", "--to", RECEIVER, "--message", message, "--base-url", sandbox.url]) == 1
    out, err = capsys.readouterr()
    printed = json.loads(out)
    assert printed["error_code"] == code_in_output and printed["response"]["code"] == code_in_output
    assert "more_info" in printed["response"]  # Twilio's own error body, as its CLI shows it
    assert "refused the message" in err and SandboxServer.DEFAULT_AUTH_TOKEN not in out + err


def test_an_unreachable_provider_is_not_called_a_refusal(env, capsys: pytest.CaptureFixture[str]) -> None:
    env(TWILIO_ENV)
    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{probe.getsockname()[1]}"
    assert main(["send", "--to", RECEIVER, "--message", "hi", "--base-url", dead]) == 1
    assert "could not reach twilio; nothing was sent" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (["--media", "notes.txt"], 2, ".jpg, .jpeg, .png or .gif"),
        (["--media", "missing.jpg"], 2, "cannot read it"),
        (["--to", "+1"], 2, "--to"),
        (["--provider", "twilio"], 4, "TWILIO_ACCOUNT_SID"),
    ],
    ids=["media-type", "media-missing", "bad-to", "no-credentials"],
)
def test_bad_arguments(args: list[str], code: int, says: str, tmp_path: Path, env, monkeypatch: pytest.MonkeyPatch,
                       capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "notes.txt").write_text("not an image")
    base = ["send", "--to", RECEIVER, "--message", "hi", "--provider", "sandbox"]
    assert main(base + args) == code
    assert says in capsys.readouterr().err
