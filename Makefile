# Two commands a fresh machine with only Python needs: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: demo test lint typecheck pytest bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP) $@

demo: $(STAMP)
	$(BIN)/income demo

lint: $(DEV_STAMP)
	$(BIN)/ruff check engine bot tests bench
	$(BIN)/ruff format --check engine bot tests bench

typecheck: $(DEV_STAMP)
	$(BIN)/mypy --strict engine bot

pytest: $(DEV_STAMP)
	$(BIN)/pytest -W error

test: lint typecheck pytest

bench: $(DEV_STAMP)
	$(BIN)/python -m bench.cycle

clean:
	rm -rf $(VENV) data/*.db .mypy_cache .pytest_cache .ruff_cache
