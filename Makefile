# Every target creates or reuses .venv, so a fresh clone needs only python3, git and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
EXAMPLE := examples/acme

.PHONY: demo test lint bench clean

$(BIN)/okr: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.test-deps: $(BIN)/okr
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

demo: $(BIN)/okr
	$(BIN)/okr -C $(EXAMPLE) --as-of 2026-08-15 validate
	$(BIN)/okr -C $(EXAMPLE) --as-of 2026-08-15 tree
	$(BIN)/okr -C $(EXAMPLE) --as-of 2026-08-15 scorecard

test: $(VENV)/.test-deps
	$(BIN)/python -m pytest

lint: $(VENV)/.test-deps
	$(BIN)/ruff check okrcli tests benchmarks
	$(BIN)/mypy okrcli

bench: $(BIN)/okr
	$(BIN)/python -m pip install -q 'PyYAML>=6.0.1'
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) build *.egg-info
