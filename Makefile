# Project commands; see README.md "Commands".  Odoo is found through
# ODOO_HOME (default /opt/odoo) and ODOO_PYTHON (default
# /opt/odoo-venv/bin/python).
SHELL := /bin/bash
.DEFAULT_GOAL := help

# optional overrides:  make run DB=mydb   make tpch SF=0.1 DB=tpch01
DB ?=
SF ?=
UNTIL ?=
TEST_DB ?=

.PHONY: help run test lint test-offline fix tpch bench clean

help:
	@echo "make run           create/update the demo database and serve Odoo on http://127.0.0.1:8069 (DB=...)"
	@echo "make test          whole suite: lint, Odoo-free tests, Odoo install + tests (TEST_DB=...)"
	@echo "make lint          ruff check, ruff format --check, pylint_odoo"
	@echo "make test-offline  lint + pytest tests/ (no Odoo, no database)"
	@echo "make fix           apply ruff fixes and formatting"
	@echo "make tpch          TPC-H comparison (SF=..., DB=..., UNTIL=yyyy-mm-dd)"
	@echo "make bench         benchmark (DB=...)"
	@echo "make clean         remove generated files (keeps databases, filestore, master password)"

run:
	$(if $(DB),DB="$(DB)") bash scripts/run.sh

test:
	$(if $(TEST_DB),TEST_DB="$(TEST_DB)") TIERS="lint offline odoo" bash scripts/test.sh

lint:
	TIERS="lint" bash scripts/test.sh

test-offline:
	TIERS="lint offline" bash scripts/test.sh

fix:
	source scripts/odoo_env.sh --tools-only && \
	"$$ODOO_PYTHON" -m ruff check --fix addons scripts tests && \
	"$$ODOO_PYTHON" -m ruff format addons scripts tests

tpch:
	bash scripts/tpch.sh $(if $(SF),SF="$(SF)") $(if $(DB),DB="$(DB)") $(if $(UNTIL),UNTIL="$(UNTIL)")

bench:
	bash scripts/bench.sh $(if $(DB),DB="$(DB)")

clean:
	rm -rf .run/logs .run/screenshots .run/odoo.conf .run/requirements*.txt \
		.run/requirements.stamp .pytest_cache .ruff_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
	find . -name '*.py[co]' -delete
