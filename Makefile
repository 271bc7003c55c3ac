# The one task runner: CI calls these same targets.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# What make serve needs (mockplex and its proxy extra), and what the rest need besides
# (the test and lint tools): one virtualenv, a stamp for each.
SERVE_STAMP := $(VENV)/.installed-serve
STAMP := $(VENV)/.installed
PIP := $(BIN)/python -m pip install --quiet --disable-pip-version-check
PORT ?= 32500
# A second plex-api-client release for the compatibility suite; one environment holds one
# release, so this one goes to its own folder (tests/interception/test_compat_plex_api_client.py).
SDK036 := plex-api-client==0.36.3
# The TypeScript SDK's releases with the PIN operations, each in its own folder, run by
# Node in tests/unchanged/test_compat_plexjs.py (which skips locally without npm, fails in CI).
PLEXJS := 0.32.1 0.39.0
# An unchanged Node app for the proxy tests (tests/unchanged/test_unchanged_apps.py): the SDK on
# fetch, axios, and undici (which the env file's preload takes from the app on Node < 22.21).
NODE_APP := @lukehagar/plexjs@0.39.0 zod@3 axios@1.21.1 undici@6.29.1
# A Node client of the Plex Media Server API, as Overseerr uses it, for the set-up wizard
# tests (tests/unchanged/test_setup_wizards.py).
PMS_CLIENT := plex-api@5.3.2
# The HAR 1.2 JSON schemas (tests/control/test_har.py validates mockplex's HAR files with them).
HAR_SCHEMA := har-schema@2.0.0
# A managed user's sign-in (plex.tv's Plex Home), an unchanged Node client.
CREDENTIALS_CLIENT := plex-api-credentials@4.0.1
NODE_DIR := $(VENV)/node
NODE_STAMP := $(NODE_DIR)/.installed

DIST := dist
# A clean virtualenv for the wheel, made anew by every make smoke.
SMOKE_VENV := .venv-smoke
SMOKE_PYTEST := $(CURDIR)/$(SMOKE_VENV)/bin/python -m pytest -p no:cacheprovider -q

.PHONY: test smoke dist serve lint bench screenshots clean

# Create the virtualenv (once) and install mockplex with only what serving needs: its
# proxy extra, none of the test and lint tools (make serve on a fresh clone listens about
# as soon as a bare pip install of the same would finish; docs/benchmarks.md).
$(SERVE_STAMP): setup.cfg pyproject.toml Makefile mockplex/__init__.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) -e '.[proxy]'
	touch $@

# Add the test and lint tools to the same virtualenv; this covers what serving needs too,
# so it marks both stamps (make serve after make test installs nothing more). Each is
# redone only when the package metadata (or the version) changes.
$(STAMP): setup.cfg pyproject.toml Makefile mockplex/__init__.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) -e '.[test,lint,proxy]'
	$(PIP) --no-deps --target $(VENV)/plex-api-client-0.36 --upgrade '$(SDK036)'
	touch $(SERVE_STAMP) $(STAMP)

$(NODE_STAMP): Makefile
	@if command -v npm >/dev/null; then \
		for release in $(PLEXJS); do \
			npm install --silent --no-audit --no-fund --prefix $(NODE_DIR)/plexjs-$$release \
				@lukehagar/plexjs@$$release zod@3 || exit 1; \
		done; \
		npm install --silent --no-audit --no-fund --prefix $(NODE_DIR)/app $(NODE_APP) \
			|| exit 1; \
		npm install --silent --no-audit --no-fund --prefix $(NODE_DIR)/har $(HAR_SCHEMA) \
			|| exit 1; \
		npm install --silent --no-audit --no-fund --prefix $(NODE_DIR)/pms $(PMS_CLIENT) \
			|| exit 1; \
		npm install --silent --no-audit --no-fund --prefix $(NODE_DIR)/credentials \
			$(CREDENTIALS_CLIENT) || exit 1; \
		touch $@; \
	else \
		echo "npm is not installed: the plexjs tests will skip (CI installs it)"; \
	fi

# The Python tools and the Node clients install side by side (neither waits on the
# other's downloads). Two workers (pytest-xdist): faster on two cores, and it proves every
# worker's mock is its own. PYTEST_ARGS="-n 0" runs serially.
test:
	$(MAKE) --no-print-directory -j2 $(STAMP) $(NODE_STAMP)
	$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)
	$(MAKE) --no-print-directory smoke

# The sdist, and the wheel built from it (so a file missing from the sdist fails here).
dist: $(STAMP)
	rm -rf $(DIST)
	$(BIN)/python -m build --no-isolation --outdir $(DIST) . >/dev/null

# The wheel as a user installs it: alone into a clean virtualenv (no HTTP client to
# intercept), then beside requests and httpx. Run from tests/smoke, so the source tree
# is not on the path.
smoke: dist
	rm -rf $(SMOKE_VENV)
	$(PYTHON) -m venv $(SMOKE_VENV)
	$(SMOKE_VENV)/bin/python -m pip install --quiet --disable-pip-version-check \
		$(DIST)/mockplex-*.whl "pytest==$$($(BIN)/python -c 'import pytest; print(pytest.__version__)')"
	cd tests/smoke && MOCKPLEX_DIST=$(CURDIR)/$(DIST) $(SMOKE_PYTEST) test_core.py test_no_client.py
	$(SMOKE_VENV)/bin/python -m pip install --quiet --disable-pip-version-check \
		$$($(BIN)/python -m pip freeze | grep -E '^(requests|httpx)==')
	cd tests/smoke && $(SMOKE_PYTEST) test_intercept.py

serve: $(SERVE_STAMP)
	$(BIN)/mockplex serve --port $(PORT)

lint: $(STAMP)
	$(BIN)/ruff check mockplex tests benchmarks
	$(BIN)/mypy

# Benchmarks against the anchors (not part of make test); writes docs/benchmarks.md.
# wrk (Debian's package) is the load generator where it is installed.
bench: dist
	$(PIP) -e '.[test,bench,proxy]'
	$(BIN)/python benchmarks/run.py

# The pictures in the docs, taken by the browser tests (docs/dashboard.png).
screenshots: $(STAMP)
	MOCKPLEX_SCREENSHOTS=1 $(BIN)/python -m pytest -q -p no:randomly \
		tests/control/test_dashboard.py -k screenshot

clean:
	rm -rf $(VENV) $(SMOKE_VENV) $(DIST) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
