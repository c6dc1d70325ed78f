# The two commands: `make serve` and `make test`. Each installs what it needs.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: serve test lint typecheck unit bench emulator schema system-packages clean

serve: $(STAMP)
	$(BIN)/partnergraph serve

emulator: $(STAMP)
	$(BIN)/partnergraph emulator

test: $(STAMP) system-packages
	$(BIN)/ruff check partnergraph tests bench
	$(BIN)/ruff format --check partnergraph tests bench
	$(BIN)/mypy
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python -m bench

schema: $(STAMP)
	$(BIN)/partnergraph export-schema > schema.graphql

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

# Debian packages the tests drive for real: headless Chromium.
system-packages:
	@command -v chromium >/dev/null || { \
		test -n "$$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -print -quit)" || apt-get update; \
		DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium \
		|| { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium; }; }

clean:
	rm -rf $(VENV) build *.egg-info
