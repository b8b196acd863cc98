"""``sms-sink demo`` end to end: generated video, real pipeline, sandbox, outbox page."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sms_sink.__main__ import main


def test_demo_writes_an_outbox_page(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    outbox = tmp_path / "outbox"
    assert main(["demo", "--outbox", str(outbox), "--seconds", "4", "--cooldown", "1"]) == 0
    out, err = capsys.readouterr()
    saved = [json.loads(p.read_text()) for p in sorted(outbox.glob("0*.json"))]
    assert len(saved) >= 2
    assert all(m["status"] == "queued" and m["num_media"] == 1 and m["body"].startswith("Motion on camera 0: ")
               for m in saved)
    images = sorted(outbox.glob("*.jpg"))
    assert len(images) == len(saved) and all(p.read_bytes()[:2] == b"\xff\xd8" for p in images)
    page = (outbox / "index.html").read_text()
    assert page.count('<article class="card"') == len(saved)
    assert (outbox / "index.html").as_uri() in out and f"{len(saved)} alert(s) sent" in out
    assert "\r" not in err  # stderr is not a terminal here: no status line


def test_python_dash_m_entry_point(tmp_path: Path) -> None:
    """The README command as a user runs it (a fresh interpreter), with --json lines."""
    done = subprocess.run(
        [sys.executable, "-m", "sms_sink", "demo", "--outbox", str(tmp_path), "--seconds", "4", "--cooldown", "1",
         "--json"],
        capture_output=True, text=True, timeout=120, env={**os.environ, "DISABLE_VERSION_CHECK": "True"},
    )
    assert done.returncode == 0, done.stderr
    events = [json.loads(line) for line in done.stdout.splitlines()]
    deliveries = [e for e in events if e["event"] == "delivery"]
    [summary] = [e for e in events if e["event"] == "summary"]
    assert deliveries and all(d["ok"] and d["sid"].startswith("SM") and d["media_count"] == 1 for d in deliveries)
    assert summary["sent"] == len(deliveries) == summary["images"] == len(list(tmp_path.glob("*.jpg")))
    assert summary["frames"] == 60 and summary["accepted"] == summary["sent"]
    assert summary["outbox"] == (tmp_path / "index.html").as_uri()
