#!/usr/bin/env bash
# The compat job: sms-sink against the real `inference` package, in its own virtualenv.
#
#   bash scripts/compat.sh [extra pytest args]
#
# Creates .venv-compat with python3 (3.11: the CPU torch 2.13.0 wheel pip finds on these
# machines is cp311), installs ".[inference,dev]" pinned by constraints/compat.txt, then
# runs `pytest -m compat tests/compat` (pyproject's addopts deselect them from the main run).
# A fresh install takes ~3.5 min and ~2.8 GB; it is redone only when pyproject.toml or the
# constraints change, otherwise only this project is reinstalled (a few seconds).
# `-p no:anyio`: anyio's pytest plugin imports a name pytest 9.2 deprecated, and warnings
# are errors in this project.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
VENV=".venv-compat"
PY="$VENV/bin/python"
export PIP_DISABLE_PIP_VERSION_CHECK=1
export DISABLE_VERSION_CHECK=True

stamp="$(cat pyproject.toml constraints/compat.txt | sha256sum | cut -d' ' -f1)"
if [[ ! -x "$PY" || "$(cat "$VENV/.installed" 2>/dev/null || true)" != "$stamp" ]]; then
    started=$SECONDS
    "$PYTHON" -m venv --clear "$VENV"
    "$PY" -m pip install -q --upgrade pip
    "$PY" -m pip install -q -c constraints/compat.txt ".[inference,dev]"
    echo "$stamp" > "$VENV/.installed"
    echo "compat: installed $VENV in $((SECONDS - started)) s, $(du -sh "$VENV" | cut -f1)"
else
    "$PY" -m pip install -q --no-deps --no-build-isolation --force-reinstall .
fi
exec "$PY" -m pytest -p no:anyio -m compat tests/compat "$@"
