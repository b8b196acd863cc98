"""One watch session: the real ``InferencePipeline`` feeding a detector and the sink, a live
status line, graceful Ctrl-C, and the drain at the end.

The pipeline runs on its own thread so the main thread stays free for signals: the first
Ctrl-C (or SIGTERM) terminates the pipeline and lets the sink deliver what is queued;
another Ctrl-C, or one during the drain, raises ``KeyboardInterrupt`` (exit 130).
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import FrameType
from typing import Any, Callable, Iterator, Sequence

from streamvision.camera.exceptions import SourceConnectionError
from streamvision.stream.pipeline import INFERENCE_ERROR_EVENT, InferencePipeline

from ..sink import SMSNotificationSink
from .common import EXIT_SOURCE, CliError, SourceRef, redact, scrub
from .report import Reporter
from .status_line import StatusLine

__all__ = ["FrameCounter", "Interrupts", "WatchResult", "watch"]

_PIPELINE_LOGGER = "streamvision.stream.pipeline"


class FrameCounter:
    """``on_prediction``: counts the frames (for the status line), then calls the sink."""

    def __init__(self, sink: Callable[[Any, Any], Any]) -> None:
        self._sink = sink
        self.frames = 0

    def __call__(self, predictions: Any, video_frame: Any) -> None:
        if isinstance(video_frame, list):
            self.frames += sum(frame is not None for frame in video_frame)
        else:
            self.frames += 1
        self._sink(predictions, video_frame)


class Interrupts:
    """SIGINT/SIGTERM handling: the first asks to stop; a second, or any while draining, raises."""

    def __init__(self) -> None:
        self.requested = threading.Event()
        self._draining = False
        self._previous: dict[int, Any] = {}

    def draining(self) -> None:
        """From now on a Ctrl-C quits at once."""
        self._draining = True

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self._draining or self.requested.is_set():
            raise KeyboardInterrupt
        self.requested.set()

    def __enter__(self) -> "Interrupts":
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGINT, signal.SIGTERM):
                self._previous[signum] = signal.signal(signum, self._handle)
        return self

    def __exit__(self, *exc_info: object) -> None:
        for signum, previous in self._previous.items():
            signal.signal(signum, previous)
        self._previous.clear()


@dataclass
class WatchResult:
    """How a session went."""

    frames: int
    seconds: float
    interrupted: bool
    stats: dict[str, int]
    undelivered: int
    errors: list[str] = field(default_factory=list)


def watch(
    *,
    sources: Sequence[SourceRef],
    detector: Callable[[list[Any]], list[Any]],
    sink: SMSNotificationSink,
    reporter: Reporter,
    drain_timeout: float,
    max_fps: float | None = None,
) -> WatchResult:
    """Run the pipeline to its end (or Ctrl-C), then close the sink; :class:`CliError` (exit 3)
    when no frame came because a source could not be opened."""
    gate = FrameCounter(sink)
    status = StatusLine(_status_text(gate, sink), enabled=False if reporter.json_mode else None)
    reporter.attach(status)
    started = time.monotonic()
    try:
        with Interrupts() as interrupts, status, _quiet_source_errors(), _logs_through(status):
            try:
                interrupted, errors = _run_pipeline(sources, detector, gate, interrupts, max_fps)
            except BaseException:  # a forced Ctrl-C or a source that cannot be used
                sink.close(timeout=0)  # what is queued is reported abandoned, at once
                raise
            if interrupted:
                reporter.say("stopping: delivering queued alerts (Ctrl-C again to quit now)")
            interrupts.draining()
            report = sink.close(timeout=drain_timeout)
    finally:
        reporter.attach(None)
    source_errors = [message for kind, message in errors if kind == SourceConnectionError.__name__]
    if source_errors and gate.frames == 0:
        raise CliError(EXIT_SOURCE, "cannot open the video source: " + "; ".join(source_errors))
    return WatchResult(
        frames=gate.frames,
        seconds=time.monotonic() - started,
        interrupted=interrupted,
        stats=sink.stats(),
        undelivered=len(report.undelivered),
        errors=[f"{kind}: {message}" for kind, message in errors],
    )


def _run_pipeline(
    sources: Sequence[SourceRef],
    detector: Callable[[list[Any]], list[Any]],
    gate: FrameCounter,
    interrupts: Interrupts,
    max_fps: float | None,
) -> tuple[bool, list[tuple[str, str]]]:
    """Start, wait (signals stay live), terminate on request; returns (interrupted, errors)."""
    errors: list[tuple[str, str]] = []

    def on_status(update: Any) -> None:
        if update.event_type == INFERENCE_ERROR_EVENT:
            errors.append((str(update.payload.get("error_type")), scrub(str(update.payload.get("error_message")))))

    try:
        pipeline = InferencePipeline.init_with_custom_logic(
            video_reference=list(sources) if len(sources) > 1 else sources[0],
            on_video_frame=detector, on_prediction=gate, max_fps=max_fps, status_update_handlers=[on_status],
        )
    except Exception as exc:
        where = ", ".join(redact(source) for source in sources)
        raise CliError(EXIT_SOURCE, f"cannot use video source {where}: {scrub(str(exc))}") from None
    done = threading.Event()
    failure: list[BaseException] = []

    def work() -> None:
        try:
            pipeline.start(use_main_thread=True)
            pipeline.join()
        except BaseException as exc:  # re-raised on the main thread
            failure.append(exc)
        finally:
            done.set()

    threading.Thread(target=work, name="sms-sink-pipeline", daemon=True).start()
    interrupted = False
    while not done.wait(0.1):
        if interrupts.requested.is_set() and not interrupted:
            interrupted = True
            _terminate(pipeline)
    # With several sources, one that cannot connect ends the run while the others still
    # decode: stop those too, or their native threads abort the interpreter at exit.
    try:
        _terminate(pipeline)
    except Exception:
        pass
    if failure:
        raise failure[0]
    return interrupted, errors


def _terminate(pipeline: InferencePipeline, attempts: int = 20) -> None:
    """``terminate()`` refuses while a source is still initialising: retry briefly."""
    for _ in range(attempts):
        try:
            pipeline.terminate()
            return
        except Exception:
            time.sleep(0.1)
    pipeline.terminate()


def _status_text(gate: FrameCounter, sink: SMSNotificationSink) -> Callable[[], str]:
    last = [time.monotonic(), 0]

    def render() -> str:
        now, frames = time.monotonic(), gate.frames
        fps = (frames - last[1]) / max(now - last[0], 1e-6)
        last[0], last[1] = now, frames
        s = sink.stats()
        return (f"frames {frames} | {fps:.1f} fps | alerts {s['accepted']} accepted, {s['throttled']} throttled, "
                f"{s['dropped']} dropped, {s['sent']} sent, {s['failed']} failed | queue {s['queue_depth']}")

    return render


class _DropSourceErrors(logging.Filter):
    """The pipeline logs a traceback for an unreachable source; the CLI reports it in one line."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], SourceConnectionError))


@contextmanager
def _quiet_source_errors() -> Iterator[None]:
    drop = _DropSourceErrors()
    logger = logging.getLogger(_PIPELINE_LOGGER)
    logger.addFilter(drop)
    try:
        yield
    finally:
        logger.removeFilter(drop)


class _StatusLogHandler(logging.Handler):
    """Log records on stderr without tearing the status line."""

    def __init__(self, status: StatusLine) -> None:
        super().__init__(logging.WARNING)
        self._status = status
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self._status.emit(self.format(record), sys.stderr)
        except Exception:
            self.handleError(record)


@contextmanager
def _logs_through(status: StatusLine) -> Iterator[None]:
    """While the status line shows and nobody configured logging, route warnings through it."""
    root = logging.getLogger()
    handler = _StatusLogHandler(status) if status.enabled and not root.handlers else None
    if handler is not None:
        root.addHandler(handler)
    try:
        yield
    finally:
        if handler is not None:
            root.removeHandler(handler)
