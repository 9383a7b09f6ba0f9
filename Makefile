# Two commands set everything up: `make lab` and `make test`.
SHELL  := /bin/bash
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
FIRST_NOTEBOOK := notebooks/01_output_vs_h_n.ipynb
# JupyterLab refuses to run as root without this flag.
ROOT_FLAG := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)
LAB_ARGS ?=
PYTEST_ARGS ?=

.PHONY: install lab test outputs bench clean

install: $(STAMP)

$(STAMP): requirements.lock pyproject.toml jupyter/jupyter_server_config.json jupyter/overrides.json
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@# Server settings (127.0.0.1, no news, no update checks, TCP_NODELAY kernel websockets) and Lab
	@# settings (no news prompt). The server reads only extension switches from jupyter_server_config.d/,
	@# so its settings go in sys.prefix/etc/jupyter/jupyter_server_config.json.
	mkdir -p $(VENV)/etc/jupyter $(VENV)/share/jupyter/lab/settings
	rm -f $(VENV)/etc/jupyter/jupyter_server_config.d/rnn-outputs.json
	cp jupyter/jupyter_server_config.json $(VENV)/etc/jupyter/jupyter_server_config.json
	cp jupyter/overrides.json $(VENV)/share/jupyter/lab/settings/overrides.json
	@# Build matplotlib's font cache now, so its notice never lands in a notebook output.
	$(BIN)/python -c "import matplotlib.pyplot"
	touch $(STAMP)

lab: $(STAMP)
	$(BIN)/jupyter lab $(FIRST_NOTEBOOK) --ip=127.0.0.1 $(ROOT_FLAG) $(LAB_ARGS)

# The suite must leave the working tree as it found it: compare git's view before and after.
test: $(STAMP)
	@before="$$(git status --porcelain 2>/dev/null)"; \
	$(BIN)/python -m pytest $(PYTEST_ARGS); status=$$?; \
	after="$$(git status --porcelain 2>/dev/null)"; \
	if [ "$$before" != "$$after" ]; then \
		echo "make test: the test run changed the working tree:"; \
		diff <(echo "$$before") <(echo "$$after"); exit 1; \
	fi; exit $$status

outputs: $(STAMP)
	$(BIN)/python -m tools.execute_notebooks notebooks/*.ipynb

bench: $(STAMP)
	$(BIN)/python -m tools.bench

clean:
	rm -rf $(VENV) artifacts
