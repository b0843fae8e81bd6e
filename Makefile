# editbay — developer entry points. Everything installs itself into ./.venv.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-fast lint format install bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)  ## set up and start the API with an embedded worker on http://127.0.0.1:8000
	$(BIN)/editbay serve

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy src/editbay

test: $(STAMP) lint  ## every test, including slow suites and PostgreSQL
	$(BIN)/python -m pytest -q -p no:cacheprovider -n 2 --dist loadgroup

test-fast: $(STAMP)  ## the quick subset (no slow multi-process or render suites)
	$(BIN)/python -m pytest -q -p no:cacheprovider -m "not slow" -n 2 --dist loadgroup

format: $(STAMP)
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

bench: $(STAMP)
	$(BIN)/python bench/engine.py
	$(BIN)/python bench/api_load.py
	$(BIN)/python bench/pickup_latency.py

clean:
	rm -rf $(VENV) .editbay
