"""``python -m tests.bench``: run the benchmark suite."""

from tests.bench.run import main

raise SystemExit(main())
