# The README's two commands: `make demo` and `make test`. Both install what is missing first
# (system packages, then a .venv with the project) and nothing when it is all there.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-all install lint typecheck unit bench clean

install: $(STAMP)

$(STAMP): pyproject.toml scripts/install-system-deps.sh
	@bash scripts/install-system-deps.sh
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --upgrade pip
	@$(BIN)/python -m pip install --quiet -e '.[dev,ray,miniwob,docker]'
	@touch $(STAMP)
	@echo "python packages: installed into $(VENV)"

demo: install
	@bash scripts/demo.sh

lint: install
	$(BIN)/ruff check officegym tests benchmarks
	$(BIN)/ruff format --check officegym tests benchmarks
	$(BIN)/lint-imports --no-cache

typecheck: install
	$(BIN)/mypy

# pytest exits 5 when it collected no tests: that is a failure here, never a pass.
unit: install
	@$(BIN)/python -m pytest -n auto; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests: failing" >&2; exit 1; fi; exit $$rc

test: lint typecheck unit

# Everything `test` runs, and the `exhaustive` sweeps pyproject's addopts leave out.
test-all: lint typecheck
	$(BIN)/python -m pytest -n auto -m "exhaustive or not exhaustive"

bench: install
	cd benchmarks && ../$(BIN)/python env_latency.py

clean:
	rm -rf $(VENV) runs .pytest_cache .mypy_cache .ruff_cache
