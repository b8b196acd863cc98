# Two entry points for a fresh machine: `make demo` and `make test` (see README).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
export DISABLE_VERSION_CHECK := True

.PHONY: demo test compat bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[dev]"
	touch $@

demo: $(VENV)/.installed
	$(PY) -m sms_sink demo

test: $(VENV)/.installed
	bash scripts/install-browser.sh
	$(PY) -m pytest -q

# Our sink, operations and plugin against the real `inference` (torch, ~3.5 min on first run).
compat:
	bash scripts/compat.sh

bench: $(VENV)/.installed
	$(PY) -m pip install -q -e ".[dev,bench]"
	$(PY) benchmarks/hot_path.py
	$(PY) benchmarks/media.py
	$(PY) benchmarks/plot.py

clean:
	rm -rf $(VENV) .venv-compat build *.egg-info src/*.egg-info .pytest_cache
