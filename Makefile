# The two commands: `make serve` and `make test`. Each installs what it needs: `make serve`
# the runtime dependencies only, `make test` the development tools as well.

PYTHON ?= python3
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

.PHONY: serve test lint typecheck unit bench emulator schema codegen generate-clients system-packages bench-packages clean

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

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(CODEGEN_STAMP): requirements-codegen.txt
	test -x $(CODEGEN_VENV)/bin/python || $(PYTHON) -m venv $(CODEGEN_VENV)
	$(CODEGEN_VENV)/bin/python -m pip install --quiet -r requirements-codegen.txt
	touch $@

# The package and its runtime dependencies.
$(RUNTIME): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

# The development tools on top: tests, type checking, linting.
$(STAMP): $(RUNTIME)
	$(BIN)/python -m pip install --quiet -e '.[dev]'
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
	rm -rf $(VENV) $(CODEGEN_VENV) node_modules build *.egg-info
