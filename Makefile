# Every target sets itself up on a fresh machine: `make test` and `make demo` need nothing else.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: install native test demo bench lint clean

# The tests of the packages whose hot modules `native` compiles (see hallq/native.py),
# and of the server that runs them, run a second time on the compiled build (the pages'
# tests other than the screen's and the phone's add time, not coverage of those modules).
NATIVE_TESTS := tests/unit/displays tests/unit/projections tests/unit/test_call_rules.py \
	tests/unit/test_native.py tests/unit/test_hall_day_properties.py \
	tests/unit/test_remote_tickets.py tests/unit/test_lifecycle.py tests/integration \
	$(filter-out tests/e2e/test_page_%,$(wildcard tests/e2e/test_*.py)) \
	tests/e2e/test_page_screen.py tests/e2e/test_page_phone.py

install: $(STAMP) native

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Compiles the hot modules with mypyc (a no-op while the build matches the sources); if
# it cannot, hallq runs them as plain Python, as it does whenever the build is stale.
native: $(STAMP)
	@mkdir -p build
	@$(PY) -m hallq.native_build > build/native-build.log 2>&1 && tail -n 1 build/native-build.log \
		|| echo "hallq.native: 编译失败，使用纯 Python 运行 · build failed, running plain Python (build/native-build.log)"

test: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	HALLQ_NATIVE=0 $(PY) -m pytest
	@if HALLQ_NATIVE=1 $(PY) -c 'import hallq, sys; sys.exit(hallq.NATIVE != "native")'; then \
		echo "HALLQ_NATIVE=1 $(PY) -m pytest (the compiled pass)"; \
		HALLQ_NATIVE=1 $(PY) -m pytest $(NATIVE_TESTS); \
	elif [ "$$CI" = true ]; then \
		echo "FATAL: no usable compiled build for the compiled pass (build/native-build.log)" >&2; exit 1; \
	else \
		echo "编译测试跳过 compiled pass skipped: no usable compiled build (build/native-build.log)"; \
	fi

demo: install
	$(VENV)/bin/hallq demo

bench: install
	$(PY) -m bench

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

clean:
	rm -rf $(VENV) build .pytest_cache .hypothesis
