"""Lifecycle: thread mode from sync code, waiting, configuration, the module entry point."""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sms_sink.sandbox as sandbox
from sms_sink.errors import ConfigurationError
from sms_sink.sandbox import RateLimit, SandboxServer
from sms_sink.sandbox.twilio_api import basic_auth_header
from sms_sink.segments import GSM_BASIC, GSM_EXTENSION, count_segments, encoding

TO = "+15551234567"


def post_form(sb: SandboxServer, body: str) -> tuple[int, dict]:
    """A synchronous Twilio send with urllib, as plain sync user code would do it."""
    return post_to(sb.twilio_url(), sb.twilio_auth_headers(), body)


def post_to(url: str, headers: dict[str, str], body: str) -> tuple[int, dict]:
    data = urllib.parse.urlencode({"To": TO, "From": "+15557654321", "Body": body}).encode()
    request = urllib.request.Request(url, data=data, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.load(error)


def test_thread_mode_from_sync_code():
    with SandboxServer.run_in_thread() as sb:
        sb.inject(RateLimit(retry_after=1))
        assert post_form(sb, "first")[0] == 429
        workers = [threading.Thread(target=post_form, args=(sb, f"msg {i}")) for i in range(3)]
        for worker in workers:
            worker.start()
        messages = sb.wait_for_messages(3, timeout=5)
        for worker in workers:
            worker.join()
        assert sorted(m.body for m in messages) == ["msg 0", "msg 1", "msg 2"]
        assert sb.requests == 4
        with pytest.raises(TimeoutError, match="expected 4"):
            sb.wait_for_messages(4, timeout=0.05)
    with pytest.raises(OSError):
        post_form(sb, "after close")
    sb.close()  # idempotent


async def test_thread_mode_can_be_awaited_from_another_loop():
    sb = SandboxServer.run_in_thread()
    try:
        status, _ = await asyncio.to_thread(post_form, sb, "hello")
        assert status == 201
        [message] = await sb.async_wait_for_messages(1, timeout=5)
        assert message.body == "hello"
    finally:
        sb.close()


async def test_lifecycle_guards():
    sb = SandboxServer()
    with pytest.raises(RuntimeError, match="not started"):
        sb.url
    async with sb:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", sb.url) and sb.port > 0
        assert sb.make_url("x") == sb.make_url("/x") == sb.url + "/x"
        with pytest.raises(RuntimeError, match="already started"):
            await sb.start()
        with pytest.raises(RuntimeError, match="async_wait_for_messages"):
            sb.wait_for_messages(1, timeout=0.01)
        with pytest.raises(RuntimeError, match="aclose"):
            sb.close()
        with pytest.raises(TimeoutError):
            await sb.async_wait_for_messages(1, timeout=0.05)
    await sb.aclose()  # idempotent
    with pytest.raises(RuntimeError, match="closed"):
        await sb.start()


@pytest.fixture(scope="module")
def shared_sb():
    with SandboxServer.run_in_thread() as server:
        yield server


GSM_TEXT = st.text(alphabet=sorted(GSM_BASIC | GSM_EXTENSION), min_size=1, max_size=400)
ANY_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=200)


@settings(max_examples=40, deadline=None)
@given(body=st.one_of(GSM_TEXT, ANY_TEXT))
def test_reported_segments_follow_the_single_segment_boundary(shared_sb, body):
    status, reply = post_form(shared_sb, body)
    assert status == 201
    segments = int(reply["num_segments"])
    assert segments == count_segments(body)
    gsm = encoding(body) == "GSM-7"
    units = sum(2 if ch in GSM_EXTENSION else 1 for ch in body) if gsm else len(body.encode("utf-16-le")) // 2
    assert (segments == 1) == (units <= (160 if gsm else 70))


def test_repr_never_shows_credentials():
    with SandboxServer.run_in_thread(accounts={"AC" + "9" * 32: "s3cret-token"}, api_keys=["s3cret-key"]) as sb:
        text = repr(sb) + repr(sb._state)
        assert sb.url in text and "messages=0" in text
        assert "s3cret" not in text


def test_port_in_use_is_reported_to_the_caller():
    with SandboxServer.run_in_thread() as first:
        with pytest.raises(OSError):
            SandboxServer.run_in_thread(port=first.port)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"port": 70000}, "port"),
        ({"port": "80"}, "port"),
        ({"latency": -0.1}, "latency"),
        ({"media_fetch_timeout": 0}, "media_fetch_timeout"),
        ({"accounts": {}}, "accounts"),
        ({"accounts": {"AC1": ""}}, "accounts"),
        ({"api_keys": []}, "api_keys"),
        ({"api_keys": "one-key"}, "api_keys"),
        ({"senders": "+15557654321"}, "senders"),
        ({"senders": ["not a number!"]}, "senders"),
    ],
)
def test_bad_configuration_names_the_field(kwargs, field):
    with pytest.raises(ConfigurationError) as info:
        SandboxServer(**kwargs)
    assert info.value.field == field


def test_public_names():
    assert sorted(sandbox.__all__) == [
        "Fault", "Hang", "Latency", "RateLimit", "Reset", "SandboxImage", "SandboxMessage", "SandboxServer",
        "ServerError", "TwilioError",
    ]
    assert all(hasattr(sandbox, name) for name in sandbox.__all__)
    from sms_sink.sandbox.__main__ import main

    assert callable(main)


def test_python_dash_m_serves_until_terminated(tmp_path):
    command = [sys.executable, "-m", "sms_sink.sandbox", "--port", "0", "--outbox", str(tmp_path),
               "--account-sid", "AC" + "7" * 32, "--auth-token", "cli-token"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        banner = ""
        for line in process.stdout:  # stops at EOF if the server dies
            banner += line
            if line.startswith("Press Ctrl-C"):
                break
        match = re.search(r"http://127\.0\.0\.1:(\d+)", banner)
        assert match, banner + (process.stderr.read() if process.poll() is not None else "")
        assert "cli-token" in banner  # the (test) credentials to use are printed

        base, sid = match.group(0), "AC" + "7" * 32
        url = f"{base}/2010-04-01/Accounts/{sid}/Messages.json"
        status, body = post_to(url, {"Authorization": basic_auth_header(sid, "cli-token")}, "from the CLI")
        assert (status, body["status"]) == (201, "queued")
        with urllib.request.urlopen(f"{base}/_sandbox/messages", timeout=5) as response:
            assert [m["body"] for m in json.load(response)] == ["from the CLI"]
        assert len(list(tmp_path.glob("0001-SM*.json"))) == 1
    finally:
        process.terminate()
        _, err = process.communicate(timeout=10)
    assert process.returncode == 0, err
