# Two commands on a fresh machine: `make run` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501

.PHONY: run test install install-dev install-transformers migrate lint typecheck bench bench-scale clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

# The optional transformer extra needs a CPU-only torch wheel ("+cpu"): present on the team's and
# CI's machines, absent from plain PyPI. Where pip cannot find one, nothing is installed, the
# transformer tests skip with the reason, and `make test` goes on (CI sets VOC_REQUIRE_TRANSFORMERS).
$(VENV)/.installed-transformers: requirements-transformers.txt | $(VENV)/.installed-dev
	@if $(BIN)/python -m pip install --quiet -r requirements-transformers.txt > $(VENV)/transformers-install.log 2>&1; \
	then touch $@; else echo "note: the transformer extra is not installable here (no CPU-only torch wheel;" \
	"see $(VENV)/transformers-install.log): its tests will skip"; fi

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

install-transformers: $(VENV)/.installed-transformers

migrate: install
	$(BIN)/python -m voc migrate

## run: install, migrate, start the listeners and the app on 127.0.0.1; Ctrl-C stops both
run: migrate
	@echo "Open http://127.0.0.1:$(PORT)  (listeners and app running; Ctrl-C stops both)"
	@$(BIN)/python -m listeners & listeners=$$!; \
	trap 'kill -TERM $$listeners 2>/dev/null; wait $$listeners' EXIT INT TERM; \
	$(BIN)/python -m ui.serve --server.address=127.0.0.1 --server.port=$(PORT)

## test: install dev dependencies (and the transformer extra where it can be) and run every test
## (browser tests skip without Chromium, transformer tests without the extra), on TEST_WORKERS
## processes (pytest-xdist; a module's tests, and all browser tests, stay on one worker)
TEST_WORKERS ?= 2
test: install-dev install-transformers
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install-dev
	$(BIN)/mypy

bench: install-dev
	$(BIN)/python bench/pipeline.py
	$(BIN)/python bench/language.py
	$(BIN)/python bench/themes.py
	$(BIN)/python bench/privacy.py
	$(BIN)/python bench/sources.py
	$(BIN)/python bench/redaction.py
	$(BIN)/python bench/scale.py
	$(BIN)/python bench/inbox.py
	$(BIN)/python bench/trends.py

## bench-scale: the issue #21 run, a million items on each database (about an hour on 2 cores)
bench-scale: install-dev
	$(BIN)/python bench/scale.py --items 1000000

clean:
	rm -rf $(VENV)
