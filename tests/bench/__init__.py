"""The benchmark suite: ``python -m tests.bench [--quick]`` or ``make bench [QUICK=1]``.

Not a pytest suite (pytest ignores this folder): it measures, writes ``results.json`` and prints a
Markdown table with PASS/FAIL against the performance targets. It exits 0 unless it crashes.
"""
