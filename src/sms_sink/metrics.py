"""Prometheus metrics for a sink (optional extra: ``pip install 'sms-sink[metrics]'``).

Example::

    metrics = PrometheusMetrics(port=9108)            # or registry=your_registry
    sink = SMSNotificationSink(..., metrics=metrics)  # times every call, sees every result
    metrics.bind(sink)                                # exposes every stats() counter

Exposed (``namespace`` ``sms_sink``):

- ``sms_sink_<field>_total`` for every counter of ``sink.stats()`` (accepted, throttled,
  disabled, rejected, dropped, sent, failed, retried, abandoned), and the gauges
  ``sms_sink_queue_depth`` and ``sms_sink_in_flight``, read from the sink at scrape time;
- ``sms_sink_delivery_latency_seconds{outcome}``: from acceptance to the final outcome;
- ``sms_sink_call_seconds``: the cost of each ``on_prediction`` call on the pipeline thread;
- ``sms_sink_results_total{outcome, error_code}``: deliveries by outcome and provider code.
"""

from __future__ import annotations

import dataclasses
import threading
from typing import TYPE_CHECKING, Iterable, Sequence

try:
    from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, start_http_server
    from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
    from prometheus_client.registry import Collector
except ImportError as exc:  # pragma: no cover - exercised in a subprocess test
    raise ImportError(
        "sms_sink.metrics needs prometheus-client: pip install 'sms-sink[metrics]'"
    ) from exc

from .errors import ConfigurationError
from .messages import DeliveryResult
from .stats import SinkStats

if TYPE_CHECKING:
    from .sink import SMSNotificationSink

__all__ = ["DEFAULT_CALL_BUCKETS", "DEFAULT_LATENCY_BUCKETS", "PrometheusMetrics"]

#: Delivery takes from tens of milliseconds to the delivery timeout (120 s by default).
DEFAULT_LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0)
#: A sink call should cost microseconds; the upper buckets catch regressions.
DEFAULT_CALL_BUCKETS = (2e-6, 5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 5e-3, 2.5e-2)

_GAUGES = frozenset({"queue_depth", "in_flight"})
_HELP = {
    "accepted": "Messages handed to the sink's queue",
    "throttled": "Messages stopped by the cooldown",
    "disabled": "Messages stopped by disable_sink",
    "skipped": "Messages not wanted by alert_when",
    "rejected": "Alerts that could not be built (bad frame or parameters)",
    "dropped": "Messages pushed out of the full queue by the overflow policy",
    "sent": "Messages accepted by the provider",
    "failed": "Messages given up after retries, the deadline, or a permanent refusal",
    "retried": "Extra send attempts",
    "abandoned": "Messages still queued or in flight when close() ran out of time",
    "queue_depth": "Messages waiting in the sink's queue",
    "in_flight": "Messages being sent now",
}
_STATS_FIELDS = tuple(field.name for field in dataclasses.fields(SinkStats))


class PrometheusMetrics:
    """``metrics=`` for :class:`~sms_sink.SMSNotificationSink`, exported to Prometheus.

    ``registry`` defaults to prometheus-client's global one (what ``start_http_server``
    and most frameworks expose); use one instance per registry, or a distinct
    ``namespace``. ``port`` serves ``registry`` on ``addr`` (loopback by default;
    ``port=0`` picks a free port, read back from :attr:`port`). ``sink`` may be given here
    or later with :meth:`bind`, because the sink needs this object at construction.
    """

    def __init__(
        self,
        sink: SMSNotificationSink | None = None,
        *,
        registry: CollectorRegistry | None = None,
        namespace: str = "sms_sink",
        port: int | None = None,
        addr: str = "127.0.0.1",
        latency_buckets: Sequence[float] = DEFAULT_LATENCY_BUCKETS,
        call_buckets: Sequence[float] = DEFAULT_CALL_BUCKETS,
    ) -> None:
        if not isinstance(namespace, str) or not namespace.isidentifier():
            raise ConfigurationError("namespace", f"expected a metric name prefix like 'sms_sink', got {namespace!r}")
        if port is not None and (isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535):
            raise ConfigurationError("port", f"expected a TCP port 0-65535 (0 picks a free one) or None, got {port!r}")
        for name, buckets in (("latency_buckets", latency_buckets), ("call_buckets", call_buckets)):
            if not buckets or any(b <= 0 for b in buckets) or list(buckets) != sorted(set(buckets)):
                raise ConfigurationError(name, "expected increasing, positive bucket bounds in seconds")
        self.registry = REGISTRY if registry is None else registry
        self._collector = _StatsCollector(namespace)
        try:
            self.registry.register(self._collector)
            self._latency = Histogram(
                f"{namespace}_delivery_latency_seconds", "Seconds from accepting a message to its final outcome",
                ["outcome"], buckets=latency_buckets, registry=self.registry,
            )
            self._call = Histogram(
                f"{namespace}_call_seconds", "Seconds spent in each sink call on the pipeline thread",
                buckets=call_buckets, registry=self.registry,
            )
            self._results = Counter(
                f"{namespace}_results", "Delivery outcomes by provider error code",
                ["outcome", "error_code"], registry=self.registry,
            )
        except ValueError as exc:  # duplicated time series
            self.unregister()
            raise ConfigurationError(
                "registry", f"{exc}; this registry already has {namespace} metrics: pass registry= or namespace="
            ) from None
        self._server = None
        self._lock = threading.Lock()
        if sink is not None:
            self.bind(sink)
        if port is not None:
            try:
                self._server, _ = start_http_server(port, addr=addr, registry=self.registry)
            except OSError as exc:
                self.unregister()
                raise ConfigurationError(
                    "port", f"cannot serve metrics on {addr}:{port}: {exc.strerror or exc}") from None

    @property
    def port(self) -> int | None:
        """The port metrics are served on, if any."""
        return None if self._server is None else int(self._server.server_address[1])

    def bind(self, sink: SMSNotificationSink) -> None:
        """Read ``sink.stats()`` at every scrape (replaces a sink bound before)."""
        self._collector.sink = sink

    def observe_call(self, seconds: float) -> None:
        """The cost of one sink call (called by the sink)."""
        self._call.observe(seconds)

    def observe_result(self, result: DeliveryResult) -> None:
        """One final delivery outcome (called by the sink)."""
        outcome = "sent" if result.ok else "failed"
        self._latency.labels(outcome).observe(result.latency_s)
        code = "" if result.error_code is None else str(result.error_code)
        self._results.labels(outcome, code).inc()

    def close(self) -> None:
        """Stop the HTTP server started by ``port=`` (metrics stay registered); idempotent."""
        with self._lock:
            server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()

    def unregister(self) -> None:
        """Remove every metric of this object from its registry; idempotent."""
        for collector in (self._collector, *(getattr(self, name, None) for name in ("_latency", "_call", "_results"))):
            if collector is not None:
                try:
                    self.registry.unregister(collector)
                except KeyError:
                    pass

    def __repr__(self) -> str:
        bound = "bound" if self._collector.sink is not None else "unbound"
        return f"PrometheusMetrics({self._collector.namespace!r}, {bound}, port={self.port})"


class _StatsCollector(Collector):
    """Every ``stats()`` field of the bound sink, read at scrape time (no copies to keep in sync)."""

    def __init__(self, namespace: str) -> None:
        self.namespace = namespace
        self.sink: SMSNotificationSink | None = None

    def describe(self) -> Iterable[Metric]:
        return [self._family(name, 0) for name in _STATS_FIELDS]

    def collect(self) -> Iterable[Metric]:
        sink = self.sink
        if sink is None:
            return []
        return [self._family(name, value) for name, value in sink.stats().items()]

    def _family(self, name: str, value: float) -> Metric:
        documentation = _HELP.get(name, name.replace("_", " "))
        if name in _GAUGES:
            return GaugeMetricFamily(f"{self.namespace}_{name}", documentation, value=value)
        return CounterMetricFamily(f"{self.namespace}_{name}", documentation, value=value)
