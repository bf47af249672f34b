# Two commands on a fresh machine:
#   make run   — install, migrate the SQLite database in instance/, load the demo, serve it
#   make test  — install what the tests need and run the whole suite (SQLite, PostgreSQL,
#                Chromium)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app wsgi
PORT   ?= 8000

.PHONY: run test install install-test translations system-deps clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.test: requirements-test.txt requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements-test.txt
	touch $@

install: $(VENV)/.runtime translations

install-test: $(VENV)/.test translations

translations: $(VENV)/.runtime
	$(BIN)/pybabel -q compile -d tinnhiem/translations

run: install
	$(FLASK) db upgrade
	$(FLASK) demo load
	@echo "Tín nhiệm: http://127.0.0.1:$(PORT)/"
	PORT=$(PORT) $(BIN)/gunicorn -c deploy/gunicorn.conf.py wsgi:app

system-deps:
	@bash scripts/system-deps.sh

# One pytest worker a core (at most four: each starts its own PostgreSQL and Chromium); a
# test module runs whole on one worker, so its fixtures are made once.
TEST_WORKERS ?= auto
test: install-test system-deps
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --maxprocesses 4 --dist loadfile

clean:
	rm -rf $(VENV) .pytest_cache
