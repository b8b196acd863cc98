"""The compat suite: sms-sink against the real ``inference`` package (``scripts/compat.sh``).

Runs in its own virtualenv (``.venv-compat``, ``pip install ".[inference,dev]"`` with
``constraints/compat.txt``); in the main venv, where ``inference`` is absent, nothing here is
collected, so the fast test command neither imports nor waits for it.

Before ``inference`` is imported, this module:

- sets the offline switches (no version check, no model downloads, a private model cache);
- puts ``sms_sink.workflows`` in ``WORKFLOWS_PLUGINS`` (read by ``inference`` at import and
  by the blocks loader);
- keeps warnings errors for ``sms_sink`` only (inference's lazy imports warn about their
  own deprecations);
- stubs ``torchvision._meta_registrations``: PyPI's torchvision 0.28 beside the CPU torch
  2.13 wheel has no loadable C++ ops, and that module's meta kernels for them fail at import
  ("operator torchvision::nms does not exist"). Meta kernels serve ``torch.compile`` and
  fake tensors, which no block used here needs.
"""

from __future__ import annotations

import atexit
import importlib.util
import os
import shutil
import sys
import tempfile
import types
import warnings
from collections import Counter, defaultdict
from typing import Any

import pytest

if importlib.util.find_spec("inference") is None:
    collect_ignore_glob = ["test_*.py"]
else:
    os.environ.setdefault("DISABLE_VERSION_CHECK", "True")
    os.environ.setdefault("OFFLINE_MODE", "True")
    if "MODEL_CACHE_DIR" not in os.environ:
        os.environ["MODEL_CACHE_DIR"] = tempfile.mkdtemp(prefix="sms-sink-compat-models-")
        atexit.register(shutil.rmtree, os.environ["MODEL_CACHE_DIR"], ignore_errors=True)
    _plugins = [p for p in os.environ.get("WORKFLOWS_PLUGINS", "").split(",") if p and p != "sms_sink.workflows"]
    os.environ["WORKFLOWS_PLUGINS"] = ",".join([*_plugins, "sms_sink.workflows"])
    sys.modules.setdefault("torchvision._meta_registrations", types.ModuleType("torchvision._meta_registrations"))
    with warnings.catch_warnings():
        # Import-time deprecation and optional-model notices of inference's dependencies.
        warnings.simplefilter("ignore")
        import inference  # noqa: F401
        import inference.core.workflows.core_steps.loader  # noqa: F401
        import sms_sink.workflows  # noqa: F401

    def pytest_configure(config: pytest.Config) -> None:
        """Warnings stay errors for sms_sink; inference and its dependencies import lazily and
        warn about their own deprecations, which are not ours to fix."""
        config.addinivalue_line("filterwarnings", "ignore::Warning:(?!sms_sink)")

    def pytest_terminal_summary(terminalreporter: Any) -> None:
        """Operation parity per operation: same result, both raise, known difference, differs."""
        table: dict[str, Counter[str]] = defaultdict(Counter)
        for outcome in ("passed", "failed", "xfailed"):
            for report in terminalreporter.stats.get(outcome, []):
                if "test_operation_parity[" not in report.nodeid or report.when != "call":
                    continue
                operation = report.nodeid.split("[", 1)[1].split(":", 1)[0]
                if outcome == "passed":
                    label = dict(report.user_properties)["parity"]
                elif outcome == "xfailed":
                    label = "known difference"
                else:  # a strict xfail that passed is reported as failed
                    label = "known difference FIXED" if "XPASS" in str(report.longrepr) else "DIFFERS"
                table[operation][label] += 1
        if table:
            terminalreporter.write_sep("-", "operation parity with inference's execute_operations")
            for operation in sorted(table):
                counts = ", ".join(f"{n} {label}" for label, n in sorted(table[operation].items()))
                terminalreporter.write_line(f"{operation:30} {counts}")

