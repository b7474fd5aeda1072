"""Importing files from the window: parsing off the UI thread, with progress, cancel and a summary."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QObject, QThread, Signal, Slot

from papershelf.core.library import ImportSummary, Library
from papershelf.core.storage.store import StoreError
from papershelf.formats.common import ParseResult
from papershelf.services.importing import add_parsed, parse_file


@dataclass(slots=True)
class FileOutcome:
    path: Path
    summary: ImportSummary | None = None
    error: str = ""

    def lines(self) -> list[str]:
        if self.summary is None:
            return [f"{self.path.name}: not imported: {self.error}"]
        s = self.summary
        head = f"{self.path.name}: {len(s.imported)} imported, {len(s.present)} already present"
        merged = getattr(s, "merged", None)
        if merged:
            head += f", {len(merged)} merged"
        head += f", {s.failed} failed"
        lines = [head]
        lines += [f"    key {old} was taken; imported as {new}" for old, new in s.renamed]
        lines += [f"    {key} is already here" for key in s.present]
        lines += [f"    {key} may be {other} (both kept: Edit → Possible duplicates…)" for key, other in s.suspected]
        lines += [f"    {p}" for p in s.problems]
        return lines


@dataclass(slots=True)
class ImportReport:
    outcomes: list[FileOutcome] = field(default_factory=list)
    cancelled: bool = False

    @property
    def imported(self) -> int:
        return sum(len(o.summary.imported) for o in self.outcomes if o.summary)

    @property
    def failed(self) -> bool:
        return any(o.summary is None or o.summary.failed for o in self.outcomes)

    def headline(self) -> str:
        """Every count in one line, with its plural: "1 imported, 1 could not be read, 1,084 already here"."""
        summaries = [o.summary for o in self.outcomes if o.summary is not None]
        unread = sum(1 for o in self.outcomes if o.summary is None)
        counts = [
            (sum(len(s.imported) for s in summaries), "paper imported", "papers imported"),
            (sum(len(s.merged) for s in summaries), "merged into a paper already here",
             "merged into papers already here"),
            (sum(len(s.present) for s in summaries), "already here", "already here"),
            (sum(len(s.suspected) for s in summaries), "possible duplicate", "possible duplicates"),
            (sum(s.failed for s in summaries), "entry could not be read", "entries could not be read"),
            (unread, "file could not be read", "files could not be read"),
        ]
        parts = [f"{n:,} {one if n == 1 else many}" for n, one, many in counts if n]
        return (", ".join(parts) or "Nothing to import") + "."

    def text(self) -> str:
        lines = [line for o in self.outcomes for line in o.lines()]
        if self.cancelled:
            lines.append("Import cancelled: the remaining files were not imported.")
        return "\n".join(lines)


class _ParseWorker(QObject):
    parsed = Signal(int, object, object)  # file number, path, ParseResult or error text
    done = Signal()

    def __init__(self, paths: Sequence[Path]) -> None:
        super().__init__()
        self._paths = list(paths)
        self.cancelled = False

    @Slot()
    def run(self) -> None:
        for number, path in enumerate(self._paths):
            if self.cancelled:
                break
            try:
                result: ParseResult | str = parse_file(path)
            except FileNotFoundError:
                result = "no such file"
            except (OSError, ValueError) as exc:
                result = str(exc)
            self.parsed.emit(number, path, result)
        self.done.emit()


class ImportJob(QObject):
    """Parses files in a worker thread; adds each file's papers to the library on the UI thread."""

    progress = Signal(int, int, str)  # files done, files in all, current file name
    finished = Signal(object)  # ImportReport

    def __init__(self, library: Library, paths: Sequence[Path], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self.paths = list(paths)
        self.report = ImportReport()
        self._thread = QThread()
        self._worker = _ParseWorker(self.paths)
        self._worker.moveToThread(self._thread)
        self._thread.started.connect(self._worker.run)
        self._worker.parsed.connect(self._file_parsed)
        self._worker.done.connect(self._done)

    def start(self) -> None:
        if self.paths:
            self.progress.emit(0, len(self.paths), self.paths[0].name)
        self._thread.start()

    def cancel(self) -> None:
        """Stop after the file being parsed; files already added stay added."""
        self._worker.cancelled = True
        self.report.cancelled = True

    def stop(self) -> None:
        """Cancel and wait for the worker thread (the window is closing)."""
        self.cancel()
        self._thread.quit()
        self._thread.wait()

    def _file_parsed(self, number: int, path: Path, result: ParseResult | str) -> None:
        if isinstance(result, str):
            self.report.outcomes.append(FileOutcome(path, error=result))
        elif self.report.cancelled:
            return
        else:
            try:
                summary = add_parsed(self.library, result, base=path.resolve().parent)  # as `papershelf import`
            except StoreError as exc:
                self.report.outcomes.append(FileOutcome(path, error=str(exc)))
            else:
                self.report.outcomes.append(FileOutcome(path, summary))
        following = self.paths[number + 1].name if number + 1 < len(self.paths) else ""
        self.progress.emit(number + 1, len(self.paths), following)

    def _done(self) -> None:
        self._thread.quit()
        self._thread.wait()
        self.finished.emit(self.report)
