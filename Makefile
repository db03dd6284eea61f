# ExamEngine developer commands. `make run` and `make test` work on a fresh clone.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app wsgi
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: run test install install-dev translations db demo chromium lint bench extract-messages clean

run: install translations db demo  ## Set up and serve on http://127.0.0.1:5000 (SQLite, demo data)
	$(FLASK) run --host $(HOST) --port $(PORT)

test: install-dev translations chromium  ## Set up and run the whole test suite
	$(BIN)/pytest $(PYTEST_ARGS)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# The stamp files re-run pip only when the dependencies change.
$(VENV)/.installed: setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

translations: install  ## Compile the message catalogs (the .mo files are not committed)
	$(BIN)/pybabel compile --use-fuzzy -d examengine/translations

extract-messages: install  ## Refresh messages.pot and merge it into the catalogs
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k pgettext:1c,2 -k N_ -k Np_:1,2 -o examengine/translations/messages.pot .
	$(BIN)/pybabel update -i examengine/translations/messages.pot -d examengine/translations --no-fuzzy-matching

db: install
	$(FLASK) db upgrade

demo: install  ## Demo accounts (passwords printed) and the sample banks
	$(FLASK) banks import question_banks/
	$(FLASK) demo accounts
	$(FLASK) demo exam

chromium:  ## The system Chromium for the browser tests
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq chromium; }

lint: install-dev
	$(BIN)/ruff check examengine tests bench

bench: install-dev
	$(BIN)/python bench/bank_check.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
