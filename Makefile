# Every target creates or reuses .venv, so a fresh clone needs only python3, git and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
EXAMPLE := examples/acme

.PHONY: demo test lint bench package clean

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

# The wheel and sdist as a release would make them, and the wheel installed into a new venv
# of its own (as pipx does) running the real command on the example.
package: $(VENV)/.test-deps
	rm -rf dist .venv-package
	$(BIN)/python -m build --outdir dist . > /dev/null
	$(PYTHON) -m venv .venv-package
	.venv-package/bin/python -m pip install -q dist/*.whl
	cd /tmp && $(CURDIR)/.venv-package/bin/okr -C $(CURDIR)/$(EXAMPLE) --as-of 2026-08-15 validate
	@ls dist

# Benchmarks measure okr as users install it (a regular, non-editable install: an editable
# one adds an import hook to every start), in a venv of their own, rebuilt on each run.
bench:
	rm -rf .venv-bench
	$(PYTHON) -m venv .venv-bench
	.venv-bench/bin/python -m pip install -q --upgrade pip
	.venv-bench/bin/python -m pip install -q .
	.venv-bench/bin/python benchmarks/run.py

clean:
	rm -rf $(VENV) .venv-bench .venv-package build dist *.egg-info
