# `make run` opens the app; `make test` runs every check. Both set up .venv first, once.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test lint bench bundle soak clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/papershelf $(ARGS)

test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q
	$(MAKE) --no-print-directory lint

lint: $(STAMP)
	$(BIN)/ruff check desktop tests
	$(BIN)/mypy
	$(BIN)/lint-imports

# `make bench` measures against the performance targets (README "Performance"); QUICK=1: < 60 s.
bench: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m tests.bench $(if $(filter-out 0,$(QUICK)),--quick,)

# `make bundle`: a one-folder PyInstaller build in dist/papershelf/, then its end-to-end tests.
bundle: $(STAMP)
	$(BIN)/python -c 'import PyInstaller' 2>/dev/null || \
		$(BIN)/python -m pip install --quiet --disable-pip-version-check 'pyinstaller>=6'
	$(BIN)/python -m PyInstaller --noconfirm --clean --log-level WARN \
		--distpath dist --workpath build/pyinstaller packaging/papershelf.spec
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q -m bundle tests/e2e/test_bundle.py

# `make soak`: the kill loop at 2,000 kills (make test runs 200); prints corruptions and lost writes.
soak: $(STAMP)
	$(BIN)/python -m tests.reliability.killloop --kills 2000

clean:
	rm -rf $(VENV) dist build
