# wijkradar — the two commands a newcomer runs: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DATA   ?= $(or $(WIJKRADAR_DATA),../shared/data)
DATASET ?= $(or $(WIJKRADAR_DATASET),wijkradar-data)

.PHONY: install demo test lint bench clean

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c requirements.lock -e '.[web,report,dev]'
	touch $(STAMP)

install: $(STAMP)

PORT ?= $(or $(WIJKRADAR_PORT),8000)

demo: install
	$(BIN)/wijkradar demo --data $(DATA) --dataset $(DATASET) --port $(PORT)

test: install
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check src tests benchmarks

bench: install
	$(BIN)/python benchmarks/bench_build.py
	$(BIN)/python benchmarks/bench_signals.py
	$(BIN)/python benchmarks/bench_spatial.py

clean:
	rm -rf $(VENV) $(DATASET) .pytest_cache
