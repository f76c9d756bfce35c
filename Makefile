# One entry point for everything a contributor runs: `make demo`, `make test`.
#
# Every target works on a fresh machine with only python3 (3.10+) and make: the
# first use creates .venv, and a stamp file inside it records that the
# dependencies for a purpose are installed. A stamp depends on pyproject.toml,
# setup.py and the C source of the optional parser accelerator, so editing them
# reinstalls (and rebuilds) once, and nothing reinstalls otherwise. Without a C
# compiler the install still works; the pure-Python parser is then used.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The directories that ruff checks and formats (mypy reads its files from pyproject).
LINT_PATHS := aiohttp tests examples benchmarks
# Extra arguments: `make test ARGS="-k runner"`, `make bench ARGS="--duration 5"`.
ARGS ?=

# The base stamp serves targets that only run the package (demo, bench); the dev
# stamp adds the test, lint, docs and changelog tools. Installing dev also
# satisfies base, so its recipe refreshes both stamps.
STAMP_BASE := $(VENV)/.stamp-base
STAMP_DEV := $(VENV)/.stamp-dev

.DEFAULT_GOAL := help
.PHONY: help demo test fuzz lint format bench docs changes clean distclean

help:
	@echo "make demo       fetch from a fake HTTPS API served on an ephemeral port"
	@echo "make test       run the test suite with coverage (ARGS=... goes to pytest)"
	@echo "make fuzz       run the parser property tests with many more examples (AIOHTTP_FUZZ_EXAMPLES=20000)"
	@echo "make lint       ruff check, ruff format --check and mypy --strict"
	@echo "make format     apply ruff's fixes and formatting"
	@echo "make bench      compare speed and memory with aiohttp 3.14.5 (ARGS=... goes to run.py)"
	@echo "make docs       build the HTML documentation, warnings are errors"
	@echo "make changes    preview the changelog from the fragments in CHANGES/"
	@echo "make clean      remove caches and build output (keeps .venv)"
	@echo "make distclean  clean, and remove .venv too"

# Order-only prerequisite: the interpreter's mtime must not trigger reinstalls.
# A failed creation removes the half-made venv so the next run starts over.
# pip is upgraded first: old ones (3.10.0 ships 21.2) cannot install editable
# from pyproject.toml.
$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 10))' || { \
	  echo "error: $(PYTHON) is older than 3.10; run e.g. 'make PYTHON=python3.11 ...'" >&2; \
	  exit 1; }
	$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); \
	  echo "error: '$(PYTHON) -m venv' failed; on Debian/Ubuntu install python3-venv" >&2; \
	  exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip || { rm -rf $(VENV); exit 1; }

$(STAMP_BASE): pyproject.toml setup.py aiohttp/_http_head.c | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

# pytest-asyncio goes beside the venv, not into it: installed, it would load
# into every pytest run. Only the test of the plugin running beside it puts
# this directory on its subprocess's path (tests/test_pytest_plugin_asyncio.py).
ASYNCIO_DIR := $(VENV)/opt/pytest-asyncio

$(STAMP_DEV): pyproject.toml setup.py aiohttp/_http_head.c | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,lint,docs,changes]'
	rm -rf $(ASYNCIO_DIR)
	$(BIN)/python -m pip install --quiet --no-deps --target $(ASYNCIO_DIR) \
	  'pytest-asyncio>=1.0' 'backports.asyncio.runner; python_version < "3.11"' \
	  'typing_extensions>=4.12; python_version < "3.13"'
	touch $@ $(STAMP_BASE)

# The fake remote HTTPS API on port 0, reached through ClientSession and a
# fake resolver; see examples/fake_server.py.
demo: $(STAMP_BASE)
	$(BIN)/python examples/fake_server.py

# The parser tests run a second time without the C accelerator, so both
# parsers pass them (the first run uses the accelerated default).
PURE_PARSER_TESTS := tests/test_http_parser*.py tests/test_security_framing.py

test: $(STAMP_DEV)
	$(BIN)/python -m pytest $(ARGS)
	AIOHTTP_NO_EXTENSIONS=1 $(BIN)/python -m pytest -q --no-cov -p no:cacheprovider \
	  $(PURE_PARSER_TESTS)

# The hypothesis properties of the parsers, with AIOHTTP_FUZZ_EXAMPLES examples
# each instead of the suite's few hundred (set it in the environment to change).
fuzz: $(STAMP_DEV)
	AIOHTTP_FUZZ_EXAMPLES=$${AIOHTTP_FUZZ_EXAMPLES:-20000} $(BIN)/python -m pytest \
	  --no-cov tests/test_fuzz_*.py $(ARGS)

# All three checks run even when one fails, so one pass shows every problem.
lint: $(STAMP_DEV)
	@status=0; \
	echo "ruff check $(LINT_PATHS)"; \
	$(BIN)/ruff check $(LINT_PATHS) || status=1; \
	echo "ruff format --check $(LINT_PATHS)"; \
	$(BIN)/ruff format --check $(LINT_PATHS) || status=1; \
	echo "mypy"; \
	$(BIN)/mypy || status=1; \
	exit $$status

format: $(STAMP_DEV)
	$(BIN)/ruff check --fix $(LINT_PATHS)
	$(BIN)/ruff format $(LINT_PATHS)

# uvloop in the project's venv, for the benchmark's uvloop rows; aiohttp 3.14.5
# itself goes into benchmarks/.venv-ref, which run.py makes, never into .venv.
$(VENV)/.stamp-bench: pyproject.toml $(STAMP_BASE)
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	touch $@

bench: $(VENV)/.stamp-bench
	$(BIN)/python benchmarks/run.py $(ARGS)

docs: $(STAMP_DEV)
	$(BIN)/sphinx-build -W --keep-going -b html docs docs/_build/html

# The version comes from aiohttp.__version__ (towncrier's `package` setting).
changes: $(STAMP_DEV)
	$(BIN)/towncrier build --draft

clean:
	rm -rf docs/_build build dist htmlcov .coverage .coverage.* coverage.xml
	rm -rf .mypy_cache .ruff_cache .pytest_cache .hypothesis
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) *.egg-info
