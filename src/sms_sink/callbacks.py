"""User callbacks that may be written with fewer arguments than the sink passes.

``cooldown_key=lambda frame: ...`` and ``alert_when=lambda predictions: ...`` read as
naturally as their two-argument forms; the sink checks once, at construction, how many
positional arguments a callback takes.
"""

from __future__ import annotations

import inspect
from typing import Any, Callable

__all__ = ["takes_one_argument"]


def takes_one_argument(callback: Callable[..., Any]) -> bool:
    """True when ``callback`` takes exactly one positional argument (and no ``*args``)."""
    try:
        parameters = list(inspect.signature(callback).parameters.values())
    except (TypeError, ValueError):  # no signature to read (some builtins): given every argument
        return False
    positional = [p for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return len(positional) == 1 and not any(p.kind is p.VAR_POSITIONAL for p in parameters)
