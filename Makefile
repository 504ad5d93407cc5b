# wijkradar — the two commands a newcomer runs: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DATA   ?= $(or $(WIJKRADAR_DATA),../shared/data)
DATASET ?= $(or $(WIJKRADAR_DATASET),wijkradar-data)

.PHONY: install demo test lint bench lock golden clean

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) tools/check_lock.py requirements.lock
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

# Every benchmark script (benchmarks/bench_*.py), each printing its figures beside its baseline.
BENCHES := $(sort $(wildcard benchmarks/bench_*.py))
bench: install
	@set -e; for b in $(BENCHES); do echo "== $$b"; $(BIN)/python $$b; done

# Golden outputs (tests/golden/, compared by tests/test_golden.py): rewrite them only for an
# intended change, and name it in CHANGELOG.md.
golden: install
	$(BIN)/python tools/golden.py --update

# The validation report (docs/validation.md + docs/validation/*.svg, compared byte for byte by
# tests/test_validation_doc.py): builds the dataset from $(DATA), then regenerates the report.
# Run it after a change to the rules, the analysis or the data, and commit the result.
.PHONY: validation
validation: install
	$(BIN)/wijkradar build --data $(DATA) --out $(DATASET)
	$(BIN)/wijkradar validate --dataset $(DATASET) --output docs/validation.md

# The lock: pins of every package the extras need, name==version only (tools/check_lock.py).
# Regenerate after changing pyproject.toml: `make lock` keeps the current pins where they still
# fit; `make lock UPGRADE=1` moves every pin to the newest release.
PIP_TOOLS := pip-tools==7.6.2
lock:
	test -x $(BIN)/pip || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet $(PIP_TOOLS)
	CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile --quiet $(if $(UPGRADE),--upgrade) --extra web --extra report --extra dev \
	  --strip-extras --no-emit-index-url --no-emit-find-links --no-emit-trusted-host \
	  --output-file requirements.lock pyproject.toml
	$(PYTHON) tools/check_lock.py requirements.lock

clean:
	rm -rf $(VENV) $(DATASET) .pytest_cache
