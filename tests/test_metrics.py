"""Prometheus metrics: every stats() field, latency and call-cost histograms, scraped for real."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import urllib.error
import urllib.request
from datetime import datetime, timedelta

import numpy as np
import pytest
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families
from streamvision.camera.entities import VideoFrame

from sms_sink import ConfigurationError, SMSNotificationSink, TwilioProvider
from sms_sink.metrics import PrometheusMetrics
from sms_sink.sandbox import SandboxServer, TwilioError
from sms_sink.stats import SinkStats

from support import RECEIVER

T0 = datetime(2026, 1, 1, 12, 0, 0)
FIELDS = [f.name for f in dataclasses.fields(SinkStats)]
GAUGES = {"queue_depth", "in_flight"}


def frame(seconds: float, source_id: int = 0) -> VideoFrame:
    return VideoFrame(image=np.zeros((48, 64, 3), np.uint8), frame_id=1,
                      frame_timestamp=T0 + timedelta(seconds=seconds), source_id=source_id)


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """{(sample name, sorted labels): value} from an exposition."""
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def run_alerts(metrics: PrometheusMetrics, twilio: TwilioProvider, calls: int) -> SMSNotificationSink:
    """``calls`` calls 1 s of video apart with a 2 s cooldown: every other one is sent."""
    sink = SMSNotificationSink(receiver_number=RECEIVER, message="alert", provider=twilio, metrics=metrics,
                               cooldown_seconds=2, cooldown_clock="video", max_attempts=1)  # binds metrics
    for i in range(calls):
        sink({}, frame(i))
    sink.close()
    return sink


def test_scrape_over_http(sandbox: SandboxServer, twilio: TwilioProvider) -> None:
    metrics = PrometheusMetrics(registry=CollectorRegistry(), port=0)
    url = f"http://127.0.0.1:{metrics.port}/metrics"
    try:
        sink = run_alerts(metrics, twilio, calls=6)
        with urllib.request.urlopen(url, timeout=5) as response:
            scraped = samples(response.read().decode())
    finally:
        metrics.close()
    stats = sink.stats()
    assert (stats["sent"], stats["throttled"]) == (3, 3)
    assert scraped[("sms_sink_sent_total", ())] == 3
    assert scraped[("sms_sink_throttled_total", ())] == 3
    assert scraped[("sms_sink_call_seconds_count", ())] == 6
    assert scraped[("sms_sink_delivery_latency_seconds_count", (("outcome", "sent"),))] == 3
    assert scraped[("sms_sink_results_total", (("error_code", ""), ("outcome", "sent")))] == 3
    assert metrics.port is None
    with pytest.raises(urllib.error.URLError):  # close() stopped the server
        urllib.request.urlopen(url, timeout=2)


@pytest.mark.parametrize("field", FIELDS)
def test_every_stats_field_is_exported(field: str, sandbox: SandboxServer, twilio: TwilioProvider) -> None:
    registry = CollectorRegistry()
    sink = run_alerts(PrometheusMetrics(registry=registry, namespace="cam"), twilio, calls=3)
    families = {family.name: family for family in text_string_to_metric_families(generate_latest(registry).decode())}
    family = families[f"cam_{field}"]
    assert family.type == ("gauge" if field in GAUGES else "counter")
    name = f"cam_{field}" if field in GAUGES else f"cam_{field}_total"
    assert [s.value for s in family.samples if s.name == name] == [sink.stats()[field]]


def test_failures_are_counted_by_error_code(sandbox: SandboxServer, twilio: TwilioProvider) -> None:
    registry = CollectorRegistry()
    sandbox.inject(TwilioError(21610))
    sink = run_alerts(PrometheusMetrics(registry=registry), twilio, calls=3)
    scraped = samples(generate_latest(registry).decode())
    assert (sink.stats()["sent"], sink.stats()["failed"]) == (1, 1)
    assert scraped[("sms_sink_failed_total", ())] == 1
    assert scraped[("sms_sink_results_total", (("error_code", "21610"), ("outcome", "failed")))] == 1
    assert scraped[("sms_sink_delivery_latency_seconds_count", (("outcome", "failed"),))] == 1


def test_unbound_exports_histograms_only() -> None:
    registry = CollectorRegistry()
    metrics = PrometheusMetrics(registry=registry)
    metrics.observe_call(3e-6)
    names = {family.name for family in text_string_to_metric_families(generate_latest(registry).decode())}
    assert "sms_sink_call_seconds" in names and "sms_sink_sent" not in names
    assert "unbound" in repr(metrics)


def test_second_instance_on_one_registry_is_a_clear_error() -> None:
    registry = CollectorRegistry()
    first = PrometheusMetrics(registry=registry)
    with pytest.raises(ConfigurationError) as error:
        PrometheusMetrics(registry=registry)
    assert error.value.field == "registry"
    first.unregister()
    PrometheusMetrics(registry=registry)  # the names are free again


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"namespace": "sms-sink"}, "namespace"),
        ({"port": 70000}, "port"),
        ({"port": True}, "port"),
        ({"latency_buckets": (1.0, 0.5)}, "latency_buckets"),
        ({"call_buckets": ()}, "call_buckets"),
        ({"call_buckets": (0.0, 1.0)}, "call_buckets"),
    ],
)
def test_settings_are_validated(kwargs: dict, field: str) -> None:
    with pytest.raises(ConfigurationError) as error:
        PrometheusMetrics(registry=CollectorRegistry(), **kwargs)
    assert error.value.field == field


def test_busy_port_is_a_configuration_error() -> None:
    registry = CollectorRegistry()
    first = PrometheusMetrics(registry=registry, port=0)
    try:
        with pytest.raises(ConfigurationError) as error:
            PrometheusMetrics(registry=CollectorRegistry(), port=first.port)
        assert error.value.field == "port"
    finally:
        first.close()


def test_import_without_prometheus_client_says_what_to_install() -> None:
    code = ("import sys; sys.modules['prometheus_client'] = None\n"
            "try:\n    import sms_sink.metrics\nexcept ImportError as e:\n    print(e)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert "pip install 'sms-sink[metrics]'" in done.stdout, done.stderr
