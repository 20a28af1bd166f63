# Two commands: `make run` (set up, ingest the sample corpus, start) and `make test`.
# `make check` is the quick loop while working: lint and every test not marked slow.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.yttra-installed
BENCH_STAMP := $(VENV)/.yttra-bench-installed
SAMPLE := data/sample-corpus

export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False
export GRADIO_ANALYTICS_ENABLED := False

.PHONY: setup run check test lint browser office bench clean

# requirements.lock pins every version; as constraints it lets each target install only
# what it needs: the app and its dev tools here, the benchmark's baseline for `make bench`.
$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# CPU torch first: an unpinned torch would pull several GB of CUDA wheels.
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -c requirements.lock -e ".[dev]"
	touch $(STAMP)

$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -c requirements.lock -e ".[dev,bench]"
	touch $(BENCH_STAMP)

setup: $(STAMP)

run: setup
	$(BIN)/yttra ingest --if-empty $(SAMPLE)
	$(BIN)/yttra serve

lint: setup
	$(BIN)/ruff check .
	$(BIN)/mypy

# Debian's Chromium for the browser tests (Playwright's own download needs the internet).
browser:
	test -x /usr/bin/chromium || { \
	  sudo=$$([ "$$(id -u)" -eq 0 ] || command -v sudo); \
	  $$sudo apt-get update && $$sudo apt-get install -y chromium chromium-driver; \
	} || { echo "Chromium saknas och kunde inte installeras (apt-get install chromium chromium-driver)" >&2; exit 1; }

# LibreOffice exports Word documents to PDF for the recommendation shape tests, as Word does.
office:
	command -v soffice >/dev/null || { \
	  sudo=$$([ "$$(id -u)" -eq 0 ] || command -v sudo); \
	  $$sudo apt-get update && $$sudo apt-get install -y libreoffice-writer-nogui; \
	} || { echo "LibreOffice saknas och kunde inte installeras (apt-get install libreoffice-writer-nogui)" >&2; exit 1; }

check: lint
	$(BIN)/pytest -m "not slow"

test: lint browser office
	$(BIN)/pytest

bench: $(BENCH_STAMP)
	$(BIN)/python bench/retrieval.py --corpus $(SAMPLE) --eval tests/fixtures/eval/retrieval.jsonl

clean:
	rm -rf $(VENV) data/store .mypy_cache .ruff_cache .pytest_cache
