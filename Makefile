# Two commands do all set-up: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
APT_PACKAGES := chromium poppler-utils shellcheck fonts-dejavu-core wrk

.PHONY: run test install install-dev system-deps translations lint bench clean demo-reset

$(BIN)/activate:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

install: $(BIN)/activate
	$(BIN)/pip install -q -r requirements.txt
	$(MAKE) translations

install-dev: install
	$(BIN)/pip install -q -r requirements-dev.txt

# Debian packages the tests and benchmarks need (browser tests, PDF rasterising, shell linting,
# wrk for the kiosk load benchmark).
system-deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

translations: $(BIN)/activate
	$(BIN)/pybabel compile -d bansos_app/translations --statistics

run: install
	$(FLASK) db upgrade
	$(FLASK) bansos demo-data --if-empty
	BIN=$(BIN) ./scripts/run-dev.sh   # the web server and the task queue's worker

# Fresh demo data on SQLite: the old database is kept aside as instance/bansos.db.old.
demo-reset: install
	@if [ -f instance/bansos.db ]; then mv instance/bansos.db instance/bansos.db.old; fi
	$(FLASK) db upgrade
	$(FLASK) bansos demo-data

test: install-dev system-deps
	$(BIN)/pytest

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: install-dev system-deps
	$(BIN)/python -m bench.run
	$(BIN)/python -m bench.slow_network
	$(BIN)/python -m bench.issue7
	DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bansos_bench $(BIN)/python -m bench.rule_preview
	$(BIN)/python -m bench.penetapan
	$(BIN)/python -m bench.kiosk_wrk
	$(BIN)/python -m bench.issuance
	$(BIN)/python -m bench.redeem
	$(BIN)/python -m bench.slips
	$(BIN)/python -m bench.tickets

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
