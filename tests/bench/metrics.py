"""The measurements. Each function records into a ``Report``; features not written yet give null.

Every function gets its own copy of a cached library (``Work.copy``) when it writes to it.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import inspect
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from tests.bench.timing import Samples, repeat, timed

ROOT = Path(__file__).resolve().parents[2]

METRICS = (
    "start_to_window_s_860", "start_to_window_s_100k", "filter_p95_ms_860", "filter_p95_ms_100k",
    "filter_proxy_p95_ms_100k", "sort_ms_100k", "bulk_status_10k_ms", "annotation_write_ms_100k",
    "annotation_write_stock_tinydb_ms_100k", "import_bibtex_10k_s", "parse_bibtexparser_raw_10k_s",
    "export_bibtex_10k_s", "write_bibtexparser_raw_10k_s", "export_markdown_10k_s", "sync_10k_nochange_ms",
    "sync_10k_100changed_ms", "rss_mb_100k", "rss_mb_10k_open", "first_open_search_s_100k", "window_rss_mb_100k",
    "rss_mb_10k_bib", "import_bibtex_1k_s", "papis_import_1k_s",
    "papis_export_1k_s",
    "similarity_build_10k_s", "similarity_load_10k_s", "similar_top10_ms_10k", "similar_top10_ms_100k",
    "latex_decode_40k_s", "query_worst_s_10k",
    "import_ris_10k_s", "export_ris_10k_s", "import_biblatex_10k_s", "export_biblatex_10k_s",
    "import_csljson_10k_s", "export_csljson_10k_s", "cite_apa_1k_s",
    "fulltext_extract_s_per_pdf", "fulltext_query_p95_ms_10k", "filter_pdf_text_p95_ms_10k",
    "filter_p95_ms_10k_same_run", "match_pdfs_250_s",
    "notes_sync_50mb_max_stall_ms", "notes_sync_50mb_s", "notes_sync_50mb_peak_rss_x", "note_preview_1mb_ms",
    "more_like_this_max_stall_ms_10k",
)


@dataclass
class Config:
    quick: bool

    def runs(self, full: int, quick: int) -> int:
        return quick if self.quick else full


@dataclass
class Report:
    metrics: dict[str, float | None] = field(default_factory=lambda: dict.fromkeys(METRICS))
    notes: dict[str, Any] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    def set(self, name: str, value: float | None, digits: int = 3) -> None:
        self.metrics[name] = None if value is None else round(value, digits)

    def note(self, name: str, value: Any) -> None:
        self.notes[name] = value

    @contextlib.contextmanager
    def guard(self, group: str, *names: str) -> Iterator[None]:
        """Run one measurement group; on any error its metrics stay null and the error goes to notes."""
        started = time.perf_counter()
        try:
            yield
        except Exception as exc:
            last = traceback.extract_tb(exc.__traceback__)[-1]
            where = f"{Path(last.filename).name}:{last.lineno}"
            text = f"error: {type(exc).__name__}: {exc} (at {where})"
            for name in names:
                if self.metrics.get(name) is None:
                    self.notes.setdefault(name, text)
            self.notes.setdefault("errors", {})[group] = text
        finally:
            self.seconds[group] = round(time.perf_counter() - started, 1)


class Work:
    """A scratch folder for one run; libraries are copied out of the cache before anything writes."""

    def __init__(self, cache: dict[str, Path], base: Path) -> None:
        base.mkdir(parents=True, exist_ok=True)
        self.root = Path(tempfile.mkdtemp(prefix="work-", dir=base))
        self.cache = cache
        self._count = 0

    def copy(self, name: str) -> Path:
        self._count += 1
        target = self.root / f"{name}-{self._count}"
        shutil.copytree(self.cache[name], target)
        # flush the copy now: its dirty pages would otherwise be written back during a timed fsync
        os.sync()
        return target

    def path(self, name: str) -> Path:
        self._count += 1
        return self.root / f"{name}-{self._count}"

    def close(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def optional(module: str) -> Any | None:
    """The module, or None if it does not exist (yet)."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name and module.startswith(exc.name):
            return None
        raise


# -- start-up ----------------------------------------------------------------------------------------


def app_env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        QT_QPA_PLATFORM="offscreen",
        PAPERSHELF_EXIT_WHEN_SHOWN="1",
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_DATA_HOME=str(home / "data"),
        XDG_CACHE_HOME=str(home / "cache"),
        PAPERSHELF_HOME=str(home / "library"),
    )
    return env


def spawn_until_shown(library: Path, env: dict[str, str], timeout: float = 120.0) -> tuple[float, float]:
    """Seconds from spawn to the 'window-shown' line, and the process's peak RSS in MB."""
    argv = [sys.executable, "-m", "papershelf", "--library", str(library)]
    with tempfile.TemporaryFile() as stderr:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=stderr, env=env, cwd=ROOT, text=True)
        killer = threading.Timer(timeout, proc.kill)
        killer.start()
        shown: float | None = None
        try:
            assert proc.stdout is not None
            for line in proc.stdout:
                if line.strip() == "window-shown":
                    shown = time.perf_counter() - start
                    break
            proc.stdout.read()
            _pid, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(status)
        finally:
            killer.cancel()
        if shown is None:
            stderr.seek(0)
            tail = stderr.read().decode("utf-8", "replace").strip().splitlines()[-3:]
            raise RuntimeError(f"no 'window-shown' (exit {proc.returncode}): {' | '.join(tail)}")
    return shown, usage.ru_maxrss / 1024


def bench_start(report: Report, cfg: Config, work: Work) -> None:
    """Process start to window shown, with caches: a warm-up start (not counted) writes the bytecode and
    the library's caches (``table-order.cache``, ``catalogue.cache``) as a person's earlier start would."""
    home = work.path("home")
    env = app_env(home)
    # An installed Papershelf has its bytecode: a PYTHONDONTWRITEBYTECODE set for the test run would
    # make every start compile ~100 modules again (0.1-0.3 s). Kept in the work folder, not the sources.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(work.path("pycache"))
    for size in ("860", "100k"):
        name = f"start_to_window_s_{size}"
        with report.guard(name, name):
            library = work.copy(f"lib-{size}")
            big = size == "100k"
            spawn_until_shown(library, env)  # warm-up (bytecode, page cache, the library's caches): not counted
            samples = Samples()
            peaks = []
            for _ in range(cfg.runs(5 if big else 7, 1 if big else 3)):
                seconds, peak = spawn_until_shown(library, env)
                samples.add(seconds)
                peaks.append(peak)
            report.set(name, samples.median())
            report.note(name, samples.summary())
            report.note(f"app_peak_rss_mb_{size}", round(max(peaks), 1))


def _probe(work: Work, *argv: str, timeout: float = 600) -> dict[str, Any]:
    """Run ``python -m tests.bench.probes ARGV...`` in a process of its own; its JSON result."""
    proc = subprocess.run(
        [sys.executable, "-m", "tests.bench.probes", *argv],
        capture_output=True, text=True, cwd=ROOT, env=app_env(work.path("home")), timeout=timeout, check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "probe failed")
    result: dict[str, Any] = orjson.loads(proc.stdout.strip().splitlines()[-1])
    return result


def bench_rss(report: Report, cfg: Config, work: Work) -> None:
    """Peak RSS of a process that opens the library, builds the table model and the search index (as the
    window's), and searches one word: the larger of a first opening (word index built, no search.cache)
    and a second (from search.cache). At 100k and 10k papers."""
    for size, name in (("100k", "rss_mb_100k"), ("10k", "rss_mb_10k_open")):
        with report.guard(name, name):
            app_peak = report.notes.get(f"app_peak_rss_mb_{size}")
            if cfg.quick and size == "100k" and app_peak is not None:
                # saves a 100k process: the window's start-up run opened the library and built the model too
                report.set(name, app_peak, 1)
                report.note(name, "quick mode: peak RSS (ru_maxrss) of the app's start-up run at 100k "
                                  "(library, model, window); the full run uses a process of its own")
                continue
            library = work.copy(f"lib-{size}")
            (library / "search.cache").unlink(missing_ok=True)
            first = _probe(work, "rss", str(library))  # a library opened for the first time: word index built
            again = _probe(work, "rss", str(library))  # the next time: it comes from search.cache
            report.set(name, max(first["peak_mb"], again["peak_mb"]), 1)
            report.note(name, {"what": "peak RSS (ru_maxrss) of a process that opened the library, built "
                                       "PaperTableModel and the SearchIndex (as the window's) and searched one "
                                       "word; the larger of a first opening (word index built) and a second "
                                       "(search.cache)", "first_open": first, "second_open": again})


def bench_window_open(report: Report, cfg: Config, work: Work) -> None:
    """The real window at 100k papers, opened twice (no caches, then with them): seconds from shown until
    the word index answers plain words, and the process's peak RSS (window shown, index ready, one search)."""
    with report.guard("first_open_search_s_100k", "first_open_search_s_100k"):
        library = work.copy("lib-100k")
        for cache in ("search.cache", "similarity.cache"):
            (library / cache).unlink(missing_ok=True)
        settings = work.path("window-probe.ini")
        settings.unlink(missing_ok=True)
        first = _probe(work, "window", str(library), str(settings))
        again = _probe(work, "window", str(library), str(settings)) if not cfg.quick else None
        report.set("first_open_search_s_100k", first["seconds_to_search_index"])
        report.set("window_rss_mb_100k", max(first["peak_mb"], again["peak_mb"] if again else 0), 1)
        report.note("first_open_search_s_100k", {
            "what": "python -m tests.bench.probes window: MainWindow shown offscreen, its search index built "
                    "in steps between events (first) or loaded from search.cache (again), then 'graph' searched",
            "first_open": first, "again": again})


# -- the table: filter and sort ----------------------------------------------------------------------

TYPED = ("graph neural network", "author:smith", "tag:rl")


QUICK_KEYSTROKES = ("g", "gr", "gra", "graph", "graph n", "graph ne", "graph neural", "author:s", "author:smith",
                    "tag:rl", "")


def keystrokes(quick: bool = False) -> list[str]:
    """Every prefix of each typed query, as the search box sees them, then the box cleared."""
    if quick:
        return list(QUICK_KEYSTROKES)
    texts: list[str] = []
    for query in TYPED:
        texts += [query[:n] for n in range(1, len(query) + 1)]
    texts.append("")
    return texts


class Table:
    """The window's table for one library: model, view (shown offscreen) and search index."""

    def __init__(self, library_dir: Path) -> None:
        from PySide6.QtWidgets import QApplication

        from papershelf.core.library import Library
        from papershelf.ui.paper_model import PaperTableModel
        from papershelf.ui.paper_table import PaperTable

        self.app = QApplication.instance() or QApplication([])
        self.library = Library(library_dir)
        self.model = PaperTableModel(self.library)
        self.view = PaperTable(self.model)
        self.view.resize(1280, 760)
        self.view.show()
        self.app.processEvents()

    def close(self) -> None:
        self.view.close()
        self.view.deleteLater()
        self.app.processEvents()


def bench_filter(report: Report, cfg: Config, table: Table, size: str) -> None:
    name = f"filter_p95_ms_{size}"
    with report.guard(name, name):
        search = optional("papershelf.core.search.index")
        query_module = optional("papershelf.core.search.query")
        if search is None or not hasattr(search, "SearchIndex"):
            report.note(name, "papershelf.core.search.index.SearchIndex does not exist yet")
            return
        parse = query_module.parse_query if query_module else search.parse_query
        lenient = "lenient" in inspect.signature(parse).parameters
        try:
            index = search.SearchIndex(table.library, word_index=True)  # as the window's
        except TypeError:
            index = search.SearchIndex(table.library)
        build_s, _ = timed(lambda: index.build() if hasattr(index, "build") else index.filter(parse(""), None))
        model, app = table.model, table.app

        def run(method: Callable[..., list[str]]) -> Samples:
            samples = Samples()
            gc.collect()
            for _ in range(cfg.runs(5, 1)):
                for text in keystrokes(cfg.quick and size == "100k"):
                    start = time.perf_counter()
                    query = parse(text, lenient=True) if lenient else parse(text)
                    model.set_filter(lambda ids, q=query: method(q, ids))
                    model.rowCount()
                    samples.add(time.perf_counter() - start)
                    app.processEvents()  # the view repaints between keystrokes (not timed)
            return samples

        samples = run(index.filter)
        report.set(name, samples.p95() * 1000, 2)
        detail: dict[str, Any] = {
            "what": "parse_query(lenient) + PaperTableModel.set_filter(index.filter) + reset, view attached; "
                    + (f"keystrokes {list(QUICK_KEYSTROKES)}" if cfg.quick and size == "100k" else
                       f"keystrokes: every prefix of {list(TYPED)}, then cleared"),
            "per_keystroke_ms": samples.summary(1000, "ms"),
            "index_build_s": round(build_s, 3),
        }
        if hasattr(index, "filter_incremental") and not (cfg.quick and size == "100k"):
            detail["filter_incremental_ms"] = run(index.filter_incremental).summary(1000, "ms")
        report.note(name, detail)
        model.set_filter(None)


def bench_window_filter(report: Report, cfg: Config, table: Table, size: str, work: Work) -> None:
    """What one keystroke in the real window's search box costs (MainWindow.apply_filters); notes only."""
    name = f"window_search_keystroke_ms_{size}"
    if cfg.quick and size == "100k":
        return
    with report.guard(name):
        from PySide6.QtCore import QSettings

        from papershelf.ui.main_window import MainWindow

        settings = QSettings(str(work.path("settings.ini")), QSettings.Format.IniFormat)
        window = MainWindow(table.library, settings=settings)
        if not hasattr(window, "search"):
            report.note(name, "MainWindow has no search box yet")
            return
        window.show()
        table.app.processEvents()
        index = window.controller.index
        ready_s = 0.0
        if getattr(index, "building", False):  # the window builds (or loads) the index in steps after show
            ready_s, _ = timed(index.finish_build)
            table.app.processEvents()

        def keystroke(text: str) -> float:
            window.search.blockSignals(True)  # the window may debounce; time the filter pass itself
            window.search.setText(text)
            window.search.blockSignals(False)
            seconds, _ = timed(window.apply_filters)
            table.app.processEvents()
            return seconds

        first = keystroke("g")  # builds the search index lazily
        keystroke("")
        samples = Samples()
        gc.collect()
        for _ in range(cfg.runs(3, 1)):
            for text in keystrokes(cfg.quick and size == "100k"):
                samples.add(keystroke(text))
        main_window = sys.modules[type(window).__module__]
        report.note(name, {"what": "MainWindow.apply_filters() after the search text changed (parse, "
                                   "filter_incremental, facets, reselect, status bar), window shown offscreen",
                           "debounced_above_papers (unless word-indexed)": getattr(main_window, "LARGE_LIBRARY", None),
                           "word_indexed": getattr(index, "word_indexed", None),
                           "index_ready_s (its build in steps, finished here at once)": round(ready_s, 3),
                           "first_keystroke_ms": round(first * 1000, 1),
                           "ms": samples.summary(1000, "ms")})
        window.controller.detach()  # the library outlives the window here: nothing of it may listen on
        window.model.disconnect_library()
        window.stats_view.disconnect_library()
        window.close()
        window.deleteLater()
        table.app.processEvents()


def bench_proxy_filter(report: Report, cfg: Config, table: Table) -> None:
    name = "filter_proxy_p95_ms_100k"
    with report.guard(name, name):
        from PySide6.QtCore import QSortFilterProxyModel, Qt
        from PySide6.QtWidgets import QTableView

        proxy = QSortFilterProxyModel()
        proxy.setSourceModel(table.model)
        proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        proxy.setFilterKeyColumn(0)
        view = QTableView()
        view.verticalHeader().setSectionResizeMode(view.verticalHeader().ResizeMode.Fixed)
        view.setModel(proxy)
        view.show()
        table.app.processEvents()
        texts = keystrokes() if not cfg.quick else ["g", "graph"]

        def run(column: int, typed: list[str]) -> Samples:
            proxy.setFilterKeyColumn(column)
            samples = Samples()
            gc.collect()
            for text in typed:
                start = time.perf_counter()
                proxy.setFilterFixedString(text)
                proxy.rowCount()
                samples.add(time.perf_counter() - start)
                table.app.processEvents()
            return samples

        samples = run(0, texts)
        report.set(name, samples.p95() * 1000, 1)
        detail: dict[str, Any] = {
            "what": "QSortFilterProxyModel over PaperTableModel, setFilterKeyColumn(0) (title only: the "
                    "proxy has no field syntax, so author:/tag: are literal text), case-insensitive, "
                    "setFilterFixedString per keystroke + rowCount, QTableView attached",
            "per_keystroke_ms": samples.summary(1000, "ms"),
        }
        if not cfg.quick:
            detail["all_columns_ms"] = run(-1, ["g", "gr", "graph", ""]).summary(1000, "ms")
            detail["all_columns_what"] = "setFilterKeyColumn(-1) (all 9 columns), keystrokes g, gr, graph, cleared"
        report.note(name, detail)
        view.close()
        proxy.setSourceModel(None)


def bench_sort(report: Report, cfg: Config, table: Table) -> None:
    name = "sort_ms_100k"
    with report.guard(name, name):
        from PySide6.QtCore import Qt

        from papershelf.ui.paper_model import COLUMN_NAMES

        table.model.set_filter(None)
        everything = Samples()
        per_column: dict[str, Any] = {}
        gc.collect()
        for column_name in ("title", "authors", "status"):
            column = COLUMN_NAMES.index(column_name)
            samples = Samples()
            for run in range(cfg.runs(5, 1)):
                for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
                    seconds, _ = timed(lambda c=column, o=order: table.model.sort(c, o))
                    samples.add(seconds)
                    everything.add(seconds)
                    table.app.processEvents()
                del run
            per_column[column_name] = samples.summary(1000, "ms")
        report.set(name, everything.median() * 1000, 1)
        report.note(name, {"what": "PaperTableModel.sort(column, order), title/authors/status, both orders, "
                                   "all rows visible, view attached", "all_ms": everything.summary(1000, "ms"),
                           **per_column})


# -- writes -----------------------------------------------------------------------------------------


def bench_annotation_write(report: Report, cfg: Config, library: Any) -> None:
    name = "annotation_write_ms_100k"
    with report.guard(name, name):
        from papershelf.core.library import AnnotationChange

        ids = list(library.papers)
        target = ids[len(ids) // 2]
        statuses = ("reading", "read")
        samples = Samples()
        gc.collect()
        for n in range(cfg.runs(30, 10)):
            change = AnnotationChange(status=statuses[n % 2])
            seconds, changed = timed(lambda c=change: library.annotate([target], c))
            if not changed:
                raise RuntimeError("the annotation did not change")
            samples.add(seconds)
        report.set(name, samples.median() * 1000, 2)
        size = (library.folder / "annotations.json").stat().st_size
        report.note(name, {"what": "Library.annotate([one id], AnnotationChange(status=...)), durable "
                                   f"(annotations.json {size / 1e6:.1f} MB, {len(library.annotated_ids())} "
                                   "annotations)", "ms": samples.summary(1000, "ms")})


def bench_stock_tinydb(report: Report, cfg: Config, work: Work) -> None:
    name = "annotation_write_stock_tinydb_ms_100k"
    with report.guard(name, name):
        from tinydb import TinyDB

        def measure(cached: Path, runs: int) -> tuple[Samples, int]:
            path = work.path(cached.name)
            shutil.copyfile(cached, path)
            os.sync()
            db = TinyDB(path)  # stock JSONStorage, no caching middleware
            table = db.table("annotations")
            samples = Samples()
            gc.collect()
            for n in range(runs):
                status = ("reading", "read")[n % 2]
                seconds, _ = timed(lambda s=status: table.update({"status": s}, doc_ids=[5000]))
                samples.add(seconds)
            db.close()
            return samples, path.stat().st_size

        samples, size = measure(work.cache["stock-tinydb-100k"], cfg.runs(5, 1))
        report.set(name, samples.median() * 1000, 1)
        detail: dict[str, Any] = {
            "what": "stock TinyDB 4 (JSONStorage, no CachingMiddleware), one db.json holding the 100k "
                    "catalogue and the 10k annotations as a plain TinyDB app would; "
                    "table('annotations').update({'status': ...}, doc_ids=[n]); no fsync (not durable)",
            "file_mb": round(size / 1e6, 1),
            "ms": samples.summary(1000, "ms"),
        }
        ann_samples, ann_size = measure(work.cache["stock-tinydb-ann-100k"], cfg.runs(10, 3))
        detail["annotations_only_file"] = {
            "what": "the same update on a stock TinyDB file holding only the 10k annotations",
            "file_mb": round(ann_size / 1e6, 1),
            "ms": ann_samples.summary(1000, "ms"),
        }
        report.note(name, detail)


def bench_bulk_status(report: Report, cfg: Config, work: Work) -> None:
    name = "bulk_status_10k_ms"
    with report.guard(name, name):
        from papershelf.core.library import AnnotationChange, Library

        library = Library(work.copy("lib-10k"))
        ids = list(library.papers)
        library.annotate(ids, AnnotationChange(status="skipped"))  # untimed: every run then changes all
        statuses = ("to-read", "reading")
        samples = Samples()
        gc.collect()
        for n in range(cfg.runs(5, 2)):
            change = AnnotationChange(status=statuses[n % 2])
            seconds, changed = timed(lambda c=change: library.annotate(ids, c))
            if len(changed) != len(ids):
                raise RuntimeError(f"{len(changed)} of {len(ids)} annotations changed")
            samples.add(seconds)
        report.set(name, samples.median() * 1000, 1)
        report.note(name, {"what": f"Library.annotate({len(ids)} ids, AnnotationChange(status=...)), one "
                                   "durable write", "ms": samples.summary(1000, "ms")})


# -- BibTeX, Markdown, sync ---------------------------------------------------------------------------


def bench_bibtexparser_raw(report: Report, cfg: Config, work: Work) -> None:
    names = ("parse_bibtexparser_raw_10k_s", "write_bibtexparser_raw_10k_s")
    with report.guard("bibtexparser", *names):
        import bibtexparser

        text = work.cache["bib-10k"].read_text(encoding="utf-8")
        parsed: list[Any] = []
        parse = repeat(lambda: parsed.append(bibtexparser.parse_string(text)), cfg.runs(3, 1))
        library = parsed[-1]
        if len(library.entries) != 10_000 or library.failed_blocks:
            raise RuntimeError(f"{len(library.entries)} entries, {len(library.failed_blocks)} failed blocks")
        report.set(names[0], parse.median())
        report.note(names[0], {"what": "bibtexparser.parse_string(text), default parse stack", "s": parse.summary()})
        write = repeat(lambda: bibtexparser.write_string(library), cfg.runs(3, 1))
        report.set(names[1], write.median())
        detail: dict[str, Any] = {"what": "bibtexparser.write_string(library), default unparse stack",
                                  "s": write.summary()}
        with contextlib.suppress(ImportError, AttributeError, TypeError):
            if cfg.quick:
                raise ImportError("skipped in quick mode")
            from bibtexparser.middlewares import default_unparse_stack  # type: ignore[attr-defined]

            stack = default_unparse_stack(allow_inplace_modification=True)
            inplace = repeat(lambda: bibtexparser.write_string(library, unparse_stack=stack), cfg.runs(3, 1))
            detail["inplace_unparse_stack_s"] = inplace.summary()
        report.note(names[1], detail)


def _import_runner(work: Work) -> tuple[Callable[[Path], Any], str]:
    """A function that imports one .bib file into a fresh empty library, and what it does."""
    from papershelf.core.library import Library

    importing = optional("papershelf.services.importing")
    if importing is not None and ".bib" in getattr(importing, "PARSERS", {}):

        def via_import_file(path: Path) -> Any:
            library = Library(work.path("import"))
            return library, importing.import_file(library, path)

        return via_import_file, "core.importing.import_file(Library(empty), path): read, decode, parse, add"
    bibtex = optional("papershelf.formats.bibtex")
    if bibtex is None:
        raise LookupError("papershelf.formats.bibtex does not exist yet")

    def via_parse(path: Path) -> Any:
        library = Library(work.path("import"))
        result = bibtex.parse(path.read_text(encoding="utf-8"))
        return library, library.import_papers(result.papers)

    return via_parse, "formats.bibtex.parse(text) + Library(empty).import_papers"


def bench_import(report: Report, cfg: Config, work: Work) -> None:
    for size, expected in (("10k", 10_000), ("1k", 1_000)):
        name = f"import_bibtex_{size}_s"
        with report.guard(name, name):
            runner, what = _import_runner(work)
            path = work.cache[f"bib-{size}"]
            samples = Samples()
            for _ in range(cfg.runs(3, 1)):
                gc.collect()
                # the empty library's creation is part of the timed call but costs ~1 ms
                seconds, (library, summary) = timed(lambda r=runner, p=path: r(p))
                samples.add(seconds)
            if len(library) != expected:
                raise RuntimeError(f"imported {len(library)} of {expected} papers ({summary})")
            report.set(name, samples.median())
            detail: dict[str, Any] = {"what": what, "s": samples.summary()}
            bibtex = optional("papershelf.formats.bibtex")
            if bibtex is not None and hasattr(bibtex, "parse") and not cfg.quick:
                text = path.read_text(encoding="utf-8")
                detail["parse_only_s"] = repeat(lambda b=bibtex, t=text: b.parse(t), 3).summary()
            report.note(name, detail)
            if size == "10k":
                _bench_bib_library_rss(report, work, library.folder)


def _bench_bib_library_rss(report: Report, work: Work, folder: Path) -> None:
    """Peak RSS of a process that opens the library imported from the 10k .bib (every field's source kept)."""
    with report.guard("rss_mb_10k_bib", "rss_mb_10k_bib"):
        proc = subprocess.run(
            [sys.executable, "-m", "tests.bench.probes", "rss", str(folder)],
            capture_output=True, text=True, cwd=ROOT, env=app_env(work.path("home")), timeout=300, check=False,
        )
        if proc.returncode != 0:
            raise RuntimeError(proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "probe failed")
        result: dict[str, Any] = orjson.loads(proc.stdout.strip().splitlines()[-1])
        report.set("rss_mb_10k_bib", result["hwm_mb"], 1)
        report.note("rss_mb_10k_bib", {"what": "peak RSS (VmHWM) of a process that opened the library imported "
                                               "from the 10k .bib, built PaperTableModel and the SearchIndex",
                                       "probe": result})


def bench_export(report: Report, cfg: Config, work: Work) -> None:
    from papershelf.core.library import Library

    library = Library(work.copy("lib-10k"))
    papers = list(library.papers.values())
    annotations = {pid: library.annotation(pid) for pid in library.annotated_ids()}
    for module_name, name in (("papershelf.formats.bibtex_export", "export_bibtex_10k_s"),
                              ("papershelf.formats.markdown_export", "export_markdown_10k_s")):
        with report.guard(name, name):
            module = optional(module_name)
            if module is None or not hasattr(module, "render"):
                report.note(name, f"{module_name}.render does not exist yet")
                continue
            out: list[Any] = []
            samples = repeat(lambda m=module, o=out: o.append(m.render(papers, annotations)), cfg.runs(5, 2))
            text = getattr(out[-1], "text", out[-1])
            report.set(name, samples.median())
            report.note(name, {"what": f"{module_name}.render(papers, annotations) with default options, "
                                       f"{len(papers)} papers, {len(annotations)} annotations",
                               "output_mb": round(len(text.encode()) / 1e6, 2), "s": samples.summary()})


def bench_exchange(report: Report, cfg: Config, work: Work) -> None:
    """RIS and biblatex, 10k papers each way: the lib-10k papers rendered (export), and those files read
    into an empty library through ``import_file`` (import), as the BibTeX rows measure."""
    from papershelf.core.library import Library

    library = Library(work.copy("lib-10k"))
    papers = list(library.papers.values())
    annotations = {pid: library.annotation(pid) for pid in library.annotated_ids()}
    files: dict[str, Path] = {}
    for fmt, module_name, suffix in (("ris", "papershelf.formats.ris", ".ris"),
                                     ("biblatex", "papershelf.formats.biblatex_export", ".bib")):
        name = f"export_{fmt}_10k_s"
        with report.guard(name, name):
            module = optional(module_name)
            if module is None or not hasattr(module, "render"):
                report.note(name, f"{module_name}.render does not exist yet")
                continue
            out: list[Any] = []
            samples = repeat(lambda m=module, o=out: o.append(m.render(papers, annotations)), cfg.runs(5, 2))
            text = out[-1].text
            report.set(name, samples.median())
            report.note(name, {"what": f"{module_name}.render(papers, annotations) with default options, "
                                       f"{len(papers)} papers, {len(annotations)} annotations",
                               "output_mb": round(len(text.encode()) / 1e6, 2), "s": samples.summary()})
            files[fmt] = work.path(f"papers-10k-{fmt}").with_suffix(suffix)
            files[fmt].write_text(text, encoding="utf-8")
    importing = optional("papershelf.services.importing")
    for fmt, path in files.items():
        name = f"import_{fmt}_10k_s"
        with report.guard(name, name):
            if importing is None:
                raise LookupError("papershelf.services.importing does not exist yet")
            samples = Samples()
            for _ in range(cfg.runs(3, 1)):
                gc.collect()

                def run(p: Path = path) -> Any:
                    imported = Library(work.path("import"))
                    return imported, importing.import_file(imported, p)

                seconds, (target, summary) = timed(run)
                samples.add(seconds)
                if len(target) != len(papers):
                    raise RuntimeError(f"imported {len(target)} of {len(papers)} papers ({summary.problems[:3]})")
            report.set(name, samples.median())
            report.note(name, {"what": f"services.importing.import_file(Library(empty), the {fmt} export of "
                                       f"lib-10k): read, sniff, decode, parse, add", "s": samples.summary(),
                               "file_mb": round(path.stat().st_size / 1e6, 2)})


def bench_csljson(report: Report, cfg: Config, work: Work) -> None:
    """CSL-JSON export and import of the 10k library, and 1,000 references formatted in APA (text and HTML)."""
    from papershelf.core.library import Library

    library = Library(work.copy("lib-10k"))
    papers = list(library.papers.values())
    annotations = {pid: library.annotation(pid) for pid in library.annotated_ids()}
    exported = work.path("csl") / "papers-10k.json"
    name = "export_csljson_10k_s"
    with report.guard(name, name):
        from papershelf.formats import csljson

        out: list[Any] = []
        samples = repeat(lambda: out.append(csljson.render(papers, annotations)), cfg.runs(5, 2))
        exported.parent.mkdir(parents=True)
        exported.write_text(out[-1].text, encoding="utf-8")
        report.set(name, samples.median())
        report.note(name, {"what": f"formats.csljson.render(papers, annotations), {len(papers)} papers, "
                                   f"{len(annotations)} annotations",
                           "output_mb": round(exported.stat().st_size / 1e6, 2), "s": samples.summary()})
    name = "import_csljson_10k_s"
    with report.guard(name, name):
        from papershelf.services import importing

        samples = Samples()
        for _ in range(cfg.runs(3, 1)):
            gc.collect()
            seconds, (imported, summary) = timed(
                lambda: (lib := Library(work.path("import-csl")), importing.import_file(lib, exported)))
            samples.add(seconds)
        if len(imported) != len(papers) or summary.failed:
            raise RuntimeError(f"imported {len(imported)} of {len(papers)} papers ({summary})")
        report.set(name, samples.median())
        report.note(name, {"what": "services.importing.import_file(Library(empty), the 10k export): read, parse, "
                                   "add", "s": samples.summary()})
    name = "cite_apa_1k_s"
    with report.guard(name, name):
        from papershelf.services import citations

        style = citations.load_style("apa")
        chosen = papers[:1000]
        samples = repeat(lambda: citations.bibliography(chosen, style), cfg.runs(3, 1))
        report.set(name, samples.median())
        report.note(name, {"what": "services.citations.bibliography(1,000 papers, APA): plain text and HTML, "
                                   "what Copy bibliography does", "s": samples.summary()})


def bench_latex_decode(report: Report, cfg: Config) -> None:
    """LaTeX to display text for 40,000 field values, half with markup (was a < 1 s assert in a unit test)."""
    name = "latex_decode_40k_s"
    with report.guard(name, name):
        from papershelf.formats import latex

        values = ["Sch{\\\"o}lkopf and \\emph{Deep} {BERT} -- $x$"] * 20_000 + ["A plain title"] * 20_000

        def decode_all() -> None:
            for value in values:
                latex.decode(value)

        samples = repeat(decode_all, cfg.runs(5, 2))
        report.set(name, samples.median())
        report.note(name, {"what": "formats.latex.decode over 20k values with accents, \\emph, braces, "
                                   "-- and $x$, and 20k plain ones", "s": samples.summary()})


def _edit_notes_file(path: Path, count: int, stamp: str) -> int:
    """Change the note of ``count`` sections of the notes file, as a user would in an editor."""
    from papershelf.sync import notesfile

    doc = notesfile.parse(path.read_text(encoding="utf-8"))
    edited = 0
    for section in doc.sections:
        if section.verbatim or section.conflict is not None:
            continue
        section.note = (section.note + "\n\n" if section.note else "") + f"Edited in the editor ({stamp})."
        edited += 1
        if edited == count:
            break
    path.write_text(notesfile.render_document(doc), encoding="utf-8")
    return edited


def bench_sync(report: Report, cfg: Config, work: Work) -> None:
    names = ("sync_10k_nochange_ms", "sync_10k_100changed_ms")
    with report.guard("sync", *names):
        syncer = optional("papershelf.sync.syncer")
        if syncer is None or not hasattr(syncer, "sync"):
            for name in names:
                report.note(name, "papershelf.sync.syncer.sync does not exist yet")
            return
        from papershelf.core.library import AnnotationChange, Library

        library = Library(work.copy("lib-10k"))
        notes_file = work.path("notes") / "papershelf-notes.md"
        notes_file.parent.mkdir(parents=True)
        first, _ = timed(lambda: syncer.sync(library, notes_file))
        nochange = repeat(lambda: syncer.sync(library, notes_file), cfg.runs(5, 2))
        report.set(names[0], nochange.median() * 1000, 1)
        size = notes_file.stat().st_size
        report.note(names[0], {"what": "syncer.sync(library, path) with nothing changed on either side "
                                       f"({len(library.annotated_ids())} annotated papers, notes file "
                                       f"{size / 1e6:.1f} MB)",
                               "first_sync_s": round(first, 3), "ms": nochange.summary(1000, "ms")})

        ids = library.annotated_ids()[:100]
        in_app, in_file = Samples(), Samples()
        moved: dict[str, list[int]] = {"to_file": [], "to_library": []}
        gc.collect()
        for n in range(cfg.runs(5, 2)):
            library.annotate(ids, AnnotationChange(note=f"changed in the app, round {n}"))
            seconds, result = timed(lambda: syncer.sync(library, notes_file))
            in_app.add(seconds)
            moved["to_file"].append(len(getattr(result, "to_file", ())))
            _edit_notes_file(notes_file, 100, f"round {n}")
            seconds, result = timed(lambda: syncer.sync(library, notes_file))
            in_file.add(seconds)
            moved["to_library"].append(len(getattr(result, "to_library", ())))
        slower = max(in_app.median(), in_file.median())
        report.set(names[1], slower * 1000, 1)
        report.note(names[1], {
            "what": "the slower median of: 100 annotations' notes changed in the app (untimed), then sync "
                    "writes them out; 100 sections' notes changed in the notes file (untimed), then sync "
                    "reads them in",
            "changed_in_app_ms": in_app.summary(1000, "ms"),
            "changed_in_file_ms": in_file.summary(1000, "ms"),
            "papers_moved_per_sync": moved,
        })


def bench_papis(report: Report) -> None:
    for name in ("papis_import_1k_s", "papis_export_1k_s"):
        report.note(name, "papis not installed (FIELD-NOTES measured papis 0.16 here: import of 1,000 BibTeX "
                          "entries 84 s, export of 1k to BibTeX 0.81 s)")


def bench_similarity(report: Report, cfg: Config, work: Work) -> None:
    """'More like this' (issue 9): index build and cached load at 10k, top-10 query at 10k and 100k."""
    with report.guard("similarity", "similarity_build_10k_s"):
        import random

        from papershelf.core.library import Library
        from papershelf.core.similar import SimilarityIndex

        for size in ("10k", "100k"):
            folder = work.copy(f"lib-{size}")
            library = Library(folder)
            if size == "10k":
                build = Samples()
                for _ in range(cfg.runs(3, 1)):
                    for cached in folder.glob("similarity*"):
                        cached.unlink()
                    seconds, _ = timed(lambda lib=library: SimilarityIndex.load_or_build(lib))
                    build.add(seconds)
                report.set("similarity_build_10k_s", build.median())
                load = Samples()
                for _ in range(cfg.runs(5, 2)):
                    seconds, _ = timed(lambda lib=library: SimilarityIndex.load_or_build(lib))
                    load.add(seconds)
                report.set("similarity_load_10k_s", load.median())
            index = SimilarityIndex.load_or_build(library)
            ids = random.Random(7).sample(list(library.papers), cfg.runs(50, 15))
            query = Samples()
            for pid in ids:
                seconds, _ = timed(lambda p=pid, ix=index: ix.similar(p, n=10))
                query.add(seconds)
            report.set(f"similar_top10_ms_{size}", query.median() * 1000, 2)
            report.note(f"similar_top10_ms_{size}", {"ms": query.summary(1000, "ms")})
            del index, library
            gc.collect()


def worst_queries(terms: int, chars: int) -> dict[str, str]:
    """The slowest queries found within the query bound: ``terms`` terms that each scan every paper's
    text (an abstract, or a phrase over all the text) and that neither end the search early nor are
    answered by the word index."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    families = {
        "excluded abstract words": [f"-abstract:e{letters[i % 26]}q" for i in range(terms)],
        "excluded phrases": [f'-"{letters[i % 26]} {letters[i // 26]}q"' for i in range(terms)],
        "phrases ORed, none found": [f'"e {letters[i % 26]}q"' for i in range(terms)],
    }
    joined = {name: (" OR " if "ORed" in name else " ").join(parts) for name, parts in families.items()}
    assert all(len(text) <= chars for text in joined.values())
    return joined


def bench_query_bound(report: Report, cfg: Config, work: Work) -> None:
    """A query at the bound (issue 14): the slowest of ``worst_queries`` on the 10k library, each on a
    freshly built index (nothing remembered from an earlier run), as the window and the CLI run it."""
    name = "query_worst_s_10k"
    with report.guard("query-bound", name):
        from papershelf.core.library import Library
        from papershelf.core.search.index import SearchIndex
        from papershelf.core.search.query import MAX_QUERY_CHARS, MAX_QUERY_TERMS, parse_query

        library = Library(work.copy("lib-10k"))
        SearchIndex(library, word_index=True).build()  # writes search.cache: later builds load it
        per_query: dict[str, Samples] = {}
        for label, text in worst_queries(MAX_QUERY_TERMS, MAX_QUERY_CHARS).items():
            samples = per_query[label] = Samples()
            for _ in range(cfg.runs(3, 1)):
                index = SearchIndex(library, word_index=True)
                index.build()
                seconds, _ = timed(lambda ix=index, t=text: ix.filter(parse_query(t)))
                samples.add(seconds)
        report.set(name, max(s.median() for s in per_query.values()))
        report.note(name, {
            "what": f"parse_query + SearchIndex.filter, {MAX_QUERY_TERMS} terms, <= {MAX_QUERY_CHARS} characters",
            "per_query_s": {label: s.summary() for label, s in per_query.items()},
        })


# -- a large notes file (issue 13) --------------------------------------------------------------------------


def bench_notes_large(report: Report, cfg: Config, work: Work) -> None:
    """The window syncs a 50 MB notes file (2,500 long notes and a 1 MB one, for the 10k library), in a
    process of its own: the longest the window could not handle an event, the whole sync, and the peak
    memory it took on top of what the window held, per byte of the file."""
    names = ("notes_sync_50mb_max_stall_ms", "notes_sync_50mb_s", "notes_sync_50mb_peak_rss_x")
    with report.guard("notes-large", *names):
        from papershelf.core.library import Library
        from tests.bench import synth

        text = synth.notes_file_text(Library(work.cache["lib-10k"])).encode("utf-8")
        runs: list[dict[str, Any]] = []
        for _ in range(cfg.runs(3, 1)):
            library = work.copy("lib-10k")  # a first sync: every section is taken into the library
            notes_file = work.path("notes") / "papershelf-notes.md"  # the same file each time (a sync rewrites it)
            notes_file.parent.mkdir(parents=True)
            notes_file.write_bytes(text)
            os.sync()
            proc = subprocess.run(
                [sys.executable, "-m", "tests.bench.probes", "notes-sync", str(library), str(notes_file)],
                capture_output=True, text=True, cwd=ROOT, env=app_env(work.path("home")), timeout=900, check=False,
            )
            if proc.returncode != 0:
                raise RuntimeError(proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "probe failed")
            runs.append(orjson.loads(proc.stdout.strip().splitlines()[-1]))
            if runs[-1]["outcome"] != "synced":
                raise RuntimeError(f"the sync did not finish: {runs[-1]['outcome']}")
        middle = sorted(runs, key=lambda r: r["max_stall_ms"])[len(runs) // 2]
        report.set(names[0], middle["max_stall_ms"], 1)
        report.set(names[1], sorted(r["seconds"] for r in runs)[len(runs) // 2])
        if all(r["peak_over_file"] is not None for r in runs):
            report.set(names[2], max(r["peak_over_file"] for r in runs), 2)
        report.note(names[0], {
            "what": "MainWindow (10k library, search index ready) chooses a 50 MB notes file (File > Notes file): "
                    "the longest gap between turns of a zero-interval timer until 'synced' and the search index "
                    "has taken the notes in (median run); "
                    "seconds: set_path to 'synced'; peak RSS during the sync minus RSS before, over the file's "
                    "size (largest run; VmHWM reset before); first search keystroke after the sync",
            "runs": runs,
        })


def bench_note_preview(report: Report, cfg: Config, work: Work) -> None:
    """The detail pane previews a 1 MB note (Markdown: paragraphs, lists, tables, code); median of runs."""
    name = "note_preview_1mb_ms"
    with report.guard(name, name):
        import random

        from PySide6.QtWidgets import QApplication

        from papershelf.core.library import AnnotationChange, Library
        from papershelf.ui.app_controller import AppController
        from papershelf.ui.detail import DetailPane
        from tests.bench import synth

        app = QApplication.instance() or QApplication([])
        library = Library(work.copy("lib-860"))
        controller = AppController(library)
        rng = random.Random(synth.SEED + 3)
        sentences = [s for p in synth.base_papers() for s in synth._sentences(p.abstract)]
        table_rows = "\n".join(f"| {n} | {sentences[n % len(sentences)][:60]} | {n % 7} |" for n in range(14_000))
        notes = {"mixed": synth.long_note(rng, sentences, synth.HUGE_NOTE_BYTES),
                 "table": "| # | sentence | score |\n| --- | --- | ---: |\n" + table_rows}
        pane = DetailPane(controller)
        pane.resize(420, 800)
        pane.show()
        detail: dict[str, Any] = {"what": "DetailPane: Preview toggled on for a paper with a 1 MB note, until "
                                          "painted (processEvents); 'Show all' once, for comparison"}
        ids = list(library.papers)[:2]
        for (kind, note), pid in zip(notes.items(), ids, strict=True):
            library.annotate([pid], AnnotationChange(note=note))
            pane.show_paper(pid)
            app.processEvents()
            samples = Samples()
            for _ in range(cfg.runs(7, 3)):
                pane.preview_toggle.setChecked(False)
                app.processEvents()
                seconds, _ = timed(lambda: (pane.preview_toggle.setChecked(True), app.processEvents()))
                samples.add(seconds)
            part = pane.preview_is_part
            whole_s = None
            if part and not cfg.quick:
                whole_s, _ = timed(lambda: (pane.show_whole_preview(), app.processEvents()))
            detail[kind] = {"chars": len(note), "ms": samples.summary(1000, "ms"), "shown_in_part": part,
                            "show_all_s": None if whole_s is None else round(whole_s, 2)}
            if kind == "mixed":
                report.set(name, samples.median() * 1000, 1)
            pane.preview_toggle.setChecked(False)
        report.note(name, detail)
        pane.close()
        pane.deleteLater()
        controller.detach()
        app.processEvents()


# -- PDFs: reading their text, full-text queries, matching downloads (issue 17) -----------------------

FULLTEXT_PAGES = 8  # pages per PDF: a title page, then a page of body text each (about 11 KB of text a PDF)
FULLTEXT_TYPED = ("fulltext:robustness", 'text:"neural network"', "fulltext:graph fulltext:attention")


def _typeset_pdfs(papers: list[Any], folder: Path, pages_each: int, headers: tuple[str, ...] = ("",)) -> list[Path]:
    """One PDF per paper, ``pages_each`` pages: its title, authors and abstract, then other papers' abstracts as
    body text; one pdflatex run for all of them, split into files by pypdf."""
    from tests.helpers.pdfs import Page, split, tex, typeset

    if pages_each == 1:
        pages = [Page(p.title, p.authors, p.abstract, headers[n % len(headers)]) for n, p in enumerate(papers)]
        book = typeset(pages, folder, "book")
        return split(book, [f"download ({n}).pdf" for n in range(len(papers))], folder / "pdfs")
    body = []
    for n, paper in enumerate(papers):
        body.append(f"{{\\LARGE\\bfseries {tex(paper.title)}\\par}}\\bigskip\n{{\\large {tex(', '.join(paper.authors))}"
                    f"\\par}}\\bigskip\n\\textbf{{Abstract}}\\quad {tex(paper.abstract[:1500])}\\par\\newpage\n")
        for k in range(1, pages_each):
            other = papers[(n * 7 + k * 13) % len(papers)]
            body.append(f"{k}\\quad {tex(other.abstract[:1700])}\\par\\newpage\n")
    source = folder / "book.tex"
    source.write_text("\\documentclass{article}\n\\usepackage[margin=2cm]{geometry}\n\\pagestyle{empty}\n"
                      "\\begin{document}\n" + "".join(body) + "\\end{document}\n", encoding="utf-8")
    subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", source.name], cwd=folder,
                   check=True, capture_output=True, timeout=600)
    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(folder / "book.pdf")
    if len(reader.pages) != len(papers) * pages_each:
        raise RuntimeError(f"{len(reader.pages)} pages typeset, {len(papers) * pages_each} wanted")
    made = []
    (folder / "pdfs").mkdir()
    for n in range(len(papers)):
        writer = PdfWriter()
        for page in reader.pages[n * pages_each:(n + 1) * pages_each]:
            writer.add_page(page)
        target = folder / "pdfs" / f"paper ({n}).pdf"
        with target.open("wb") as out:
            writer.write(out)
        made.append(target)
    return made


def bench_fulltext(report: Report, cfg: Config, work: Work) -> None:
    """Reading 1,000 attached PDFs' text (s per PDF), ``fulltext:`` queries over it at 10k papers (p95), the
    search box's plain words with "Search PDF text too" on (p95, beside the same keystrokes without it), and
    ``match-pdfs`` on 250 PDFs (200 of library papers, 50 of papers not in it)."""
    from papershelf.core.library import Library

    count = cfg.runs(1000, 250)
    folder = work.copy("lib-10k")
    name = "fulltext_extract_s_per_pdf"
    with report.guard("fulltext", name, "fulltext_query_p95_ms_10k", "filter_pdf_text_p95_ms_10k"):
        from papershelf.core.search.index import SearchIndex
        from papershelf.core.search.query import parse_query
        from papershelf.services import attachments, fulltext

        table_ = Table(folder)  # the window's table, over the library the PDFs are attached to
        library = table_.library
        papers = list(library.papers.values())[:count]
        made_s, pdfs = timed(lambda: _typeset_pdfs(papers, _mkdir(work), FULLTEXT_PAGES))
        stamp = "2026-12-05T00:00:00+00:00"
        library.commit(tables={attachments.TABLE: {
            p.id: {"files": [attachments.Attachment(str(pdf), True, "PDF", "", stamp).to_doc()]}
            for p, pdf in zip(papers, pdfs, strict=True)}})
        full = fulltext.FullText(library, read_on_lookup=False)
        library.fulltext = full.lookup
        gc.collect()
        read_s, read = timed(full.refresh)
        if read != count:
            raise RuntimeError(f"read {read} of {count} PDFs")
        texts, copy = full.snapshot()
        words_s, words = timed(lambda: fulltext.WordList(copy))
        full.adopt(texts, words)
        report.set(name, read_s / count, 4)
        report.note(name, {
            "what": f"FullText.refresh(): pypdf text of {count} attached {FULLTEXT_PAGES}-page PDFs, cached to "
                    "fulltext.cache (one write); then the word list fulltext: looks words up in",
            "read_s": round(read_s, 2), "word_list_s": round(words_s, 3), "typeset_and_split_s": round(made_s, 1),
            "text_mb": round(sum(len(t) for t in texts.values()) / 1e6, 1),
            "cache_mb": round(full.path.stat().st_size / 1e6, 1)})

        index = SearchIndex(library, word_index=True)
        index.build()
        model, app = table_.model, table_.app

        def run(texts_typed: list[str], widen: Callable[[Any], Any] | None) -> Samples:
            samples = Samples()
            gc.collect()
            for _ in range(cfg.runs(5, 1)):
                for text in texts_typed:
                    start = time.perf_counter()
                    query = parse_query(text, lenient=True)
                    query = widen(query) if widen is not None else query
                    model.set_filter(lambda ids, q=query, ix=index: ix.filter(q, ids))
                    model.rowCount()
                    samples.add(time.perf_counter() - start)
                    app.processEvents()
            return samples

        typed = [t[:n] for t in FULLTEXT_TYPED for n in range(len(t.split(":", 1)[0]) + 2, len(t) + 1)] + [""]
        samples = run(typed, None)
        report.set("fulltext_query_p95_ms_10k", samples.p95() * 1000, 2)
        report.note("fulltext_query_p95_ms_10k", {
            "what": f"parse_query + PaperTableModel.set_filter(SearchIndex.filter) + reset, 10k papers, {count} "
                    f"with PDF text; every prefix of {list(FULLTEXT_TYPED)} from its first letter, then cleared",
            "ms": samples.summary(1000, "ms")})
        plain = keystrokes(cfg.quick)
        without = run(plain, None)
        widened = run(plain, fulltext.with_fulltext)
        report.set("filter_pdf_text_p95_ms_10k", widened.p95() * 1000, 2)
        report.set("filter_p95_ms_10k_same_run", without.p95() * 1000, 2)
        report.note("filter_pdf_text_p95_ms_10k", {
            "what": "the table's keystrokes (every prefix of TYPED) with Search PDF text too on "
                    "(fulltext.with_fulltext), 10k papers, "
                    f"{count} with PDF text; beside the same keystrokes without it in the same run",
            "with_ms": widened.summary(1000, "ms"), "without_ms": without.summary(1000, "ms")})
        model.set_filter(None)
        table_.close()
        del table_, full, library
        gc.collect()

    name = "match_pdfs_250_s"
    with report.guard("match-pdfs", name):
        import random

        from papershelf.services.pdfmatch import match_folder
        from tests.helpers.pdfs import catalogue_papers

        catalogue = catalogue_papers()
        outside = catalogue[::17][:50]
        outside_ids = {id(p) for p in outside}
        inside = [p for p in catalogue if id(p) not in outside_ids]
        library = Library(work.path("match-library"))
        library.import_papers(inside)
        order = inside[::4][:200] + outside
        random.Random(17).shuffle(order)
        headers = ("Published as a conference paper at ICLR 2021", "",
                   "Under review as a conference paper at ICLR 2021")
        pdfs = _typeset_pdfs(order, _mkdir(work), 1, headers)
        samples = Samples()
        results: list[Any] = []
        for _ in range(cfg.runs(3, 1)):
            gc.collect()
            seconds, results = timed(lambda: match_folder(library, pdfs))
            samples.add(seconds)
        keys = {p.title: p.key for p in library.papers.values()}
        right = sum(1 for r, p in zip(results, order, strict=True)
                    if r.confident and id(p) not in outside_ids and library.papers[r.paper_id].key == keys[p.title])
        wrong = sum(1 for r, p in zip(results, order, strict=True)
                    if r.confident and (id(p) in outside_ids or library.papers[r.paper_id].key != keys[p.title]))
        report.set(name, samples.median())
        report.note(name, {"what": "services.pdfmatch.match_folder over 250 one-page PDFs (200 of the library's "
                                   "810 papers, 50 of papers not in it): pypdf's first page and metadata, then "
                                   "ids, titles and authors", "s": samples.summary(),
                           "right": right, "wrong": wrong, "unmatched": len(results) - right - wrong})


def _mkdir(work: Work) -> Path:
    folder = work.path("typeset")
    folder.mkdir(parents=True)
    return folder


# -- More like this on a first open (no similarity.cache) ------------------------------------------------------


def bench_more_like_this(report: Report, cfg: Config, work: Work) -> None:
    """The window on the 10k library without similarity.cache selects a paper right after it is shown: the
    longest stall of a 10 ms timer while More like this builds its index (in a process of its own)."""
    name = "more_like_this_max_stall_ms_10k"
    with report.guard("more-like-this", name):
        runs: list[dict[str, Any]] = []
        for _ in range(cfg.runs(3, 1)):
            library = work.copy("lib-10k")
            proc = subprocess.run(
                [sys.executable, "-m", "tests.bench.probes", "more-like-this", str(library), "5"],
                capture_output=True, text=True, cwd=ROOT, env=app_env(work.path("home")), timeout=900, check=False,
            )
            if proc.returncode != 0:
                raise RuntimeError(proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "probe failed")
            runs.append(orjson.loads(proc.stdout.strip().splitlines()[-1]))
        stall = "max_stall_after_first_turn_ms"
        middle = sorted(runs, key=lambda r: r[stall])[len(runs) // 2]
        report.set(name, middle[stall], 1)
        report.note(name, {
            "what": "python -m tests.bench.probes more-like-this: MainWindow (10k, no similarity.cache) shown, "
                    "its first paper selected; the longest gap between turns of a 10 ms timer after the first "
                    "(showing the window: first_turn_ms) over the next 5 s or until More like this has filled "
                    "in (median run)",
            "runs": runs,
        })
