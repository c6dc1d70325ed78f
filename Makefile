# The two commands: `make serve` and `make test`. Each installs what it needs: `make serve`
# the runtime dependencies only, `make test` the development tools as well.

PYTHON ?= python3
# uv installs every environment from a lock: uv.lock for .venv, requirements-codegen.txt (hashes
# included) for .venv-codegen. It is itself pinned, and installed into .uv/ (a plain folder: uv is
# one binary, and a virtual environment for it would cost seconds more).
UV_VERSION := 0.13.10
UV_HOME := .uv
UV := $(UV_HOME)/bin/uv
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON := $(PYTHON)
VENV := .venv
BIN := $(VENV)/bin
RUNTIME := $(VENV)/.runtime
STAMP := $(VENV)/.installed
# The typed clients' generators: GraphQL Code Generator (npm) and ariadne-codegen, which needs an
# older graphql-core than the app and so has a virtual environment of its own.
ROOT := $(patsubst %/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST)))))
NODE_STAMP := node_modules/.installed
CODEGEN_VENV := .venv-codegen
CODEGEN_STAMP := $(CODEGEN_VENV)/.installed

.PHONY: serve test lock lint typecheck unit bench emulator schema codegen generate-clients system-packages bench-packages clean

serve: $(RUNTIME)
	$(BIN)/partnergraph serve

emulator: $(RUNTIME)
	$(BIN)/partnergraph emulator

test: $(STAMP) $(NODE_STAMP) $(CODEGEN_STAMP) system-packages
	$(BIN)/ruff check partnergraph tests bench
	$(BIN)/ruff format --check partnergraph tests bench
	$(BIN)/mypy
	$(BIN)/pytest

bench: $(STAMP) bench-packages
	$(BIN)/python -m bench

schema: $(RUNTIME)
	$(BIN)/partnergraph export-schema > schema.graphql

codegen: $(NODE_STAMP) $(CODEGEN_STAMP)
	$(MAKE) --no-print-directory generate-clients

# Writes the clients and the trusted-documents manifest from the current directory's
# schema.graphql and queries/; tests/codegen runs it in a copy to find stale files.
generate-clients:
	rm -rf clients/typescript clients/python/partnergraph_client
	mkdir -p clients/python
	$(ROOT)/node_modules/.bin/graphql-codegen --config codegen.ts --silent
	$(ROOT)/$(CODEGEN_VENV)/bin/ariadne-codegen client --config ariadne-codegen.toml > /dev/null

# Refreshes the locks on purpose, to the newest versions pyproject.toml and requirements-codegen.in
# allow; the next `make serve` or `make test` installs from them.
lock: $(UV)
	$(UV) lock --upgrade
	$(UV) pip compile --quiet --upgrade --generate-hashes --python-version 3.11 \
		--output-file requirements-codegen.txt requirements-codegen.in

$(UV):
	$(PYTHON) -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --target $(UV_HOME) uv==$(UV_VERSION)

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(CODEGEN_STAMP): requirements-codegen.txt $(UV)
	$(UV) venv --quiet --allow-existing $(CODEGEN_VENV)
	$(UV) pip sync --quiet --python $(CODEGEN_VENV)/bin/python --require-hashes requirements-codegen.txt
	touch $@

# The package and its runtime dependencies, as locked.
$(RUNTIME): pyproject.toml uv.lock $(UV)
	$(UV) sync --quiet --frozen --inexact
	touch $@

# The development tools on top: tests, type checking, linting.
$(STAMP): $(RUNTIME)
	$(UV) sync --quiet --frozen --inexact --extra dev
	touch $@

# Debian packages the tests drive for real: headless Chromium, jq for the README's examples, and a redis-server
# the tests start. The benchmarks' own: wrk, a load generator one server process cannot outrun, and
# redis-server for bench.shared_state. Each package is named as the command it installs.
system-packages: PACKAGES := chromium jq redis-server
bench-packages: PACKAGES := wrk redis-server
system-packages bench-packages:
	@missing=$$(for command in $(PACKAGES); do command -v $$command >/dev/null || echo $$command; done); \
	test -z "$$missing" || { \
		test -n "$$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -print -quit)" || apt-get update; \
		DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $$missing \
		|| { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $$missing; }; }

clean:
	rm -rf $(VENV) $(CODEGEN_VENV) $(UV_HOME) node_modules build *.egg-info
