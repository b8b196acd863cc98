from datetime import datetime, timedelta

import pytest

from sms_sink.cooldown import CooldownGate, VideoClock


@pytest.mark.parametrize(
    ("seconds", "consumed_at", "probe_at", "ready"),
    [
        (5.0, 100.0, 104.999, False),
        (5.0, 100.0, 105.0, True),
        (5.0, 100.0, 99.0, False),  # behind the window's start (another source's timeline): still closed
        (0.0, 100.0, 100.0, True),  # 0 disables the cooldown
    ],
)
def test_window(seconds: float, consumed_at: float, probe_at: float, ready: bool) -> None:
    gate = CooldownGate(seconds)
    gate.consume("k", now=consumed_at)
    assert gate.ready("k", now=probe_at) is ready


def test_probe_does_not_consume() -> None:
    gate = CooldownGate(5.0)
    for now in (1.0, 2.0, 3.0):
        assert gate.ready("k", now=now)
    gate.consume("k", now=3.0)
    assert not gate.ready("k", now=4.0)


def test_keys_are_independent() -> None:
    gate = CooldownGate(5.0)
    gate.consume(("cam-0", "+1"), now=10.0)
    assert not gate.ready(("cam-0", "+1"), now=11.0)
    assert gate.ready(("cam-1", "+1"), now=11.0)
    assert gate.ready(("cam-0", "+2"), now=11.0)


def test_negative_rejected() -> None:
    with pytest.raises(ValueError):
        CooldownGate(-1)


def test_reopen_gives_the_window_back_unless_a_later_one_replaced_it() -> None:
    gate = CooldownGate(5.0)
    assert gate.consume("k", now=10.0) is None
    previous = gate.consume("k", now=20.0)
    assert previous == 10.0
    gate.reopen("k", started=20.0, previous=previous)
    assert gate.ready("k", now=15.0) and not gate.ready("k", now=14.0)  # back to the window of 10.0
    gate.reopen("k", started=10.0, previous=None)
    assert gate.ready("k", now=10.5)  # never consumed again
    gate.consume("k", now=30.0)
    gate.reopen("k", started=20.0, previous=10.0)  # stale: the window of 30.0 stays
    assert not gate.ready("k", now=31.0)


class Frame:
    def __init__(self, seconds: float | None) -> None:
        self.frame_timestamp = None if seconds is None else datetime(2026, 1, 1) + timedelta(seconds=seconds)


def test_video_clock_aligns_sources_and_never_runs_backwards() -> None:
    clock = VideoClock()
    assert clock.now("a", Frame(3600.0)) == 0.0
    assert clock.now("b", Frame(0.0)) == 0.0  # an hour apart in wall time, both start at 0
    assert clock.now("a", Frame(3610.0)) == 10.0 and clock.now("b", Frame(4.0)) == 4.0
    assert clock.now("a", Frame(3600.0)) == 10.0  # the file looped: its timeline continues
    assert clock.now("a", Frame(3602.5)) == 12.5
