# The README's two commands: `make run` and `make test`. Everything they need is installed here.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test lint bench screenshots system-deps install clean build build-check

# The banner: banner/*.js + banner/*.css -> static/cmp.js and static/cmp-settings.js (the chunk
# it loads on demand) by esbuild and terser (npm, package-lock.json).
# `npm ci` runs when node_modules is missing or older than the lock file.
NODE_STAMP := node_modules/.installed
BANNER_SRC := $(wildcard banner/*.js banner/*.css banner/*.mjs)

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

static/cmp.js: $(NODE_STAMP) $(BANNER_SRC)
	node banner/build.mjs

build: static/cmp.js

# Fails when the committed static/cmp.js is not what banner/ builds to.
build-check: $(NODE_STAMP)
	node banner/build.mjs --check

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,scan]'
	touch $(STAMP)

install: $(STAMP) static/cmp.js

# A secret key generated once into instance/config.py and reused by every later run.
instance/config.py:
	mkdir -p instance
	$(BIN)/python -c "import secrets; print('SECRET_KEY = %r' % secrets.token_urlsafe(48))" > $@
	chmod 600 $@

# The instance folder is this checkout's, wherever the installed package points.
run: export CMP_INSTANCE_PATH = $(CURDIR)/instance
run: $(STAMP) static/cmp.js instance/config.py
	$(BIN)/cmp seed-demo
	$(BIN)/cmp serve --host $(HOST) --port $(PORT)

# redis-server (fixtures start their own on free ports), Chromium for the banner tests,
# wrk for benchmarks; installed from Debian only when missing.
system-deps:
	@missing=""; \
	command -v redis-server >/dev/null || missing="$$missing redis-server"; \
	command -v redis-cli >/dev/null || missing="$$missing redis-tools"; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	command -v wrk >/dev/null || missing="$$missing wrk"; \
	command -v npm >/dev/null || missing="$$missing nodejs npm"; \
	fc-list 2>/dev/null | grep -qi 'noto.*cjk' || missing="$$missing fonts-noto-cjk"; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: system-deps $(STAMP) static/cmp.js lint
	$(BIN)/pytest -q

# The admin console's screenshots in docs/screenshots/ (a test run writes them to a temporary folder).
screenshots: system-deps $(STAMP) static/cmp.js
	CMP_SCREENSHOTS=1 $(BIN)/pytest -q tests/test_admin_browser.py

bench: system-deps $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache node_modules
