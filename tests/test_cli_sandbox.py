"""``sms-sink sandbox``: the standalone server with faults from the command line."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest

from sms_sink import PermanentDeliveryError, RateLimitedError, TwilioProvider
from sms_sink.cli.sandbox import parse_fault
from sms_sink.messages import OutboundMessage
from sms_sink.sandbox import Hang, Latency, RateLimit, Reset, SandboxServer, ServerError, TwilioError

from support import RECEIVER, SENDER


@pytest.mark.parametrize(
    ("spec", "fault", "times"),
    [
        ("rate_limit", RateLimit(), 1),
        ("rate_limit@3", RateLimit(), 3),
        ("rate_limit:1.5@2", RateLimit(retry_after=1.5), 2),
        ("twilio_error:21610", TwilioError(21610), 1),
        ("error:21211@4", TwilioError(21211), 4),
        ("server_error:503", ServerError(503), 1),
        ("latency:2@5", Latency(2.0), 5),
        ("reset", Reset(), 1),
        ("hang:30", Hang(30.0), 1),
    ],
)
def test_fault_specs(spec: str, fault: object, times: int) -> None:
    assert parse_fault(spec) == (fault, times)


@pytest.mark.parametrize(
    ("spec", "says"),
    [("bogus", "unknown fault"), ("error", "needs an argument"), ("reset:3", "takes no argument"),
     ("rate_limit@0", "KIND[:NUMBER][@TIMES]"), ("latency:x", "KIND[:NUMBER][@TIMES]"),
     ("server_error:404", "5xx")],
)
def test_bad_fault_specs(spec: str, says: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match=says.replace("[", r"\[").replace("]", r"\]")):
        parse_fault(spec)


async def test_serves_with_faults_until_ctrl_c(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "sms_sink", "sandbox", "--port", "0", "--outbox", str(tmp_path),
         "--fault", "rate_limit@2", "--fault", "error:21610"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "DISABLE_VERSION_CHECK": "True"},
    )
    try:
        assert process.stdout is not None
        banner = [process.stdout.readline()]
        while not banner[-1].startswith("Press Ctrl-C") and banner[-1]:
            banner.append(process.stdout.readline())
        url = banner[0].split()[-1]
        assert url.startswith("http://127.0.0.1:")
        outcomes = []
        async with TwilioProvider(SandboxServer.DEFAULT_ACCOUNT_SID, SandboxServer.DEFAULT_AUTH_TOKEN, SENDER,
                                  base_url=url) as twilio:
            for i in range(4):
                try:
                    outcomes.append((await twilio.send(OutboundMessage(to=RECEIVER, body=f"try {i}"))).status)
                except (RateLimitedError, PermanentDeliveryError) as exc:
                    outcomes.append(exc.error_code)
        async with aiohttp.ClientSession() as http, http.get(url + "/") as page:
            html = await page.text()
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=20)
    assert outcomes == [20429, 20429, 21610, "queued"]
    assert html.count('<article class="card"') == 1 and "try 3" in html
    assert (tmp_path / "index.html").read_text().count('<article class="card"') == 1
    assert process.returncode == 0, out + err
    assert any("RateLimit(retry_after=None) x2" in line for line in banner)
