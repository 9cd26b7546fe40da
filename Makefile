# NVOS Kodning: `make run` starts the demo on SQLite, `make test` runs every test.
SHELL := /bin/sh
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-fast lint messages check-deploy bench load clean setup browser-deps

$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || $$(scripts/find-python) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

setup: $(VENV)/.installed

## Set up, migrate, create the demo study and start the app at http://127.0.0.1:8000 (SQLite).
run: setup
	DEBUG=1 $(PY) manage.py migrate --no-input
	DEBUG=1 $(PY) manage.py seed_demo
	@echo "Öppna http://$(HOST):$(PORT)/ och logga in med en av demoinloggningarna ovan."
	DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

## Set up and run the whole suite (DATABASE_URL when set, SQLite otherwise), browser tests included.
test: setup browser-deps
	$(PY) -m pytest $(PYTEST_ARGS)

## Without the browser tests.
test-fast: setup
	$(PY) -m pytest -m "not browser" $(PYTEST_ARGS)

# Browser tests use Debian's Chromium; install it when missing and we may (root).
browser-deps:
	@if [ ! -x /usr/bin/chromium ] && [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
	  echo "Installerar chromium för webbläsartesterna…"; \
	  (apt-get install -y -qq chromium chromium-driver >/dev/null 2>&1 || \
	   (apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq chromium chromium-driver >/dev/null 2>&1)) || \
	  echo "Kunde inte installera chromium; webbläsartesterna hoppas över med en förklaring."; \
	fi

lint: setup
	$(VENV)/bin/ruff check .

messages: setup
	DEBUG=1 $(PY) manage.py makemessages -l sv --no-obsolete --ignore='.venv/*' --ignore='tests/*' --ignore='bench/*'
	DEBUG=1 $(PY) manage.py compilemessages -l sv --ignore='.venv/*'

check-deploy: setup
	DEBUG=0 SECRET_KEY=$$(head -c 48 /dev/urandom | base64) ALLOWED_HOSTS=nvos.example.se \
	  $(PY) manage.py check --deploy --fail-level WARNING

## Benchmarks on PostgreSQL (see bench/README.md); DATABASE_URL must point at a scratch database.
bench: setup
	$(PY) bench/run.py --make

load: setup
	$(PY) bench/load.py

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-* staticfiles
