import pytest

from sms_sink.cooldown import CooldownGate


@pytest.mark.parametrize(
    ("seconds", "consumed_at", "probe_at", "ready"),
    [
        (5.0, 100.0, 104.999, False),
        (5.0, 100.0, 105.0, True),
        (5.0, 100.0, 99.0, True),  # clock went backwards (video restarted): window reopens
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
