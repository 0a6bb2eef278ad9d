# Waterworks ERP — `make run` serves the app and its job worker with demo data; `make test` runs every check.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi:app
MARIADB_HOST ?= 127.0.0.1
MARIADB_PORT ?= 3306

.PHONY: run reset-admin test install install-test constraints translations extract-messages system-deps mariadb lint test-sqlite test-mariadb clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(VENV)/.installed
# Every dependency comes in the version pinned in constraints.txt (the image installs the same).
$(VENV)/.installed: $(BIN)/python setup.cfg pyproject.toml constraints.txt
	$(BIN)/pip install --quiet -c constraints.txt -e .
	# A Nanum TrueType font from PyPI for machines without Debian's fonts-nanum (PDFs need one).
	$(BIN)/pip install --quiet -c constraints.txt --no-deps koreanize-matplotlib
	touch $@

install-test: $(VENV)/.installed-test
$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test]'
	touch $@

# Pin what the venv holds now (after an upgrade made on purpose: `pip install -U name`, then the tests).
constraints: install-test
	{ echo "# Every dependency pinned: make install, make install-test and the Dockerfile install with"; \
	  echo "# \`pip install -c constraints.txt\`. Regenerated from the venv by \`make constraints\` (pip freeze)."; \
	  $(BIN)/pip freeze --exclude-editable; } > constraints.txt

translations: install
	$(BIN)/pybabel compile -d erp/translations -D messages >/dev/null

extract-messages: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k N_ -k Nn_:1,2 --no-location --sort-output -o erp/translations/messages.pot .
	$(BIN)/pybabel update -i erp/translations/messages.pot -d erp/translations --no-fuzzy-matching

run: install translations
	$(BIN)/flask db upgrade
	$(BIN)/flask erp setup
	$(BIN)/flask erp demo --if-empty
	@echo
	@echo "Waterworks ERP is starting on http://127.0.0.1:8000 — log in as 'admin' with the password printed above"
	@echo "(demo passwords are shown once; 'make reset-admin' prints a new one). Stop with Ctrl-C."
	@echo "The web server and the job worker (bill runs, printed batches, relays, reminders) run together."
	ERP_BIND=127.0.0.1:8000 PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start -f Procfile

reset-admin: install
	$(BIN)/flask erp reset-password admin

# Debian packages the tests need: Chromium for the browser tests, Nanum fonts (Hangul in PDFs
# and screenshots), poppler-utils (pdffonts), prometheus (promtool checks /metrics, and a real
# Prometheus scrapes a test server), nginx (the local deployments' proxy and gateway). Installed only
# when missing and running as root.
system-deps:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	[ -x /usr/sbin/nginx ] || missing="$$missing nginx"; \
	command -v taskset >/dev/null || missing="$$missing util-linux"; \
	[ -f /usr/share/fonts/truetype/nanum/NanumGothic.ttf ] || missing="$$missing fonts-nanum"; \
	command -v pdffonts >/dev/null || missing="$$missing poppler-utils"; \
	{ command -v promtool >/dev/null && command -v prometheus >/dev/null; } || missing="$$missing prometheus"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "Missing Debian packages:$$missing (run as root or install them)"; exit 1; \
	  fi; \
	fi

# MariaDB must answer on $(MARIADB_HOST):$(MARIADB_PORT); start it when it does not, fail loudly
# when it still does not.
mariadb: install
	@if ! $(BIN)/python -c "import pymysql; pymysql.connect(host='$(MARIADB_HOST)', port=$(MARIADB_PORT), user='root', connect_timeout=2).close()" 2>/dev/null; then \
	  echo "Starting MariaDB …"; \
	  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd || true; \
	  for i in $$(seq 1 60); do \
	    $(BIN)/python -c "import pymysql; pymysql.connect(host='$(MARIADB_HOST)', port=$(MARIADB_PORT), user='root', connect_timeout=2).close()" 2>/dev/null && break; \
	    sleep 1; \
	  done; \
	  $(BIN)/python -c "import pymysql; pymysql.connect(host='$(MARIADB_HOST)', port=$(MARIADB_PORT), user='root', connect_timeout=2).close()" \
	    || { echo "ERROR: MariaDB does not answer on $(MARIADB_HOST):$(MARIADB_PORT)"; exit 1; }; \
	fi

lint: install-test
	# Undefined names, unused variables and imports (pyflakes' rules): mistakes tests can miss.
	$(BIN)/ruff check --select F --target-version py311 erp plugins bench tests wsgi.py
	$(BIN)/lint-imports --no-cache
	$(BIN)/bandit -q -r erp plugins wsgi.py deploy bench
	$(BIN)/hadolint Dockerfile

test-sqlite: install-test translations system-deps
	ERP_TEST_DB=sqlite $(BIN)/pytest -p no:cacheprovider --durations=20

test-mariadb: install-test translations system-deps mariadb
	ERP_TEST_DB=mariadb $(BIN)/pytest -p no:cacheprovider --durations=20

test: lint test-sqlite test-mariadb

clean:
	rm -rf $(VENV) instance *.egg-info
