"""Measurements that need a process of their own: ``python -m tests.bench.probes rss LIBRARY_DIR``.

Prints one JSON object on stdout.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from pathlib import Path


def _status_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024  # kB
    return float("nan")


def rss(library_dir: str) -> dict[str, object]:
    """Open the library, build the table model (and the search index, as the window does); RSS on the way."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from papershelf.core.library import Library
    from papershelf.ui.paper_model import PaperTableModel

    steps: dict[str, float] = {"start": _status_mb("VmRSS")}
    started = time.perf_counter()
    app = QApplication([])
    steps["qt"] = _status_mb("VmRSS")
    library = Library(library_dir)
    steps["library"] = _status_mb("VmRSS")
    model = PaperTableModel(library)
    steps["model"] = _status_mb("VmRSS")
    index_built = False
    try:
        from papershelf.core.search.index import SearchIndex
    except ImportError:
        pass
    else:
        try:
            index = SearchIndex(library, word_index=True)  # as the window's (word index: cached or built)
        except TypeError:
            index = SearchIndex(library)
        index.build()
        index_built = True
        steps["search_index"] = _status_mb("VmRSS")
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux
    result = {
        "papers": len(library),
        "rows": model.rowCount(),
        "search_index": index_built,
        "peak_mb": round(peak_mb, 1),
        # ru_maxrss of a process spawned (vfork + exec) by a large one starts at the parent's peak; the
        # high-water mark of this process's own memory does not.
        "hwm_mb": round(_status_mb("VmHWM"), 1),
        "rss_mb": round(_status_mb("VmRSS"), 1),
        "steps_rss_mb": {k: round(v, 1) for k, v in steps.items()},
        "seconds": round(seconds, 3),
    }
    del app
    return result


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] != "rss":
        print("usage: python -m tests.bench.probes rss LIBRARY_DIR", file=sys.stderr)
        return 2
    print(json.dumps(rss(argv[1])), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
