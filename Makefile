# Dastyar — the operator's commands. `make help` lists them.
PYTHON ?= python3
export DASTYAR_VENV_ROOT ?= $(CURDIR)/.venv
APP_PY := $(DASTYAR_VENV_ROOT)/app/bin/python
RASA_PY := $(DASTYAR_VENV_ROOT)/rasa/bin/python
export PYTHONPATH := $(CURDIR)
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help install run train evaluate check test test-fast test-app test-rasa lint lint-only format bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

install: ## create or update both environments (idempotent; only what changed)
	@$(PYTHON) -m assistant.bootstrap

run: install ## train if needed and start the whole assistant (Ctrl-C stops it)
	@$(APP_PY) -m assistant run

train: install ## train the Rasa model
	@$(APP_PY) -m assistant train

evaluate: install ## NLU and story reports, and the frozen blind question set end to end, under results/
	@$(APP_PY) -m assistant train
	@$(APP_PY) -m assistant evaluate --out results
	@$(RASA_PY) -m pytest tests/evaluation/test_nlu_quality.py -p no:cacheprovider -W ignore::pytest.PytestConfigWarning
	@$(APP_PY) -m assistant evaluate questions --set data/knowledge-eval/blind.jsonl --out results

check: ## health of every running component
	@$(APP_PY) -m assistant check

browser: ## install Debian's Chromium for the browser tests (when missing)
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium chromium-driver)
.PHONY: browser

test: install browser ## install what is missing, train if needed, lint, and run every test
	@$(APP_PY) -m assistant train
	@$(MAKE) --no-print-directory lint-only test-app test-rasa

# Tests share one folder of built search indexes (vectors cached by content), so each test's
# fresh backend does not embed the whole catalogue again.
test-fast test-app test-rasa: export DASTYAR_KNOWLEDGE_CACHE_DIR ?= $(HOME)/.cache/dastyar/knowledge-index

# The app env's tests; the Rasa env's (test-rasa) are left out.
APP_TESTS := tests --ignore=tests/actions --ignore=tests/evaluation --ignore=tests/nlu/components --ignore=tests/rasa_plugins
# Markers registered in pyproject.toml; test-fast leaves these out, test-app runs them all.
FAST_SKIPS := not postgres and not e2e and not browser and not slow

test-fast: ## unit and API tests on SQLite, in parallel: no PostgreSQL, Rasa, browser or stack
	@$(APP_PY) -m pytest $(APP_TESTS) -m "$(FAST_SKIPS)" -n auto --dist loadscope $(PYTEST_ARGS)

# The rest runs in parallel; whole stacks and browsers then run one at a time: each starts several
# processes of its own (Rasa, backend, gateway, Chromium).
STACK_TESTS := e2e or browser

test-app: ## tests that run in the app env (backend, knowledge, connectors, CLI, end to end)
	@$(APP_PY) -m pytest $(APP_TESTS) -m "not ($(STACK_TESTS))" -n auto --dist loadscope $(PYTEST_ARGS)
	@$(APP_PY) -m pytest $(APP_TESTS) -m "$(STACK_TESTS)" $(PYTEST_ARGS)

test-rasa: ## tests that run in the Rasa env (actions, NLU and dialogue quality)
	@$(RASA_PY) -m pytest tests/actions tests/nlu/components tests/rasa_plugins tests/evaluation/test_stories.py tests/evaluation/test_nlu_quality.py -m "not target" -p no:cacheprovider -W ignore::pytest.PytestConfigWarning $(PYTEST_ARGS)

lint: install ## ruff (lint and format check) and mypy
	@$(MAKE) --no-print-directory lint-only

lint-only:
	@$(APP_PY) -m ruff check .
	@$(APP_PY) -m ruff format --check .
	@$(APP_PY) -m mypy

format: install ## apply ruff's formatting and safe fixes
	@$(APP_PY) -m ruff format .
	@$(APP_PY) -m ruff check --fix .

bench: install ## backend throughput and latency (SQLite and PostgreSQL)
	@$(APP_PY) bench/backend.py

clean: ## remove trained models, logs and local data (keeps the environments)
	rm -rf models var results
