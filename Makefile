# linli: `make run` serves the platform with a demo community, `make test` runs the whole suite.
# `make help` lists every target. Needs GNU make, bash and Python >= 3.11; nothing else.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
LINLI := $(PY) -m linli
EXTRAS ?= test,face
# Test processes (pytest-xdist): one per core by default; TEST_WORKERS=0 runs in this process.
TEST_WORKERS ?= auto
# pip runs only when pyproject.toml or EXTRAS changed: the stamp's name carries a hash of both.
STAMP := $(VENV)/.linli-deps-$(shell { sha256sum pyproject.toml; echo '$(EXTRAS)'; } | sha256sum | cut -c1-16)
# The first Python >= 3.11 on PATH; `make run PYTHON=python3.12` picks another.
PYTHON ?= $(shell for p in python3 python3.13 python3.12 python3.11; do \
	$$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && { command -v $$p; break; }; done)

export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: help install run test lint bench migrate clean clean-data

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-11s %s\n", $$1, $$2}'

$(PY):
	@test -n "$(PYTHON)" || { echo "linli needs Python >= 3.11 on PATH (python3, python3.12, ...)" >&2; exit 1; }
	@echo "==> creating $(VENV) with $(PYTHON) ($$($(PYTHON) --version))"
	@$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); \
		echo "could not create $(VENV); on Debian/Ubuntu: apt-get install python3-venv" >&2; exit 1; }

$(STAMP): | $(PY)
	@echo "==> installing linli[$(EXTRAS)] into $(VENV)"
	$(PY) -m pip install --quiet -e ".[$(EXTRAS)]"
	@rm -f $(VENV)/.linli-deps-* && touch $@

install: $(STAMP) ## create .venv and install linli with its dependencies (again only if pyproject.toml or EXTRAS changed)

run: install ## set up, migrate, load the demo community and serve http://127.0.0.1:8000
	$(LINLI) migrate --noinput
	$(LINLI) seed_demo
	$(LINLI) serve

test: install ## run the whole suite in parallel; ARGS="linli/registry -x" narrows it, DATABASE_URL=postgres://... for PostgreSQL
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile $(ARGS)

lint: install ## ruff check, ruff format --check, mypy (services, queries, core) and the layer contracts (import-linter)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy
	$(VENV)/bin/lint-imports

bench: install ## run every bench/*.py, one JSON line per figure; ONLY=registry runs bench/registry*.py, ARGS="--scale 0.01" is passed to each
	@set -- bench/$(or $(ONLY),[!_])*.py; \
	[ -e "$$1" ] || { echo "no benchmark matches bench/$(or $(ONLY),[!_])*.py" >&2; exit 1; }; \
	for bench in "$$@"; do echo "==> $$bench" >&2; $(PY) "$$bench" $(ARGS); done

migrate: install ## apply database migrations
	$(LINLI) migrate --noinput

clean: ## remove build outputs and caches (keeps .venv and var/)
	rm -rf build dist *.egg-info .pytest_cache .ruff_cache .mypy_cache
	find . -path ./$(VENV) -prune -o -type d -name __pycache__ -prune -exec rm -rf {} +

clean-data: ## delete var/: the embedded database, uploads, secret key and key ring (irreversible)
	@if [ -n "$${DATABASE_URL:-}" ]; then \
		echo "refusing: DATABASE_URL is set, and var/keyring.json is what decrypts that database" >&2; exit 1; fi
	rm -rf var
