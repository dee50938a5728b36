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

.PHONY: run test install translations extract-messages chromium bench clean

run: install translations
	$(FLASK) db upgrade
	$(FLASK) demo load --if-empty
	$(FLASK) search reindex --if-missing
	@echo "Kotae is serving on http://$(HOST):$(PORT)"
	$(VENV)/bin/gunicorn --workers $(WORKERS) --bind $(HOST):$(PORT) --access-logfile - wsgi:app

test: install translations chromium
	$(PY) -m pytest

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

# Browser tests drive Debian's Chromium; install it when missing and we may (CI runs as root).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; \
	  else echo "chromium not found and not root: browser tests will be skipped"; fi; }

bench: install translations
	@command -v wrk >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y wrk; }
	$(PY) bench/pages.py

clean:
	rm -rf $(VENV) instance $(COMPILED)
