"""Run the benchmark suite: ``python -m tests.bench [--quick] [--out FILE]`` (or ``make bench [QUICK=1]``).

Writes the JSON report to ``--out`` / $BENCH_OUT (default tests/bench/results.json) and prints a
Markdown table with PASS/FAIL per target. Exits 0 whatever the figures are; non-zero only on a crash.
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: python tests/bench/run.py
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import orjson

from tests.bench import metrics, synth
from tests.bench.metrics import Config, Report, Work

DEFAULT_OUT = Path(__file__).resolve().parent / "results.json"

# metric: (label, target or None, unit, [(baseline metric, baseline label), ...]); a metric is PASS
# when it is at or under its target.
TARGETS: dict[str, tuple[str, float | None, str, list[tuple[str, str]]]] = {
    "start_to_window_s_860": ("Start to window, 860 papers", 0.6, "s", []),
    "start_to_window_s_100k": ("Start to window, 100k papers", 1.5, "s", []),
    "filter_p95_ms_860": ("Filter per keystroke p95, 860", 3, "ms", []),
    "filter_p95_ms_100k": ("Filter per keystroke p95, 100k", 30, "ms",
                           [("filter_proxy_p95_ms_100k", "QSortFilterProxyModel p95")]),
    "sort_ms_100k": ("Sort, 100k (title/authors/status)", 80, "ms", []),
    "bulk_status_10k_ms": ("Bulk status change, 10k papers", 200, "ms", []),
    "annotation_write_ms_100k": ("One annotation write, 100k library", 20, "ms",
                                 [("annotation_write_stock_tinydb_ms_100k", "stock TinyDB update")]),
    "import_bibtex_10k_s": ("Import BibTeX, 10k entries", 1.5, "s",
                            [("parse_bibtexparser_raw_10k_s", "bibtexparser.parse_string alone")]),
    "import_bibtex_1k_s": ("Import BibTeX, 1k entries", None, "s", [("papis_import_1k_s", "papis import")]),
    "export_bibtex_10k_s": ("Export BibTeX, 10k papers", 1.0, "s",
                            [("write_bibtexparser_raw_10k_s", "bibtexparser.write_string"),
                             ("papis_export_1k_s", "papis export of 1k")]),
    "export_markdown_10k_s": ("Export Markdown, 10k papers", 0.5, "s", []),
    "import_ris_10k_s": ("Import RIS, 10k records", 1.5, "s", []),
    "export_ris_10k_s": ("Export RIS, 10k papers", 1.0, "s", []),
    "import_biblatex_10k_s": ("Import biblatex .bib, 10k entries", 1.5, "s", []),
    "export_biblatex_10k_s": ("Export biblatex, 10k papers", 1.0, "s", []),
    "latex_decode_40k_s": ("LaTeX to text, 40k field values", 1.0, "s", []),
    "sync_10k_nochange_ms": ("Notes sync, 10k, nothing changed", 200, "ms", []),
    "sync_10k_100changed_ms": ("Notes sync, 10k, 100 changed", 300, "ms", []),
    "rss_mb_100k": ("Peak RSS, 100k library + model + index + one search", 450, "MB", []),
    "rss_mb_10k_open": ("Peak RSS, 10k library + model + index + one search", 120, "MB", []),
    "first_open_search_s_100k": ("First open at 100k, no caches: window shown to word index", 3.0, "s", []),
    "window_rss_mb_100k": ("Peak RSS, 100k in the window (shown, index ready, one search)", None, "MB", []),
    "rss_mb_10k_bib": ("Peak RSS, 10k library imported from .bib", None, "MB", []),
    "similarity_build_10k_s": ("Similarity index build, 10k", 3.0, "s", []),
    "similarity_load_10k_s": ("Similarity index load from cache, 10k", 0.3, "s", []),
    "similar_top10_ms_10k": ("More like this, top 10, 10k", 20, "ms", []),
    "similar_top10_ms_100k": ("More like this, top 10, 100k", 150, "ms", []),
    "query_worst_s_10k": ("Slowest query within the bound, 10k", 1.0, "s", []),
    "import_csljson_10k_s": ("Import CSL-JSON, 10k items", 1.5, "s", []),
    "export_csljson_10k_s": ("Export CSL-JSON, 10k papers", 1.0, "s", []),
    "cite_apa_1k_s": ("Format 1,000 references in APA (text + HTML)", None, "s", []),
    "fulltext_extract_s_per_pdf": ("Read an attached PDF's text (8 pages), per PDF of 1,000", None, "s", []),
    "fulltext_query_p95_ms_10k": ("fulltext: query p95, 1,000 PDFs' text (10k library)", 30, "ms", []),
    "filter_pdf_text_p95_ms_10k": ("Keystroke p95 with Search PDF text too, 10k (1,000 PDFs)", None, "ms",
                                   [("filter_p95_ms_10k_same_run", "without it")]),
    "match_pdfs_250_s": ("match-pdfs, 250 PDFs", None, "s", []),
    "notes_sync_50mb_max_stall_ms": ("Notes sync of a 50 MB file, longest stall of the window", 100, "ms", []),
    "notes_sync_50mb_s": ("Notes sync of a 50 MB file, in all", None, "s", []),
    "notes_sync_50mb_peak_rss_x": ("Notes sync of a 50 MB file, peak memory / file size", 3.0, "x", []),
    "note_preview_1mb_ms": ("Preview of a 1 MB note", 200, "ms", []),
    "more_like_this_max_stall_ms_10k": ("More like this on a first open (no cache), longest stall, 10k", 100, "ms",
                                        []),
}


def machine() -> dict[str, Any]:
    info: dict[str, Any] = {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cores": os.cpu_count(),
    }
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text()
        info["cpu"] = next((line.split(":", 1)[1].strip() for line in cpuinfo.splitlines()
                            if line.startswith("model name")), platform.processor())
        mem = Path("/proc/meminfo").read_text().splitlines()[0].split()
        info["memory_gb"] = round(int(mem[1]) / 1024 / 1024, 1)
    except OSError:
        info["cpu"] = platform.processor()
    for package in ("PySide6-Essentials", "tinydb", "bibtexparser", "orjson"):
        try:
            info[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            info[package] = None
    try:
        from PySide6 import QtCore

        info["qt"] = QtCore.qVersion()
    except ImportError:
        info["qt"] = None
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=metrics.ROOT, capture_output=True,
                              text=True, check=False, timeout=10)
        info["git_commit"] = head.stdout.strip() or None
    except OSError:
        info["git_commit"] = None
    return info


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "s":
        return f"{value:.3f} s" if value < 10 else f"{value:.1f} s"
    if unit == "x":
        return f"{value:.2f}x"
    if unit == "ms":
        return f"{value:.2f} ms" if value < 10 else f"{value:.0f} ms" if value >= 100 else f"{value:.1f} ms"
    return f"{value:.0f} {unit}"


def table(report: Report, only: list[str] | None = None) -> str:
    lines = ["| Metric | Papershelf | Target | Result | Baseline, same run |",
             "| --- | ---: | ---: | :---: | --- |"]
    for name, (label, target, unit, baselines) in TARGETS.items():
        if only is not None and not any(name.startswith(prefix) for prefix in only):
            continue
        value = report.metrics.get(name)
        if target is None:
            result = ""
        elif value is None:
            result = "n/a"
        else:
            result = "PASS" if value <= target else "FAIL"
        target_text = f"≤ {_fmt(target, unit)}" if target is not None else ""
        baseline_text = "; ".join(f"{what}: {_fmt(report.metrics.get(b), unit)}" for b, what in baselines)
        lines.append(f"| {label} | {_fmt(value, unit)} | {target_text} | {result} | {baseline_text} |")
    return "\n".join(lines)


def run(quick: bool, out: Path, only: list[str] | None = None) -> Report:
    """Measure everything, or with ``only`` the groups that measure a metric whose name starts with one
    of those prefixes (``--only notes_sync,note_preview``)."""

    def selected(*names: str) -> bool:
        return only is None or any(name.startswith(prefix) for name in names for prefix in only)

    cfg = Config(quick=quick)
    report = Report()
    started = time.perf_counter()
    load_at_start = os.getloadavg()
    log: list[str] = []
    cache = synth.ensure(log)
    report.note("cache", {"folder": str(synth.cache_dir().relative_to(metrics.ROOT)), "generated": log,
                          "generator_version": synth.GENERATOR_VERSION, "seed": synth.SEED})
    work = Work(cache, synth.CACHE_ROOT)
    try:
        if selected("start_to_window"):
            metrics.bench_start(report, cfg, work)
        if selected("rss_mb_100k", "rss_mb_10k_open"):
            metrics.bench_rss(report, cfg, work)
        if selected("first_open_search", "window_rss"):
            metrics.bench_window_open(report, cfg, work)
        for size in ("860", "100k") if selected("filter", "sort", "annotation_write") else ():
            with report.guard(f"table-{size}", f"filter_p95_ms_{size}"):
                table_ = metrics.Table(work.copy(f"lib-{size}"))
                metrics.bench_filter(report, cfg, table_, size)
                metrics.bench_window_filter(report, cfg, table_, size, work)
                if size == "100k":
                    metrics.bench_sort(report, cfg, table_)
                    metrics.bench_proxy_filter(report, cfg, table_)
                    metrics.bench_annotation_write(report, cfg, table_.library)
                table_.close()
                del table_
                gc.collect()
        groups: list[tuple[tuple[str, ...], Callable[[], None]]] = [
            (("annotation_write_stock",), lambda: metrics.bench_stock_tinydb(report, cfg, work)),
            (("bulk_status",), lambda: metrics.bench_bulk_status(report, cfg, work)),
            (("import_bibtex", "rss_mb_10k_bib"), lambda: metrics.bench_import(report, cfg, work)),
            (("parse_bibtexparser", "write_bibtexparser"), lambda: metrics.bench_bibtexparser_raw(report, cfg, work)),
            (("export_bibtex", "export_markdown"), lambda: metrics.bench_export(report, cfg, work)),
            (("import_ris", "export_ris", "import_biblatex", "export_biblatex"),
             lambda: metrics.bench_exchange(report, cfg, work)),
            (("import_csljson", "export_csljson", "cite_apa"), lambda: metrics.bench_csljson(report, cfg, work)),
            (("latex_decode",), lambda: metrics.bench_latex_decode(report, cfg)),
            (("sync_10k",), lambda: metrics.bench_sync(report, cfg, work)),
            (("similar",), lambda: metrics.bench_similarity(report, cfg, work)),
            (("query_worst",), lambda: metrics.bench_query_bound(report, cfg, work)),
            (("fulltext", "filter_pdf_text", "match_pdfs"), lambda: metrics.bench_fulltext(report, cfg, work)),
            (("papis",), lambda: metrics.bench_papis(report)),
            (("notes_sync_50mb",), lambda: metrics.bench_notes_large(report, cfg, work)),
            (("note_preview",), lambda: metrics.bench_note_preview(report, cfg, work)),
            (("more_like_this",), lambda: metrics.bench_more_like_this(report, cfg, work)),
        ]
        for names, measure in groups:
            if selected(*names):
                measure()
                gc.collect()
    finally:
        work.close()
    report.note("run", {"quick": quick, "total_s": round(time.perf_counter() - started, 1),
                        "load_average_1_5_15min": {"start": [round(x, 2) for x in load_at_start],
                                                   "end": [round(x, 2) for x in os.getloadavg()]},
                        "seconds_per_group": report.seconds,
                        "finished": datetime.now(UTC).replace(microsecond=0).isoformat()})
    document = {"machine": machine(), "metrics": report.metrics, "notes": report.notes}
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(orjson.dumps(document, option=orjson.OPT_INDENT_2) + b"\n")
    return report


def _quiet_qt() -> None:
    """Drop the offscreen plugin's 'does not support propagateSizeHints' line; pass on everything else."""
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    def handler(mode: QtMsgType, context: object, message: str) -> None:
        if "propagateSizeHints" not in message:
            print(message, file=sys.stderr)

    qInstallMessageHandler(handler)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", default=os.environ.get("QUICK", "") not in ("", "0"),
                        help="fewer runs and keystrokes (< 60 s once the cache exists); also QUICK=1")
    parser.add_argument("--out", type=Path, default=Path(os.environ.get("BENCH_OUT") or DEFAULT_OUT))
    parser.add_argument("--only", type=lambda text: [p for p in text.split(",") if p], default=None,
                        help="measure only the metrics whose names start with these (comma-separated)")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    _quiet_qt()
    logging.getLogger("bibtexparser").setLevel(logging.ERROR)  # its large-library hint, on every write
    report = run(args.quick, args.out, args.only)
    mode = "quick" if args.quick else "full"
    print(f"Papershelf benchmarks ({mode}; {report.notes['run']['total_s']} s) -> {args.out}\n")
    print(table(report, args.only))
    errors = report.notes.get("errors", {})
    missing = [name for name, value in report.metrics.items() if value is None and name not in errors
               and (args.only is None or any(name.startswith(prefix) for prefix in args.only))]
    if errors:
        print("\nErrors (metric left null):")
        for group, text in errors.items():
            print(f"- {group}: {text}")
    if missing:
        print("\nNot measured (feature missing or not installed): " + ", ".join(missing))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
