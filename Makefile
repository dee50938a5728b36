# Kotae: `make run` serves the site, `make test` runs the whole suite.
# Both create the virtualenv and install on first use.

PYTHON ?= python3
VENV ?= .venv
HOST ?= 127.0.0.1
PORT ?= 5000
WORKERS ?= 2
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app wsgi
CATALOGS := $(wildcard forum/translations/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGS:.po=.mo)

TEST_PROCS ?= auto
PYTEST := $(PY) -m pytest -n $(TEST_PROCS)

.PHONY: run test test-sqlite test-postgresql install translations extract-messages system-packages bench clean

run: install translations
	$(FLASK) db upgrade
	$(FLASK) demo load --if-empty
	$(FLASK) search reindex --if-missing
	@echo "Kotae is serving on http://$(HOST):$(PORT)"
	$(VENV)/bin/gunicorn --workers $(WORKERS) --bind $(HOST):$(PORT) --access-logfile - wsgi:app

# The whole suite on SQLite, then again on a throw-away PostgreSQL cluster when PostgreSQL can be had.
test: test-sqlite test-postgresql

test-sqlite: install translations system-packages
	$(PYTEST) --database=sqlite

test-postgresql: install translations system-packages
	@reason=$$($(PY) -c 'from tests.pgcluster import unavailable_reason; print(unavailable_reason() or "")'); \
	if [ -n "$$reason" ]; then echo "PostgreSQL run skipped: $$reason"; \
	else echo "Running the suite again on PostgreSQL"; $(PYTEST) --database=postgresql; fi

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

translations: install $(COMPILED)

%.mo: %.po
	$(VENV)/bin/pybabel compile --use-fuzzy -i $< -o $@

# Re-extract user-facing strings after changing templates or code, then translate forum/translations/ja.
extract-messages: install
	$(VENV)/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext --project Kotae --no-location --ignore-dirs '.*' -o forum/translations/messages.pot .
	$(VENV)/bin/pybabel update -i forum/translations/messages.pot -d forum/translations --no-fuzzy-matching

# What the tests need from Debian: Chromium (browser tests), PostgreSQL (the second run of the suite) and Redis
# (shared rate limits). Installed when missing and we may (CI runs as root), with one apt-get update.
system-packages:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	{ command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; } \
	  || missing="$$missing postgresql postgresql-contrib"; \
	command -v redis-server >/dev/null 2>&1 || missing="$$missing redis-server"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $$missing; \
	  else echo "not installed:$$missing (not root): the tests that need them will be skipped"; fi; \
	fi

bench: install translations
	@command -v wrk >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y wrk; }
	$(PY) bench/pages.py

clean:
	rm -rf $(VENV) instance $(COMPILED)
