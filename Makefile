# `make run` opens the app; `make test` runs every check. Both set up .venv first, once.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test lint bench bundle soak fuzz props clean

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

# `make soak`: the kill loop at 2,000 kills (make test runs 200), then two machines sharing a notes file
# through a copied folder and through git for SOAK_ROUNDS rounds each (make test runs 50; 1,000 rounds of
# both took about 6 minutes here); prints corruptions, lost writes and lost text, with the seed that
# replays a failure, and the largest notes file seen (conflict blocks must not snowball).
SOAK_ROUNDS ?= 1000
soak: $(STAMP)
	$(BIN)/python -m tests.reliability.killloop --kills 2000
	$(BIN)/python -m tests.sync.two_machines --engine both --rounds $(SOAK_ROUNDS)

# `make props`: the property tests (every file with @given) PROPS_RUNS times with new random draws each
# time (`make test` draws the same examples on every run, so that CI is repeatable); a failure prints the
# example and the @reproduce_failure line that replays it.
PROPS_RUNS ?= 5
props: $(STAMP)
	@files=$$(grep -rl --include='*.py' '@given' tests); \
	for i in $$(seq $(PROPS_RUNS)); do \
		echo "make props: run $$i of $(PROPS_RUNS)"; \
		HYPOTHESIS_PROFILE=hunt QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q -p no:cacheprovider $$files || exit 1; \
	done

# `make fuzz`: the atheris harnesses in tests/fuzz (BibTeX, notes file), FUZZ_SECONDS each (default 60).
# atheris is optional: installed into .venv if it can be; if not, this says so and succeeds.
FUZZ_SECONDS ?= 60
fuzz: $(STAMP)
	@$(BIN)/python -c 'import atheris' 2>/dev/null || \
		$(BIN)/python -m pip install --quiet --disable-pip-version-check atheris || true
	@if ! $(BIN)/python -c 'import atheris' 2>/dev/null; then \
		echo "make fuzz: atheris cannot be installed here (no wheel for this platform and no clang to build it)."; \
		echo "make fuzz: skipped; the hypothesis fuzz tests (tests/*/test_fuzz_*.py) still run in make test."; \
		exit 0; \
	fi; \
	for harness in bibtex notesfile; do \
		mkdir -p build/fuzz/$$harness || exit 1; \
		echo "make fuzz: $$harness for $(FUZZ_SECONDS) s (new inputs in build/fuzz/$$harness, crashes in build/fuzz/)"; \
		$(BIN)/python -m tests.fuzz.fuzz_$$harness -max_total_time=$(FUZZ_SECONDS) -timeout=5 -rss_limit_mb=2048 \
			-print_final_stats=1 -artifact_prefix=build/fuzz/$$harness- \
			build/fuzz/$$harness tests/fuzz/seeds/$$harness 2>build/fuzz/$$harness.log || \
			{ tail -n 40 build/fuzz/$$harness.log; exit 1; }; \
		grep -E '^(Done|stat::number_of_executed_units|stat::peak_rss_mb)' build/fuzz/$$harness.log; \
	done

clean:
	rm -rf $(VENV) dist build
