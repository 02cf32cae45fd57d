# Every target creates .venv and installs what it needs on a fresh clone.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LOCAL_STAMP := $(VENV)/.installed-local

.PHONY: setup setup-local system-deps demo test lint bench bench-quick serve clean

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

setup: $(STAMP)

setup-local: $(LOCAL_STAMP)

# Headless Chromium opens the HTML trace page in tests/integration/test_trace_sink.py.
# Tesseract OCR (English, German, French) reads scans and images in ingestion (nodes/_ocr.py).
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

test: setup-local system-deps lint
	$(BIN)/python -m pytest -q -rs

serve: setup
	LANGGRAPH_CLI_NO_ANALYTICS=1 LANGGRAPH_NO_VERSION_CHECK=true LANGSMITH_TRACING=false \
		$(BIN)/langgraph dev --no-reload --no-browser --port $${PORT:-2024} --config langgraph.json

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
	rm -rf $(VENV) .overture .pytest_cache
