# Two commands set everything up: `make lab` and `make test`.
SHELL  := /bin/bash
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
FIRST_NOTEBOOK := notebooks/00_start_here.ipynb
# JupyterLab refuses to run as root without this flag.
ROOT_FLAG := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)
LAB_ARGS ?=
PYTEST_ARGS ?=

.PHONY: install lab test lint format outputs slides html bench clean check-platforms mutate

install: $(STAMP)

CONSOLE_SHARE := labextensions/rnn-lab-console-share

$(STAMP): requirements.lock pyproject.toml jupyter/jupyter_server_config.json jupyter/overrides.json \
		$(CONSOLE_SHARE)/package.json $(CONSOLE_SHARE)/package-lock.json $(CONSOLE_SHARE)/index.js
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@# Server settings (127.0.0.1, no news, no update checks, TCP_NODELAY kernel websockets) and Lab
	@# settings (no news prompt)
	$(BIN)/python -m tools.jupyter_settings $(VENV)
	@# RISE's slides page lacks @jupyterlab/console, which the ipywidgets manager needs: build (npm) and
	@# install the small extension that provides it, so the sliders work on live slides.
	$(BIN)/python -m tools.console_share $(VENV)
	@# Build matplotlib's font cache now, so its notice never lands in a notebook output.
	$(BIN)/python -c "import matplotlib.pyplot"
	touch $(STAMP)

lab: $(STAMP)
	$(BIN)/jupyter lab $(FIRST_NOTEBOOK) --ip=127.0.0.1 $(ROOT_FLAG) $(LAB_ARGS)

# ruff's lint and format checks over helpers/, tests/, tools/ and the notebooks (settings in pyproject.toml).
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Apply what lint checks: safe fixes, then formatting.
format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The suite must leave the working tree as it found it: compare git's view before and after.
# In TEST_WORKERS processes (pytest-xdist), one more than the cores: the hub's tests wait on idle timers and the
# browser tests on kernels and frames, so a third process on 2 cores keeps them busy (make test took 7.6 min with
# 3 processes here). tests/xdist_plan.py keeps each notebook's cells on one worker, in order, as strict nbval needs.
# TEST_WORKERS=auto: one per core; TEST_WORKERS=0 runs everything in one process.
TEST_WORKERS ?= $(shell $(PYTHON) -c "import os; print((os.cpu_count() or 1) + 1)")
test: lint
	@before="$$(git status --porcelain 2>/dev/null)"; \
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup $(PYTEST_ARGS); status=$$?; \
	after="$$(git status --porcelain 2>/dev/null)"; \
	if [ "$$before" != "$$after" ]; then \
		echo "make test: the test run changed the working tree:"; \
		diff <(echo "$$before") <(echo "$$after"); exit 1; \
	fi; exit $$status

# Navigation links and the start page's map first (from the notebooks' titles), so the stored cells carry them.
outputs: $(STAMP)
	$(BIN)/python -m tools.nav notebooks
	@# Summaries and 09's rule list from the rule registry (helpers/rules), the one source of their sentences.
	$(BIN)/python -m tools.summaries notebooks
	$(BIN)/python -m tools.slides notebooks/*.ipynb
	$(BIN)/python -m tools.execute_notebooks notebooks/*.ipynb

# Static reveal.js decks from the stored outputs, into artifacts/slides/ (git-ignored). reveal.js
# comes from the npm registry, pinned, into artifacts/, so a deck opens offline from a file:// URL.
REVEAL_VERSION := 4.6.1
REVEAL := artifacts/reveal/node_modules/reveal.js

$(REVEAL)/dist/reveal.js:
	npm install --silent --no-save --no-audit --no-fund --ignore-scripts --prefix artifacts/reveal reveal.js@$(REVEAL_VERSION)

slides: $(STAMP) $(REVEAL)/dist/reveal.js
	$(BIN)/python -m tools.deck --reveal $(REVEAL) --out artifacts/slides notebooks/*.ipynb

# Every notebook as one static HTML page, into artifacts/html/ (git-ignored): stored outputs, and each slider view
# as plain inputs with its pictures embedded, so the sliders work from a file:// URL with no kernel and no network.
# The pictures come from one run of the notebook in a kernel, kept in artifacts/pictures/ (tools/html_export.py).
html: $(STAMP)
	$(BIN)/python -m tools.html_export --out artifacts/html notebooks/*.ipynb

# The accessibility audit (issue 29): axe-core from the npm registry, pinned by a11y/package-lock.json, into
# a11y/node_modules/ (git-ignored); then tests/test_a11y_browser.py audits the decks and the HTML pages, and
# tests/test_browser.py each notebook's outputs in JupyterLab and its views by keyboard; the counts per page go to
# artifacts/a11y/report.md.
a11y/node_modules/axe-core/axe.min.js: a11y/package.json a11y/package-lock.json
	cd a11y && npm ci --silent --no-audit --no-fund --ignore-scripts

.PHONY: a11y
a11y: $(STAMP) a11y/node_modules/axe-core/axe.min.js
	$(BIN)/python -m pytest tests/test_a11y_browser.py tests/test_browser.py -q -k "violation or keyboard"

# Every pin resolves for CPython 3.11-3.13 on Linux, macOS and Windows (registry metadata only; minutes).
check-platforms: $(STAMP)
	RUN_PLATFORM_CHECK=1 $(BIN)/python -m pytest tests/test_platforms.py

bench: $(STAMP)
	$(BIN)/python -m tools.bench

# A class on one Linux server (README, "A class on one server"), as root: JupyterHub on 127.0.0.1,
# one Unix user per student. The hub's pins (requirements-hub.lock, Linux only) go into .venv, and
# configurable-http-proxy from the npm registry, pinned by deploy/proxy/package-lock.json, into
# deploy/proxy/node_modules/ (git-ignored). For example: sudo make hub HUB_STUDENTS=class.txt HUB_ADMIN=ada
HUB_STUDENTS ?= students.txt
HUB_ADMIN ?= teacher
HUB_PORT ?= 8000
HUB_DIR ?= /srv/rnn-outputs-hub
HUB_STAMP := $(VENV)/.hub-installed
HUB_PROXY := deploy/proxy/node_modules/.bin/configurable-http-proxy
# `make bench-class` simulates this many students at once on 127.0.0.1, one run per number (minutes each).
BENCH_CLASS_N ?= 1 5 10 20

$(HUB_STAMP): $(STAMP) requirements-hub.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -r requirements-hub.lock
	touch $(HUB_STAMP)

$(HUB_PROXY): deploy/proxy/package.json deploy/proxy/package-lock.json
	npm ci --silent --no-audit --no-fund --ignore-scripts --prefix deploy/proxy
	touch $(HUB_PROXY)

.PHONY: hub bench-class
hub: $(HUB_STAMP) $(HUB_PROXY)
	$(BIN)/python -m tools.hub --students $(HUB_STUDENTS) --admin $(HUB_ADMIN) --port $(HUB_PORT) --dir $(HUB_DIR)

bench-class: $(HUB_STAMP) $(HUB_PROXY)
	$(BIN)/python -m tools.bench_class $(BENCH_CLASS_N)

# Mutation testing, for developers (not part of `make test`): mutmut, pinned in requirements-dev.lock, mutates
# helpers/unroll.py, relations.py, explain/ and exercises/diagnose/ (pyproject.toml's [tool.mutmut]) and runs the
# tests that cover each mutant; the report goes to artifacts/mutation/. One worker, niced: the machine is shared.
# MUTANTS narrows the run, e.g. make mutate MUTANTS="helpers.relations*"; mutmut keeps earlier results in mutants/.
MUTANTS ?=
DEV_STAMP := $(VENV)/.installed-dev

$(DEV_STAMP): $(STAMP) requirements-dev.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -r requirements-dev.lock
	touch $(DEV_STAMP)

mutate: $(DEV_STAMP)
	OMP_NUM_THREADS=1 nice -n 10 $(BIN)/mutmut run --max-children 1 $(MUTANTS)
	$(BIN)/python -m tools.mutation_report

clean:
	rm -rf $(VENV) artifacts mutants
