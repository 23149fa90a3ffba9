# Two entry points: `make demo` and `make test`. Each sets up what it needs first.
# uv is installed into the project's Python (3.12, from .python-version) when missing.
PYTHON ?= python3
UV := $(PYTHON) -m uv
VENV := .venv
DEMO := priors/turkiye-joins-consultative-meeting.yaml

.PHONY: setup demo test lint typecheck pytest bench clean

$(VENV)/.synced: pyproject.toml uv.lock
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet --disable-pip-version-check uv
	$(UV) sync --locked
	@touch $@

setup: $(VENV)/.synced
	@# Byte-compile the project and the modules its commands import (forecast/_bytecode.py),
	@# not every dependency: start-up stays fast without a writable cache.
	@$(VENV)/bin/python -m compileall -q forecast >/dev/null
	@$(VENV)/bin/python -m forecast._bytecode

demo: setup
	$(VENV)/bin/forecast run $(DEMO)

lint: setup
	$(VENV)/bin/ruff check forecast tests benchmarks

typecheck: setup
	$(VENV)/bin/mypy

pytest: setup
	@# No `|| true` for exit 5: a run that collects no tests is a failure, not a pass.
	$(VENV)/bin/pytest

test: lint typecheck pytest

bench: setup
	$(VENV)/bin/python benchmarks/startup.py
	$(VENV)/bin/python benchmarks/run_vs_pymc.py
	$(VENV)/bin/python benchmarks/priors_methods.py
	$(VENV)/bin/python benchmarks/watch.py
	$(VENV)/bin/python benchmarks/sweep.py
	$(VENV)/bin/python benchmarks/team_ledger.py
	$(VENV)/bin/python benchmarks/cooke.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
