"""The public surface: every name in __all__ resolves, and importing stays light."""

import subprocess
import sys

import pytest

import sms_sink


@pytest.mark.parametrize("name", sms_sink.__all__)
def test_every_public_name_resolves(name: str) -> None:
    assert getattr(sms_sink, name).__name__ == name


def test_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError):
        sms_sink.NotAThing  # noqa: B018


def test_issue_api_names_are_public() -> None:
    assert {"SMSNotificationSink", "TwilioProvider", "RoboflowManagedProvider", "DeliveryResult"} <= set(
        sms_sink.__all__
    )


def test_importing_the_package_and_sandbox_loads_no_heavy_modules() -> None:
    code = ("import sys, sms_sink, sms_sink.sandbox; "
            "print(sorted(m for m in ('cv2', 'supervision', 'torch', 'inference') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
