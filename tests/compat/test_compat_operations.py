"""Every operation gives what the reference's ``execute_operations`` gives, on a shared corpus.

"The same" means equal values and the same ``str()`` (what a message shows), or both sides
failing. A difference already reported carries ``Case.known`` and runs as a strict xfail, so
a fix shows up as an unexpected pass.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import supervision as sv
from corpus import CASES, Case, inputs
from inference.core.workflows.core_steps.common.query_language.operations.core import execute_operations

from sms_sink.operations import SUPPORTED_OPERATIONS, compile_operations

pytestmark = pytest.mark.compat


def _params() -> list[Any]:
    return [
        pytest.param(case, id=case.id, marks=[pytest.mark.xfail(strict=True, reason=case.known)] if case.known else [])
        for case in CASES
    ]


def _outcome(run: Any) -> tuple[bool, Any]:
    try:
        return True, run()
    except Exception as exc:  # noqa: BLE001 - both sides failing is parity
        return False, exc


def difference(ours: Any, reference: Any, path: str = "result") -> str | None:
    """Where ``ours`` and ``reference`` differ, or None."""
    if isinstance(reference, sv.Detections) or isinstance(ours, sv.Detections):
        if not (isinstance(ours, sv.Detections) and isinstance(reference, sv.Detections)):
            return f"{path}: {type(ours).__name__} vs {type(reference).__name__}"
        for name in ("xyxy", "confidence", "class_id", "tracker_id", "mask"):
            found = difference(getattr(ours, name), getattr(reference, name), f"{path}.{name}")
            if found:
                return found
        return difference(dict(ours.data), dict(reference.data), f"{path}.data")
    if isinstance(reference, np.ndarray) or isinstance(ours, np.ndarray):
        if not (isinstance(ours, np.ndarray) and isinstance(reference, np.ndarray)):
            return f"{path}: {type(ours).__name__} vs {type(reference).__name__}"
        if ours.shape != reference.shape or not np.array_equal(ours, reference):
            return f"{path}: {ours!r} vs {reference!r}"
        return None
    if isinstance(reference, dict):
        if not isinstance(ours, dict) or list(ours) != list(reference):
            return f"{path}: keys {list(ours) if isinstance(ours, dict) else type(ours).__name__} vs {list(reference)}"
        for key in reference:
            found = difference(ours[key], reference[key], f"{path}[{key!r}]")
            if found:
                return found
        return None
    if isinstance(reference, (list, tuple)):
        if type(ours) is not type(reference) or len(ours) != len(reference):
            return f"{path}: {ours!r} vs {reference!r}"
        for i, (a, b) in enumerate(zip(ours, reference)):
            found = difference(a, b, f"{path}[{i}]")
            if found:
                return found
    elif ours != reference:
        return f"{path}: {ours!r} vs {reference!r}"
    if str(ours) != str(reference):
        return f"{path}: str {str(ours)!r} vs {str(reference)!r}"
    return None


def test_corpus_covers_every_operation() -> None:
    used = {op["type"] for case in CASES for op in case.operations}
    nested = {inner["type"] for case in CASES for op in case.operations for inner in op.get("operations", [])}
    assert set(SUPPORTED_OPERATIONS) <= used | nested | {"ExtractDetectionProperty"}


@pytest.mark.parametrize("case", _params())
def test_operation_parity(case: Case, record_property: Any) -> None:
    ours_input, reference_input = inputs(case.value)
    chain = compile_operations(case.operations, field="ops")
    ours_ok, ours = _outcome(lambda: chain(ours_input))
    reference_ok, reference = _outcome(
        lambda: execute_operations(value=reference_input, operations=case.operations, global_parameters={})
    )
    if not ours_ok and not reference_ok:
        record_property("parity", "both raise")
        return
    assert ours_ok == reference_ok, f"ours {'returned' if ours_ok else 'raised'} {ours!r}; reference {'returned' if reference_ok else 'raised'} {reference!r}"
    found = difference(ours, reference)
    assert found is None, found
    record_property("parity", "same")
