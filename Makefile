# The one task runner: CI calls these same targets.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 32500
# A second plex-api-client release for the compatibility suite; one environment holds one
# release, so this one goes to its own folder (tests/test_compat_plex_api_client.py).
SDK036 := plex-api-client==0.36.3

.PHONY: test serve lint bench clean

# Create the virtualenv and install mockplex with its test and lint tools;
# redone only when the package metadata changes.
$(STAMP): setup.cfg pyproject.toml Makefile
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[intercept,test,lint]'
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps \
		--target $(VENV)/plex-api-client-0.36 --upgrade '$(SDK036)'
	touch $(STAMP)

# Two workers (pytest-xdist): faster on two cores, and it proves every worker's mock is
# its own. PYTEST_ARGS="-n 0" runs serially.
test: $(STAMP)
	$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

serve: $(STAMP)
	$(BIN)/mockplex serve --port $(PORT)

lint: $(STAMP)
	$(BIN)/ruff check mockplex tests benchmarks
	$(BIN)/mypy

# Benchmarks against the anchors (not part of make test); writes docs/benchmarks.md.
# wrk (Debian's package) is the load generator where it is installed.
bench: $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[intercept,test,bench]'
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
